"""The benchmark harness behind `make bench`: how long the sections take.

    .venv/bin/python benchmarks/run.py           # everything (hours)
    .venv/bin/python benchmarks/run.py --quick   # a few minutes
    .venv/bin/python benchmarks/run.py --skip-accuracy   # no part 3

writes benchmarks/results.md, results.json and results.png (--quick:
results-quick.*, so a quick run never replaces the full one). The parts:

1. Training-loop throughput, batch 128, median images/s of timed steps
   (for cnnbook.train: the mean over them, from two timed runs), for NiN
   and GoogLeNet at the cpu profile's input size
   and (not --quick) at the book's: `cnnbook.train` against a book-style
   loop (a net that is not hybridized, gluon's per-image Resize +
   ToTensor in a DataLoader with the book's 4 workers, asscalar() after
   every batch, like the book's train_ch5). PyTorch eager is not
   measured: that would need a second copy of each network, in PyTorch.
2. The data pipeline: seconds per batch of each loader alone, as a share
   of cnnbook.train's step.
3. (not --quick) Time to accuracy: each section's cpu recipe trained for
   --seeds seeds (default 5), final test accuracy, stalls (< 0.2) and
   NaN runs, and the wall time of each notebook in the cpu profile.
4. The smoke suite: the wall time of `pytest --nbmake book`.

Run it alone: two MXNet processes on two cores slow each other down many
times over (benchmarks/recipes.md). Timings are reported, never asserted.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import mxnet as mx
from mxnet import autograd, gluon, init

import cnnbook
from cnnbook.chapters import builder
from cnnbook.data import load_arrays

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BATCH = 128
# (section, model name, cpu-profile size, the book's size)
MODELS = [('nin', 'NiN', 67, 224), ('googlenet', 'GoogLeNet', 28, 96)]
SECTIONS = ['nin', 'googlenet', 'googlenet-numpy']


def median_rate(stamps, warmup):
    """Images/s from the times at which successive steps ended."""
    gaps = [b - a for a, b in zip(stamps, stamps[1:])][warmup:]
    return BATCH / statistics.median(gaps)


def ours(section, size, steps, warmup):
    """cnnbook.train: images/s per step.

    MXNet runs asynchronously and cnnbook.train reads nothing back per
    batch, so the time a batch is handed out says little about when its
    step ends. Instead two whole runs, of warmup and of warmup + steps
    batches, are timed to the end (train() waits for all work); their
    difference is the steps alone, without compiling and evaluation.
    """
    def run(n):
        train_iter, test_iter = cnnbook.load_data_fashion_mnist(
            BATCH, resize=size, subset=(n * BATCH, BATCH))
        cnnbook.set_seed(0)
        tic = time.perf_counter()
        cnnbook.train(builder(section)(), train_iter, test_iter, 1, 0.01,
                      ctx=mx.cpu(), momentum=0.9, plot=False)
        return time.perf_counter() - tic
    short, long = run(warmup), run(warmup + steps)
    return steps * BATCH / (long - short)


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


def loader_seconds(loader, batches=10):
    """Median seconds per batch of a loader on its own."""
    stamps = [time.perf_counter()]
    for i, _ in enumerate(loader):
        stamps.append(time.perf_counter())
        if i + 1 == batches:
            break
    return statistics.median(b - a for a, b in zip(stamps, stamps[1:]))


def throughput(quick):
    steps, warmup = (4, 2) if quick else (6, 2)
    rows = []
    for section, name, cpu_size, book_size in MODELS:
        for size in ([cpu_size] if quick else [cpu_size, book_size]):
            row = {'model': name, 'size': size,
                   'ours': ours(section, size, steps, warmup),
                   'book': book_style(section, size, steps, warmup)}
            ours_iter, _ = cnnbook.load_data_fashion_mnist(
                BATCH, resize=size, subset=(12 * BATCH, BATCH))
            row['data_ours'] = loader_seconds(ours_iter)
            row['data_book'] = loader_seconds(book_loader(size, 12 * BATCH))
            row['data_share'] = row['data_ours'] / (BATCH / row['ours'])
            print(row, flush=True)
            rows.append(row)
    return rows


def time_to_accuracy(seeds):
    from mxnet import npx
    runs = []
    for section in SECTIONS:
        cfg = cnnbook.settings(section, 'cpu')
        if section.endswith('numpy'):
            npx.set_np()
        try:
            train_iter, test_iter = cnnbook.load_data_fashion_mnist(
                cfg.batch_size, resize=cfg.resize, subset=cfg.subset)
            for seed in range(seeds):
                cnnbook.set_seed(seed)
                run = {'section': section, 'seed': seed}
                try:
                    h = cnnbook.train(builder(section)(), train_iter,
                                      test_iter, cfg.num_epochs, cfg.lr,
                                      ctx=mx.cpu(), plot=False,
                                      **cfg.train_kwargs())
                    run.update(test_acc=h[-1].test_acc, nan=False,
                               seconds=sum(e.seconds for e in h))
                except cnnbook.TrainingDiverged as e:
                    run.update(test_acc=None, nan=True, seconds=None,
                               error=str(e))
                print(run, flush=True)
                runs.append(run)
        finally:
            npx.reset_np()
    return runs


def notebook_seconds(name, profile):
    env = dict(os.environ, CNNBOOK_PROFILE=profile)
    tic = time.perf_counter()
    subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to',
                    'notebook', '--execute', '--stdout',
                    str(ROOT / 'book' / name)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - tic


def smoke_suite():
    env = dict(os.environ, CNNBOOK_PROFILE='smoke')
    tic = time.perf_counter()
    subprocess.run([sys.executable, '-m', 'pytest', '--nbmake', 'book',
                    '-q', '-p', 'no:cacheprovider'], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - tic


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


def markdown(results):
    m = results['machine']
    out = [f"Measured on {m['cpu']}, {m['cores']} cores, "
           f"OMP_NUM_THREADS={m['OMP_NUM_THREADS']}, MXNet {m['mxnet']}, "
           f"{m['date']}, by `{results['command']}`.", '',
           '**Training throughput**, batch 128, images/s over timed steps '
           'after warm-up (book-style loop: the median step; cnnbook.train: '
           'the mean, from two runs timed to the end, since it reads '
           'nothing back per batch):', '',
           '| model | input | cnnbook.train | book-style loop | speed-up |',
           '|---|---|---|---|---|']
    for r in results['throughput']:
        out.append(f"| {r['model']} | {r['size']}×{r['size']} | "
                   f"{fmt(r['ours'])} | {fmt(r['book'])} | "
                   f"{r['ours'] / r['book']:.2f}× |")
    out += ['', '**Data pipeline**, seconds per batch of 128 on its own, '
            'and as a share of a cnnbook.train step:', '',
            '| model | input | whole-batch resize (ours) | per-image '
            'transforms, 4 workers (book) | share of the step |',
            '|---|---|---|---|---|']
    for r in results['throughput']:
        out.append(f"| {r['model']} | {r['size']}×{r['size']} | "
                   f"{r['data_ours']:.3f} | {r['data_book']:.3f} | "
                   f"{r['data_share']:.1%} |")
    runs = results.get('accuracy') or []
    if runs:
        out += ['', '**Time to accuracy**, cpu profile, one run per seed:',
                '', '| section | seeds | test accuracy (median, min–max) | '
                'stalled (< 0.2) | NaN | training (median) | notebook |',
                '|---|---|---|---|---|---|---|']
        for section in SECTIONS:
            mine = [r for r in runs if r['section'] == section]
            accs = [r['test_acc'] for r in mine if r['test_acc'] is not None]
            secs = [r['seconds'] for r in mine if r['seconds'] is not None]
            nb = results['notebooks'].get(section)
            out.append(
                f"| {section} | {len(mine)} | "
                f"{statistics.median(accs):.3f} ({min(accs):.3f}–"
                f"{max(accs):.3f}) | {sum(a < 0.2 for a in accs)} | "
                f"{sum(r['nan'] for r in mine)} | "
                f"{statistics.median(secs) / 60:.1f} min | "
                f"{fmt(nb and nb / 60, '.1f')} min |")
    else:
        out += ['', 'Time to accuracy: not run by this invocation '
                '(`--quick` or `--skip-accuracy`).']
    out += ['', f"**Smoke suite** (`pytest --nbmake book`, smoke profile): "
            f"{results['smoke_seconds']:.0f} s.", '']
    speed = {r['model']: r['ours'] / r['book'] for r in results['throughput']
             if r['size'] == max(s['size'] for s in results['throughput']
                                 if s['model'] == r['model'])}
    out.append('speed-up vs book-style loop: ' + ', '.join(
        f'{k} {v:.2f}x' for k, v in speed.items()))
    return '\n'.join(out) + '\n'


def plot(results, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = results['throughput']
    fig, ax = plt.subplots(figsize=(6, 3))
    labels = [f"{r['model']} {r['size']}" for r in rows]
    x = range(len(rows))
    ax.bar([i - 0.2 for i in x], [r['ours'] for r in rows], 0.4,
           label='cnnbook.train')
    ax.bar([i + 0.2 for i in x], [r['book'] for r in rows], 0.4,
           label='book-style loop')
    ax.set_xticks(list(x), labels)
    ax.set_yscale('log')
    ax.set_ylabel('images/s (batch 128)')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--seeds', type=int, default=5)
    parser.add_argument('--skip-accuracy', action='store_true',
                        help='leave out part 3, the hours of training')
    args = parser.parse_args(argv)
    command = ' '.join(['benchmarks/run.py'] + (
        sys.argv[1:] if argv is None else list(argv)))
    results = {'quick': args.quick, 'command': command,
               'machine': machine(), 'throughput': throughput(args.quick)}
    if not (args.quick or args.skip_accuracy):
        results['accuracy'] = time_to_accuracy(args.seeds)
        results['notebooks'] = {
            s: notebook_seconds(f'{s}.ipynb', 'cpu') for s in SECTIONS}
    results['smoke_seconds'] = smoke_suite()
    stem = 'results-quick' if args.quick else 'results'
    text = markdown(results)
    # write beside, then rename, so an interrupted run leaves the old files
    for suffix, write in (('.json', lambda p: p.write_text(
            json.dumps(results, indent=1))), ('.md', lambda p: p.write_text(
            text)), ('.png', lambda p: plot(results, p))):
        tmp = HERE / f'{stem}.tmp{suffix}'
        write(tmp)
        tmp.replace(HERE / f'{stem}{suffix}')
    print(text)


if __name__ == '__main__':
    main()
