"""The numbers a chapter hands to the site's results page.

A chapter calls :func:`record_results` after training; myst-nb's ``glue``
stores the values in the notebook's outputs, and ``book/results.md``
shows them. This is the notebooks' side of the site; the build steps
live in ``build.py`` and the Sphinx extension in ``sphinxext.py``.
"""


def record_results(cfg, history):
    """Glue a run's numbers for the results page (myst-nb's glue).

    Keys: profile, input, batch_size, epochs, loss, train_acc, test_acc,
    train_seconds, examples_per_sec, and curve (minutes of training and
    test accuracy at the end of each epoch, for the benchmark's
    time-to-accuracy plot). Nothing is displayed, in Jupyter or on the
    site, and nothing is returned: the cell that calls it, the last
    line of its cell, would show a returned value to the student.
    """
    from myst_nb import glue
    if not history:
        raise ValueError('record_results() needs a history with at least one '
                         'finished epoch; train for longer')
    last = history[-1]
    size = cfg.resize or 28
    values = {
        'profile': cfg.profile,
        'input': f'{size}×{size}',
        'batch_size': cfg.batch_size,
        'epochs': len(history),
        'loss': last.loss,
        'train_acc': last.train_acc,
        'test_acc': last.test_acc,
        'train_seconds': sum(e.seconds for e in history),
        'examples_per_sec': history.examples_per_sec,
        'curve': history.curve(),
    }
    for key, value in values.items():
        glue(key, value, display=False)
