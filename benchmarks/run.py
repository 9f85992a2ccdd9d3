"""The benchmark harness behind `make bench`: how long the sections take.

    .venv/bin/python benchmarks/run.py           # everything (hours)
    .venv/bin/python benchmarks/run.py --quick   # a few minutes
    .venv/bin/python benchmarks/run.py --skip-accuracy   # no part 3
    .venv/bin/python benchmarks/run.py --keep-throughput # parts 1-2 reused
    .venv/bin/python benchmarks/run.py --quick --only nin  # one chapter

writes benchmarks/results.md, results.json and results.png (--quick:
results-quick.*, so a quick run never replaces the full one). The parts:

1. Training-loop throughput, batch 128, median images/s of timed steps
   (24 at the small inputs, 6 at the book's; for cnnbook.train: the
   median over 3 pairs of runs timed to the end, see ours()), for NiN and
   GoogLeNet at the cpu profile's input size and (not --quick) at the
   book's: `cnnbook.train` against a book-style
   loop (a net that is not hybridized, gluon's per-image Resize +
   ToTensor in a DataLoader with the book's 4 workers, asscalar() after
   every batch, like the book's train_ch5) and, when `torch` is installed
   (optional: `pip install torch==2.13.0`, a CPU build), a PyTorch eager
   loop on the same layers (benchmarks/torch_nets.py), fed the same
   resized batches, loss.item() per batch.
2. The data pipeline: seconds per batch of each loader alone, as a share
   of cnnbook.train's step.
3. (not --quick) Time to accuracy in the cpu profile: each section's
   notebook top to bottom (its wall time, and the training it records:
   seed 0), then seeds 1 .. --seeds-1 (default 3 in all) of NiN and
   GoogLeNet through cnnbook.train; final test accuracy, training time,
   stalls (< 0.2) and NaN runs. Each cpu-recipe run is tested EVALS (4)
   times per epoch, the evaluations left out of its training time (and
   of its notebook's time), so that the time to an accuracy resolves to
   a quarter epoch. Beside them: the book's recipe for as long, and the
   cpu recipe the current one replaced (the registry's ``cpu_before``),
   seed 0 each (not with --skip-book). Each run is logged to
   benchmarks/accuracy-runs.jsonl as it ends and reused by a later
   invocation with the same code and recipes (delete it to start over).
4. The smoke suite: the wall time of `pytest --nbmake book`.

Run it alone: two MXNet processes on two cores slow each other down many
times over (benchmarks/recipes.md). Timings are reported, never asserted.
"""
import argparse
import dataclasses
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, init

from tabulate import tabulate

import cnnbook
from cnnbook.chapters import builder, chapter, sections
from cnnbook.data import load_arrays

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BATCH = 128
# pairs of timed runs of cnnbook.train per throughput figure (see ours())
REPEATS = 3
# Every section, from the registry (cnnbook/chapters.py); NETWORKS are
# those trained from more than one seed and timed for throughput: a
# section that trains another's network on its recipe (``seeds_from``,
# 7.4) shares that one's spread (see time_to_accuracy).
SECTIONS = [c.name for c in sections()]
NETWORKS = [c for c in sections() if not c.seeds_from]
SEED_SECTIONS = [c.name for c in NETWORKS]
# test evaluations per epoch in the time-to-accuracy runs (part 3)
EVALS = 4
# part 3's runs of the cpu recipe (the rest set beside it: the book's
# recipe, and the cpu recipe it replaced, PREVIOUS)
CPU_SOURCES = ('notebook', 'cnnbook.train')
PREVIOUS = 'previous cpu recipe'


def previous_recipe(section):
    """The cpu recipe a section's replaced (the registry's cpu_before), or
    None."""
    return chapter(section).cpu_before


def table(headers, rows):
    """A Markdown (GitHub) table, by tabulate."""
    return tabulate(rows, headers, tablefmt='github', disable_numparse=True
                    ).splitlines()


def median_rate(stamps, warmup):
    """Images/s from the times at which successive steps ended."""
    gaps = [b - a for a, b in zip(stamps, stamps[1:])][warmup:]
    return BATCH / statistics.median(gaps)


def ours(section, size, steps, warmup, repeats):
    """cnnbook.train: images/s per step.

    MXNet runs asynchronously and cnnbook.train reads nothing back per
    batch, so the time a batch is handed out says little about when its
    step ends. Instead two whole runs, of warmup and of warmup + steps
    batches, are timed to the end (train() waits for all work); their
    difference is the steps alone, without compiling and evaluation: the
    mean over them.
    """
    def run(n):
        train_iter, test_iter = cnnbook.load_data_fashion_mnist(
            BATCH, resize=size, subset=(n * BATCH, BATCH))
        cnnbook.set_seed(0)
        tic = time.perf_counter()
        cnnbook.train(builder(section)(), train_iter, test_iter, 1, 0.01,
                      ctx=mx.cpu(), momentum=0.9, plot=False)
        return time.perf_counter() - tic
    # the median over `repeats` pairs: one pair on a shared machine swings
    # by 20% (GoogLeNet 28x28, 6 steps: 451 and 368 images/s on two days)
    return statistics.median(
        steps * BATCH / (run(warmup + steps) - run(warmup))
        for _ in range(repeats))


def book_loader(size, n, workers=4):
    """The book's pipeline: per-image Resize and ToTensor, 4 workers."""
    from mxnet.gluon.data.vision import transforms
    (images, labels), _ = load_arrays()
    dataset = gluon.data.ArrayDataset(
        mx.nd.array(images[:n, :, :, None], dtype='uint8'),
        labels[:n].astype('float32'))
    trans = transforms.Compose([transforms.Resize(size),
                                transforms.ToTensor()])
    return gluon.data.DataLoader(dataset.transform_first(trans), BATCH,
                                 shuffle=True, num_workers=workers)


def book_style(section, size, steps, warmup):
    """The book's train_ch5 loop: imperative, asscalar per batch."""
    net = builder(section)()
    cnnbook.set_seed(0)
    net.initialize(init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.01})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    loader = book_loader(size, (steps + warmup + 1) * BATCH)
    stamps, loss_sum, acc_sum = [time.perf_counter()], 0.0, 0.0
    for X, y in loader:
        with autograd.record():
            y_hat = net(X)
            loss = loss_fn(y_hat, y).sum()
        loss.backward()
        trainer.step(BATCH)
        loss_sum += loss.asscalar()
        acc_sum += (y_hat.argmax(axis=1) == y).sum().asscalar()
        stamps.append(time.perf_counter())
    return median_rate(stamps, warmup)


def torch_eager(section, size, steps, warmup):
    """images/s of a PyTorch eager loop, or None when torch is absent.

    In its own process (benchmarks/torch_nets.py), so that PyTorch's
    OpenMP runtime never shares a process with MXNet's."""
    if importlib.util.find_spec('torch') is None or not chapter(
            section).torch:
        return None
    (images, labels), _ = load_arrays()
    n = (steps + warmup) * BATCH
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, 'batches.npz')
        np.savez(data, images=images[:n], labels=labels[:n])
        out = subprocess.run(
            [sys.executable, str(HERE / 'torch_nets.py'),
             chapter(section).torch,
             str(size), str(steps), str(warmup), str(BATCH), data],
            check=True, capture_output=True, text=True).stdout
    n_params, images_per_s = out.split()
    mine = cnnbook.layer_summary(builder(section)(), (1, 1, size, size),
                                 show=False).total_params
    if int(n_params) != mine:
        raise RuntimeError(f'benchmarks/torch_nets.py {section} has '
                           f'{n_params} parameters, the chapter\'s {mine}: '
                           'not the same network')
    return float(images_per_s)


def loader_seconds(loader, batches=10):
    """Median seconds per batch of a loader on its own."""
    stamps = [time.perf_counter()]
    for i, _ in enumerate(loader):
        stamps.append(time.perf_counter())
        if i + 1 == batches:
            break
    return BATCH / median_rate(stamps, 0)


def throughput(quick, networks=None):
    # --quick once timed a single pair of runs 4 steps apart: under a
    # second of difference between two runs of several seconds each, so
    # that one disturbance on a shared machine took NiN 67x67 from about
    # 700 images/s (a direct one-epoch run) to 439. Now every figure is
    # the median of REPEATS pairs of at least 16 steps apart; measured
    # side by side on 2026-11-23 (benchmarks/recipes.md), 24-step pairs
    # and a direct one-epoch cnnbook.train run agree within 5%.
    warmup, repeats = 2, REPEATS
    rows = []
    for c in NETWORKS if networks is None else networks:
        section, name = c.name, c.network
        for size in ([c.cpu.resize] if quick else
                     [c.cpu.resize, c.book.resize]):
            # a few seconds of steps at least: 24 at the small inputs
            steps = 16 if quick else (24 if size < 96 else 6)
            row = {'model': name, 'size': size,
                   'ours': ours(section, size, steps, warmup, repeats),
                   'book': book_style(section, size, steps, warmup),
                   'torch': torch_eager(section, size, steps, warmup)}
            ours_iter, _ = cnnbook.load_data_fashion_mnist(
                BATCH, resize=size, subset=(12 * BATCH, BATCH))
            row['data_ours'] = loader_seconds(ours_iter)
            row['data_book'] = loader_seconds(book_loader(size, 12 * BATCH))
            row['data_share'] = row['data_ours'] / (BATCH / row['ours'])
            print(row, flush=True)
            rows.append(row)
    return rows


def kept_throughput(path):
    """The throughput rows of an earlier full report, or None when there
    is none or it ran on another CPU (its figures would not compare)."""
    if not path.exists():
        return None
    old = json.loads(path.read_text())
    if old.get('quick') or old['machine']['cpu'] != machine()['cpu']:
        return None
    print(f"throughput: kept from {path.name} ({old['machine']['date']})",
          flush=True)
    return old['throughput']


def _glued(nb):
    """The values a notebook glued (cnnbook.record_results), by key."""
    import ast
    from myst_nb.ext.glue import extract_glue_data_cell
    return {key: ast.literal_eval(out['data']['text/plain'])
            for cell in nb.cells if cell.cell_type == 'code'
            for key, out in extract_glue_data_cell(cell)}


# The cells notebook_run() puts before and after a notebook. EVALS
# reaches every cnnbook.train call of the notebook through the
# environment, the exercises' short runs too, so the first cell counts the
# extra evaluations' wall time of every run (each History keeps its own),
# and the last one glues the total, which comes off the notebook's time.
# A wrapper, because cnnbook.train itself keeps no count across runs; it
# reads training.last_history, which train sets even for a run that
# raises (an exercise may catch TrainingDiverged and go on).
COUNT_EVALS = """\
import cnnbook as _bench_cnnbook
_bench_train, _bench_extra = _bench_cnnbook.train, []


def _bench_counted_train(*args, **kwargs):
    before = _bench_cnnbook.training.last_history
    try:
        return _bench_train(*args, **kwargs)
    finally:
        history = _bench_cnnbook.training.last_history
        if history is not before:
            _bench_extra.append(history.extra_eval_seconds)


_bench_cnnbook.train = _bench_counted_train"""
GLUE_EVALS = """\
from myst_nb import glue as _bench_glue
_bench_glue('bench_extra_eval_seconds', sum(_bench_extra), display=False)"""


def notebook_run(section):
    """Run a section's notebook in the cpu profile: its wall time, and the
    training it recorded (seed 0: the notebook seeds its training run),
    tested EVALS times per epoch; the wall time of the evaluations within
    epochs, which the notebook alone would not run, is taken off its
    time, for every run it trains (COUNT_EVALS)."""
    import nbformat
    env = dict(os.environ, CNNBOOK_PROFILE='cpu',
               CNNBOOK_EVALS_PER_EPOCH=str(EVALS))
    path = ROOT / 'book' / chapter(section).notebook
    nb = nbformat.read(path, as_version=4)
    nb.cells = [nbformat.v4.new_code_cell(COUNT_EVALS), *nb.cells,
                nbformat.v4.new_code_cell(GLUE_EVALS)]
    # from stdin, no copy on disk; run in book/, where it always runs
    tic = time.perf_counter()
    done = subprocess.run(
        [sys.executable, '-m', 'jupyter', 'nbconvert', '--stdin', '--to',
         'notebook', '--execute', '--stdout'],
        input=nbformat.writes(nb), cwd=path.parent, env=env,
        capture_output=True, text=True)
    wall = time.perf_counter() - tic
    run = {'section': section, 'seed': 0, 'source': 'notebook',
           'notebook_seconds': wall}
    if done.returncode and 'TrainingDiverged' in done.stderr:
        # a measurement: the run went NaN and stopped the notebook
        return dict(run, test_acc=None, seconds=None, nan=True,
                    error='TrainingDiverged')
    if done.returncode:
        # anything else is a broken notebook, not a result to log
        raise RuntimeError(f'book/{chapter(section).notebook} failed in '
                           'the cpu '
                           f'profile:\n{done.stderr[-2000:]}')
    glued = _glued(nbformat.reads(done.stdout, as_version=4))
    if 'test_acc' not in glued:
        raise RuntimeError(f'book/{chapter(section).notebook} recorded no '
                           'results; its '
                           'record-results cell must call '
                           'cnnbook.record_results')
    _check_complete(section, glued.get('epochs'))
    run['extra_eval_seconds'] = glued['bench_extra_eval_seconds']
    run['notebook_seconds'] -= run['extra_eval_seconds']
    return dict(run, test_acc=glued['test_acc'], nan=False,
                seconds=glued['train_seconds'], curve=glued.get('curve'))


def _check_complete(section, epochs, want=None):
    """Refuse a run that trained fewer epochs than its recipe (``want``;
    by default the cpu recipe's).

    Ctrl-C stops cnnbook.train with KeyboardInterrupt, so no cut-short
    run should get this far; this makes sure none is logged as a result.
    """
    want = want or cnnbook.settings(section, 'cpu').num_epochs
    if epochs != want:
        raise RuntimeError(f'{section} trained {epochs} of {want} epochs: '
                           'a partial run is not a result')


def seed_run(section, seed, previous=False):
    """Train a section's network on its cpu recipe from one seed
    (``previous``: on the cpu recipe that one replaced)."""
    cfg = cnnbook.settings(section, 'cpu')
    if previous:
        cfg = dataclasses.replace(cfg, recipe=previous_recipe(section))
    train_iter, test_iter = cnnbook.load_data_fashion_mnist(
        cfg.batch_size, resize=cfg.resize, subset=cfg.subset, flip=cfg.flip)
    cnnbook.set_seed(seed)
    run = {'section': section, 'seed': seed,
           'source': PREVIOUS if previous else 'cnnbook.train'}
    if previous:
        run['recipe'] = cfg.recipe.describe()
    try:
        h = cnnbook.train(builder(section)(), train_iter, test_iter,
                          cfg.num_epochs, cfg.lr, ctx=mx.cpu(), plot=False,
                          evals_per_epoch=EVALS, **cfg.train_kwargs())
    except cnnbook.TrainingDiverged as e:
        return dict(run, test_acc=None, nan=True, seconds=None, error=str(e))
    _check_complete(section, len(h), cfg.num_epochs)
    return dict(run, test_acc=h[-1].test_acc, nan=False,
                seconds=sum(e.seconds for e in h), curve=h.curve())


def book_run(section, seconds, chunks=5, n_test=2000):
    """The book's recipe on this machine for ``seconds`` of training.

    It trains at the book's input size with plain SGD at a constant rate,
    so a run of ``seconds`` is split into ``chunks`` successive slices of
    one shuffled pass over the data, each trained by cnnbook.train with
    the weights carried on (plain SGD keeps no state between steps, so
    this is one continuous run), and tested on a fixed ``n_test`` images
    after each slice: at 224x224 one pass over the 10,000 test images
    costs minutes. The slice size comes from a timed first slice.
    """
    from cnnbook.data import BatchResize
    book = cnnbook.settings(section, 'full').recipe
    (images, labels), _ = load_arrays()
    order = np.random.default_rng(0).permutation(len(labels))
    _, test_iter = cnnbook.load_data_fashion_mnist(
        book.batch_size, resize=book.resize, subset=(book.batch_size,
                                                     n_test))

    def loader(start, n):
        pick = order[start:start + n]
        return gluon.data.DataLoader(
            gluon.data.ArrayDataset(images[pick], labels[pick]),
            book.batch_size, batchify_fn=BatchResize(book.resize))
    net, done, start, curve = builder(section)(), 0.0, 0, []
    cnnbook.set_seed(0)
    n = 4 * book.batch_size             # the timed first slice
    while done < seconds * 0.99 and start + n <= len(order):
        h = cnnbook.train(net, loader(start, n), test_iter, 1, book.lr,
                          ctx=mx.cpu(), plot=False, init=not curve,
                          **book.train_kwargs())
        start, done = start + n, done + h[-1].seconds
        curve.append((round(done / 60, 3), round(h[-1].test_acc, 4)))
        rate = n / h[-1].seconds
        n = book.batch_size * max(1, round(
            min(seconds / chunks, seconds - done) * rate / book.batch_size))
    return {'section': section, 'seed': 0, 'source': 'book recipe',
            'recipe': book.describe(), 'test_acc': curve[-1][1],
            'nan': False, 'seconds': done, 'curve': curve}


def run_key(section, source):
    """What a logged run depends on: its recipe, its network and the
    training code (and for a notebook run, the notebook's code, less the
    cells that cannot change a run: ``chapters.RUN_NEUTRAL``, the prose
    checks, so that correcting a checked number keeps the logged runs)."""
    import hashlib
    from cnnbook import chapters
    digest = hashlib.sha256()
    for path in [ROOT / 'cnnbook' / 'training.py',
                 ROOT / 'cnnbook' / 'data.py']:
        digest.update(path.read_text().encode())
    nb = json.loads((ROOT / 'book' / chapter(section).notebook).read_text())
    for cell in nb['cells']:
        tags = chapters.tags(cell)
        if cell['cell_type'] == 'code' and (
                chapters.TAG in tags if source != 'notebook' else
                not tags & set(chapters.RUN_NEUTRAL)):
            digest.update(chapters.source(cell).encode())
    if source == 'notebook':
        # notebook runs logged before every run's extra evaluations came
        # off the notebook's time (2026-12-06) are not reused
        digest.update(b'notebook time less every run\'s extra evaluations')
    recipe = (previous_recipe(section) if source == PREVIOUS else
              cnnbook.settings(section, 'full' if source == 'book recipe'
                               else 'cpu').recipe)
    return (f"{source}: {recipe.describe()}"
            f" {mx.__version__} {digest.hexdigest()[:16]}")


def minutes_to(curve, target):
    """Minutes of training until a curve first reaches ``target``."""
    return next((m for m, acc in curve if acc >= target), None)


def time_to_accuracy(seeds, log, book=True):
    """Part 3. Every section's notebook in the cpu profile (seed 0), seeds
    1 .. seeds-1 of each network through cnnbook.train, and (``book``)
    the book's recipe for as long as the cpu recipe's median training and
    the cpu recipe it replaced (the registry's ``cpu_before``), seed 0.

    Section 7.4 trains 5.10's network on 5.10's recipe (only the array
    API differs), so its spread over seeds is 5.10's and only its notebook
    runs. Each finished run is appended to ``log`` (JSON lines) at once,
    under the key of what it depends on (:func:`run_key`); a later
    invocation reuses the lines whose key still holds instead of training
    again, so an interrupted run loses one run at most; a run cut short
    (Ctrl-C) is never logged. Delete the log to measure afresh.
    """
    done = {}
    if log.exists():
        for line in log.read_text().splitlines():
            run = json.loads(line)
            done[run.pop('key'), run['seed']] = run
    plan = [(s, 0, 'notebook') for s in SECTIONS] + [
        (s, seed, 'cnnbook.train') for s in SEED_SECTIONS
        for seed in range(1, seeds)] + [
        (s, 0, 'book recipe') for s in SEED_SECTIONS if book] + [
        (s, 0, PREVIOUS) for s in SEED_SECTIONS
        if book and previous_recipe(s)]
    runs = []
    for section, seed, source in plan:
        key = run_key(section, source)
        run = done.get((key, seed))
        if run is None:
            if source == 'notebook':
                run = notebook_run(section)
            elif source in ('cnnbook.train', PREVIOUS):
                run = seed_run(section, seed, previous=source == PREVIOUS)
            else:
                run = book_run(section, statistics.median(
                    r['seconds'] for r in runs if r['section'] == section
                    and r['seconds'] is not None))
            with log.open('a') as f:
                f.write(json.dumps(dict(run, key=key)) + '\n')
        print(run, flush=True)
        runs.append(run)
    return runs


def smoke_suite(notebooks=('book',)):
    """Part 4: seconds for the whole smoke suite (or ``notebooks``), and
    per notebook (from pytest's --durations report, which times each
    notebook's run)."""
    env = dict(os.environ, CNNBOOK_PROFILE='smoke')
    tic = time.perf_counter()
    done = subprocess.run([sys.executable, '-m', 'pytest', '--nbmake',
                           *notebooks,
                           '-q', '-p', 'no:cacheprovider', '--durations=0'],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE,
                          text=True)
    if done.returncode:
        # the report is captured for its durations: show why it failed
        raise RuntimeError('the smoke suite failed (pytest --nbmake book, '
                           f'CNNBOOK_PROFILE=smoke):\n{done.stdout[-3000:]}')
    return time.perf_counter() - tic, smoke_durations(done.stdout)


def smoke_durations(report):
    """{notebook stem: seconds} from the lines of a --durations report
    such as ``12.34s call     book/nin.ipynb::``."""
    import re
    return {m[2]: float(m[1]) for m in re.finditer(
        r'^([\d.]+)s call\s+\S*?([\w-]+)\.ipynb', report, re.M)}


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'):
                cpu = line.split(':', 1)[1].strip()
                break
    except OSError:
        pass
    return {'cpu': cpu, 'cores': os.cpu_count(),
            'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', 'unset'),
            'mxnet': mx.__version__, 'date': time.strftime('%Y-%m-%d')}


def fmt(x, spec='.0f'):
    return '–' if x is None else format(x, spec)


def log_link():
    """A link to the run log that works where results.md is included
    (the site's How-long page): the repository's copy, from _config.yml."""
    import yaml
    config = yaml.safe_load((ROOT / '_config.yml').read_text())
    url = config['repository']['url']
    return f'[benchmarks/accuracy-runs.jsonl]({url}/blob/main/benchmarks/' \
        'accuracy-runs.jsonl)'


def markdown(results):
    m = results['machine']
    logged = (f"; every training run is logged in {log_link()}"
              if results.get('accuracy') else '')
    out = [f"Measured on {m['cpu']}, {m['cores']} cores, "
           f"OMP_NUM_THREADS={m['OMP_NUM_THREADS']}, MXNet {m['mxnet']}, "
           f"{m['date']}, by `{results['command']}`{logged}.", '',
           '**Training throughput**, batch 128, images/s over timed steps '
           'after warm-up (book-style and PyTorch loops: the median step; '
           'cnnbook.train, which reads nothing back per batch: the mean '
           'step, from runs of two lengths timed to the end, the median of '
           f"{results.get('repeats', 1)} such pairs):", '']
    out += table(
        ['model', 'input', 'cnnbook.train', 'book-style loop', 'speed-up',
         'PyTorch eager', 'cnnbook.train / PyTorch'],
        [[r['model'], f"{r['size']}×{r['size']}", fmt(r['ours']),
          fmt(r['book']), f"{r['ours'] / r['book']:.2f}×",
          fmt(r.get('torch')),
          fmt(r.get('torch') and r['ours'] / r['torch'], '.2f')
          + ('×' if r.get('torch') else '')]
         for r in results['throughput']])
    if not any(r.get('torch') for r in results['throughput']):
        out += ['', 'PyTorch eager: not measured (torch is not installed; '
                '`pip install torch==2.13.0` adds it).']
    out += ['', '**Data pipeline**, seconds per batch of 128 on its own, '
            'and as a share of a cnnbook.train step:', '']
    out += table(
        ['model', 'input', 'whole-batch resize (ours)', 'per-image '
         'transforms, 4 workers (book)', 'share of the step'],
        [[r['model'], f"{r['size']}×{r['size']}", f"{r['data_ours']:.3f}",
          f"{r['data_book']:.3f}", f"{r['data_share']:.1%}"]
         for r in results['throughput']])
    runs = results.get('accuracy') or []
    if runs:
        out += ['', '**Time to accuracy**, cpu profile. Seed 0 of each '
                'section is its notebook run top to bottom; seeds 1–'
                f"{max(r['seed'] for r in runs)} train the same recipe "
                'through cnnbook.train. ' + ' '.join(
                    f'Section {c.section} trains '
                    f"{chapter(c.seeds_from).section}'s network on its "
                    'recipe, so only its notebook runs.'
                    for c in sections() if c.seeds_from), '']
        rows = []
        for section in SECTIONS:
            mine = [r for r in runs if r['section'] == section
                    and r['source'] in CPU_SOURCES]
            accs = [r['test_acc'] for r in mine if r['test_acc'] is not None]
            secs = [r['seconds'] for r in mine if r['seconds'] is not None]
            nb = [r['notebook_seconds'] for r in mine
                  if 'notebook_seconds' in r]
            spread = (f'{statistics.median(accs):.3f} ({min(accs):.3f}–'
                      f'{max(accs):.3f})' if len(accs) > 1 else
                      fmt(accs[0] if accs else None, '.3f'))
            rows.append([
                section, len(mine), spread, sum(a < 0.2 for a in accs),
                sum(r['nan'] for r in mine),
                fmt(statistics.median(secs) / 60 if secs else None, '.1f')
                + ' min', fmt(nb[0] / 60 if nb else None, '.1f') + ' min'])
        out += table(['section', 'runs', 'test accuracy (median, min–max)',
                      'stalled (< 0.2)', 'NaN', 'training (median)',
                      'whole notebook'], rows)
        out += ['', 'Every run:', '']
        out += table(['section', 'seed', 'run by', 'test accuracy',
                      'training'],
                     [[r['section'], r['seed'], r['source'],
                       fmt(r['test_acc'], '.3f') + (
                           f" ({r['error']})" if r.get('error') else ''),
                       f"{fmt(r['seconds'])} s"] for r in runs])
        out += ['', *quarter_curves(runs)]
        out += ['', *time_to_book(runs)]
    else:
        out += ['', 'Time to accuracy: not run by this invocation '
                '(`--quick` or `--skip-accuracy`).']
    out += ['', f"**Smoke suite** (`pytest --nbmake book`, smoke profile): "
            f"{results['smoke_seconds']:.0f} s" + (', of which ' + ', '.join(
                f'{name} {secs:.0f} s' for name, secs in
                results['smoke_notebooks'].items())
                if results.get('smoke_notebooks') else '') + '.', '']
    speed = {r['model']: r['ours'] / r['book'] for r in results['throughput']
             if r['size'] == max(s['size'] for s in results['throughput']
                                 if s['model'] == r['model'])}
    out.append('speed-up vs book-style loop: ' + ', '.join(
        f'{k} {v:.2f}x' for k, v in speed.items()))
    if runs:
        out.append(time_line(runs))
    return '\n'.join(out) + '\n'


def quarter_curves(runs):
    """Markdown: each cpu-recipe run's test accuracy after every
    evaluation (EVALS an epoch) and the minutes of training by then, one
    table per section, the replaced recipe's run below the seeds."""
    out = [f'**Test accuracy after every 1/{EVALS} epoch** (in brackets: '
           'minutes of training by then):']
    for section in SECTIONS:
        mine = [r for r in runs if r['section'] == section and r.get('curve')
                and r['source'] in (*CPU_SOURCES, PREVIOUS)]
        if not mine:
            continue
        width = max(len(r['curve']) for r in mine)
        out += ['', *table(
            ['section', 'seed', 'run by',
             *(f'epoch {(i + 1) / EVALS:g}' for i in range(width))],
            [[section, r['seed'], r['source'],
              *(f'{a:.3f} ({m:.1f})' for m, a in r['curve']),
              *['–'] * (width - len(r['curve']))] for r in mine])]
    return out


def _reached(runs, section):
    """Per cpu-recipe run of a network: minutes to the book's accuracy
    (None if never), its best accuracy and its minutes of training."""
    # the book's published GPU test accuracy (the registry names where)
    bar = chapter(section).published.bar
    return [(minutes_to(r['curve'], bar), max(a for _, a in r['curve']),
             r['curve'][-1][0]) for r in runs
            if r['section'] == section and r['source'] in CPU_SOURCES
            and r.get('curve')]


def time_line(runs):
    """The report's last line: minutes to the book's GPU accuracy."""
    parts = []
    for c in NETWORKS:
        section, name = c.name, c.network
        got = _reached(runs, section)
        if not got:
            continue
        times = [m for m, _, _ in got]
        if all(m is not None for m in times):
            parts.append(f'{name} {statistics.median(times):.1f} min')
        else:
            parts.append(f'{name} not reached in '
                         f'{max(t for _, _, t in got):.1f} min, best '
                         f'{max(b for _, b, _ in got):.3f}')
    return 'time to book accuracy: ' + ', '.join(parts)


def time_to_book(runs):
    """Markdown: minutes to the book's accuracy, beside the book's recipe
    trained on this machine for as long and the cpu recipe this one
    replaced."""
    bars = ', '.join(f'{c.network} {c.published.bar:g} (the run reached '
                     f'{c.published.test_acc:.3f} after '
                     f'{c.published.gpu_minutes():.1f} min of training)'
                     for c in NETWORKS)
    replaced = any(r['source'] == PREVIOUS for r in runs)
    out, rows = ["**Time to the book's accuracy** (its published GPU runs, "
                 'their training minutes from their printed examples/s: '
                 f'{bars}), minutes of training until the test '
                 f'accuracy, measured {EVALS} times an epoch, first reaches '
                 "it, against the book's own recipe trained here for as "
                 'long' + (', and the cpu recipe this one replaced'
                           if replaced else '') + ':', ''], []
    for c in NETWORKS:
        section, name = c.name, c.network
        got = _reached(runs, section)
        book = [r for r in runs if r['section'] == section
                and r['source'] == 'book recipe']
        before = [r for r in runs if r['section'] == section
                  and r['source'] == PREVIOUS and r.get('curve')]
        if not got:
            continue
        each = ', '.join(fmt(m, '.1f') for m, _, _ in got)
        times = [m for m, _, _ in got if m is not None]
        median = (f'{statistics.median(times):.1f} min' if len(times) ==
                  len(got) else 'not reached by every seed')
        theirs = (f"{book[0]['test_acc']:.3f} after "
                  f"{book[0]['seconds'] / 60:.1f} min ({book[0]['recipe']})"
                  if book else '–')
        if before:
            took = minutes_to(before[0]['curve'], c.published.bar)
            old = ((f'{took:.1f} min' if took is not None else
                    'not reached') + f", final {before[0]['test_acc']:.3f}"
                   f" after {before[0]['seconds'] / 60:.1f} min "
                   f"({before[0]['recipe']})")
        else:
            old = '–'

        rows.append([name, each, median, theirs, old])
    headers = ['network', 'cpu recipe: minutes to the bar, each seed',
               'median', "the book's recipe after as many minutes",
               'the previous cpu recipe (seed 0): minutes to the bar']
    if not replaced:
        # no recipe replaced: no column of dashes
        headers, rows = headers[:-1], [r[:-1] for r in rows]
    return out + table(headers, rows)


def plot_accuracy(results, path):
    """Test accuracy against minutes of training: the cpu recipe, the one
    it replaced, the book's recipe, and the book's GPU run as a point."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    runs = results['accuracy']
    fig, axes = plt.subplots(1, len(NETWORKS), figsize=(9, 3.2),
                             sharey=True, squeeze=False)
    axes = axes[0]
    for ax, c in zip(axes, NETWORKS):
        section, name, bar = c.name, c.network, c.published.bar
        for r in runs:
            if r['section'] != section or not r.get('curve'):
                continue
            style, color, label = {
                'book recipe': ('s--', '#e69138', "the book's recipe"),
                PREVIOUS: ('^:', '#6aa84f', 'previous cpu recipe'),
            }.get(r['source'], ('o-', '#3d85c6',
                                f"cpu recipe, seed {r['seed']}"))
            minutes, acc = zip(*([(0.0, 0.1)] + list(r['curve'])))
            ax.plot(minutes, acc, style, color=color, alpha=0.8, ms=4,
                    label=label)
        ax.axhline(bar, color='grey', lw=0.8, ls=':')
        ax.text(0.2, bar + 0.01, 'book, GPU',
                color='grey', fontsize=8)
        # the book's own run: its accuracy after its minutes on a GPU
        ax.plot(c.published.gpu_minutes(), c.published.test_acc, '*',
                color='black', ms=10, label="the book's GPU run")
        ax.set_title(name)
        ax.set_xlabel('minutes of training (2 CPU cores)')
        ax.set_ylim(0, 1)
        ax.legend(fontsize=7, loc='lower right')
    axes[0].set_ylabel('test accuracy')
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot(results, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = results['throughput']
    fig, ax = plt.subplots(figsize=(6, 3))
    labels = [f"{r['model']} {r['size']}" for r in rows]
    x = range(len(rows))
    loops = [('ours', 'cnnbook.train'), ('book', 'book-style loop')]
    if all(r.get('torch') for r in rows):
        loops.append(('torch', 'PyTorch eager'))
    width = 0.8 / len(loops)
    for k, (key, label) in enumerate(loops):
        ax.bar([i + (k - (len(loops) - 1) / 2) * width for i in x],
               [r[key] for r in rows], width, label=label)
    ax.set_xticks(list(x), labels)
    ax.set_yscale('log')
    ax.set_ylabel('images/s (batch 128)')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--only', metavar='NAME', action='append',
                        help='measure only this chapter (repeatable; a '
                        'name of the registry, cnnbook/chapters.py)')
    parser.add_argument('--seeds', type=int, default=3)
    parser.add_argument('--skip-accuracy', action='store_true',
                        help='leave out part 3, the hours of training')
    parser.add_argument('--skip-book', action='store_true',
                        help="part 3 without the book's recipe runs and "
                        "the previous cpu recipe's")
    parser.add_argument('--keep-throughput', action='store_true',
                        help="parts 1-2 from the last full report "
                        "(results.json) if it ran on this CPU, so that a "
                        "rerun only trains what changed")
    args = parser.parse_args(argv)
    try:
        only = [chapter(name) for name in args.only or []]
    except ValueError as e:
        parser.error(str(e))
    if only and not (args.quick or args.skip_accuracy):
        parser.error('--only measures part 3 (time to accuracy) for every '
                     'chapter or none: add --quick or --skip-accuracy')
    command = ' '.join(['benchmarks/run.py'] + (
        sys.argv[1:] if argv is None else list(argv)))
    rows = kept_throughput(HERE / 'results.json') \
        if args.keep_throughput else None
    results = {'quick': args.quick, 'command': command,
               'machine': machine(),
               'throughput': rows or throughput(args.quick, [
                   c for c in only if not c.seeds_from] if only else None),
               'repeats': REPEATS}
    if not (args.quick or args.skip_accuracy):
        results['accuracy'] = time_to_accuracy(
            args.seeds, HERE / 'accuracy-runs.jsonl', not args.skip_book)
    results['smoke_seconds'], results['smoke_notebooks'] = smoke_suite(
        [f'book/{c.notebook}' for c in only] if only else ('book',))
    stem = 'results-quick' if args.quick else 'results'
    text = markdown(results)
    # write beside, then rename, so an interrupted run leaves the old files
    files = [('.json', lambda p: p.write_text(json.dumps(results,
                                                          indent=1))),
             ('.md', lambda p: p.write_text(text)),
             ('.png', lambda p: plot(results, p))]
    if results.get('accuracy'):
        files.append(('-accuracy.png',
                      lambda p: plot_accuracy(results, p)))
    for suffix, write in files:
        tmp = HERE / f'{stem}.tmp{suffix}'
        write(tmp)
        tmp.replace(HERE / f'{stem}{suffix}')
    print(text)


if __name__ == '__main__':
    main()
