"""Median time of one channel-explorer update, for NiN and GoogLeNet.

An update rebuilds the chapter's network with new channels, runs one
image through it and redraws the table: what a student waits for after
moving a slider.

    .venv/bin/python benchmarks/widget_update.py [repeats]
"""
import statistics
import sys
import time

from cnnbook.chapters import definitions
from cnnbook.widgets import channel_explorer, inception_explorer


def median_update(explorer, key, values, repeats):
    times = []
    for i in range(repeats):
        tic = time.perf_counter()
        explorer.sliders[key].value = values[i % len(values)]
        times.append(time.perf_counter() - tic)
    assert explorer.report is not None
    return statistics.median(times)


def main(repeats=9):
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
    print(f'| explorer update | median of {repeats} (s) |')
    print('|---|---|')
    for name, t in rows:
        print(f'| {name} | {t:.3f} |')


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
