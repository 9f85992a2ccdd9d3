"""Tests of cnnbook/_compat.py, the numpy.bool shim MXNet 1.9.1 needs."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
from numpy.lib import NumpyVersion

ROOT = Path(__file__).resolve().parents[1]
COMPAT = ROOT / 'cnnbook' / '_compat.py'
NOTEBOOKS = sorted((ROOT / 'book').glob('*.ipynb'))
# numpy 1.24 removed the alias; numpy 2 is ruled out by requirements.txt.
NEEDS_SHIM = NumpyVersion(numpy.__version__) >= '1.24.0'


def python(code):
    """Run ``code`` in a fresh interpreter; return (returncode, output)."""
    done = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, cwd=ROOT)
    return done.returncode, done.stdout + done.stderr


def test_mxnet_imports_after_the_shim():
    rc, out = python(
        'import runpy, numpy\n'
        f'runpy.run_path({str(COMPAT)!r})\n'
        'import mxnet.numpy\n'
        "print('set' if 'bool' in vars(numpy) else 'untouched')")
    assert rc == 0, out
    # numpy 1.23 still has the alias, and the shim must leave it alone
    assert out.splitlines()[-1] == ('set' if NEEDS_SHIM else 'untouched')


def test_mxnet_needs_the_shim_exactly_from_numpy_1_24():
    # When this fails on numpy >= 1.24, MXNet no longer reads numpy.bool
    # and cnnbook/_compat.py can go.
    rc, out = python('import mxnet')
    if NEEDS_SHIM:
        assert rc != 0 and "no attribute 'bool'" in out, out
    else:
        assert rc == 0, out


def test_cnnbook_applies_the_shim_before_its_own_imports():
    init = ast.parse((ROOT / 'cnnbook' / '__init__.py').read_text())
    imports = [node for node in init.body
               if isinstance(node, (ast.Import, ast.ImportFrom))]
    first = imports[0]
    assert isinstance(first, ast.ImportFrom) and first.level == 1 and \
        [a.name for a in first.names] == ['_compat']


def imported_modules(source):
    """Top-level names of the modules ``source`` imports, in order."""
    from IPython.core.inputtransformer2 import TransformerManager
    tree = ast.parse(TransformerManager().transform_cell(source))
    nodes = sorted((n for n in ast.walk(tree)
                    if isinstance(n, (ast.Import, ast.ImportFrom))),
                   key=lambda n: (n.lineno, n.col_offset))
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (a.name.split('.')[0] for a in node.names)
        elif node.level == 0:
            yield node.module.split('.')[0]


def test_imported_modules_reads_imports_in_order():
    src = ('%matplotlib inline\nimport os, mxnet.gluon as g\n'
           'def f():\n    from cnnbook import train\nfrom . import x\n')
    assert list(imported_modules(src)) == ['os', 'mxnet', 'cnnbook']


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_cnnbook_before_mxnet(path):
    cells = json.loads(path.read_text())['cells']
    for i, cell in enumerate(cells):
        if cell['cell_type'] != 'code':
            continue
        for name in imported_modules(''.join(cell['source'])):
            if name == 'cnnbook':
                return
            assert name != 'mxnet', (
                f'{path.name}: cell {i} imports mxnet before any cell '
                'imports cnnbook; put `import cnnbook` first, so that '
                'cnnbook/_compat.py runs before MXNet on numpy >= 1.24')
    pytest.fail(f'{path.name} never imports cnnbook')
