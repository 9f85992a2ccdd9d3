"""The website and the student edition in a real browser.

Builds both with the Makefile's own targets on the smoke profile into
_build/test-site (its own execution cache, kept between runs), serves
them on 127.0.0.1 and loads every page in Debian's headless Chromium
through Playwright. Screenshots go to _build/screenshots/.

The chapters are the registry's (``cnnbook.chapters``); a chapter's
cells are found on its page by the classes myst-nb gives a cell for its
tags (``tag_training-run``, ``tag_layer-table``), never by their text.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest
from browser import (READ_EXPLORER, SET_CONTROLS, headless_chromium,
                     python_view, require_chromium, serve, watch)

from cnnbook import chapters
from cnnbook.build import toc_pages

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / '_build' / 'test-site'
SHOTS = ROOT / '_build' / 'screenshots'
PAGES = [page.split('/')[-1] for page in toc_pages()]
# the chapters whose pages show channel explorers
EXPLORERS = [c.name for c in chapters.CHAPTERS if c.explorer]


def chapter_on(page):
    """The registry's chapter that ``page`` (a notebook's stem) shows, or
    None for a page that is no chapter."""
    return next((c for c in chapters.CHAPTERS if c.stem == page), None)


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
    with serve(OUT / '_build') as url:
        yield url


@pytest.fixture(scope='session')
def browser(built):
    with headless_chromium() as browser:
        yield browser


class Visit:
    """One page load: console errors and requests to other hosts."""

    def __init__(self, browser, url, shot, theme=None, width=1280):
        self.page = browser.new_page(viewport={'width': width, 'height': 900},
                                     color_scheme=theme or 'light')
        if theme:
            # what the theme's colour-mode button stores; the page's first
            # script reads it (pydata-sphinx-theme 0.17, layout.html)
            self.page.add_init_script(
                f"localStorage.setItem('mode', '{theme}');"
                f"localStorage.setItem('theme', '{theme}');")
        seen = watch(self.page)
        self.errors, self.foreign = seen.errors, seen.foreign
        self.page.goto(url, wait_until='networkidle')
        self.shot = shot

    def close(self):
        if self.shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SHOTS / self.shot), full_page=True)
        self.page.close()


@pytest.fixture
def visit(browser, server):
    opened = []

    def open_page(path, shot, **kw):
        opened.append(Visit(browser, f'{server}/{path}', shot, **kw))
        return opened[-1]
    yield open_page
    for v in opened:
        v.close()


# JavaScript run in the page: the cells tagged ``tag`` (myst-nb's class
# tag_<tag> on the cell's div), outside any solution.
TAGGED = """(tag) => [...document.querySelectorAll('div.cell.tag_' + tag)]
    .filter(c => !c.closest('.solution'))"""
# the training cell(s), and whether each figure of theirs has loaded
TRAINING_FIGURE = f"""() => ({TAGGED})('training-run').map(
    c => [...c.querySelectorAll('.cell_output img')].map(
        img => img.complete && img.naturalWidth > 0))"""
# the layer-table cell(s) and their outputs' text: a printout of the
# shapes layer by layer (or stage by stage), with the parameter count
LAYER_TABLE = f"""() => ({TAGGED})('layer-table').map(
    c => [...c.querySelectorAll('.cell_output')].map(o => o.textContent)
        .join('\\n'))"""
MATH_DONE = """() => [...document.querySelectorAll('.math')].every(
    m => m.querySelector('mjx-container'))"""
SOLUTION_CODE = """() => [...document.querySelectorAll('.cell_input')].some(
    c => c.textContent.includes('BEGIN SOLUTION'))"""


def test_warm_rebuild_runs_nothing(built):
    log = make('book')
    assert 'Executed notebook' not in log
    assert len(re.findall(r'Using cached notebook', log)) >= len(
        chapters.sections())


@pytest.mark.parametrize('page', PAGES)
def test_page(visit, page):
    v = visit(f'html/book/{page}.html', f'site-{page}.png')
    assert v.page.title(), 'the page has no title'
    c = chapter_on(page)
    if c is not None:
        # the chapter's cells, by their tags' classes
        figures = v.page.evaluate(TRAINING_FIGURE)
        assert figures == [[True]], \
            f'training cell figures (loaded?) per cell: {figures}'
        tables = v.page.evaluate(LAYER_TABLE)
        assert len(tables) == 1 and 'output shape' in tables[0] and \
            'parameters' in tables[0], f'layer table cells: {tables}'
    if c is not None and c.explorer:
        # the explorers, live (site explorers: test_site_explorers)
        v.page.wait_for_selector('.cnnbook-explorer-live', state='visible',
                                 timeout=30_000)
    if c is not None and c.section:
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
        assert rows.count() == len(chapters.sections())
        for i in range(rows.count()):
            cells = rows.nth(i).locator('td').all_inner_texts()
            assert cells[1] == 'smoke', cells
            assert 0 <= float(cells[5]) <= 1 and float(cells[7]) > 0, cells
    # no label titled "null" (ipywidgets' empty tooltip), and no script
    # from another host named on the page, even one loaded on demand
    assert v.page.locator('[title="null"]').count() == 0
    source = (OUT / '_build' / 'html' / 'book' / f'{page}.html').read_text()
    assert not re.findall(r'<script[^>]*\bsrc="(?:https?:)?//', source)
    assert 'THEBE_JS_URL' not in source and 'unpkg.com' not in source
    # the explorers show their HTML view: no page needs the widget
    # manager (megabytes) or the widgets' saved state
    assert 'html-manager/embed-amd.js' not in source
    assert 'application/vnd.jupyter.widget-state+json' not in source
    assert not v.foreign, f'requests to other hosts: {v.foreign}'
    assert not v.errors, f'console errors: {v.errors}'


@pytest.mark.parametrize('page', PAGES)
def test_student_page(visit, page):
    v = visit(f'student/html/book/{page}.html', f'student-{page}.png')
    assert v.page.locator('.solution').count() == 0
    assert not v.page.evaluate(SOLUTION_CODE), 'solution code on the page'
    c = chapter_on(page)
    if c is not None and c.section:
        assert v.page.locator('.exercise').count() > 0
    if c is not None and c.explorer:
        v.page.wait_for_selector('.cnnbook-explorer-live', state='visible',
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
    (inline code, maths and emphasis render differently), with whitespace
    flattened as a page flattens it. Pieces found in
    ``shown``, the text every edition shows (a hint may quote a solution's
    line, wrapped differently), are left out."""
    from cnnbook.exercises import BEGIN, END, HIDDEN, is_test, nbgrader_meta
    shown = ' '.join(shown.split())
    pieces = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == 'code' and meta.get('solution'):
            region = cell.source.split(BEGIN)[1].split(END)[0]
            pieces += [s.strip() for s in region.splitlines()
                       if len(s.strip()) > 30]
        elif cell.cell_type == 'markdown' and meta.get('solution'):
            runs = re.split(r'[`$*_{}\[\]()|]', cell.source)
            pieces.append(max(runs, key=len))
        elif is_test(cell):
            pieces += [s.strip() for s in cell.source.split(HIDDEN)[1]
                       .splitlines() if len(s.strip()) > 30]
    pieces = [' '.join(p.split()) for p in pieces]
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
        pieces = _fragments(nb, shown)
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


# ---- The channel explorers, live on the site (cnnbook/explorer_site.py,
# _static/explorer.js): the page against channel_report in Python ----

VALID_SETTINGS = 20     # random valid settings per explorer, at least
# In the page: move explorer i's controls as a reader does (the block
# picker's change event, an input event per slider), and read it back.


def _python_message(c, ex, values, size):
    """channel_report's sentence for a setting the sliders cannot make,
    run in chapter ``c``'s array mode."""
    from cnnbook.widgets import channel_report
    shape = tuple(ex.input_shape[:-2]) + (size, size)
    with pytest.raises(ValueError) as e, c.numpy_mode():
        channel_report(ex.build, shape, ex.depth, **values)
    return f'Not possible: {e.value}'


@pytest.mark.parametrize('section', EXPLORERS)
def test_site_explorers(visit, section, monkeypatch):
    """Each explorer on the page gives channel_report's numbers, totals
    and sentences, for random settings made through its controls."""
    import random

    from IPython.display import HTML

    from cnnbook import widgets
    from cnnbook.explorer_site import _flat, _nested, chapter_explorers

    # the Python explorers' chart is not compared: skip drawing it
    monkeypatch.setattr(widgets, '_bar_chart', lambda rows: HTML(''))
    c = chapters.chapter(section)
    with c.numpy_mode():
        explorers = chapter_explorers(c.name)
    assert explorers, f'{section} has no explorer cell'
    v = visit(f'html/book/{c.stem}.html', None)
    page = v.page
    page.wait_for_selector('.cnnbook-explorer-live', timeout=30_000)
    assert page.locator('.cnnbook-explorer').count() == len(explorers)
    rng = random.Random(14)
    for i, ex in enumerate(explorers):
        root = page.locator('.cnnbook-explorer').nth(i)
        keys = list(ex.sliders)
        names = getattr(ex, 'block_names', None)
        side = ex.input_shape[-1]
        valid = tried = 0
        while valid < VALID_SETTINGS:
            tried += 1
            assert tried < 4 * VALID_SETTINGS, 'too few valid settings'
            choice = rng.randrange(len(names)) if names else None
            if names:
                ex.picker.value = names[choice]
            # channels up to twice the book's (the sliders go to four
            # times; the forward pass in Python is the slow part)
            values = [rng.randint(1, min(ex.sliders[k].max,
                                         2 * max(d, 8)))
                      for k, d in zip(keys, _flat(ex.defaults, keys))]
            size = rng.randint(ex.size.min, side + side // 4)
            page.evaluate(SET_CONTROLS, [i, choice, values, size])
            shown = page.evaluate(READ_EXPLORER, i)
            assert shown['values'] == [str(x) for x in [*values, size]]
            summary, message, rows = python_view(
                ex, choice, _nested(values, keys), size)
            setting = f'{section}, explorer {i}: {choice=} {values} {size}'
            assert shown['message'] == message, setting
            assert shown['rows'] == rows, setting
            if message is None:
                valid += 1
                assert shown['summary'] == summary, setting
                assert shown['bars'] == len(rows), setting
        # settings the sliders cannot make, typed into the boxes: each
        # channel count below 1 or not whole, an empty box, a bad size
        book = _flat(ex.defaults, keys)
        page.evaluate(SET_CONTROLS, [i, None, book, side])
        boxes = root.locator('.cnnbook-slider input[type=number]')
        for k in range(len(keys)):
            for typed, value in (('0', 0), ('-3', -3), ('2.5', 2.5),
                                 ('', '')):
                boxes.nth(k).fill(typed)
                wrong = list(book)
                wrong[k] = value
                want = _python_message(c, ex, _nested(wrong, keys), side)
                assert page.evaluate(READ_EXPLORER, i)['message'] == want
            boxes.nth(k).fill(str(book[k]))
        for typed, value in (('0', 0), ('-1', -1), ('', ''), ('7.5', 7.5)):
            boxes.last.fill(typed)
            want = _python_message(c, ex, ex.defaults, value)
            assert page.evaluate(READ_EXPLORER, i)['message'] == want
        # the smallest sizes, where some network must say it is too small
        for size in (1, 2, 3, 5, 8, 16, 31, 66, 67):
            boxes.last.fill(str(size))
            summary, message, rows = python_view(ex, None, ex.defaults,
                                                  size)
            shown = page.evaluate(READ_EXPLORER, i)
            assert (shown['message'], shown['rows']) == (message, rows), \
                f'{section}, explorer {i}, size {size}'
        # "reset to the book", then a block of the dropdown
        root.locator('button.cnnbook-reset').click()
        ex.reset()
        shown = page.evaluate(READ_EXPLORER, i)
        assert shown['summary'] == ex.summary.value
        assert 'as in the book' in shown['summary']
        if names:
            root.locator('select.cnnbook-choice').select_option(
                str(len(names) - 1))
            ex.picker.value = names[-1]
            shown = page.evaluate(READ_EXPLORER, i)
            assert shown['values'][:-1] == [
                str(x) for x in _flat(ex.defaults, keys)]
            assert shown['summary'] == ex.summary.value
        SHOTS.mkdir(parents=True, exist_ok=True)
        suffix = f'-{i + 1}' if i else ''
        root.screenshot(path=str(SHOTS / f'site-explorer-{section}'
                                 f'{suffix}.png'))
    assert not v.foreign, f'requests to other hosts: {v.foreign}'
    assert not v.errors, f'console errors: {v.errors}'



# ---- WCAG 2.1 AA (issue 27): axe-core on every page in both themes, the
# explorers from the keyboard, no sideways scrolling at 390 px, alt text --

# axe-core as pinned in js/package-lock.json (`make vendor`: npm ci)
AXE = ROOT / 'js' / 'node_modules' / 'axe-core' / 'axe.min.js'
AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
# every page of both editions, the search and index pages included
SITE_PAGES = ([f'html/book/{p}.html' for p in PAGES] +
              ['html/search.html', 'html/genindex.html'] +
              [f'student/html/book/{p}.html' for p in PAGES])
AXE_RUN = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations']}).then(r => r.violations.map(v => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.map(n => n.target.join(' '))})))"""
# the page's theme as the theme set it, and the body's background
THEME = """() => [document.documentElement.dataset.theme,
    getComputedStyle(document.body).backgroundColor]"""


def _settle(v):
    """Wait for what a page draws after loading: the explorers' live
    view and the typeset formulas."""
    if v.page.locator('.cnnbook-explorer').count():
        v.page.wait_for_selector('.cnnbook-explorer-live', state='visible',
                                 timeout=30_000)
    v.page.wait_for_function(MATH_DONE, timeout=30_000)


def _luminance(css_rgb):
    """Relative luminance (WCAG) of a computed 'rgb(r, g, b)' colour."""
    channels = [int(x) / 255 for x in re.findall(r'\d+', css_rgb)[:3]]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
           for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize('theme', ['light', 'dark'])
@pytest.mark.parametrize('path', SITE_PAGES)
def test_axe(visit, path, theme):
    """axe-core finds no WCAG 2.0/2.1 A or AA violation on the page."""
    assert AXE.exists(), f'{AXE} is missing: make vendor'
    v = visit(path, None, theme=theme)
    # the theme is really applied: the theme's attribute and its colours
    mode, background = v.page.evaluate(THEME)
    assert mode == theme, f'data-theme is {mode!r}, not {theme!r}'
    dark = _luminance(background) < 0.2
    assert dark == (theme == 'dark'), f'{theme} theme, body {background}'
    _settle(v)
    v.page.add_script_tag(path=str(AXE))
    assert v.page.evaluate('axe.version').startswith('4.14.'), \
        'not the axe-core of js/package-lock.json'
    violations = v.page.evaluate(AXE_RUN, AXE_TAGS)
    report = '\n'.join(
        f'{x["id"]} ({x["impact"]}): ' + ', '.join(x['nodes'])
        for x in violations)
    assert not violations, f'{path}, {theme} theme:\n{report}'


# in the page: the focusable elements in tab order's document order, the
# explorer's controls among them, and how each control looks unfocused
FOCUS_STYLE = """(el) => { const s = getComputedStyle(el);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor,
            s.boxShadow].join(' '); }"""
EXPLORER_CONTROLS = """() => [...document.querySelectorAll(
    '.cnnbook-explorer')[0].querySelectorAll('select, input, button')]"""
# focus the last visible focusable element before the explorer
FOCUS_BEFORE = """() => {
  const first = (""" + EXPLORER_CONTROLS + """)()[0];
  const all = [...document.querySelectorAll(
      'a[href], button, input, select, textarea, summary, [tabindex]')]
      .filter(el => el.tabIndex >= 0 && el.checkVisibility());
  const before = all[all.indexOf(first) - 1];
  before.focus();
  return document.activeElement === before;
}"""


def test_explorer_keyboard(visit):
    """Tab reaches each control of a channel explorer in turn, with a
    visible focus; arrow keys move a slider and the table follows; Enter
    on "reset" puts the book's numbers back."""
    section = EXPLORERS[0]
    c = chapters.chapter(section)
    v = visit(f'html/book/{c.stem}.html', None)
    page = v.page
    page.wait_for_selector('.cnnbook-explorer-live', timeout=30_000)
    controls = page.evaluate_handle(EXPLORER_CONTROLS)
    count = page.evaluate('(cs) => cs.length', controls)
    assert count >= 3, f'{section}: {count} explorer controls'
    unfocused = [page.evaluate(f'(cs) => ({FOCUS_STYLE})(cs[{k}])',
                               controls) for k in range(count)]
    assert page.evaluate(FOCUS_BEFORE), 'nothing to focus before it'
    for k in range(count):
        page.keyboard.press('Tab')
        assert page.evaluate(
            f'(cs) => document.activeElement === cs[{k}]', controls), \
            f'Tab did not reach control {k} of the explorer'
        focused = page.evaluate(
            f'(cs) => ({FOCUS_STYLE})(cs[{k}])', controls)
        assert focused != unfocused[k], \
            f'control {k} looks the same focused: {focused}'
    # the first slider, from the keyboard
    root = page.locator('.cnnbook-explorer').first
    slider = root.locator('.cnnbook-slider input[type=range]').first
    before = page.evaluate(READ_EXPLORER, 0)
    slider.focus()
    page.keyboard.press('ArrowRight')
    after = page.evaluate(READ_EXPLORER, 0)
    assert int(after['values'][0]) == int(before['values'][0]) + 1
    assert after['rows'] != before['rows'], 'the table did not update'
    page.keyboard.press('ArrowLeft')
    assert page.evaluate(READ_EXPLORER, 0)['rows'] == before['rows']
    page.keyboard.press('ArrowRight')
    reset = root.locator('button.cnnbook-reset')
    reset.focus()
    page.keyboard.press('Enter')
    assert page.evaluate(READ_EXPLORER, 0)['values'] == before['values']
    assert not v.errors, f'console errors: {v.errors}'


# every image's alt, role and source
IMAGES = """() => [...document.querySelectorAll('img')].map(img => [
    img.getAttribute('src'), img.getAttribute('alt'),
    img.getAttribute('role')])"""
# the page's width against its viewport's, and the widest element
SIDEWAYS = """() => { const s = document.scrollingElement;
  const inScroller = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(
          getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll('body *')].filter(
      el => el.getBoundingClientRect().right > s.clientWidth + 1 &&
            el.checkVisibility() && !inScroller(el))
      .map(el => el.tagName.toLowerCase() + '.' + [...el.classList]
           .join('.')).slice(0, 5);
  return [s.scrollWidth, s.clientWidth, wide]; }"""


@pytest.mark.parametrize('path', SITE_PAGES)
def test_narrow_screen_and_alt_text(visit, path):
    """At 390 px the page does not scroll sideways (a wide table, code or
    output scrolls in its own box), and every image has a text
    alternative, not its file name (or is marked decorative)."""
    v = visit(path, None, width=390)
    _settle(v)
    width, viewport, wide = v.page.evaluate(SIDEWAYS)
    assert width <= viewport, \
        f'{path} is {width} px wide at {viewport} px; too wide: {wide}'
    for src, alt, role in v.page.evaluate(IMAGES):
        decorative = alt == '' and role in ('presentation', 'none')
        named = bool(alt and alt.strip()) and \
            not re.search(r'\.(png|svg|jpe?g|gif|webp)$', alt.strip(), re.I)
        assert decorative or named, f'{path}: image {src} has alt {alt!r}'
