"""Train a chapter's network on one recipe and print the test accuracy.

Used to choose the cpu profile (results in benchmarks/recipes.md):

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/recipe_probe.py \\
        nin '{"lr": 0.005, "num_epochs": 2, "batch_size": 32, "resize": 67,
              "momentum": 0.9, "warmup_epochs": 0.3,
              "subset": [10000, 2000]}' [seed]

The net is tested 4 times an epoch (``benchmarks/run.py``'s EVALS; the
evaluations are left out of the training time). It prints one line: the
recipe, the seed, the test accuracy after each epoch and its seconds,
the minutes of training until the book's published accuracy (the
registry's bar) was first reached, and for NiN the number of class
channels that output zero for every image of a test batch ("dead", see
the NiN chapter, exercise 5). The run, with its accuracy at each
evaluation, is appended to benchmarks/accuracy-runs.jsonl (source
"recipe_probe"; ``make bench`` reads only its own runs from there).
"""
import json
import sys
import time
from pathlib import Path

import cnnbook
from cnnbook.chapters import builder, chapter
from cnnbook.profiles import Recipe
from run import EVALS, machine   # benchmarks/run.py, beside this file

HERE = Path(__file__).resolve().parent


def main(section, recipe, seed=0):
    build = builder(section)
    r = Recipe(**json.loads(recipe))
    cnnbook.set_seed(int(seed))
    train_iter, test_iter = cnnbook.load_data_fashion_mnist(
        r.batch_size, resize=r.resize, subset=r.subset, flip=r.flip)
    net = build()
    tic = time.time()
    h = cnnbook.train(net, train_iter, test_iter, r.num_epochs, r.lr,
                      plot=False, evals_per_epoch=EVALS, **r.train_kwargs())
    total = time.time() - tic
    X, _ = next(iter(test_iter))
    dead = int((net(X).max(axis=0) <= 0).sum().asscalar())
    bar = chapter(section).published.bar
    curve = h.curve()
    reached = next((m for m, acc in curve if acc >= bar), None)
    run = {'section': section, 'seed': int(seed), 'source': 'recipe_probe',
           'recipe': r.describe(), 'test_acc': h[-1].test_acc,
           'nan': False, 'seconds': sum(e.seconds for e in h),
           'curve': curve, 'cpu': machine()['cpu'],
           'key': f'recipe_probe: {recipe}'}
    with (HERE / 'accuracy-runs.jsonl').open('a') as f:
        f.write(json.dumps(run) + '\n')
    print(f'RESULT {section} {recipe} seed {seed}: test acc '
          f'{[round(a, 3) for a in h.column("test_acc")]}, epoch s '
          f'{[round(s) for s in h.column("seconds")]}, total '
          f'{total:.0f} s, {bar:g} after '
          + (f'{reached:.2f} min' if reached is not None else 'never')
          + (f', dead class channels {dead}' if section == 'nin' else ''))
    print('CURVE', curve)


if __name__ == '__main__':
    main(*sys.argv[1:])
