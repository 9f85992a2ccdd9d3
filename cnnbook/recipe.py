"""A training recipe: everything a profile may change.

Its own module because the chapter registry (``chapters.py``) declares
each chapter's recipes and the profiles (``profiles.py``) read them from
the registry: both import this, neither imports the other's users.
"""
import dataclasses

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
    label_smoothing: float = 0.0    # share of the target spread evenly
    # random left-right flips of the training images: the loader's
    # (load_data_fashion_mnist(..., flip=cfg.flip)); a chapter whose
    # recipe flips passes it there (nbtests/test_chapters.py checks)
    flip: bool = False

    def train_kwargs(self):
        """The keyword arguments of :func:`cnnbook.train` beyond lr."""
        return dict(momentum=self.momentum, wd=self.wd,
                    warmup_epochs=self.warmup_epochs, schedule=self.schedule,
                    optimizer=self.optimizer, initializer=self.initializer,
                    label_smoothing=self.label_smoothing)

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
        extra += ([f'label smoothing {self.label_smoothing:g}']
                  if self.label_smoothing else [])
        opt = OPTIMIZER_NAMES[self.optimizer] + (
            f' ({", ".join(extra)})' if extra else '')
        init = INITIALIZER_NAMES[self.initializer].split()[0] + ' init'
        flips = ', random flips' if self.flip else ''
        return (f'lr {self.lr}, {self.num_epochs} epochs, batch '
                f'{self.batch_size}, input {size}{flips}, {opt}, {init}, '
                f'{data}')
