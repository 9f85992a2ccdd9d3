"""Examples/sec of cnnbook.train against a plain loop, side by side.

The plain loop is the book's style: the net is not hybridized and the loss
and accuracy are read back with asscalar() after every batch. Both loops
train the same LeNet-style net on the same 28x28 Fashion-MNIST batches;
runs alternate so that machine noise hits both alike, and the table gives
the median over the repeats.

    .venv/bin/python benchmarks/train_loop.py [repeats] [n_train]
"""
import statistics
import sys
import time

import mxnet as mx
from mxnet import autograd, gluon, init

from cnnbook import load_data_fashion_mnist, set_seed, train
from cnnbook.chapters import definitions

# the getting-started page's own network
lenet = definitions('getting-started.ipynb')['lenet']


def plain_epoch(net, train_iter, lr):
    """One epoch the book's way; returns examples/sec."""
    ctx = mx.cpu()
    net.initialize(init.Xavier(), ctx=ctx, force_reinit=True)
    trainer = gluon.Trainer(net.collect_params(), 'sgd',
                            {'learning_rate': lr})
    loss_fn = gluon.loss.SoftmaxCrossEntropyLoss()
    n, loss_sum, acc_sum = 0, 0.0, 0.0
    tic = time.time()
    for X, y in train_iter:
        with autograd.record():
            y_hat = net(X)
            loss = loss_fn(y_hat, y)
        loss.backward()
        trainer.step(X.shape[0])
        loss_sum += loss.sum().asscalar()
        acc_sum += (y_hat.argmax(axis=1) == y.astype('float32')).sum() \
            .asscalar()
        n += X.shape[0]
    return n / (time.time() - tic)


def main(repeats=5, n_train=10000):
    batch_size, lr = 128, 0.1
    train_iter, test_iter = load_data_fashion_mnist(
        batch_size, subset=(n_train, 1000))
    ours, plain = [], []
    for r in range(repeats):
        set_seed(r)
        h = train(lenet(), train_iter, test_iter, 1, lr, mx.cpu(),
                  plot=False)
        ours.append(h.examples_per_sec)
        set_seed(r)
        plain.append(plain_epoch(lenet(), train_iter, lr))
    o, p = statistics.median(ours), statistics.median(plain)
    print('\n| loop | examples/sec (median of %d) |' % repeats)
    print('|---|---|')
    print(f'| cnnbook.train (hybridized, sums on device) | {o:.0f} |')
    print(f'| plain loop (imperative, asscalar per batch) | {p:.0f} |')
    print(f'speed-up of cnnbook.train: {o / p:.2f}x')


if __name__ == '__main__':
    main(*map(int, sys.argv[1:]))
