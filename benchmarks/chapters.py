"""Load a chapter's model definitions from its notebook.

The notebooks hold the only copy of each model; benchmarks run the code
cells that define functions and classes (and their imports) in a fresh
namespace rather than keeping a second copy here.
"""
import ast
import json
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1] / 'book'


def definitions(notebook):
    """Return the namespace of a notebook's imports, functions and classes.

    Only those top-level statements run, and solution cells are left out,
    so nothing is trained or drawn.
    """
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    nb = json.loads((BOOK / notebook).read_text())
    namespace = {}
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] != 'code' or 'BEGIN SOLUTION' in src:
            continue
        tree = ast.parse(src)
        tree.body = [node for node in tree.body if isinstance(node, keep)]
        exec(compile(tree, notebook, 'exec'), namespace)
    return namespace
