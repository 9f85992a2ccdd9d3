"""Headless Chromium for the browser tests and benchmarks.

Debian's Chromium driven by Playwright, with the flags this workplace
documents for a machine without a network. Shared by the site tests
(test_site.py), the JupyterLab tests and benchmarks/widget_update.py:

    from browser import headless_chromium, watch
    with headless_chromium() as browser:
        page = browser.new_page()
        seen = watch(page)      # console errors, requests to other hosts
        page.goto('http://127.0.0.1:8000/')

Also: :func:`serve`, a folder on 127.0.0.1 for the browser to load,
and :func:`table_rows`, layer rows as the explorers' tables show them.
"""
import contextlib
import functools
import http.server
import os
import shutil
import threading
from urllib.parse import urlparse

# The background services would otherwise try to reach Google's hosts.
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync']


def chromium_path():
    """The Chromium executable, or None when it or playwright is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None
    return shutil.which('chromium') or shutil.which('chromium-browser')


def require_chromium():
    """Chromium's path; else a skip on a laptop, a failure under CI=true."""
    import pytest
    path = chromium_path()
    if path:
        return path
    if os.environ.get('CI') == 'true':
        pytest.fail('Chromium or playwright is missing; `make test` installs '
                    'them (apt-get install chromium; requirements.txt)')
    pytest.skip('no Chromium here: apt-get install chromium')


@contextlib.contextmanager
def headless_chromium():
    """Yield a Playwright ``Browser`` (headless Chromium); close it after.

    In a test: skipped when Chromium is absent on a laptop, failed under
    CI=true (see :func:`require_chromium`).
    """
    from playwright.sync_api import sync_playwright
    path = require_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


class Watch:
    """What a page did: ``errors`` (console errors, uncaught exceptions)
    and ``foreign`` (requests to hosts other than 127.0.0.1, blocked)."""

    def __init__(self, page):
        self.errors, self.foreign = [], []
        page.on('console', self._console)
        page.on('pageerror', lambda e: self.errors.append(str(e)))
        page.route('**/*', self._route)

    def _console(self, msg):
        if msg.type == 'error':
            self.errors.append(msg.text)

    def _route(self, route):
        url = route.request.url
        if url.startswith('data:') or urlparse(url).hostname == '127.0.0.1':
            route.continue_()
        else:
            # blocked, so a page cannot pass by loading it from the network
            self.foreign.append(url)
            route.abort()


def watch(page):
    """Start recording ``page``'s console errors and foreign requests;
    call before ``page.goto``."""
    return Watch(page)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yield
    its base URL, ``http://127.0.0.1:PORT``; stop the server after."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f'http://127.0.0.1:{httpd.server_address[1]}'
    finally:
        httpd.shutdown()
        httpd.server_close()


def table_rows(rows):
    """Layer rows (``cnnbook.summary.Row``) as the explorers' tables show
    them, in Jupyter and on the site: name, output shape, parameters and
    multiply-adds, as text."""
    return [[r.name, str(r.output_shape), f'{r.params:,}', f'{r.macs:,}']
            for r in rows]


# The channel explorers on a page (_static/explorer.js) against the
# Python explorer: move explorer i's controls as a reader does (the block
# picker's change event, an input event per slider), and read it back.
SET_CONTROLS = """([i, choice, values, size]) => {
  const root = document.querySelectorAll('.cnnbook-explorer')[i];
  const input = (el, value) => {
    el.value = String(value);
    el.dispatchEvent(new Event('input', {bubbles: true}));
  };
  if (choice !== null) {
    const picker = root.querySelector('select.cnnbook-choice');
    if (picker.value !== String(choice)) {
      picker.value = String(choice);
      picker.dispatchEvent(new Event('change', {bubbles: true}));
    }
  }
  const ranges = root.querySelectorAll('.cnnbook-slider input[type=range]');
  values.forEach((v, k) => input(ranges[k], v));
  input(ranges[ranges.length - 1], size);
}"""
READ_EXPLORER = """(i) => {
  const root = document.querySelectorAll('.cnnbook-explorer')[i];
  const message = root.querySelector('.cnnbook-message');
  return {
    values: [...root.querySelectorAll('.cnnbook-slider input[type=number]')]
      .map(box => box.value),
    summary: root.querySelector('.cnnbook-summary').innerHTML,
    message: message ? message.textContent : null,
    rows: [...root.querySelectorAll('table.cnnbook-layers tr')].slice(1)
      .map(tr => [...tr.cells].map(td => td.textContent)),
    bars: root.querySelectorAll('.cnnbook-bar').length};
}"""


def python_view(ex, choice, values, size):
    """Set the Python explorer ``ex`` as SET_CONTROLS sets the page;
    return what it shows: (summary, message, rows)."""
    if choice is not None and ex.picker.value != ex.block_names[choice]:
        ex.picker.value = ex.block_names[choice]
    ex._suspended = True
    ex.size.value = size
    ex.set_values(values)
    if ex.report is None:
        return None, f'Not possible: {ex.message}', []
    return ex.summary.value, None, table_rows(ex.report.rows)
