"""Run profiles: how much training a notebook does on this machine.

``CNNBOOK_PROFILE`` picks one of

* ``full``: the book's own recipe, meant for a GPU;
* ``cpu``: all 60k/10k images and the same architecture, with a recipe
  chosen so that a section trains in about 10 minutes on 2 CPU cores;
* ``smoke``: a small subset and a tiny budget, so that a notebook runs in
  seconds (CI).

Unset, it is ``full`` when MXNet can run on a GPU (``train.try_gpu``) and
``cpu`` otherwise. A profile changes only the training recipe (input
size, epochs, batch size, optimizer, learning rate and its schedule,
momentum, weight decay, initialisation, subset), never the layers.
"""
import dataclasses
import os

PROFILES = ('full', 'cpu', 'smoke')
# how a recipe's optimizer and initializer are named in print
OPTIMIZER_NAMES = {'sgd': 'SGD', 'nag': 'Nesterov SGD', 'adam': 'Adam'}
INITIALIZER_NAMES = {'xavier': 'Xavier', 'msra': 'MSRA (He)'}


@dataclasses.dataclass(frozen=True)
class Recipe:
    """A training recipe; everything a profile may change."""

    lr: float
    num_epochs: int
    batch_size: int
    resize: int = None
    momentum: float = 0.0
    wd: float = 0.0
    warmup_epochs: float = 0.0
    schedule: str = 'constant'      # or 'cosine'
    optimizer: str = 'sgd'          # or 'nag', 'adam'
    initializer: str = 'xavier'     # or 'msra'
    subset: tuple = None            # (n_train, n_test), None for all

    def train_kwargs(self):
        """The keyword arguments of :func:`cnnbook.train` beyond lr."""
        return dict(momentum=self.momentum, wd=self.wd,
                    warmup_epochs=self.warmup_epochs, schedule=self.schedule,
                    optimizer=self.optimizer, initializer=self.initializer)

    def describe(self):
        """One line: the recipe in the book's vocabulary."""
        size = f'{self.resize}x{self.resize}' if self.resize else '28x28'
        data = ('all 60000/10000 images' if self.subset is None else
                f'subset {self.subset[0]}/{self.subset[1]} images')
        extra = [f'momentum {self.momentum}'] if self.momentum else []
        extra += [f'weight decay {self.wd}'] if self.wd else []
        extra += ([f'{self.warmup_epochs:g}-epoch warm-up']
                  if self.warmup_epochs else [])
        extra += [f'{self.schedule} schedule'] if self.schedule != \
            'constant' else []
        opt = OPTIMIZER_NAMES[self.optimizer] + (
            f' ({", ".join(extra)})' if extra else '')
        init = INITIALIZER_NAMES[self.initializer].split()[0] + ' init'
        return (f'lr {self.lr}, {self.num_epochs} epochs, batch '
                f'{self.batch_size}, input {size}, {opt}, {init}, {data}')


# The book's recipe for each section (full profile). Sources: d2l MXNet
# editions, sections 5.9/5.10 (v0.x, nd API) and 7.4 (np interface).
BOOK = {
    'nin': Recipe(lr=0.1, num_epochs=5, batch_size=128, resize=224),
    'googlenet': Recipe(lr=0.1, num_epochs=5, batch_size=128, resize=96),
    'googlenet-numpy': Recipe(lr=0.1, num_epochs=10, batch_size=128,
                              resize=96),
    # Not a book section: the getting-started page's small network.
    'quickstart': Recipe(lr=0.1, num_epochs=2, batch_size=256,
                         momentum=0.9),
}

# Recipes for two CPU cores, measured (the chapters' Training sections,
# the "How long will this take?" page, benchmarks/recipes.md): inputs
# at which the maps under global average pooling stay 2x2 (NiN's last
# block: 99 is the smallest; GoogLeNet's b5: 33 to 64), MSRA init (the
# nets have no batch normalization, and Xavier's small first weights let
# the signal fade), Adam with a short warm-up and a cosine decay.
CPU = {
    'nin': Recipe(lr=0.001, num_epochs=2, batch_size=64, resize=99,
                  warmup_epochs=0.2, schedule='cosine', optimizer='adam',
                  initializer='msra'),
    'googlenet': Recipe(lr=0.001, num_epochs=3, batch_size=64, resize=48,
                        warmup_epochs=0.2, schedule='cosine',
                        optimizer='adam', initializer='msra'),
    'quickstart': BOOK['quickstart'],
}
CPU['googlenet-numpy'] = CPU['googlenet']

# Seconds per notebook: the cpu recipe on a few hundred images, one epoch.
SMOKE = {section: dataclasses.replace(recipe, num_epochs=1,
                                      subset=(512, 256))
         for section, recipe in CPU.items()}
SMOKE['quickstart'] = dataclasses.replace(BOOK['quickstart'], num_epochs=1,
                                          batch_size=128, subset=(2048, 512))

RECIPES = {'full': BOOK, 'cpu': CPU, 'smoke': SMOKE}


def active_profile():
    """Return the profile name from ``CNNBOOK_PROFILE``, or the default."""
    name = os.environ.get('CNNBOOK_PROFILE', '').strip().lower()
    if not name:
        from .train import try_gpu
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
        """This recipe on a smaller budget, for an exercise's extra runs.

        The subset never grows beyond the profile's own.
        """
        old = self.recipe.subset or (n_train, n_test)
        warmup = min(self.recipe.warmup_epochs, num_epochs / 2)
        return dataclasses.replace(
            self.recipe, num_epochs=num_epochs, warmup_epochs=warmup,
            subset=(min(n_train, old[0]), min(n_test, old[1])))

    def changes(self):
        """Names of the recipe fields that differ from the book's."""
        return [f.name for f in dataclasses.fields(Recipe)
                if getattr(self.recipe, f.name) != getattr(self.book, f.name)]

    def compare(self):
        """A table of the recipe beside the book's, field by field."""
        from .plot import Table
        rows = []
        for label, field, show in _ROWS:
            book, mine = getattr(self.book, field), getattr(self.recipe,
                                                             field)
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
    ('training images', 'subset',
     lambda sub: 'all 60,000' if sub is None else f'{sub[0]:,}'),
]


def settings(section, profile=None):
    """Return the :class:`Settings` of ``section`` for the active profile."""
    if section not in BOOK:
        raise ValueError(f'unknown section {section!r}; known: '
                         f'{", ".join(BOOK)}')
    profile = profile or active_profile()
    if profile not in RECIPES:
        raise ValueError(f'unknown profile {profile!r}; use one of: '
                         f'{", ".join(PROFILES)}')
    return Settings(section, profile, RECIPES[profile][section],
                    BOOK[section])
