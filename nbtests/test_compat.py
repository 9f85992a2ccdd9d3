"""Tests of cnnbook/_compat.py, the numpy names MXNet 1.9.1 needs."""
import ast
import importlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy
import pytest
from numpy.lib import NumpyVersion

from cnnbook import _compat

ROOT = Path(__file__).resolve().parents[1]
COMPAT = ROOT / 'cnnbook' / '_compat.py'
NOTEBOOKS = sorted((ROOT / 'book').glob('*.ipynb'))
VERSION = NumpyVersion(numpy.__version__)
# numpy 1.24 removed numpy.bool; numpy 2 removed the NEP 52 names.
NEEDS_SHIM = VERSION >= '1.24.0'
# What MXNet 1.9.1's sources read that cnnbook/_compat.py leaves out on
# purpose (its docstring says why).
LEFT_OUT = {'numpy.int'}


def python(code):
    """Run ``code`` in a fresh interpreter; return (returncode, output)."""
    done = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, cwd=ROOT)
    return done.returncode, done.stdout + done.stderr


def names_mxnet_reads():
    """``numpy.X`` paths in MXNet's sources that this numpy lacks.

    Reads every module of the installed MXNet: attribute chains on a name
    bound by ``import numpy [as x]``, ``from numpy import``, and the
    names mxnet/numpy_dispatch_protocol.py looks up with getattr.
    """
    import mxnet
    missing = set()

    def lacks(path):
        obj, parts = numpy, path.split('.')[1:]
        for i, part in enumerate(parts):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                try:
                    obj = importlib.import_module(
                        '.'.join(['numpy'] + parts[:i + 1]))
                except ImportError:
                    return True
            if not isinstance(obj, type(numpy)):
                return False
        return False

    for source in Path(mxnet.__file__).parent.rglob('*.py'):
        with warnings.catch_warnings():     # MXNet's own "\\d" escapes
            warnings.simplefilter('ignore', SyntaxWarning)
            tree = ast.parse(source.read_bytes())
        aliases = {a.asname or 'numpy': 'numpy'
                   for n in ast.walk(tree) if isinstance(n, ast.Import)
                   for a in n.names if a.name == 'numpy'}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and \
                    node.module == 'numpy':
                paths = [f'numpy.{a.name}' for a in node.names]
            elif isinstance(node, ast.Attribute):
                chain, x = [], node
                while isinstance(x, ast.Attribute):
                    chain.append(x.attr)
                    x = x.value
                if not (isinstance(x, ast.Name) and x.id in aliases):
                    continue
                paths = ['.'.join(['numpy'] + chain[::-1])]
            elif isinstance(node, ast.Assign) and \
                    source.name == 'numpy_dispatch_protocol.py' and \
                    isinstance(node.value, ast.List):
                paths = [f'numpy.{e.value}' for e in node.value.elts
                         if isinstance(e, ast.Constant)]
            else:
                continue
            missing |= {p for p in paths if lacks(p)}
    return missing


def test_the_shim_restores_every_name_mxnet_reads():
    # Run after cnnbook (and so the shim) is imported: whatever MXNet's
    # sources name and this numpy still lacks is a gap in the shim.
    lacking = names_mxnet_reads() - LEFT_OUT
    assert not lacking, ('numpy lacks names MXNet 1.9.1 reads; add them '
                         f'to cnnbook/_compat.py: {sorted(lacking)}')


def test_the_scan_finds_what_the_shim_restores(monkeypatch):
    # The scan above is a real check: take the shim's names away and it
    # finds them again (numpy 1.23 lacks nothing the shim sets).
    for name in _compat.restored():
        monkeypatch.delitem(vars(numpy), name)
    found = names_mxnet_reads()
    expected = {f'numpy.{n}' for n in _compat.restored()} - {'numpy.bool'}
    assert expected <= found, expected - found


def test_mxnet_imports_after_the_shim():
    rc, out = python(
        'import runpy, numpy\n'
        'before = dict(vars(numpy))\n'
        f'runpy.run_path({str(COMPAT)!r})\n'
        'print(sorted(k for k, v in vars(numpy).items()\n'
        '             if k not in before or before[k] is not v))\n'
        'import mxnet.numpy\n')
    assert rc == 0, out
    # numpy 1.23 still has every name, and the shim must leave it alone
    if VERSION >= '2.0.0':
        expected = ['Inf', 'NAN', 'NINF', 'NZERO', 'NaN', 'PINF', 'PZERO',
                    'alltrue', 'compat', 'in1d', 'mirr', 'msort', 'npv',
                    'pmt', 'ppmt', 'product', 'pv', 'rate', 'round_',
                    'sometrue', 'trapz']
    else:
        expected = ['bool'] if NEEDS_SHIM else []
    assert out.splitlines()[0] == str(expected)


def test_mxnet_needs_the_shim_exactly_from_numpy_1_24():
    # When this fails on numpy >= 1.24, MXNet no longer reads the removed
    # names and cnnbook/_compat.py can go.
    rc, out = python('import mxnet')
    if VERSION >= '2.0.0':
        assert rc != 0 and 'was removed in the NumPy 2.0 release' in out, out
    elif NEEDS_SHIM:
        assert rc != 0 and "no attribute 'bool'" in out, out
    else:
        assert rc == 0, out


def test_restored_functions_match_what_numpy_names_instead():
    # On numpy 2 these are the shim's; on numpy 1, numpy's own, which the
    # same lines hold for (so both passes of make test run them).
    import cnnbook  # noqa: F401  (the shim, where it is needed)
    a = numpy.array([[3, 1], [2, 5], [1, 4]])
    assert (numpy.msort(a) == numpy.sort(a, axis=0)).all()
    assert (numpy.in1d(a, [1, 5]) ==
            [False, True, False, True, True, False]).all()
    assert numpy.trapz([1, 2, 3]) == 4.0
    assert numpy.alltrue([1, 1]) and not numpy.alltrue([1, 0])
    assert numpy.NINF == -numpy.inf and numpy.isnan(numpy.NAN)
    assert str(numpy.NZERO) == '-0.0'
    # numpy 1.20 to 1.26 keep stubs that raise RuntimeError; numpy 2 has
    # none, and the shim's (MXNet binds the names at import) raise
    # AttributeError: both name the package that has them now
    error = AttributeError if VERSION >= '2.0.0' else RuntimeError
    with pytest.raises(error, match='numpy.financial'):
        numpy.pmt(0.05, 10, 1000)


def test_mxnet_np_uses_restored_names():
    # mx.np.pad reads numpy.compat.basestring, mx.np.in1d numpy.in1d
    from mxnet import np as mnp, npx
    npx.set_np()
    try:
        x = mnp.arange(6).reshape(2, 3)
        assert mnp.pad(x, ((1, 1), (0, 0)), mode='constant').shape == (4, 3)
    finally:
        npx.reset_np()


def test_an_unknown_numpy_gets_one_sentence():
    # A numpy 3 is pretended by its version string alone.
    rc, out = python(
        'import numpy, runpy\n'
        "numpy.__version__ = '3.0.0'\n"
        f'runpy.run_path({str(COMPAT)!r})\n')
    assert rc != 0
    assert out.strip().splitlines()[-1] == (
        'ImportError: cnnbook runs MXNet 1.9.1 with numpy 1.23 to 2.x, not '
        'numpy 3.0.0: install numpy 2 with pip install "numpy<3" (see '
        'README: "Which Python").')


def test_pip_check_has_at_most_the_expected_line():
    # MXNet's metadata says numpy<2; with numpy 2 that is pip check's one
    # line (README: "Which Python"), and nothing else may be broken.
    done = subprocess.run([sys.executable, '-m', 'pip', 'check'],
                          capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    expected = ([] if VERSION < '2.0.0' else [
        f'mxnet 1.9.1 has requirement numpy<2.0.0,>1.16.0, but you have '
        f'numpy {numpy.__version__}.'])
    assert lines == expected or (not expected and lines == [
        'No broken requirements found.']), done.stdout + done.stderr


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
