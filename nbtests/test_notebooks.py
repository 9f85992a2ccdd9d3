"""Checks on the notebooks as files (nbmake runs them separately)."""
import json
from pathlib import Path

import pytest

from cnnbook.build import toc_pages

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / 'book').glob('*.ipynb'))


def test_there_are_notebooks():
    assert NOTEBOOKS, 'book/ holds no notebook'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb['cells']) if c['cell_type'] == 'code'
             and (c.get('outputs') or c.get('execution_count'))]
    assert not dirty, (f'{path.name}: cells {dirty} hold outputs or '
                       'execution counts; clear them before committing '
                       '(jupyter nbconvert --clear-output --inplace)')


def test_every_page_is_in_the_toc():
    listed = set(toc_pages())
    pages = {str(p.relative_to(ROOT).with_suffix('')) for p in
             (ROOT / 'book').glob('*') if p.suffix in ('.ipynb', '.md')}
    assert pages == listed


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_are_marked(path):
    # nbgrader's markers must pair up, so a student edition can be made
    nb = json.loads(path.read_text())
    for cell in nb['cells']:
        src = ''.join(cell['source'])
        assert src.count('### BEGIN SOLUTION') == \
            src.count('### END SOLUTION')


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_model_cells_only_define(path):
    # cnnbook.chapters runs these cells in tests and benchmarks: no
    # solution (the student edition stubs those), no data, no training
    from cnnbook.chapters import TAG, tags
    nb = json.loads(path.read_text())
    for cell in nb['cells']:
        if TAG in tags(cell):
            src = ''.join(cell['source'])
            for word in ('SOLUTION', 'load_data_fashion_mnist', '.train(',
                         'layer_summary', 'draw_'):
                assert word not in src, f'{path.name}: {TAG} cell has {word}'


# What JupyterLab 4 writes when it opens a notebook on ipykernel's
# python3 kernel: any other value, it rewrites on opening, and the
# notebook shows as modified before the student has touched it.
KERNELSPEC = {'display_name': 'Python 3 (ipykernel)', 'language': 'python',
              'name': 'python3'}


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda p: p.name)
def test_standard_kernel_metadata(path):
    import re

    from ipykernel.ipkernel import IPythonKernel
    meta = json.loads(path.read_text())['metadata']
    fix = ('; rewrite it from ipykernel (see the kernelspec and '
           'language_info of a notebook that JupyterLab saved)')
    assert meta.get('kernelspec') == KERNELSPEC, f'{path.name}: kernelspec' \
        f' {meta.get("kernelspec")} is not {KERNELSPEC}' + fix
    # JupyterLab also replaces language_info with the kernel's own, which
    # names the Python version: the notebooks record the main one (3.11,
    # README: "Which Python"); on another, only that field differs.
    info = dict(meta.get('language_info', {}))
    version = info.pop('version', '')
    expected = dict(IPythonKernel.language_info)
    expected.pop('version')
    assert info == expected, f'{path.name}: language_info {info}' + fix
    assert re.fullmatch(r'3\.1[1-3]\.\d+', version), \
        f'{path.name}: language_info names Python {version!r}' + fix


def test_the_registry_and_the_notebooks_agree():
    # every registered chapter is a notebook in the toc, and every
    # notebook that trains (a cell tagged training-run) is registered
    from cnnbook.chapters import CHAPTERS, tagged_cells
    listed = set(toc_pages())
    registered = {c.notebook for c in CHAPTERS}
    for c in CHAPTERS:
        assert f'book/{c.stem}' in listed, f'{c.notebook} is not in _toc.yml'
    training = {p.name for p in NOTEBOOKS
                if tagged_cells(p.name, 'training-run')}
    assert training == registered, (
        'a notebook with a training-run cell needs an entry in '
        'cnnbook/chapters.py (and an entry there needs its notebook)')


@pytest.mark.parametrize('tag', ['layer-table', 'training-run'])
def test_each_section_tags_its_cells_once(tag):
    from cnnbook.chapters import sections, tagged_cells
    for c in sections():
        assert len(tagged_cells(c.notebook, tag)) == 1, (c.notebook, tag)
    for c in sections():
        explorers = tagged_cells(c.notebook, 'explorer')
        assert bool(explorers) == bool(c.explorer), c.notebook
