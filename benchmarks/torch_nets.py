"""NiN and GoogLeNet in PyTorch, for the harness's eager baseline only.

The same layers, kernels and channels as the book's networks (and the
chapters' gluon code), so that `benchmarks/run.py` can time the loop a
reader might switch to. Lazy layers infer the input channels, as gluon
does. Nothing in the book imports this file; it needs `torch`, which the
project does not pin (`pip install torch==2.13.0`, a CPU build).
"""
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def nin_block(channels, kernel, stride, padding):
    return nn.Sequential(
        nn.LazyConv2d(channels, kernel, stride, padding), nn.ReLU(),
        nn.LazyConv2d(channels, 1), nn.ReLU(),
        nn.LazyConv2d(channels, 1), nn.ReLU())


def nin():
    return nn.Sequential(
        nin_block(96, 11, 4, 0), nn.MaxPool2d(3, 2),
        nin_block(256, 5, 1, 2), nn.MaxPool2d(3, 2),
        nin_block(384, 3, 1, 1), nn.MaxPool2d(3, 2), nn.Dropout(0.5),
        nin_block(10, 3, 1, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten())


class Inception(nn.Module):
    """Four parallel paths whose outputs are stacked along channels."""

    def __init__(self, c1, c2, c3, c4):
        super().__init__()
        relu = nn.ReLU
        self.paths = nn.ModuleList([
            nn.Sequential(nn.LazyConv2d(c1, 1), relu()),
            nn.Sequential(nn.LazyConv2d(c2[0], 1), relu(),
                          nn.LazyConv2d(c2[1], 3, padding=1), relu()),
            nn.Sequential(nn.LazyConv2d(c3[0], 1), relu(),
                          nn.LazyConv2d(c3[1], 5, padding=2), relu()),
            nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.LazyConv2d(c4, 1),
                          relu())])

    def forward(self, x):
        return torch.cat([path(x) for path in self.paths], dim=1)


def googlenet():
    pool = lambda: nn.MaxPool2d(3, 2, 1)  # noqa: E731
    return nn.Sequential(
        nn.LazyConv2d(64, 7, 2, 3), nn.ReLU(), pool(),
        nn.LazyConv2d(64, 1), nn.ReLU(),
        nn.LazyConv2d(192, 3, padding=1), nn.ReLU(), pool(),
        Inception(64, (96, 128), (16, 32), 32),
        Inception(128, (128, 192), (32, 96), 64), pool(),
        Inception(192, (96, 208), (16, 48), 64),
        Inception(160, (112, 224), (24, 64), 64),
        Inception(128, (128, 256), (24, 64), 64),
        Inception(112, (144, 288), (32, 64), 64),
        Inception(256, (160, 320), (32, 128), 128), pool(),
        Inception(256, (160, 320), (32, 128), 128),
        Inception(384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.LazyLinear(10))


def build(name, size):
    """The network ``name`` (a function above, as a chapter's ``torch``
    field names it), its lazy layers materialised and Xavier-initialised."""
    if not callable(globals().get(name)):
        raise SystemExit(f'benchmarks/torch_nets.py has no network {name!r}')
    net = globals()[name]()
    net(torch.zeros(1, 1, size, size))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def rate(section, size, steps, warmup, batch, data):
    """Median images/s of a plain eager training step on real images.

    ``data`` is an .npz of uint8 ``images`` (N, 28, 28) and ``labels``,
    written by run.py (this process never imports MXNet). The batches are
    resized once, up front, so that only the step is timed. PyTorch on a
    CPU computes eagerly, so the per-batch .item() (the loss a reader
    would log) waits for nothing extra.
    """
    import numpy as np
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS',
                                             os.cpu_count())))
    torch.manual_seed(0)
    net = build(section, size)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    arrays = np.load(data)
    images, labels = arrays['images'], arrays['labels']
    n = (steps + warmup) * batch
    X = torch.from_numpy(images[:n, None].astype('float32') / 255)
    X = F.interpolate(X, size=(size, size), mode='bilinear')
    y = torch.from_numpy(labels[:n].astype('int64'))
    net.train()
    stamps = [time.perf_counter()]
    for i in range(0, n, batch):
        loss = F.cross_entropy(net(X[i:i + batch]), y[i:i + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
        stamps.append(time.perf_counter())
    # as run.py's median_rate, which this process cannot import (MXNet)
    gaps = [b - a for a, b in zip(stamps, stamps[1:])][warmup:]
    return batch / statistics.median(gaps)


if __name__ == '__main__':
    # python benchmarks/torch_nets.py SECTION SIZE STEPS WARMUP BATCH NPZ
    section, *numbers, data = sys.argv[1:]
    size = int(numbers[0])
    n_params = sum(p.numel() for p in build(section, size).parameters())
    print(n_params, f'{rate(section, *map(int, numbers), data):.2f}')
