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
    pins = colab.pinned()
    assert 'mxnet==1.9.1' in pins
    assert {p.split('==')[0] for p in pins} == {'numpy', 'mxnet',
                                                'setuptools'}
    assert all(p in lines for p in pins)     # markers kept, as written


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
    run, restart = Recorder(), Recorder()
    assert colab.main((3, 13, 0), run, restart) == 'not colab'
    assert run.calls == restart.calls == []
    assert capsys.readouterr().out == ''


@pytest.mark.parametrize('version, sentence', [
    ((3, 13, 0), 'This Colab runtime has Python 3.13, for which numpy 1.26 '
     '(MXNet 1.9.1 needs numpy 1.x) has no wheel and would take about 16 '
     'minutes to build: choose Runtime > Change runtime type > Runtime '
     'version > 2026.07 (Python 3.12) and run this cell again.\n'),
    ((3, 10, 12), 'This Colab runtime has Python 3.10, older than the 3.11 '
     'this book needs: choose Runtime > Change runtime type > Runtime '
     'version > 2026.07 (Python 3.12) and run this cell again.\n')])
def test_module_names_the_runtime_to_pick(in_colab, capsys, version,
                                          sentence):
    run, restart = Recorder(), Recorder()
    assert colab.main(version, run, restart) == 'wrong python'
    assert run.calls == restart.calls == []
    assert capsys.readouterr().out == sentence


@pytest.mark.parametrize('version', [(3, 11, 13), (3, 12, 12)])
def test_module_installs_pins_and_cnnbook(monkeypatch, in_colab, capsys,
                                          version):
    run, restart = Recorder(), Recorder()
    monkeypatch.setattr(sys, 'path', [p for p in sys.path if p != str(ROOT)])
    # numpy not imported yet in this kernel: no restart is needed
    monkeypatch.delitem(sys.modules, 'numpy')
    assert colab.main(version, run, restart) == 'installed'
    pip = [sys.executable, '-m', 'pip', 'install', '--quiet']
    assert run.calls == [
        ((pip + colab.pinned(),), {'check': True}),
        ((pip + ['--no-deps', '--editable', str(ROOT)],), {'check': True})]
    assert restart.calls == []
    assert sys.path[0] == str(ROOT)
    assert capsys.readouterr().out.endswith('Colab is ready for this book.\n')


def test_module_restarts_after_replacing_loaded_numpy(monkeypatch, in_colab,
                                                      capsys):
    run, restart = Recorder(), Recorder()
    old = types.ModuleType('numpy')
    old.__version__ = '2.0.2'                 # what Colab preinstalls
    monkeypatch.setitem(sys.modules, 'numpy', old)
    monkeypatch.setattr(colab, 'installed_version',
                        lambda name: {'numpy': '1.26.4'}[name])
    assert colab.main((3, 12, 12), run, restart) == 'restarting'
    assert len(run.calls) == 2 and restart.calls == [((), {})]
    assert capsys.readouterr().out.splitlines()[-1] == (
        'Colab restarts its runtime now to load numpy 1.26.4 in place of '
        '2.0.2: when it is back, run this cell again, then the rest of the '
        'notebook.')
