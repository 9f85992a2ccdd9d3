"""The numbers a chapter glues for the results page (cnnbook/results.py)."""
import pytest

import cnnbook
from cnnbook.training import Epoch, History


def test_record_results_glues_the_last_epoch(monkeypatch):
    glued = {}
    import myst_nb
    monkeypatch.setattr(myst_nb, 'glue', lambda k, v, display: glued.update(
        {k: (v, display)}))
    history = History([Epoch(1, 0.9, 0.6, 0.55, 10.0, 100.0),
                       Epoch(2, 0.5, 0.8, 0.75, 30.0, 200.0)])
    cfg = cnnbook.settings('nin', 'cpu')
    # the chapters' site-only cell ends with this call: a value returned
    # would be shown to the student as a raw dict
    assert cnnbook.record_results(cfg, history) is None
    values = {k: v for k, (v, _) in glued.items()}
    assert not any(display for _, display in glued.values())
    assert values['epochs'] == 2 and values['test_acc'] == 0.75
    assert values['train_seconds'] == 40.0
    # images per second over the run: (1000 + 6000) / 40
    assert values['examples_per_sec'] == pytest.approx(175.0)
    assert values['profile'] == 'cpu'
    assert values['input'] == f'{cfg.resize}×{cfg.resize}'
    # minutes of training at each epoch's end, and the test accuracy there
    assert values['curve'] == [(0.167, 0.55), (0.667, 0.75)]
    # the benchmark counts extra evaluations itself (benchmarks/run.py)
    assert 'extra_eval_seconds' not in values


def test_record_results_needs_an_epoch():
    with pytest.raises(ValueError, match='at least one finished epoch'):
        cnnbook.record_results(cnnbook.settings('nin', 'smoke'), History())


def test_glued_values_show_nothing_in_jupyter(monkeypatch):
    """glue(display=False) hides every MIME type under a prefix that no
    front end renders (JupyterLab draws nothing for it)."""
    import myst_nb
    from IPython.core.interactiveshell import InteractiveShell
    names = []
    glue = myst_nb.glue
    monkeypatch.setattr(myst_nb, 'glue', lambda k, v, display: (
        names.append(k), glue(k, v, display=display)))
    shell = InteractiveShell.instance()
    shown = []
    hook = shell.display_pub.publish
    shell.display_pub.publish = lambda data, metadata=None, **kw: \
        shown.append(data)
    try:
        cnnbook.record_results(cnnbook.settings('nin', 'cpu'), History(
            [Epoch(1, 0.9, 0.6, 0.55, 10.0, 100.0)]))
    finally:
        shell.display_pub.publish = hook
    # one hidden display for each value glued, none other
    assert len(shown) == len(names) > 5
    assert all(key.startswith('application/papermill.record/')
               for data in shown for key in data)


def test_chapter_rows_come_from_the_registry():
    from cnnbook.chapters import sections
    from cnnbook.results import chapter_rows
    docs = {f'book/{c.stem}' for c in sections()}
    rows = chapter_rows('results', docs).splitlines()
    assert len(rows) == len(sections())
    assert rows[0].startswith('| {doc}`5.9 NiN <nin>` | {glue:text}'
                              '`nin.ipynb::profile:s` |')
    # a chapter the site does not build gets no row
    assert len(chapter_rows('training', docs - {'book/nin'}).splitlines()) \
        == len(sections()) - 1
    # GoogLeNet's published run is shared by 5.10 and 7.4: listed once
    published = chapter_rows('published', docs).splitlines()
    assert [r.split(' | ')[0] for r in published] == ['| NiN', '| GoogLeNet']
    assert '| 0.840 |' in published[0]
    with pytest.raises(ValueError, match="no chapter table 'x'; the tables "
                       'are: results'):
        chapter_rows('x', docs)


def test_the_extension_fills_the_markers():
    from types import SimpleNamespace

    from cnnbook.sphinxext import _chapter_rows
    app = SimpleNamespace(env=SimpleNamespace(found_docs={'book/nin'}))
    source = ['| a |\n|---|\n<!-- chapter-rows: training -->\nafter\n']
    _chapter_rows(app, 'book/instructors', source)
    assert source[0].startswith('| a |\n|---|\n| 5.9 NiN | {glue:text}')
    assert source[0].endswith(' |\nafter\n') and '<!--' not in source[0]
