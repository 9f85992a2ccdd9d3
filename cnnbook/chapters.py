"""Load a chapter's model definitions from its notebook.

The notebooks hold the only copy of each model. Tests and benchmarks that
need a chapter's ``nin`` or ``googlenet`` take it from the notebook with
:func:`definitions` rather than keeping a second copy. This works from a
checkout of the repository (``pip install -e .``), where ``book/`` sits
beside the package.
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


# section -> (notebook, name of its network builder)
BUILDERS = {'nin': ('nin.ipynb', 'nin'),
            'googlenet': ('googlenet.ipynb', 'googlenet'),
            'googlenet-numpy': ('googlenet-numpy.ipynb', 'googlenet')}


def builder(section):
    """The function that builds ``section``'s network, from its notebook."""
    if section not in BUILDERS:
        raise ValueError(f'unknown section {section!r}; known: '
                         f'{", ".join(BUILDERS)}')
    notebook, name = BUILDERS[section]
    return definitions(notebook)[name]
