"""A new chapter needs its notebook, a line in _toc.yml and a registry
entry, and nothing else.

In a temporary copy of the book, a small throwaway chapter is added by
exactly those three edits; then the site, the explorer export, nbgrader's
release, the results page and the benchmark's quick mode are run on the
copy (its own ``cnnbook`` first on PYTHONPATH) and each must show the new
chapter. The copy's site executes only the new notebook (the others are
left out of execution to keep this test short), so its build is not run
with -W: the other chapters' missing outputs warn there.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NAME = 'tiny'

# the registry entry, exactly as an author would add it
ENTRY = '''

CHAPTERS += (
    Chapter(
        name='tiny', notebook='tiny.ipynb', section='9.9',
        title='A tiny network', network='Tiny', builder='tiny',
        book=Recipe(lr=0.1, num_epochs=1, batch_size=64, resize=32),
        cpu=Recipe(lr=0.05, num_epochs=1, batch_size=64, resize=16,
                   momentum=0.9),
        smoke=Recipe(lr=0.05, num_epochs=1, batch_size=64, resize=16,
                     momentum=0.9, subset=(256, 128)),
        published=Published(
            recipe='32×32, 1 epoch', loss=1.5, train_acc=0.5,
            test_acc=0.55, examples_per_sec=1000, epochs=1, bar=0.5,
            source='made up for the test'),
        explorer='channel'),
)
'''

CELLS = [
    ('markdown', '# 9.9 A tiny network\n\nOne convolution, then a 1×1 '
     'classifier and global average pooling.', []),
    ('code', '''\
        import cnnbook
        from mxnet.gluon import nn


        def tiny(c1=4):
            net = nn.HybridSequential()
            net.add(nn.Conv2D(c1, kernel_size=3, padding=1,
                              activation='relu'),
                    nn.MaxPool2D(pool_size=2, strides=2),
                    nn.Conv2D(10, kernel_size=1),
                    nn.GlobalAvgPool2D(), nn.Flatten())
            return net''', ['chapter-model']),
    ('code', '''\
        net = tiny()
        rows = cnnbook.layer_summary(net, (1, 1, 16, 16))''',
     ['layer-table']),
    ('code', '''\
        from cnnbook.widgets import channel_explorer

        channel_explorer(tiny, (1, 1, 16, 16), dict(c1=4))''',
     ['explorer']),
    ('code', '''\
        cfg = cnnbook.settings('tiny')
        train_iter, test_iter = cnnbook.load_data_fashion_mnist(
            cfg.batch_size, resize=cfg.resize, subset=cfg.subset)''', []),
    ('code', '''\
        cnnbook.set_seed(0)
        history = cnnbook.train(net, train_iter, test_iter, cfg.num_epochs,
                                cfg.lr, **cfg.train_kwargs())''',
     ['training-run']),
    ('code', 'cnnbook.record_results(cfg, history)', []),
]


def run(args, cwd, env, timeout=900):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, (f'{" ".join(map(str, args))} failed:\n'
                                  f'{done.stdout[-3000:]}'
                                  f'{done.stderr[-5000:]}')
    return done.stdout + done.stderr


@pytest.fixture(scope='module')
def book(tmp_path_factory):
    """A copy of the book with the chapter added by the three edits;
    returns (folder, environment)."""
    tmp = tmp_path_factory.mktemp('new-chapter')
    skip = shutil.ignore_patterns('__pycache__', '*.egg-info')
    for part in ('cnnbook', 'book', 'benchmarks', '_static'):
        shutil.copytree(ROOT / part, tmp / part, ignore=skip)
    for name in ('_config.yml', '_toc.yml'):
        shutil.copy(ROOT / name, tmp / name)
    # 1. the notebook
    nb = nbformat.v4.new_notebook()
    for kind, text, tags in CELLS:
        make = (nbformat.v4.new_code_cell if kind == 'code' else
                nbformat.v4.new_markdown_cell)
        nb.cells.append(make(textwrap.dedent(text),
                             metadata={'tags': tags} if tags else {}))
    nb.metadata['kernelspec'] = {'name': 'python3', 'language': 'python',
                                 'display_name': 'Python 3'}
    nbformat.write(nb, tmp / 'book' / f'{NAME}.ipynb')
    # 2. the table of contents
    toc = (tmp / '_toc.yml').read_text()
    last = re.findall(r'^( +- file: book/\S+)\n', toc, re.M)[0]
    toc = toc.replace(last + '\n', f'{last}\n{last.split("-")[0]}- file: '
                      f'book/{NAME}\n', 1)
    (tmp / '_toc.yml').write_text(toc)
    # 3. the registry entry
    with open(tmp / 'cnnbook' / 'chapters.py', 'a') as f:
        f.write(ENTRY)
    env = dict(os.environ, PYTHONPATH=str(tmp), CNNBOOK_PROFILE='smoke',
               PATH=os.pathsep.join([str(BIN), os.environ.get('PATH', '')]))
    return tmp, env


def test_the_copy_uses_its_own_registry(book):
    tmp, env = book
    out = run([sys.executable, '-c', 'import cnnbook.chapters as c; '
               'print(c.__file__, [x.name for x in c.sections()])'],
              tmp, env)
    assert out.startswith(str(tmp / 'cnnbook' / 'chapters.py'))
    assert "'tiny'" in out


def test_site_and_results_page(book):
    tmp, env = book
    config = (tmp / '_config.yml').read_text()
    # keep the test short: only the new notebook executes (not part of
    # adding a chapter)
    others = [p.name for p in (ROOT / 'book').glob('*.ipynb')]
    (tmp / '_config.yml').write_text(config.replace(
        'execute_notebooks: cache', 'execute_notebooks: cache\n'
        f'  exclude_patterns: {json.dumps(others)}'))
    run([BIN / 'jupyter-book', 'build', str(tmp), '--path-output',
         str(tmp / 'out')], tmp, env)
    html = tmp / 'out' / '_build' / 'html' / 'book'
    page = (html / f'{NAME}.html').read_text()
    assert 'tag_training-run' in page and 'tag_layer-table' in page
    # the explorer's site view (explorer_site.html_view) is on the page
    assert 'cnnbook-explorer' in page
    results = (html / 'results.html').read_text()
    row = re.search(r'<tr[^>]*>(?:(?!</tr>).)*9\.9 Tiny(?:(?!</tr>).)*</tr>',
                    results, re.S)
    assert row, 'no row for the new chapter on the results page'
    cells = re.findall(r'<td[^>]*>(.*?)</td>', row[0], re.S)
    text = [re.sub(r'<[^>]+>', '', c).strip() for c in cells]
    assert text[1] == 'smoke' and text[2].startswith('16×16, batch 64')
    assert re.fullmatch(r'0\.\d{3}', text[5]), text   # its glued accuracy
    # its published run too
    assert 'made up for the test' in results


def test_explorer_export(book):
    tmp, env = book
    out = run([sys.executable, '-c', textwrap.dedent('''\
        from cnnbook.explorer_site import chapter_explorers, html_view
        views = [html_view(e) for e in chapter_explorers('tiny')]
        print(len(views), all('cnnbook-explorer' in v for v in views))
        ''')], tmp, env)
    assert out.split()[-2:] == ['1', 'True']


def test_nbgrader_release(book):
    tmp, env = book
    course = tmp / 'course'
    run([sys.executable, '-c', 'import sys; from cnnbook.course import '
         'make_course; make_course(sys.argv[1], ["tiny"])', str(course)],
        tmp, env)
    released = nbformat.read(course / 'release' / NAME / f'{NAME}.ipynb',
                             as_version=4)
    assert any('record_results' in c.source for c in released.cells)


def test_benchmark_quick_mode(book):
    tmp, env = book
    run([sys.executable, 'benchmarks/run.py', '--quick', '--only', NAME],
        tmp, env)
    report = (tmp / 'benchmarks' / 'results-quick.md').read_text()
    assert re.search(r'^\| Tiny +\| 16×16 +\| \d+', report, re.M), report
    assert re.search(r'of which tiny \d+ s', report), report
