"""The website and the student edition in a real browser.

Builds both with the Makefile's own targets on the smoke profile into
_build/test-site (its own execution cache, kept between runs), serves
them on 127.0.0.1 and loads every page in Debian's headless Chromium
through Playwright. Screenshots go to _build/screenshots/.
"""
import functools
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
from browser import headless_chromium, require_chromium, watch

from cnnbook.build import toc_pages

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / '_build' / 'test-site'
SHOTS = ROOT / '_build' / 'screenshots'
SECTIONS = ('nin', 'googlenet', 'googlenet-numpy')
PAGES = [page.split('/')[-1] for page in toc_pages()]


def make(*targets):
    env = dict(os.environ, CNNBOOK_PROFILE='smoke')
    run = subprocess.run(['make', '-C', str(ROOT), *targets, f'OUT={OUT}'],
                         env=env, capture_output=True, text=True)
    log = run.stdout + run.stderr
    assert run.returncode == 0, f'make {" ".join(targets)} failed:\n' + \
        log[-6000:]
    return log


@pytest.fixture(scope='session')
def built():
    """Build the site and the student edition; return the build log."""
    require_chromium()
    return make('book', 'student')


@pytest.fixture(scope='session')
def server(built):
    handler = functools.partial(_QuietHandler, directory=str(OUT / '_build'))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}'
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope='session')
def browser(built):
    with headless_chromium() as browser:
        yield browser


class Visit:
    """One page load: console errors and requests to other hosts."""

    def __init__(self, browser, url, shot):
        self.page = browser.new_page(viewport={'width': 1280, 'height': 900})
        seen = watch(self.page)
        self.errors, self.foreign = seen.errors, seen.foreign
        self.page.goto(url, wait_until='networkidle')
        self.shot = shot

    def close(self):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / self.shot), full_page=True)
        self.page.close()


@pytest.fixture
def visit(browser, server):
    opened = []

    def open_page(path, shot):
        opened.append(Visit(browser, f'{server}/{path}', shot))
        return opened[-1]
    yield open_page
    for v in opened:
        v.close()


# JavaScript run in the page: the training cell (outside any solution)
# and whether its figure has loaded.
TRAINING_FIGURE = """() => {
  const cells = [...document.querySelectorAll('div.cell')].filter(c =>
      !c.closest('.solution') &&
      c.querySelector('.cell_input')?.textContent.includes(
          'history = cnnbook.train('));
  return cells.map(c => [...c.querySelectorAll('.cell_output img')].map(
      img => img.complete && img.naturalWidth > 0));
}"""
# a printout of the shapes layer by layer (or stage by stage), with the
# parameter count: layer_summary's table, or section 7.4's own loop
LAYER_TABLE = """() => [...document.querySelectorAll('.cell_output')].some(
    o => (o.textContent.match(/output shape/g) || []).length >= 1 &&
         o.textContent.includes('parameters') && !o.closest('.solution'))"""
MATH_DONE = """() => [...document.querySelectorAll('.math')].every(
    m => m.querySelector('mjx-container'))"""
SOLUTION_CODE = """() => [...document.querySelectorAll('.cell_input')].some(
    c => c.textContent.includes('BEGIN SOLUTION'))"""


def test_warm_rebuild_runs_nothing(built):
    log = make('book')
    assert 'Executed notebook' not in log
    assert len(re.findall(r'Using cached notebook', log)) >= len(SECTIONS)


@pytest.mark.parametrize('page', PAGES)
def test_page(visit, page):
    v = visit(f'html/book/{page}.html', f'site-{page}.png')
    assert v.page.title(), 'the page has no title'
    if page in SECTIONS:
        v.page.wait_for_selector('.widget-slider', state='visible',
                                 timeout=30_000)
        figures = v.page.evaluate(TRAINING_FIGURE)
        assert figures == [[True]], \
            f'training cell figures (loaded?) per cell: {figures}'
        assert v.page.evaluate(LAYER_TABLE), 'no layer table on the page'
        # the .ipynb download and the launch buttons (links only)
        for href in (f'_sources/book/{page}.ipynb', 'mybinder.org',
                     'colab.research.google.com'):
            assert v.page.locator(f'a[href*="{href}"]').count() > 0, href
        solutions = v.page.locator('.solution')
        assert solutions.count() > 0
        for i in range(solutions.count()):
            body = solutions.nth(i).locator('> :not(.admonition-title)')
            assert all(not body.nth(j).is_visible()
                       for j in range(body.count())), \
                f'solution {i} is not collapsed'
    # every formula typeset by the site's own MathJax
    v.page.wait_for_function(MATH_DONE, timeout=30_000)
    if page == 'results':
        # one row per section, every glued number filled in
        rows = v.page.locator('table').first.locator('tbody tr')
        assert rows.count() == len(SECTIONS)
        for i in range(rows.count()):
            cells = rows.nth(i).locator('td').all_inner_texts()
            assert cells[1] == 'smoke', cells
            assert 0 <= float(cells[5]) <= 1 and float(cells[7]) > 0, cells
    assert not v.foreign, f'requests to other hosts: {v.foreign}'
    assert not v.errors, f'console errors: {v.errors}'


@pytest.mark.parametrize('page', PAGES)
def test_student_page(visit, page):
    v = visit(f'student/html/book/{page}.html', f'student-{page}.png')
    assert v.page.locator('.solution').count() == 0
    assert not v.page.evaluate(SOLUTION_CODE), 'solution code on the page'
    if page in SECTIONS:
        assert v.page.locator('.exercise').count() > 0
        v.page.wait_for_selector('.widget-slider', state='visible',
                                 timeout=30_000)
    assert not v.foreign, f'requests to other hosts: {v.foreign}'
    assert not v.errors, f'console errors: {v.errors}'


def test_student_notebooks_were_written(built):
    written = sorted(p.name for p in
                     (OUT / '_build' / 'student' / 'notebooks').glob('*'))
    assert written == sorted(p.name for p in (ROOT / 'book').glob('*.ipynb'))


def _fragments(nb, shown):
    """Pieces of a chapter's solutions and hidden tests, as a page shows
    them: code lines, and the longest plain run of each written answer
    (inline code, maths and emphasis render differently). Pieces found in
    ``shown``, the text every edition shows, are left out."""
    from cnnbook.exercises import BEGIN, END, HIDDEN, is_test, nbgrader_meta
    pieces = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == 'code' and meta.get('solution'):
            region = cell.source.split(BEGIN)[1].split(END)[0]
            pieces += [s.strip() for s in region.splitlines()
                       if len(s.strip()) > 30]
        elif cell.cell_type == 'markdown' and meta.get('solution'):
            runs = re.split(r'[`$*_{}\[\]()|]', cell.source)
            pieces.append(' '.join(max(runs, key=len).split()))
        elif is_test(cell):
            pieces += [s.strip() for s in cell.source.split(HIDDEN)[1]
                       .splitlines() if len(s.strip()) > 30]
    return [p for p in pieces if p not in shown]


def _site_text(site):
    """Every page's text and every notebook's cell sources under site."""
    import html
    import nbformat
    texts = {}
    for path in site.rglob('*'):
        if path.suffix == '.html':
            text = html.unescape(re.sub(r'<[^>]+>', '', path.read_text()))
        elif path.suffix == '.ipynb':
            text = '\n'.join(c.source for c in nbformat.read(
                path, as_version=4).cells)
        else:
            continue
        texts[path] = ' '.join(text.split())
    return texts


def test_student_site_holds_no_solution(built):
    """Neither a page nor a download of the student site holds a solution
    or a hidden test; the full site, checked the same way, does."""
    import nbformat
    from cnnbook.exercises import nbgrader_meta
    student = _site_text(OUT / '_build' / 'student' / 'html')
    full = _site_text(OUT / '_build' / 'html')
    books = {path.stem: nbformat.read(path, as_version=4)
             for path in (ROOT / 'book').glob('*.ipynb')}
    # a line that some chapter's own code also has proves nothing
    shown = '\n'.join(c.source for nb in books.values() for c in nb.cells
                      if not nbgrader_meta(c))
    for name, nb in books.items():
        pieces = [' '.join(p.split()) for p in _fragments(nb, shown)]
        assert pieces
        page = f'book/{name}.html'
        full_page = next(t for p, t in full.items() if p.match(page))
        # the check can fail: the full site shows the written answers
        assert any(p in full_page for p in pieces), name
        # but neither site shows a test cell or nbgrader's metadata
        for hidden in ('HIDDEN TESTS', '# Autograded:', 'grade_id'):
            assert hidden not in full_page, name
        for path, text in student.items():
            leaked = [p for p in pieces if p in text]
            assert not leaked, f'{path} holds solution text: {leaked[:3]}'
