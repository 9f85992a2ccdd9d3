"""Tests of the Colab path: each notebook's first cell and cnnbook/colab.py.

Colab is simulated: a fake ``google.colab`` module in ``sys.modules``
(what the cell and the module look for), with git, pip and the kernel
restart replaced by recorders.
"""
import ast
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

from cnnbook import colab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / 'book').glob('*.ipynb'))
TAG = 'colab-setup'


def first_cell(path):
    return json.loads(path.read_text())['cells'][0]


@pytest.fixture
def in_colab(monkeypatch):
    """Pretend to be a Colab kernel."""
    google = types.ModuleType('google')
    google.colab = types.ModuleType('google.colab')
    monkeypatch.setitem(sys.modules, 'google', google)
    monkeypatch.setitem(sys.modules, 'google.colab', google.colab)


@pytest.fixture
def outside_colab(monkeypatch):
    monkeypatch.delitem(sys.modules, 'google.colab', raising=False)


class Recorder:
    """Stands in for subprocess.run, runpy.run_path or a restart."""

    def __init__(self):
        self.calls = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_the_tagged_setup_cell(path):
    cells = json.loads(path.read_text())['cells']
    tagged = [i for i, c in enumerate(cells)
              if TAG in c['metadata'].get('tags', [])]
    assert tagged == [0], f'{path.name}: the {TAG} cell must come first'
    # remove-cell: Jupyter Book leaves it out of the website
    assert cells[0]['cell_type'] == 'code'
    assert 'remove-cell' in cells[0]['metadata']['tags']


def test_setup_cells_are_identical():
    first = {p.name: first_cell(p) for p in NOTEBOOKS}
    sources = {''.join(c['source']) for c in first.values()}
    metadata = {json.dumps(c['metadata'], sort_keys=True)
                for c in first.values()}
    assert len(sources) == 1 and len(metadata) == 1, (
        f'the {TAG} cells of {", ".join(first)} differ; copy one into all')


def setup_source():
    return ''.join(first_cell(NOTEBOOKS[0])['source'])


def test_setup_cell_clones_the_configured_repository():
    config = yaml.safe_load((ROOT / '_config.yml').read_text())
    repo = config['repository']
    src = setup_source()
    assert f"'{repo['url']}'" in src and f"'--branch={repo['branch']}'" in src


def run_cell(monkeypatch, have_clone=False):
    """Execute the setup cell with git and runpy recorded."""
    git, runpy_ = Recorder(), Recorder()
    monkeypatch.setattr(subprocess, 'run', git)
    monkeypatch.setattr('runpy.run_path', runpy_)
    monkeypatch.setattr('os.path.isdir', lambda path: have_clone)
    exec(compile(setup_source(), 'setup cell', 'exec'), {})
    return git.calls, runpy_.calls


def test_setup_cell_does_nothing_outside_colab(monkeypatch, outside_colab):
    assert run_cell(monkeypatch) == ([], [])


@pytest.mark.parametrize('have_clone', [False, True])
def test_setup_cell_in_colab(monkeypatch, in_colab, have_clone):
    git, runpy_ = run_cell(monkeypatch, have_clone)
    clone = (['git', 'clone', '--depth=1', '--branch=main',
              'https://github.com/cnnbook/cnnbook', '/content/cnnbook'],)
    assert git == ([] if have_clone else [(clone, {'check': True})])
    assert runpy_ == [(('/content/cnnbook/cnnbook/colab.py',),
                       {'run_name': '__main__'})]


def test_colab_module_uses_the_standard_library_only():
    tree = ast.parse(Path(colab.__file__).read_text())
    names = {a.name.split('.')[0] for n in ast.walk(tree)
             if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module.split('.')[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom)}
    assert names <= sys.stdlib_module_names, names - sys.stdlib_module_names


def test_pins_come_from_requirements_txt():
    lines = (ROOT / 'requirements.txt').read_text().splitlines()
    assert colab.pinned() == ['mxnet==1.9.1']
    assert all(p in lines for p in colab.pinned())


def test_pip_reads_the_pins_with_their_markers():
    # What colab.main hands pip, checked against this (already set up)
    # environment without touching the index: a malformed line fails.
    done = subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--dry-run', '--no-deps',
         '--no-index', '--quiet', *colab.pinned()],
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_missing_pin_is_named(tmp_path):
    reqs = tmp_path / 'requirements.txt'
    reqs.write_text('numpy==1.26.4  # comment\nsetuptools==80.9.0\n')
    with pytest.raises(ValueError, match='pins no mxnet; add the pin'):
        colab.pinned(reqs)
    assert [p.name for p in tmp_path.iterdir()] == ['requirements.txt']


def test_module_does_nothing_outside_colab(outside_colab, capsys):
    run = Recorder()
    assert colab.main((3, 13, 0), run) == 'not colab'
    assert run.calls == []
    assert capsys.readouterr().out == ''


@pytest.mark.parametrize('version, numpy_version, sentence', [
    ((3, 10, 12), '2.0.2', 'This Colab runtime has Python 3.10, older than '
     'the 3.11 this book needs: choose Runtime > Change runtime type > '
     'Runtime version > Latest and run this cell again.\n'),
    ((3, 13, 5), '3.0.0', 'This Colab runtime has numpy 3.0.0, newer than '
     'the numpy 2 this book runs MXNet 1.9.1 with: run !pip install '
     '"numpy<3", then Runtime > Restart session, then this cell again.\n')])
def test_module_says_what_to_do_on_another_runtime(
        monkeypatch, in_colab, capsys, version, numpy_version, sentence):
    run = Recorder()
    monkeypatch.setattr(colab, 'installed_version',
                        lambda name: {'numpy': numpy_version}[name])
    assert colab.main(version, run) == 'wrong runtime'
    assert run.calls == []
    assert capsys.readouterr().out == sentence


@pytest.mark.parametrize('version', [(3, 11, 13), (3, 12, 12), (3, 13, 5),
                                     (3, 14, 0)])
def test_module_installs_mxnet_and_cnnbook_only(monkeypatch, in_colab,
                                                capsys, version):
    run = Recorder()
    monkeypatch.setattr(sys, 'path', [p for p in sys.path if p != str(ROOT)])
    assert colab.main(version, run) == 'installed'
    pip = [sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps']
    assert run.calls == [
        ((pip + ['mxnet==1.9.1'],), {'check': True}),
        ((pip + ['--editable', str(ROOT)],), {'check': True})]
    assert sys.path[0] == str(ROOT)
    assert capsys.readouterr().out.endswith('Colab is ready for this book.\n')


def numpy_pin():
    """The numpy version requirements-numpy.txt gives this Python."""
    from packaging.requirements import Requirement
    for line in (ROOT / 'requirements-numpy.txt').read_text().splitlines():
        if line.startswith('numpy=='):
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate():
                return str(req.specifier).removeprefix('==')
    raise AssertionError('requirements-numpy.txt pins no numpy for this '
                         'Python')


def test_colab_kernel_with_numpy_loaded_runs_mxnet_without_restart(tmp_path):
    # A fresh interpreter plays Colab's kernel: google.colab present and
    # numpy imported before the cell runs. From Python 3.12 on that numpy
    # is numpy 2, as on Colab's default runtime (3.13, numpy 2): the
    # second pass of make test (3.12) and the 3.14 pass run it so. The
    # setup cell's module runs with pip recorded; then the same kernel,
    # on the numpy it had loaded, imports cnnbook and trains one MXNet
    # step.
    import numpy
    assert numpy.__version__ == numpy_pin()
    code = f"""
import sys, types, numpy
loaded = numpy.__version__, id(numpy)
google = types.ModuleType('google'); google.colab = types.ModuleType('g.c')
sys.modules.update({{'google': google, 'google.colab': google.colab}})
calls = []
sys.path.insert(0, {str(ROOT / 'cnnbook')!r})
import colab
print(colab.main(run=lambda *a, **k: calls.append(a[0])))
assert all('numpy' not in ' '.join(c) for c in calls), calls
import cnnbook
from mxnet import autograd, gluon, nd
net = gluon.nn.Dense(2); net.initialize()
with autograd.record():
    loss = net(nd.ones((4, 3))).sum()
loss.backward()
assert (numpy.__version__, id(sys.modules['numpy'])) == loaded
print('trained on numpy', numpy.__version__, float(loss.asscalar()) == \
      float(loss.asscalar()))
"""
    done = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-2:] == [
        'installed', f'trained on numpy {numpy.__version__} True']
