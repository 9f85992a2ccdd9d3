"""Training-step throughput of a chapter's network on synthetic batches.

    .venv/bin/python benchmarks/throughput.py googlenet 28 128 [MODE]

prints the median images/s over timed steps after warm-up. Run it with and
without OMP_NUM_THREADS to see what the thread setting is worth (see
benchmarks/recipes.md). The step is the one cnnbook.train takes: a
hybridized net (MODE static, the default: static_alloc, static_shape),
SGD with momentum; MODE plain hybridizes without them, none not at all.
"""
import statistics
import sys
import time

import mxnet as mx
from mxnet import autograd, gluon, init

from cnnbook.chapters import builder


def main(section, size, batch_size, mode='static', steps=16, warmup=3):
    size, batch_size = int(size), int(batch_size)
    net = builder(section)()
    net.initialize(init.Xavier())
    if mode == 'static':
        net.hybridize(static_alloc=True, static_shape=True)
    elif mode == 'plain':
        net.hybridize()
    elif mode != 'none':
        raise SystemExit(f'MODE is static, plain or none, not {mode!r}')
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': 0.01, 'momentum': 0.9})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    X = mx.nd.random.uniform(shape=(batch_size, 1, size, size))
    y = mx.nd.array([i % 10 for i in range(batch_size)])
    times = []
    for _ in range(warmup + steps):
        tic = time.perf_counter()
        with autograd.record():
            loss = loss_fn(net(X), y)
        loss.backward()
        trainer.step(batch_size)
        loss.wait_to_read()
        times.append(time.perf_counter() - tic)
    step = statistics.median(times[warmup:])
    print(f'{section} {size}x{size} batch {batch_size}: '
          f'{batch_size / step:.0f} images/s (median of {steps} steps, '
          f'hybridize: {mode})')


if __name__ == '__main__':
    main(*sys.argv[1:])
