"""The path a student takes: the chapters in a real JupyterLab.

The test starts JupyterLab on 127.0.0.1 (a free port, a token, the smoke
profile, this venv's kernel, settings and workspaces in a temporary
folder) and drives it in headless Chromium with Playwright. For each
chapter notebook it opens the notebook in a fresh workspace, checks that
it opens unmodified and that its MyST renders (jupyterlab-myst), runs all
cells, watching their progress, then checks the outputs (no error; the
training figure, the layer tables and the explorers' sliders rendered,
not shown as ``HBox(...)`` text) and drives the channel explorer: each
change must bring the table that ``channel_report`` gives in Python.
The explorer's update time is logged (median over the changes), not
asserted. Screenshots: ``_build/screenshots/lab-<chapter>.png``.

The chapters are the registry's sections (``cnnbook.chapters``); the
test finds a cell by its tag in JupyterLab's own notebook model (the
layer table, the training run, the explorer: ``chapters.TAGS``), never
by its text, and drives each explorer as its kind (``Chapter.explorer``)
asks.

``make lab`` starts JupyterLab as root too (containers, some lab
machines), where Jupyter refuses to run without ``--allow-root``.
"""
import contextlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from browser import headless_chromium, table_rows, watch
from cnnbook import chapters
from cnnbook.explorer_site import chapter_explorers
from cnnbook.widgets import channel_report

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / '_build' / 'screenshots'
STALL_S = 240           # no cell finished for this long: the run is stuck
RUN_S = 900             # a whole notebook, smoke profile
ACTIVE = '.jp-NotebookPanel:not(.lm-mod-hidden)'
# what myst-nb's glue() outputs with display=False: data for the site's
# results page, which JupyterLab does not render
GLUE_PREFIX = 'application/papermill.record/'


@pytest.mark.parametrize('uid', ['0', '1000'])
def test_make_lab_allows_root_only_for_root(uid, tmp_path):
    # a stand-in for `id` that reports the given user
    fake = tmp_path / 'id'
    fake.write_text(f'#!/bin/sh\necho {uid}\n')
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}')
    out = subprocess.run(['make', '-n', '-s', '-C', str(ROOT), 'lab'],
                         env=env, capture_output=True, text=True,
                         check=True).stdout
    line = [x for x in out.splitlines() if 'jupyter lab' in x]
    assert line, out
    assert ('--allow-root' in line[-1]) == (uid == '0'), line[-1]


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _settings(folder):
    """User settings: every cell kept in the page (the test reads them
    all), and no news or update check (no network here)."""
    for name, value in {
            'notebook-extension/tracker': {'windowingMode': 'none'},
            'docmanager-extension/plugin': {'autosave': False},
            'apputils-extension/notification': {
                'fetchNews': 'false', 'checkForUpdates': False}}.items():
        path = folder / '@jupyterlab' / f'{name}.jupyterlab-settings'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _record_this_python(folder):
    """Make the notebooks in ``folder`` (the server's copy) name this
    kernel's Python in ``language_info``, which JupyterLab rewrites on
    opening: the committed notebooks name the main Python
    (test_notebooks), this venv's may differ in its patch level."""
    for path in folder.glob('*.ipynb'):
        nb = json.loads(path.read_text())
        nb['metadata']['language_info']['version'] = \
            platform.python_version()
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')


class Lab:
    """A JupyterLab server of this test's own, on a copy of book/ (what
    JupyterLab saves can never reach the repository)."""

    def __init__(self, tmp):
        shutil.copytree(ROOT / 'book', tmp / 'root' / 'book')
        _record_this_python(tmp / 'root' / 'book')
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.url = f'http://127.0.0.1:{self.port}'
        self.log_path = tmp / 'jupyterlab.log'
        _settings(tmp / 'settings')
        venv_bin = str(Path(sys.executable).parent)
        env = dict(os.environ, CNNBOOK_PROFILE='smoke',
                   # the kernel is this venv's python (kernel.json runs
                   # "python"), and no user config or kernel elsewhere
                   # takes part
                   PATH=f'{venv_bin}:{os.environ["PATH"]}',
                   JUPYTER_CONFIG_DIR=str(tmp / 'config'),
                   JUPYTER_DATA_DIR=str(tmp / 'data'),
                   JUPYTER_RUNTIME_DIR=str(tmp / 'runtime'),
                   JUPYTER_PLATFORM_DIRS='1')
        cmd = [sys.executable, '-m', 'jupyter', 'lab', '--no-browser',
               '--ip=127.0.0.1', f'--port={self.port}', '--port-retries=0',
               f'--IdentityProvider.token={self.token}',
               f'--ServerApp.root_dir={tmp / "root"}',
               f'--LabApp.workspaces_dir={tmp / "workspaces"}',
               f'--LabApp.user_settings_dir={tmp / "settings"}',
               # window.jupyterapp: the notebook model, with cell tags
               '--LabApp.expose_app_in_browser=True']
        if os.geteuid() == 0:
            cmd.append('--allow-root')
        self.log = open(self.log_path, 'w')
        # its own process group: the kernels go down with it
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, timeout=120):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(
                        f'{self.url}/api/status?token={self.token}',
                        timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(
            f'JupyterLab did not start in {timeout} s (exit code '
            f'{self.proc.poll()}):\n{self.log_text()[-4000:]}')

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text(errors='replace')

    def stop(self):
        """Stop the server and its kernels, whatever state they are in."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)     # Jupyter's clean stop
            self.proc.send_signal(signal.SIGINT)     # confirms it
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # kernels left over
        except ProcessLookupError:
            pass
        self.proc.wait(10)
        self.log.close()


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp('lab'))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope='module')
def chromium():
    with headless_chromium() as browser:
        yield browser


# ---- reading the notebook in the page ----

# Per code cell of the notebook shown, in order: its tags (from
# JupyterLab's notebook model, window.jupyterapp), its prompt ("[*]:",
# "[3]:"), its outputs' text, the MIME types of its outputs in the
# model (what JupyterLab renders nothing for too), and the images and
# sliders it shows; and the tab's modified mark. Cell i here is the
# i-th .jp-CodeCell of the panel (every cell is in the page:
# windowingMode 'none', see _settings).
STATE_JS = '''(sel) => {
  const node = document.querySelector(sel);
  const app = window.jupyterapp;
  if (!node || !app) return null;
  const panel = Array.from(app.shell.widgets('main')).find(
    w => w.node === node);
  if (!panel) return null;
  const cells = panel.content.widgets.filter(
    w => w.model.type === 'code').map(w => {
      const c = w.node, model = w.model;
      const tags = (model.getMetadata ? model.getMetadata('tags')
                    : (model.metadata || {}).tags) || [];
      return {
        tags: Array.from(tags),
        prompt: (c.querySelector('.jp-InputPrompt') || {}).textContent
          || '',
        outputs: Array.from(c.querySelectorAll('.jp-OutputArea-output'))
          .map(o => ({mime: o.getAttribute('data-mime-type') || '',
                      text: o.innerText || ''})),
        mimes: model.outputs.toJSON().flatMap(
          o => Object.keys(o.data || {})),
        images: c.querySelectorAll('.jp-OutputArea-output img').length,
        sliders: c.querySelectorAll('.widget-slider').length,
      };
    });
  const tab = document.querySelector('.lm-DockPanel-tabBar ' +
    '.lm-TabBar-tab.lm-mod-current');
  return {cells, dirty: !!(tab && tab.classList.contains('jp-mod-dirty'))};
}'''

ERROR_TEXT = re.compile(r'Traceback \(most recent call last\)|'
                        r'^\w+(Error|Exception): |The explorer failed',
                        re.M)
# what a widget shows when it is not rendered: its repr as text
WIDGET_REPR = re.compile(r'^(HBox|VBox|Box|IntSlider|Output|HTML|Button|'
                         r'Dropdown|ChannelExplorer)\(', re.M)


def _state(page):
    state = page.evaluate(STATE_JS, ACTIVE)
    assert state is not None, (
        'the notebook panel or window.jupyterapp is missing (JupyterLab '
        'runs with --LabApp.expose_app_in_browser=True)')
    return state


def _tagged(state, tag):
    """The indices of the code cells that carry ``tag`` in JupyterLab's
    model of the notebook."""
    return [i for i, c in enumerate(state['cells']) if tag in c['tags']]


def _errors(state):
    return [(i, o['text'][-1500:]) for i, c in enumerate(state['cells'])
            for o in c['outputs'] if ERROR_TEXT.search(o['text'])]


def _expect(locator, message):
    """Playwright's ``expect`` (imported here: the module is collected
    where playwright is missing, and skipped or failed by the fixture)."""
    from playwright.sync_api import expect
    return expect(locator, message)


def _shot(page, chapter):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f'lab-{chapter}.png'
    page.screenshot(path=str(path), full_page=True)
    return path


def _fail(page, chapter, what):
    pytest.fail(f'{chapter}: {what} (screenshot: {_shot(page, chapter)})')


def _wait_idle(page, timeout_ms):
    page.wait_for_function(
        '''(sel) => { const s = document.querySelector(sel +
             ' .jp-Notebook-ExecutionIndicator');
           return s && s.getAttribute('data-status') === 'idle'; }''',
        arg=ACTIVE, timeout=timeout_ms)


def _issue_run_all(page, chapter, log, tries=3):
    """Run > Run All Cells, until a cell shows that it is queued.

    The notebook's tab is clicked first (the menu acts on the current
    widget); a click that did not take (seen once on a loaded machine)
    is repeated, and a Run All that never starts fails the test rather
    than leaving it to wait on idle kernels.
    """
    started = """(sel) => Array.from(document.querySelectorAll(
        sel + ' .jp-CodeCell .jp-InputPrompt')).some(
        p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""
    for attempt in range(1, tries + 1):
        page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current'
                     ).click()
        page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click()
        page.locator('.lm-Menu-itemLabel',
                     has_text=re.compile(r'^Run All Cells$')).first.click()
        try:
            page.wait_for_function(started, arg=ACTIVE, timeout=15_000)
            return
        except Exception:
            log(f'{chapter}: Run All not taken up (try {attempt})')
            page.keyboard.press('Escape')
    _fail(page, chapter, f'Run All was not taken up in {tries} tries: no '
          'cell started')


def _run_all(page, chapter, log):
    """Run All from the Run menu; watch it to the end.

    Fails at once on an error output, and when no cell finishes for
    STALL_S seconds (a screenshot is saved either way).
    """
    _issue_run_all(page, chapter, log)
    start = last_change = time.monotonic()
    seen = None
    while True:
        state = _state(page)
        prompts = [c['prompt'].strip() for c in state['cells']]
        running = sum(p == '[*]:' for p in prompts)
        done = sum(bool(re.fullmatch(r'\[\d+\]:', p)) for p in prompts)
        errors = _errors(state)
        if errors:
            i, text = errors[0]
            _fail(page, chapter, f'code cell {i} shows an error:\n{text}')
        if (done, running) != seen:
            seen, last_change = (done, running), time.monotonic()
        if running == 0 and done == len(prompts):
            log(f'{chapter}: Run All ran {done} cells in '
                f'{time.monotonic() - start:.0f} s')
            return state
        if running == 0 and done < len(prompts):
            _fail(page, chapter, f'the run stopped after {done} of '
                  f'{len(prompts)} cells')
        if time.monotonic() - last_change > STALL_S:
            _fail(page, chapter, f'no cell finished in {STALL_S} s '
                  f'({done} of {len(prompts)} done, prompts {prompts})')
        if time.monotonic() - start > RUN_S:
            _fail(page, chapter, f'the notebook took over {RUN_S} s')
        page.wait_for_timeout(1000)


def _lines(text):
    return [line.rstrip() for line in text.strip().splitlines()]


def _shapes_in_python(c):
    """What chapter ``c``'s layer-table cell prints, run here on the
    chapter's own model code (its ``chapter-model`` cells), in the
    chapter's array mode."""
    import cnnbook
    [cell] = chapters.tagged_cells(c.notebook, 'layer-table')
    printed = io.StringIO()
    namespace = chapters.definitions(c.notebook)
    namespace.setdefault('cnnbook', cnnbook)
    with c.numpy_mode(), contextlib.redirect_stdout(printed):
        exec(compile(chapters.source(cell), f'{c.notebook}, layer-table',
                     'exec'), namespace)
    return _lines(printed.getvalue())


def _check_shapes(state, c):
    """The shape table is shown as text, as Python prints it."""
    cells = _tagged(state, 'layer-table')
    assert len(cells) == 1, \
        f'{c.name}: {len(cells)} cells tagged layer-table'
    shown = _lines('\n'.join(
        o['text'] for o in state['cells'][cells[0]]['outputs']))
    want = _shapes_in_python(c)
    assert len(want) >= 7 and 'output shape' in want[0], want
    assert shown == want, f'{c.name}: the shape table shown is not ' \
        f'the one Python prints:\n' + '\n'.join(shown)


# ---- the explorer, in the page and in Python ----

def _expected_rows(c, ex, values):
    """The explorer's table for ``values``, from ``channel_report`` run
    in chapter ``c``'s array mode."""
    shape = tuple(ex.input_shape)
    with c.numpy_mode():
        report = channel_report(ex.build, shape, ex.depth, **values)
    return table_rows(report.rows)


# the table in the explorer's cell (code cell i of the panel)
TABLE_JS = '''([sel, i]) => {
  const cell = document.querySelectorAll(sel + ' .jp-CodeCell')[i];
  if (!cell) return null;
  const table = cell.querySelector('.widget-output table');
  if (!table) return [];
  return Array.from(table.querySelectorAll('tr')).slice(1).map(
    tr => Array.from(tr.cells).map(td => td.textContent));
}'''


class PageExplorer:
    """The explorer's widgets in the page: those of code cell ``index``
    (the cell tagged ``explorer``)."""

    def __init__(self, page, chapter, index):
        self.page, self.chapter, self.index = page, chapter, index
        self.cell = page.locator(f'{ACTIVE} .jp-CodeCell').nth(index)
        self.times = []

    def slider(self, label):
        return self.cell.locator('.widget-slider').filter(
            has=self.page.locator(
                '.widget-label', has_text=re.compile(
                    f'^{re.escape(label)}$')))

    def wait_readout(self, label, value, what):
        """Wait for the slider's readout to show ``value``."""
        text = re.compile(rf'^\s*({value}|{value:,})\s*$')
        _expect(self.slider(label).locator('.widget-readout'),
                f'{self.chapter}: after {what} the {label} readout does not '
                f'show {value}').to_have_text(text, timeout=30_000)

    def wait_table(self, rows, what, started):
        try:
            self.page.wait_for_function(
                f'(a) => JSON.stringify(({TABLE_JS})(a[0])) === a[1]',
                arg=[[ACTIVE, self.index],
                     json.dumps(rows, separators=(',', ':'),
                                ensure_ascii=False)],
                timeout=30_000)
        except Exception:
            shown = self.page.evaluate(TABLE_JS, [ACTIVE, self.index])
            _fail(self.page, self.chapter, f'after {what} the table is not '
                  f"channel_report's:\nshown    {shown}\nexpected {rows}")
        self.times.append(time.monotonic() - started)

    def press(self, label, key):
        """A key press on a slider's handle, as a student would."""
        started = time.monotonic()
        handle = self.slider(label).locator('.noUi-handle')
        handle.focus()
        handle.press(key)
        return started

    def type_value(self, label, value):
        """A value typed into a slider's readout."""
        started = time.monotonic()
        box = self.slider(label).locator('.widget-readout')
        box.click()
        box.press('Control+a')
        box.type(str(value))
        box.press('Enter')
        return started


def _roomiest_block(ex, key):
    """The inception explorer's block whose slider ``key`` the book sets
    highest: picked after the first block, it must bring its own limits
    (four times the book's value), far above the first block's."""
    book = {}
    for name in ex.block_names:
        ex.picker.value = name
        book[name] = ex.values()[key[0]]
    ex.picker.value = ex.block_names[0]     # back as the page shows it
    return max(ex.block_names, key=lambda name: book[name])


def _drive_explorer(page, c, index, log):
    """Drive the explorer of code cell ``index`` as its kind asks: an
    ``inception`` explorer through key presses, its block picker and a
    value beyond the first block's limits; a ``channel`` explorer
    through values typed into its first slider and a key press on its
    second."""
    with c.numpy_mode():
        explorers = chapter_explorers(c.name)
    assert len(explorers) == 1, f'{c.name}: {len(explorers)} explorers'
    ex = explorers[0]
    assert hasattr(ex, 'picker') == (c.explorer == 'inception'), \
        f'{c.name}: the registry says a {c.explorer!r} explorer'
    shown = PageExplorer(page, c.name, index)
    keys = list(ex.sliders)
    first, second = keys[0], keys[1]
    label = ex.sliders[first].description
    name = first[0]
    assert first[1] is None, f'{c.name}: a first slider of a tuple'
    values = ex.values()
    # the default state first
    shown.wait_table(_expected_rows(c, ex, values), 'Run All',
                     time.monotonic())
    shown.times.clear()
    if c.explorer == 'inception':
        block = _roomiest_block(ex, first)
        assert ex.values() == values
        # three successive key presses, then a block whose limits differ
        for _ in range(3):
            started = shown.press(label, 'ArrowRight')
            values[name] += 1
            shown.wait_readout(label, values[name], 'ArrowRight')
            shown.wait_table(_expected_rows(c, ex, values),
                             f'{label} = {values[name]}', started)
        started = time.monotonic()
        page.locator(f'{ACTIVE} .jp-CodeCell').nth(index).locator(
            '.widget-dropdown select').select_option(block)
        ex.picker.value = block         # the same block in Python
        values = ex.values()
        shown.wait_table(_expected_rows(c, ex, values), f'block {block}',
                         started)
        # four times the book's value: the new block's limit, and above
        # the first block's
        top = 4 * values[name]
        started = shown.type_value(label, top)
        values[name] = top
        # a limit left from the first block would stop it below
        shown.wait_readout(label, top, f'typing {top} in block {block}')
        shown.wait_table(_expected_rows(c, ex, values),
                         f'{block} {label} = {top}', started)
        started = shown.press(label, 'ArrowLeft')
        values[name] -= 1
        shown.wait_table(_expected_rows(c, ex, values),
                         f'{label} = {top - 1}', started)
    else:
        # about half the book's value, one up twice, then about twice it
        book = values[name]
        for value in (book // 2, book // 2 + 1, book // 2 + 2,
                      2 * book + 8):
            started = shown.type_value(label, value)
            values[name] = value
            shown.wait_table(_expected_rows(c, ex, values),
                             f'{label} = {value}', started)
        other = ex.sliders[second].description
        started = shown.press(other, 'ArrowLeft')
        values[second[0]] -= 1
        shown.wait_table(_expected_rows(c, ex, values),
                         f'{other} = {values[second[0]]}', started)
    log(f'{c.name}: explorer update in JupyterLab, median '
        f'{statistics.median(shown.times) * 1000:.0f} ms over '
        f'{len(shown.times)} changes '
        f'({", ".join(f"{t * 1000:.0f}" for t in shown.times)} ms)')
    return shown


def _check_myst(page, chapter):
    """Every markdown cell rendered by jupyterlab-myst (which renders
    them one by one, after the notebook opens), and no MyST role or
    directive left raw."""
    counts = """(sel) => [
      document.querySelectorAll(sel + ' .jp-MarkdownCell').length,
      document.querySelectorAll(
        sel + ' .jp-MarkdownCell .jp-InputArea > .myst').length]"""
    try:
        page.wait_for_function(
            f'(sel) => {{ const [all, myst] = ({counts})(sel); '
            'return all > 0 && myst === all; }', arg=ACTIVE, timeout=60_000)
    except Exception:
        cells, myst = page.evaluate(counts, ACTIVE)
        _fail(page, chapter, f'jupyterlab-myst rendered {myst} of the '
              f'{cells} markdown cells in 60 s')
    text = page.locator(f'{ACTIVE} .jp-MarkdownCell').all_inner_texts()
    raw = [t[:200] for t in text if re.search(
        r'\{(cite|doc|ref|eq|numref)\}|\{(exercise|solution)', t)]
    assert not raw, f'{chapter}: MyST shown raw: {raw}'


# ---- the test ----

@pytest.mark.parametrize('name', [c.name for c in chapters.sections()])
def test_chapter_in_jupyterlab(name, chromium, lab):
    c = chapters.chapter(name)

    def log(text):
        print(text)
        sys.__stdout__.write(f'[test_lab] {text}\n')

    context = chromium.new_context(viewport={'width': 1400, 'height': 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page_errors = []
    page.on('pageerror', lambda e: page_errors.append(str(e)))
    seen = watch(page)      # blocks requests to other hosts
    try:
        _check_chapter(page, c, lab, log, page_errors)
        if seen.errors:
            log(f'{name}: console errors: {seen.errors}')
        # JupyterLab, its extensions and the outputs load everything
        # from the server (news and update checks are off: _settings)
        assert not seen.foreign, \
            f'{name}: requests to other hosts (blocked): {seen.foreign}'
    except BaseException:
        try:
            _shot(page, name)
        except Exception:
            pass
        raise
    finally:
        context.close()


def _check_chapter(page, c, lab, log, page_errors):
    chapter = c.name
    started = time.monotonic()
    page.goto(f'{lab.url}/lab/workspaces/{c.stem}/tree/book/'
              f'{c.notebook}?reset&token={lab.token}')
    page.wait_for_selector(f'{ACTIVE} .jp-CodeCell', timeout=90_000)
    # the kernel started and known: idle, its name in the toolbar (the
    # notebook's kernelspec and language_info are written by then)
    _wait_idle(page, 120_000)
    display = json.loads((chapters.BOOK / c.notebook).read_text())[
        'metadata']['kernelspec']['display_name']
    _expect(page.locator(f'{ACTIVE} .jp-KernelName'),
            f'{chapter}: the toolbar does not name the kernel '
            f'{display!r}').to_have_text(display, timeout=60_000)
    log(f'{chapter}: opened, kernel idle in '
        f'{time.monotonic() - started:.1f} s')
    # the server's copy names this kernel's Python (_record_this_python)
    assert not _state(page)['dirty'], (
        f'{chapter}: JupyterLab marks the notebook modified on opening: '
        'its kernelspec or language_info differs from what JupyterLab '
        'writes (see test_notebooks.test_standard_kernel_metadata)')

    state = _run_all(page, chapter, log)
    _check_myst(page, chapter)
    errors = _errors(state)
    assert not errors, f'{chapter}: error outputs {errors}'
    cells = state['cells']
    reprs = [(i, o['text'][:200]) for i, cell in enumerate(cells)
             for o in cell['outputs'] if WIDGET_REPR.search(o['text'])]
    assert not reprs, f'{chapter}: widgets shown as text: {reprs}'
    # the cells the site removes (tag remove-cell) show nothing to the
    # student, the one among them that glues the run's numbers for the
    # site's results page included (JupyterLab renders no glue data)
    removed = _tagged(state, 'remove-cell')
    texts = [(i, o['text'][:200]) for i in removed
             for o in cells[i]['outputs'] if o['text'].strip()]
    assert removed and not texts, \
        f'{chapter}: cells removed from the site show text: {texts}'
    assert any(m.startswith(GLUE_PREFIX) for i in removed
               for m in cells[i]['mimes']), \
        f'{chapter}: no site-only cell recorded the run for the site'
    # the training figure is drawn
    train = _tagged(state, 'training-run')
    assert len(train) == 1, \
        f'{chapter}: {len(train)} cells tagged training-run'
    assert cells[train[0]]['images'] >= 1, \
        f'{chapter}: the training figure is not shown'
    # the shape table is printed
    _check_shapes(state, c)
    # the explorer's widgets are rendered (its table: below), in the cell
    # tagged explorer and in no other
    with_sliders = [i for i, cell in enumerate(cells) if cell['sliders']]
    explorer = _tagged(state, 'explorer')
    if not c.explorer:
        assert not explorer and not with_sliders, \
            f'{chapter}: sliders or an explorer cell, and no explorer ' \
            'in the registry'
        assert not page_errors, f'{chapter}: page errors {page_errors}'
        _shot(page, chapter)
        return
    assert len(explorer) == 1 and with_sliders == explorer, \
        f'{chapter}: cells tagged explorer {explorer}, cells with ' \
        f'sliders {with_sliders}'
    assert cells[explorer[0]]['sliders'] >= 4
    shown = _drive_explorer(page, c, explorer[0], log)
    assert not page_errors, f'{chapter}: page errors {page_errors}'
    # the explorer in the screenshot
    shown.cell.scroll_into_view_if_needed()
    _shot(page, chapter)
