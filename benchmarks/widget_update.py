"""Median time of one channel-explorer update, in the kernel and on the
site; and the bytes the explorers add to a page.

Kernel (JupyterLab, Colab): an update rebuilds the chapter's network with
new channels, runs one image through it and redraws the table and chart.

Site (no kernel): each chapter's explorers as its page shows them (their
HTML view, cnnbook/explorer_site.py, with _static/explorer.js and .css),
served on 127.0.0.1 and loaded in headless Chromium; 20 slider changes
each, timed in the page from the input event to the table redrawn and
laid out. Needs Chromium (`make browser`); without it, only the kernel.

    .venv/bin/python benchmarks/widget_update.py [repeats]
"""
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cnnbook.chapters import definitions
from cnnbook.widgets import channel_explorer, inception_explorer

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ('nin', 'googlenet', 'googlenet-numpy')
SITE_CHANGES = 20
# In the page: move explorer i's first slider ``changes`` times, each
# timed from its input event to the explorer laid out again.
TIME_CHANGES = """async ([i, changes]) => {
  const root = document.querySelectorAll('.cnnbook-explorer')[i];
  const range = root.querySelector('.cnnbook-slider input[type=range]');
  const book = Number(range.value), times = [];
  for (let j = 0; j < changes; j++) {
    const start = performance.now();
    range.value = String(book + (j % 2 ? -1 : 1) * (1 + j % 7));
    range.dispatchEvent(new Event('input', {bubbles: true}));
    void root.offsetHeight;
    times.push(performance.now() - start);
    await new Promise(done => requestAnimationFrame(() => done()));
  }
  return times;
}"""


def median_update(explorer, key, values, repeats):
    times = []
    for i in range(repeats):
        tic = time.perf_counter()
        explorer.sliders[key].value = values[i % len(values)]
        times.append(time.perf_counter() - tic)
    assert explorer.report is not None
    return statistics.median(times)


def kernel(repeats):
    nin = definitions('nin.ipynb')
    goog = definitions('googlenet.ipynb')
    ex_nin = channel_explorer(nin['nin'], (1, 1, 224, 224),
                              dict(c1=96, c2=256, c3=384))
    ex_goog = inception_explorer(goog['googlenet'], (1, 1, 96, 96),
                                 goog['Inception'])
    rows = [('NiN at 224x224, c2 slider', median_update(
                ex_nin, ('c2', None), [200, 256, 300], repeats)),
            ('GoogLeNet at 96x96, block 3a c2 out slider', median_update(
                ex_goog, ('c2', 1), [100, 128, 160], repeats))]
    print(f'| explorer update in the kernel | median of {repeats} (s) |')
    print('|---|---|')
    for name, t in rows:
        print(f'| {name} | {t:.3f} |')


def _kb(text):
    raw = text.encode() if isinstance(text, str) else text
    return f'{len(raw) / 1000:.1f} kB ({len(gzip.compress(raw)) / 1000:.1f}' \
        ' kB gzipped)'


def site():
    sys.path.insert(0, str(ROOT / 'nbtests'))
    from browser import chromium_path, headless_chromium, serve

    from cnnbook.explorer_site import chapter_explorers, html_view
    if not chromium_path():
        print('\nsite: skipped, no Chromium here (make browser)')
        return
    static = {name: (ROOT / '_static' / name).read_bytes()
              for name in ('explorer.js', 'explorer.css')}
    rows, sizes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in static.items():
            (Path(tmp) / name).write_bytes(data)
        for section in SECTIONS:
            views = [html_view(ex) for ex in chapter_explorers(section)]
            sizes.append((section, ''.join(views)))
            (Path(tmp) / f'{section}.html').write_text(
                '<!doctype html><html><head><meta charset="utf-8">'
                '<link rel="stylesheet" href="explorer.css">'
                '<script src="explorer.js"></script></head><body>'
                + ''.join(views) + '</body></html>')
        with serve(tmp) as url, headless_chromium() as browser:
            page = browser.new_page()
            for section, _ in sizes:
                page.goto(f'{url}/{section}.html')
                page.wait_for_selector('.cnnbook-explorer-live')
                for i in range(page.locator('.cnnbook-explorer').count()):
                    times = page.evaluate(TIME_CHANGES, [i, SITE_CHANGES])
                    rows.append((f'{section}, explorer {i + 1}',
                                 statistics.median(times), max(times)))
    print(f'\n| explorer update on the site (Chromium) | median of '
          f'{SITE_CHANGES} (ms) | slowest (ms) |')
    print('|---|---|---|')
    for name, median, slowest in rows:
        print(f'| {name} | {median:.2f} | {slowest:.2f} |')
    print('\n| what the explorers add to a page | size |')
    print('|---|---|')
    for section, views in sizes:
        print(f'| {section}: HTML view (data and fallback table) | '
              f'{_kb(views)} |')
    for name, data in static.items():
        print(f'| _static/{name} (every page, cached) | {_kb(data)} |')


def main(repeats=9):
    kernel(repeats)
    site()


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
