"""The benchmark harness's bookkeeping (its timings are never asserted)."""
import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / 'benchmarks'))
import run as bench  # noqa: E402


def _results(torch):
    row = {'model': 'NiN', 'size': 67, 'ours': 600.0, 'book': 400.0,
           'torch': torch, 'data_ours': 0.01, 'data_book': 0.02,
           'data_share': 0.005}
    runs = [{'section': 'nin', 'seed': s, 'source': 'cnnbook.train',
             'test_acc': a, 'nan': False, 'seconds': 480.0,
             'curve': [(2.5, a - 0.05), (8.0, a)]}
            for s, a in enumerate([0.7, 0.1, 0.8])]
    runs[0].update(source='notebook', notebook_seconds=600.0)
    runs.append({'section': 'googlenet', 'seed': 0, 'source': 'notebook',
                 'test_acc': None, 'nan': True, 'seconds': None,
                 'notebook_seconds': 30.0, 'error': 'TrainingDiverged'})
    return {'machine': {'cpu': 'x', 'cores': 2, 'OMP_NUM_THREADS': '2',
                        'mxnet': '1.9.1', 'date': 'today'},
            'command': 'benchmarks/run.py', 'throughput': [row],
            'accuracy': runs, 'smoke_seconds': 80.0}


def rows(text):
    """The rows of every Markdown table in ``text``, as lists of cells
    (tabulate pads the cells)."""
    return [[cell.strip() for cell in line.strip('|').split('|')]
            for line in text.splitlines() if line.startswith('|')
            and not set(line) <= set('|-: ')]


def row(text, *first):
    """The first table row whose leading cells are ``first``."""
    return next(r for r in rows(text) if r[:len(first)] == list(first))


def test_report_counts_stalls_and_nans():
    text = bench.markdown(_results(torch=500.0))
    lines = text.splitlines()
    nin = row(text, 'nin', '3')
    assert nin[2:5] == ['0.700 (0.100–0.800)', '1', '0']
    assert nin[6] == '10.0 min'      # the notebook's wall time
    gn = row(text, 'googlenet', '1')
    assert gn[3:5] == ['0', '1']     # no stall counted, one NaN
    assert row(text, 'NiN', '67×67') == ['NiN', '67×67', '600', '400',
                                         '1.50×', '500', '1.20×']
    assert lines[-2] == 'speed-up vs book-style loop: NiN 1.50x'
    # no seed reached NiN's 0.84: the best accuracy and the minutes tried
    assert lines[-1] == ('time to book accuracy: NiN not reached in 8.0 '
                         'min, best 0.800')


def test_time_to_book_accuracy():
    results = _results(torch=None)
    for run, minutes in zip(results['accuracy'], (3.0, 5.0, 4.0)):
        run['curve'] = [(minutes, 0.85), (9.0, 0.9)]
    results['accuracy'].append({
        'section': 'nin', 'seed': 0, 'source': 'book recipe', 'nan': False,
        'recipe': 'lr 0.1', 'test_acc': 0.1, 'seconds': 540.0,
        'curve': [(2.0, 0.1), (9.0, 0.1)]})
    text = bench.markdown(results)
    # the median of 3.0, 5.0 and 4.0 minutes
    assert text.splitlines()[-1] == 'time to book accuracy: NiN 4.0 min'
    assert row(text, 'NiN', '3.0, 5.0, 4.0') == [
        'NiN', '3.0, 5.0, 4.0', '4.0 min', '0.100 after 9.0 min (lr 0.1)']
    # the book's run is not one of the cpu recipe's seeds
    assert row(text, 'nin', '3')
    assert bench.minutes_to([(1.0, 0.5), (2.0, 0.84)], 0.84) == 2.0
    assert bench.minutes_to([(1.0, 0.5)], 0.84) is None


def test_report_gives_every_quarter_epoch():
    results = _results(torch=None)
    results['accuracy'][1]['curve'] = [(1.25, 0.6)]
    text = bench.markdown(results).split('**Test accuracy after every')[1]
    text = text.split('**Time to')[0]
    header = rows(text)[0]
    assert header[3:] == [f'epoch {i / bench.EVALS:g}' for i in (1, 2)]
    assert row(text, 'nin', '0', 'notebook')[3:] == [
        '0.650 (2.5)', '0.700 (8.0)']
    # a shorter curve is padded, not shifted
    assert row(text, 'nin', '1', 'cnnbook.train')[3:] == ['0.600 (1.2)', '–']
    # the run that diverged has no curve and no row
    assert not [r for r in rows(text) if r[:3] == ['googlenet', '0',
                                                  'notebook']]


def test_report_links_the_run_log_only_when_it_trained():
    # an absolute link: results.md is included in the site's How-long page
    link = ('[benchmarks/accuracy-runs.jsonl](https://github.com/cnnbook/'
            'cnnbook/blob/main/benchmarks/accuracy-runs.jsonl)')
    assert link in bench.markdown(_results(torch=None)).splitlines()[0]
    quick = dict(_results(torch=None), accuracy=None)
    assert 'accuracy-runs' not in bench.markdown(quick)


def test_report_without_torch_says_so():
    text = bench.markdown(_results(torch=None))
    assert 'PyTorch eager: not measured' in text
    assert row(text, 'NiN', '67×67')[4:] == ['1.50×', '–', '–']


def test_accuracy_log_is_reused_only_for_the_same_code(tmp_path, monkeypatch):
    trained = []

    def fake(section, seed=0, previous=False):
        trained.append((section, 'previous' if previous else seed))
        return {'section': section, 'seed': seed, 'source': 'fake',
                'test_acc': 0.5, 'nan': False, 'seconds': 1.0}
    monkeypatch.setattr(bench, 'notebook_run', fake)
    monkeypatch.setattr(bench, 'seed_run', fake)
    def fake_book(section, seconds):
        trained.append((section, 'book'))
        return {'section': section, 'seed': 0, 'source': 'book recipe',
                'test_acc': 0.1, 'nan': False, 'seconds': seconds}
    monkeypatch.setattr(bench, 'book_run', fake_book)
    log = tmp_path / 'runs.jsonl'
    first = bench.time_to_accuracy(2, log)
    plan = [(s, 0) for s in bench.SECTIONS] + [
        (s, 1) for s in bench.SEED_SECTIONS] + [
        (s, 'book') for s in bench.SEED_SECTIONS] + [
        (s, 'previous') for s in bench.SEED_SECTIONS
        if bench.previous_recipe(s)]
    assert trained == plan and len(first) == len(plan)
    assert len(log.read_text().splitlines()) == len(plan)

    # an interrupted run: the last line lost; only that run trains again
    log.write_text(''.join(log.read_text().splitlines(True)[:-1]))
    trained.clear()
    assert bench.time_to_accuracy(2, log) == first
    assert trained == plan[-1:]

    # lines written by other code or recipes are ignored
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    log.write_text(''.join(json.dumps(dict(r, key='other')) + '\n'
                           for r in lines))
    trained.clear()
    bench.time_to_accuracy(2, log)
    assert trained == plan


def test_run_key_follows_what_a_run_depends_on(tmp_path, monkeypatch):
    import shutil
    for part in ('cnnbook', 'book'):
        shutil.copytree(ROOT / part, tmp_path / part)
    monkeypatch.setattr(bench, 'ROOT', tmp_path)
    before = {source: bench.run_key('nin', source)
              for source in ('notebook', 'cnnbook.train', 'book recipe')}
    assert len(set(before.values())) == 3
    # a cell outside the model: only the notebook run is stale
    nb = json.loads((tmp_path / 'book' / 'nin.ipynb').read_text())
    nb['cells'].append(nbformat.v4.new_code_cell('print(1)'))
    (tmp_path / 'book' / 'nin.ipynb').write_text(json.dumps(nb))
    assert bench.run_key('nin', 'notebook') != before['notebook']
    assert bench.run_key('nin', 'cnnbook.train') == before['cnnbook.train']
    # a corrected prose check changes no run: the key stays
    notebook = bench.run_key('nin', 'notebook')
    nb['cells'].append(nbformat.v4.new_code_cell(
        "cnnbook.claim('1', 1)", metadata={'tags': ['prose-check']}))
    (tmp_path / 'book' / 'nin.ipynb').write_text(json.dumps(nb))
    assert bench.run_key('nin', 'notebook') == notebook
    # the training code: every run is stale
    with open(tmp_path / 'cnnbook' / 'training.py', 'a') as f:
        f.write('\n# changed\n')
    assert bench.run_key('nin', 'cnnbook.train') != before['cnnbook.train']
    assert bench.run_key('nin', 'book recipe') != before['book recipe']


# the epochs of NiN's cpu recipe, which a logged run must have trained
NIN_EPOCHS = bench.cnnbook.settings('nin', 'cpu').num_epochs


def _notebook_run(tmp_path, monkeypatch, code):
    # a stand-in for book/nin.ipynb
    book = tmp_path / 'book'
    book.mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(code)]), book / 'nin.ipynb')
    monkeypatch.setattr(bench, 'ROOT', tmp_path)
    return bench.notebook_run('nin')


def test_notebook_run_reads_what_the_notebook_glued(tmp_path, monkeypatch):
    run = _notebook_run(tmp_path, monkeypatch, (
        'from myst_nb import glue\n'
        "glue('test_acc', 0.875, display=False)\n"
        f"glue('epochs', {NIN_EPOCHS}, display=False)\n"
        "glue('train_seconds', 12.5, display=False)"))
    assert (run['test_acc'], run['seconds'], run['nan']) == (0.875, 12.5,
                                                             False)
    assert run['notebook_seconds'] > 0


def test_notebook_run_takes_every_runs_extra_evaluations_off(tmp_path,
                                                            monkeypatch):
    # Every cnnbook.train call of the notebook, an exercise's short run as
    # much as the chapter's own, is asked for bench.EVALS evaluations per
    # epoch; the wall time of all their extra evaluations comes off the
    # notebook's time; the counting copy is never written to disk.
    import types
    # the notebook's wall time, as the harness reads it: 1,000 s
    clock = iter([0.0, 1000.0])
    monkeypatch.setattr(bench, 'time', types.SimpleNamespace(
        perf_counter=lambda: next(clock)))
    run = _notebook_run(tmp_path, monkeypatch, (
        'import os\n'
        'import mxnet as mx\n'
        'import numpy as np\n'
        'import cnnbook\n'
        'from mxnet import gluon\n'
        'from mxnet.gluon import nn\n'
        'from myst_nb import glue\n'
        "assert os.environ['CNNBOOK_EVALS_PER_EPOCH'] == "
        f"'{bench.EVALS}'\n"
        "ds = gluon.data.ArrayDataset(np.random.rand(64, 8).astype('float32'),"
        " np.arange(64).astype('int32') % 10)\n"
        'it = gluon.data.DataLoader(ds, 16)\n'
        'runs = [cnnbook.train(nn.Dense(10), it, it, 1, 0.1, mx.cpu(), '
        'plot=False) for _ in range(2)]\n'
        # a run that raises after its first evaluations, caught as an
        # exercise catches TrainingDiverged: its evaluations count too
        'def broken(loader):\n'
        '    for k, batch in enumerate(loader):\n'
        '        if k == 3:\n'
        "            raise ValueError('stopped')\n"
        '        yield batch\n'
        'class Broken(list):\n'
        '    def __iter__(self):\n'
        '        return broken(it)\n'
        'try:\n'
        '    cnnbook.train(nn.Dense(10), Broken(it), it, 1, 0.1, mx.cpu(), '
        'plot=False)\n'
        'except ValueError:\n'
        '    runs.append(cnnbook.training.last_history)\n'
        'assert runs[-1].extra_eval_seconds > 0\n'
        "open('extra.txt', 'w').write(repr(sum(h.extra_eval_seconds "
        'for h in runs)))\n'
        "glue('test_acc', 0.875, display=False)\n"
        f"glue('epochs', {NIN_EPOCHS}, display=False)\n"
        "glue('train_seconds', 12.5, display=False)"))
    extra = float((tmp_path / 'book' / 'extra.txt').read_text())
    assert bench.EVALS == 4 and extra > 0
    assert run['extra_eval_seconds'] == pytest.approx(extra)
    assert run['notebook_seconds'] == pytest.approx(1000.0 - extra)
    assert sorted(p.name for p in (tmp_path / 'book').iterdir()) == [
        'extra.txt', 'nin.ipynb']


def test_notebook_run_refuses_a_partial_run(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError,
                       match=f'nin trained 1 of {NIN_EPOCHS} epochs'):
        _notebook_run(tmp_path, monkeypatch, (
            'from myst_nb import glue\n'
            "glue('test_acc', 0.875, display=False)\n"
            "glue('epochs', 1, display=False)\n"
            "glue('train_seconds', 12.5, display=False)"))


def test_notebook_run_counts_a_diverged_run(tmp_path, monkeypatch):
    run = _notebook_run(tmp_path, monkeypatch, (
        'import cnnbook\n'
        "raise cnnbook.TrainingDiverged('the loss became nan', [])"))
    assert run['nan'] and run['test_acc'] is None


def test_notebook_run_refuses_a_broken_notebook(tmp_path, monkeypatch):
    # not a measurement: nothing may be logged for it
    with pytest.raises(RuntimeError, match='nin.ipynb failed'):
        _notebook_run(tmp_path, monkeypatch, 'raise ValueError("broken")')
    with pytest.raises(RuntimeError, match='recorded no results'):
        _notebook_run(tmp_path, monkeypatch, 'x = 1')


def _tiny_problem(monkeypatch, wrap=None):
    """seed_run on 64 random examples and a one-layer net; ``wrap``
    changes its training loader."""
    import numpy as np
    from mxnet import gluon
    from mxnet.gluon import nn
    rng = np.random.default_rng(0)
    ds = gluon.data.ArrayDataset(
        rng.normal(size=(64, 8)).astype('float32'),
        rng.integers(0, 10, size=64).astype('int32'))
    train_iter = gluon.data.DataLoader(ds, 16, shuffle=True)
    if wrap:
        train_iter = wrap(train_iter)
    monkeypatch.setattr(bench.cnnbook, 'load_data_fashion_mnist',
                        lambda *a, **k: (train_iter,
                                         gluon.data.DataLoader(ds, 16)))
    monkeypatch.setattr(bench, 'builder', lambda section: lambda: nn.Dense(
        10))


def _fake_notebook(section, seed=0):
    return {'section': section, 'seed': seed, 'source': 'fake',
            'test_acc': 0.5, 'nan': False, 'seconds': 1.0}


def test_interrupted_run_is_never_logged(tmp_path, monkeypatch,
                                        interrupting):
    _tiny_problem(monkeypatch, wrap=interrupting)
    monkeypatch.setattr(bench, 'notebook_run', _fake_notebook)
    log = tmp_path / 'runs.jsonl'
    with pytest.raises(KeyboardInterrupt):
        bench.time_to_accuracy(2, log)
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    # the three notebooks (faked) before it, and not the interrupted run
    assert [r['source'] for r in logged] == ['fake'] * 3


def test_a_run_shorter_than_its_recipe_is_refused(monkeypatch):
    from cnnbook.training import History
    _tiny_problem(monkeypatch)
    full = bench.seed_run('nin', 1)
    assert full['test_acc'] is not None and not full['nan']
    # a history cut short, however that came about, is not a result
    monkeypatch.setattr(bench.cnnbook, 'train',
                        lambda *a, **k: History())
    with pytest.raises(RuntimeError,
                       match=f'nin trained 0 of {NIN_EPOCHS} epochs'):
        bench.seed_run('nin', 1)


def test_book_run_trains_the_books_recipe_in_slices(monkeypatch):
    import numpy as np
    from mxnet.gluon import nn
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, size=(1200, 28, 28)).astype('uint8')
    labels = rng.integers(0, 10, size=1200).astype('int32')
    monkeypatch.setattr(bench, 'load_arrays', lambda: ((images, labels),
                                                       (images, labels)))
    monkeypatch.setattr(bench.cnnbook, 'load_data_fashion_mnist',
                        lambda *a, **k: (None, [(
                            bench.mx.nd.zeros((8, 1, 224, 224)),
                            bench.mx.nd.zeros(8))]))
    monkeypatch.setattr(bench, 'builder', lambda section: lambda: nn.Dense(
        10))
    seen = []
    real = bench.cnnbook.train

    def spy(net, train_iter, test_iter, num_epochs, lr, **kwargs):
        X, _ = next(iter(train_iter))
        seen.append((len(train_iter), X.shape, lr, kwargs['init'],
                     kwargs['momentum']))
        return real(net, train_iter, test_iter, num_epochs, lr, **kwargs)
    monkeypatch.setattr(bench.cnnbook, 'train', spy)
    run = bench.book_run('nin', seconds=1e-6)
    book = bench.cnnbook.settings('nin', 'full')
    # one slice (the budget is spent), at the book's size, rate and
    # plain SGD, initialised once
    assert seen == [(4, (book.batch_size, 1, 224, 224), 0.1, True, 0.0)]
    assert run['source'] == 'book recipe' and len(run['curve']) == 1
    assert run['recipe'] == book.recipe.describe()
    # a longer budget: more slices, the weights carried on, and never
    # past the end of the data
    seen.clear()
    run = bench.book_run('nin', seconds=1e6)
    assert [s[3] for s in seen] == [True] + [False] * (len(seen) - 1)
    assert sum(s[0] for s in seen) * book.batch_size <= 1200
    assert [m for m, _ in run['curve']] == sorted(m for m, _ in run['curve'])


def test_throughput_is_kept_only_from_a_full_report_on_this_cpu(tmp_path):
    path = tmp_path / 'results.json'
    assert bench.kept_throughput(path) is None
    old = dict(_results(torch=None), quick=False)
    old['machine']['cpu'] = bench.machine()['cpu']
    path.write_text(json.dumps(old))
    assert bench.kept_throughput(path) == old['throughput']
    path.write_text(json.dumps(dict(old, quick=True)))
    assert bench.kept_throughput(path) is None
    old['machine']['cpu'] = 'another CPU'
    path.write_text(json.dumps(old))
    assert bench.kept_throughput(path) is None


def test_smoke_durations_per_notebook():
    report = ('============ slowest durations ============\n'
              '41.20s call     book/googlenet-numpy.ipynb::googlenet-numpy'
              '.ipynb\n'
              '22.05s call     book/nin.ipynb::nin.ipynb\n'
              '0.01s setup    book/nin.ipynb::nin.ipynb\n'
              '=== 4 passed in 80.00s ===\n')
    assert bench.smoke_durations(report) == {'googlenet-numpy': 41.2,
                                             'nin': 22.05}
    results = dict(_results(torch=None),
                   smoke_notebooks={'nin': 22.05, 'googlenet': 9.6})
    assert ('**Smoke suite** (`pytest --nbmake book`, smoke profile): 80 s, '
            'of which nin 22 s, googlenet 10 s.') in bench.markdown(results)


def test_the_previous_cpu_recipe_is_set_beside_the_new_one(tmp_path,
                                                           monkeypatch):
    import dataclasses
    old = dataclasses.replace(bench.cnnbook.settings('nin', 'cpu').recipe,
                              num_epochs=7)
    monkeypatch.setattr(bench, 'previous_recipe',
                        lambda s: old if s == 'nin' else None)
    # its log key names the old recipe, so a run of it is never taken for
    # one of the new recipe, nor the other way round
    key = bench.run_key('nin', bench.PREVIOUS)
    assert key.startswith(f'{bench.PREVIOUS}: {old.describe()} ')
    assert key != bench.run_key('nin', 'cnnbook.train')
    trained = []
    monkeypatch.setattr(bench, 'notebook_run', lambda s: {
        'section': s, 'seed': 0, 'source': 'notebook', 'test_acc': 0.9,
        'nan': False, 'seconds': 60.0})
    monkeypatch.setattr(bench, 'seed_run', lambda s, seed, previous=False: (
        trained.append((s, seed, previous)) or {
            'section': s, 'seed': seed, 'nan': False, 'seconds': 60.0,
            'source': bench.PREVIOUS if previous else 'cnnbook.train',
            'test_acc': 0.8 if previous else 0.9}))
    bench.time_to_accuracy(2, tmp_path / 'runs.jsonl', book=False)
    # without the book's runs (--skip-book) the old recipe is left out too
    assert all(not previous for *_, previous in trained)
    trained.clear()
    monkeypatch.setattr(bench, 'book_run', lambda s, seconds: {
        'section': s, 'seed': 0, 'source': 'book recipe', 'nan': False,
        'test_acc': 0.1, 'seconds': seconds})
    bench.time_to_accuracy(2, tmp_path / 'runs.jsonl')
    assert trained == [('nin', 0, True)]    # the rest came from the log

    # the report: the old recipe's run is not one of the new one's seeds
    results = _results(torch=None)
    for run in results['accuracy']:
        run['curve'] = [(3.0, 0.85), (9.0, 0.9)]
    results['accuracy'].append({
        'section': 'nin', 'seed': 0, 'source': bench.PREVIOUS,
        'recipe': 'lr 0.001, 2 epochs', 'nan': False, 'test_acc': 0.88,
        'seconds': 420.0, 'curve': [(3.5, 0.8), (5.0, 0.85), (7.0, 0.88)]})
    text = bench.markdown(results)
    assert row(text, 'nin', '3')
    assert row(text, 'NiN', '3.0, 3.0, 3.0')[4] == (
        '5.0 min, final 0.880 after 7.0 min (lr 0.001, 2 epochs)')


def test_the_books_gpu_run_is_a_point_on_the_plot(tmp_path, monkeypatch):
    import matplotlib.figure
    nin = bench.chapter('nin').published
    # 10 epochs of 60,000 images at the printed 2,928 examples/s
    assert nin.gpu_minutes() == pytest.approx(10 * 60000 / 2928 / 60)
    figures = []
    monkeypatch.setattr(matplotlib.figure.Figure, 'savefig',
                        lambda fig, path, **kw: figures.append(fig))
    results = _results(torch=None)
    results['accuracy'].append({
        'section': 'nin', 'seed': 0, 'source': bench.PREVIOUS,
        'nan': False, 'test_acc': 0.88, 'seconds': 420.0,
        'curve': [(3.5, 0.8), (7.0, 0.88)]})
    bench.plot_accuracy(results, tmp_path / 'plot.png')
    ax = figures[0].axes[bench.SEED_SECTIONS.index('nin')]
    lines = {line.get_label(): line for line in ax.get_lines()}
    star = lines["the book's GPU run"]
    assert list(star.get_xdata()) == [nin.gpu_minutes()]
    assert list(star.get_ydata()) == [nin.test_acc]
    assert list(lines['previous cpu recipe'].get_ydata()) == [0.1, 0.8, 0.88]
    assert 'cpu recipe, seed 0' in lines
