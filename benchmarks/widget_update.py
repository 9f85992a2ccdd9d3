"""Median time of one channel-explorer update, in the kernel and on the
site; and the bytes the explorers add to a page.

The chapters are those of the registry (cnnbook/chapters.py) that show
an explorer, each explorer made as its notebook makes it
(``explorer_site.chapter_explorers``).

Kernel (JupyterLab, Colab): an update rebuilds the chapter's network with
new channels, runs one image through it and redraws the table and chart;
timed on each explorer's slider with the largest book value (of its
first block), moved around that value.

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

from cnnbook import chapters

ROOT = Path(__file__).resolve().parents[1]
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


def explorers_by_chapter():
    """Each chapter of the registry that shows explorers, with them, made
    in the chapter's array mode."""
    from cnnbook.explorer_site import chapter_explorers
    made = []
    for c in chapters.CHAPTERS:
        if c.explorer:
            with c.numpy_mode():
                made.append((c, chapter_explorers(c.name)))
    return made


def kernel(explorers, repeats):
    rows = []
    for c, made in explorers:
        for i, ex in enumerate(made):
            values = ex.values()
            key = max(ex.sliders, key=lambda k: ex.sliders[k].value)
            book = ex.sliders[key].value
            side = ex.input_shape[-1]
            block = (f'block {ex.picker.value} '
                     if hasattr(ex, 'picker') else '')
            which = f', explorer {i + 1}' if len(made) > 1 else ''
            rows.append((
                f'{c.label}{which} at {side}x{side}, '
                f'{block}{ex.sliders[key].description} slider',
                median_update(ex, key, [round(book * 0.8), book,
                                        round(book * 1.2)], repeats)))
            ex.set_values(values)
    print(f'| explorer update in the kernel | median of {repeats} (s) |')
    print('|---|---|')
    for name, t in rows:
        print(f'| {name} | {t:.3f} |')


def _kb(text):
    raw = text.encode() if isinstance(text, str) else text
    return f'{len(raw) / 1000:.1f} kB ({len(gzip.compress(raw)) / 1000:.1f}' \
        ' kB gzipped)'


def site(explorers):
    sys.path.insert(0, str(ROOT / 'nbtests'))
    from browser import chromium_path, headless_chromium, serve

    from cnnbook.explorer_site import html_view
    if not chromium_path():
        print('\nsite: skipped, no Chromium here (make browser)')
        return
    static = {name: (ROOT / '_static' / name).read_bytes()
              for name in ('explorer.js', 'explorer.css')}
    rows, sizes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in static.items():
            (Path(tmp) / name).write_bytes(data)
        for c, made in explorers:
            section = c.name
            with c.numpy_mode():     # the view probes the chapter's net
                views = [html_view(ex) for ex in made]
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
    explorers = explorers_by_chapter()
    kernel(explorers, repeats)
    site(explorers)


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
