"""Train a chapter's network on one recipe and print the test accuracy.

Used to choose the cpu profile (results in benchmarks/recipes.md):

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/recipe_probe.py \\
        nin '{"lr": 0.005, "num_epochs": 2, "batch_size": 32, "resize": 67,
              "momentum": 0.9, "warmup_epochs": 0.3,
              "subset": [10000, 2000]}' [seed]

It prints one line: the recipe, the seed, the test accuracy and seconds of
each epoch, and for NiN the number of class channels that output zero for
every image of a test batch ("dead", see the NiN chapter, exercise 5).
"""
import json
import sys
import time

import cnnbook
from cnnbook.chapters import builder
from cnnbook.profiles import Recipe


def main(section, recipe, seed=0):
    build = builder(section)
    r = Recipe(**json.loads(recipe))
    cnnbook.set_seed(int(seed))
    train_iter, test_iter = cnnbook.load_data_fashion_mnist(
        r.batch_size, resize=r.resize, subset=r.subset)
    net = build()
    tic = time.time()
    h = cnnbook.train(net, train_iter, test_iter, r.num_epochs, r.lr,
                      plot=False, **r.train_kwargs())
    X, _ = next(iter(test_iter))
    dead = int((net(X).max(axis=0) <= 0).sum().asscalar())
    print(f'RESULT {section} {recipe} seed {seed}: test acc '
          f'{[round(a, 3) for a in h.column("test_acc")]}, epoch s '
          f'{[round(s) for s in h.column("seconds")]}, total '
          f'{time.time() - tic:.0f} s'
          + (f', dead class channels {dead}' if section == 'nin' else ''))


if __name__ == '__main__':
    main(*sys.argv[1:])
