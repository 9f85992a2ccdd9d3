"""Run profiles: how much training a notebook does on this machine.

``CNNBOOK_PROFILE`` picks one of

* ``full``: the book's own recipe, meant for a GPU;
* ``cpu``: all 60k/10k images and the same architecture, with a recipe
  chosen so that a section trains in about 10 minutes on 2 CPU cores;
* ``smoke``: a small subset and a tiny budget, so that a notebook runs in
  seconds (CI).

Unset, it is ``full`` when MXNet can run on a GPU (``device.try_gpu``) and
``cpu`` otherwise. A profile changes only the training recipe (input
size, epochs, batch size, optimizer, learning rate and its schedule,
momentum, weight decay, initialisation, label smoothing, random flips,
subset), never the layers.
"""
import dataclasses
import os

from .chapters import CHAPTERS, chapter
from .recipe import INITIALIZER_NAMES, OPTIMIZER_NAMES, Recipe

PROFILES = ('full', 'cpu', 'smoke')
# The recipes of every chapter, by profile, from the registry
# (cnnbook/chapters.py): BOOK is the book's own, CPU the one for 2 cores,
# SMOKE seconds per notebook.
BOOK = {c.name: c.book for c in CHAPTERS}
CPU = {c.name: c.cpu for c in CHAPTERS}
SMOKE = {c.name: c.smoke for c in CHAPTERS}

RECIPES = {'full': BOOK, 'cpu': CPU, 'smoke': SMOKE}


def active_profile():
    """Return the profile name from ``CNNBOOK_PROFILE``, or the default."""
    name = os.environ.get('CNNBOOK_PROFILE', '').strip().lower()
    if not name:
        from .device import try_gpu
        return 'full' if try_gpu().device_type == 'gpu' else 'cpu'
    if name not in PROFILES:
        raise ValueError(f'CNNBOOK_PROFILE={name!r} is not a profile; use '
                         f'one of: {", ".join(PROFILES)}')
    return name


@dataclasses.dataclass(frozen=True)
class Settings:
    """A section's recipe under a profile, beside the book's own."""

    section: str
    profile: str
    recipe: Recipe
    book: Recipe

    def __getattr__(self, name):
        # lr, num_epochs, batch_size, ... read straight from the recipe.
        if name.startswith('_'):
            raise AttributeError(name)
        return getattr(self.recipe, name)

    def short(self, n_train, n_test, num_epochs=1):
        """This recipe on a smaller budget, for an exercise's extra runs:
        a Settings of the same section and profile.

        The subset never grows beyond the profile's own.
        """
        old = self.recipe.subset or (n_train, n_test)
        warmup = min(self.recipe.warmup_epochs, num_epochs / 2)
        return dataclasses.replace(self, recipe=dataclasses.replace(
            self.recipe, num_epochs=num_epochs, warmup_epochs=warmup,
            subset=(min(n_train, old[0]), min(n_test, old[1]))))

    def train_kwargs(self):
        """The recipe's keyword arguments of :func:`cnnbook.train` beyond
        lr, and the profile (which decides whether a run at chance level
        earns a hint)."""
        return dict(self.recipe.train_kwargs(), profile=self.profile)

    def changes(self):
        """Names of the recipe fields that differ from the book's."""
        return [f.name for f in dataclasses.fields(Recipe)
                if getattr(self.recipe, f.name) != getattr(self.book, f.name)]

    def loss_note(self):
        """A results table's note beside this run's loss: '' for the
        book's plain cross-entropy; under label smoothing, that the loss
        is the smoothed one, which cannot fall below the entropy of the
        smoothed target (so it does not compare with the book's)."""
        smoothing = self.recipe.label_smoothing
        if not smoothing:
            return ''
        from .training import smoothed_loss_floor
        return (f'; its loss is against labels smoothed by {smoothing:g}, '
                f'never below {smoothed_loss_floor(smoothing):.2f}')

    def compare(self):
        """A table of the recipe beside the book's, field by field (the
        rows of _WHEN_USED only where either recipe uses them)."""
        from .plot import Table
        rows = []
        for label, field, show in _ROWS:
            book, mine = getattr(self.book, field), getattr(self.recipe,
                                                             field)
            if field in _WHEN_USED and not (book or mine):
                continue
            rows.append([label, show(book), show(mine),
                         'changed' if book != mine else ''])
        return Table(['', 'the book', f'this run ({self.profile})', ''],
                     rows)

    def __repr__(self):
        lines = [f'profile {self.profile!r} for section {self.section!r}:',
                 f'  this run: {self.recipe.describe()}',
                 f'  the book: {self.book.describe()}']
        changed = self.changes()
        lines.append('  changed:  ' + (', '.join(changed) if changed
                                       else 'nothing'))
        return '\n'.join(lines)


def _size(side):
    side = side or 28
    return f'{side}x{side}'


# (label, Recipe field, how to show a value) for Settings.compare
_ROWS = [
    ('input', 'resize', _size),
    ('batch size', 'batch_size', str),
    ('epochs', 'num_epochs', str),
    ('optimizer', 'optimizer', OPTIMIZER_NAMES.get),
    ('learning rate', 'lr', str),
    ('momentum', 'momentum', str),
    ('warm-up (epochs)', 'warmup_epochs', lambda w: f'{w:g}'),
    ('schedule', 'schedule', str),
    ('weight decay', 'wd', str),
    ('initialisation', 'initializer', INITIALIZER_NAMES.get),
    ('label smoothing', 'label_smoothing', lambda e: f'{e:g}'),
    ('random left-right flips', 'flip', lambda f: 'yes' if f else 'no'),
    ('training images', 'subset',
     lambda sub: 'all 60,000' if sub is None else f'{sub[0]:,}'),
]
# options that the book never uses and a recipe may: where neither
# recipe of a table uses one, a row of "0" beside "0" would only
# lengthen the chapters' tables
_WHEN_USED = {'label_smoothing', 'flip'}


def settings(section, profile=None):
    """Return the :class:`Settings` of ``section`` for the active profile."""
    section = chapter(section).name  # an unknown one: says which are known
    profile = profile or active_profile()
    if profile not in RECIPES:
        raise ValueError(f'unknown profile {profile!r}; use one of: '
                         f'{", ".join(PROFILES)}')
    return Settings(section, profile, RECIPES[profile][section],
                    BOOK[section])
