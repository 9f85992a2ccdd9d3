"""Where a training step's time goes: MXNet's profiler on a section's
cpu recipe.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/profile_step.py \\
        googlenet [steps]

trains the section's network on its cpu recipe for a few warm-up batches,
then profiles ``steps`` more (default 20) and writes
benchmarks/profile-SECTION.txt: the operators grouped by kind (forward
and backward convolutions, pooling, activations, the optimizer's update,
data movement), each with its share of the profiled time, then MXNet's
own aggregate table. Run it alone, like every benchmark.

MXNet runs a hybridized graph in bulk segments of many operators, which
its profiler reports as one entry; bulk execution is switched off here so
that each operator is timed on its own (the steps run a little slower).
"""
import collections
import os
import re
import sys
import time
from pathlib import Path

# before MXNet is imported: one profiler entry per operator
os.environ['MXNET_EXEC_BULK_EXEC_TRAIN'] = '0'
os.environ['MXNET_EXEC_BULK_EXEC_INFERENCE'] = '0'
import mxnet as mx  # noqa: E402
from mxnet import autograd, gluon  # noqa: E402

import cnnbook  # noqa: E402
from cnnbook.chapters import builder  # noqa: E402
from cnnbook.training import initializer_for, optimizer_params  # noqa: E402

HERE = Path(__file__).resolve().parent

# operator name -> group, first match wins (MXNet's names, as the
# aggregate table prints them)
GROUPS = [('convolution, backward', r'^_backward_(Convolution|mkldnn_conv)'),
          ('convolution, forward', r'^(Convolution|_sg_mkldnn_conv)'),
          ('pooling', r'Pooling'),
          ('activation (ReLU)', r'Activation|relu'),
          ('dense layer', r'FullyConnected'),
          ('concatenate (Inception)', r'[Cc]oncat'),
          ('optimizer update', r'update|_adam|sgd'),
          ('loss and softmax', r'softmax|log_softmax|pick|SoftmaxOutput'),
          ('copies, reorders and memory', r'copy|Reorder|CopyCPU|_zeros|'
           r'DeleteVariable|WaitForVar|_full|_copyto')]


def group_of(name):
    for group, pattern in GROUPS:
        if re.search(pattern, name):
            return group
    return 'other'


def main(section='googlenet', steps=20, warmup=5):
    cfg = cnnbook.settings(section, 'cpu')
    train_iter, _ = cnnbook.load_data_fashion_mnist(
        cfg.batch_size, resize=cfg.resize,
        subset=((steps + warmup) * cfg.batch_size, cfg.batch_size))
    cnnbook.set_seed(0)
    net = builder(section)()
    net.initialize(initializer_for(cfg.initializer), ctx=mx.cpu())
    net.hybridize(static_alloc=True, static_shape=True)
    trainer = gluon.Trainer(net.collect_params(), cfg.optimizer,
                            optimizer_params(cfg.optimizer, cfg.lr,
                                              cfg.momentum, cfg.wd))
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    batches = list(train_iter)

    def step(X, y):
        with autograd.record():
            loss = loss_fn(net(X), y)
        loss.backward()
        trainer.step(X.shape[0])
        return loss

    for X, y in batches[:warmup]:
        step(X, y).wait_to_read()
    mx.profiler.set_config(profile_all=True, aggregate_stats=True,
                           filename=str(HERE / 'profile.json'))
    mx.profiler.set_state('run')
    tic = time.perf_counter()
    for X, y in batches[warmup:]:
        step(X, y)
    mx.nd.waitall()
    wall = time.perf_counter() - tic
    mx.profiler.set_state('stop')
    table = mx.profiler.dumps(reset=True)
    Path(HERE / 'profile.json').unlink(missing_ok=True)
    # rows of MXNet's table: name, count, total ms, min, max, avg
    totals = collections.Counter()
    section_name = None
    for line in table.splitlines():
        if line.strip().endswith('operator') or line.startswith('Device'):
            section_name = line.strip()
        parts = line.split()
        if len(parts) >= 6 and re.fullmatch(r'\d+', parts[-5]) and \
                'operator' in (section_name or ''):
            totals[group_of(parts[0])] += float(parts[-4])
    busy = sum(totals.values())
    lines = [f'{section}: cpu recipe ({cfg.recipe.describe()})',
             f'{steps} profiled steps of {cfg.batch_size} images in '
             f'{wall:.1f} s wall = {steps * cfg.batch_size / wall:.0f} '
             'images/s (the profiler itself slows the run)', '',
             'operator time by kind (share of all operator time, which '
             'sums over both threads and so can exceed the wall time):']
    for group, ms in totals.most_common():
        lines.append(f'  {group:32s} {ms / 1000:7.2f} s  {ms / busy:6.1%}')
    text = '\n'.join(lines) + '\n\nMXNet aggregate table:\n' + table
    (HERE / f'profile-{section}.txt').write_text(text)
    print('\n'.join(lines))


if __name__ == '__main__':
    main(*(sys.argv[1:2]), *(int(a) for a in sys.argv[2:3]))
