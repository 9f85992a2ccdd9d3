"""The numbers a chapter hands to the site's results page.

A chapter calls :func:`record_results` after training; myst-nb's ``glue``
stores the values in the notebook's outputs, and ``book/results.md``
shows them. This is the notebooks' side of the site; the build steps
live in ``build.py`` and the Sphinx extension in ``sphinxext.py``.
"""


def record_results(cfg, history):
    """Glue a run's numbers for the results page (myst-nb's glue).

    Keys: profile, input, batch_size, epochs, loss, train_acc, test_acc,
    train_seconds, examples_per_sec, curve (minutes of training and
    test accuracy at each test evaluation, for the benchmark's
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


# The tables on the results and instructors pages that have a row per
# chapter. A page holds a marker line, ``<!-- chapter-rows: NAME -->``,
# under the table's header; the site's extension (sphinxext.py) puts the
# rows here in its place as the page is read, one per chapter of the
# registry that the site builds, so that a new chapter needs no edit of
# those pages.
def _glued(c, key, fmt):
    return f'{{glue:text}}`{c.notebook}::{key}:{fmt}`'


def _this_build(c):
    return [f'{{doc}}`{c.label} <{c.stem}>`', _glued(c, 'profile', 's'),
            f"{_glued(c, 'input', 's')}, batch "
            f"{_glued(c, 'batch_size', 'd')}, {_glued(c, 'epochs', 'd')} "
            'epochs', _glued(c, 'loss', '.3f'), _glued(c, 'train_acc', '.3f'),
            _glued(c, 'test_acc', '.3f'), _glued(c, 'train_seconds', '.0f'),
            _glued(c, 'examples_per_sec', '.0f')]


def _training(c):
    return [c.label, _glued(c, 'train_seconds', '.0f'),
            _glued(c, 'epochs', 'd'), _glued(c, 'input', 's')]


def _published(chapters):
    seen = []
    for c in chapters:
        p = c.published
        if p and p not in [q for _, q in seen]:
            seen.append((c.network, p))
    return [[name, p.recipe, f'{p.loss:.3f}', f'{p.train_acc:.3f}',
             f'{p.test_acc:.3f}', f'{p.examples_per_sec:g}', p.source]
            for name, p in seen]


TABLES = {'results': lambda cs: [_this_build(c) for c in cs],
          'published': _published,
          'training': lambda cs: [_training(c) for c in cs]}


def chapter_rows(name, docnames):
    """Markdown rows of table ``name`` for the book sections whose page
    is among ``docnames`` (the site's pages, as ``book/nin``)."""
    from .chapters import sections
    if name not in TABLES:
        raise ValueError(f'no chapter table {name!r}; the tables are: '
                         f'{", ".join(TABLES)}')
    chapters = [c for c in sections() if f'book/{c.stem}' in docnames]
    return '\n'.join('| ' + ' | '.join(map(str, row)) + ' |'
                     for row in TABLES[name](chapters))
