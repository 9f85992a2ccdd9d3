"""The registry of chapters, and the one reader of their notebooks' cells.

Every chapter is declared once, in :data:`CHAPTERS`: its notebook,
section number and title, the function that builds its network, the
book's recipe and the ``cpu`` recipe, the book's published run with its
source, and the kind of channel explorer it shows. The profiles, the
benchmark harness, the widget timing, the site's generated tables and
every test's parametrisation read this list; no other list of the
chapters exists. A new chapter touches three files: its notebook,
``_toc.yml`` and its entry here (and ``book/references.bib`` when it
cites something new).

The notebooks hold the only copy of each model. Code that needs a
chapter's cells finds them by cell tag, through :func:`tagged_cells`,
never by matching their text:

``chapter-model``
    the imports, blocks, channel settings and network builder: nothing
    that trains or draws (:func:`definitions` runs them);
``layer-table``
    the cell that prints the network's layer shapes;
``explorer``
    a cell whose last line makes a channel explorer;
``training-run``
    the chapter's own training run;
``prose-check``
    a check of a number the prose states (``cnnbook.prose.claim``): it
    can change no training run, so ``benchmarks/run.py``'s ``run_key``
    leaves it out.
"""
import contextlib
import dataclasses
import json
from pathlib import Path

from .recipe import Recipe

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / 'book'
TAG = 'chapter-model'
TAGS = (TAG, 'layer-table', 'explorer', 'training-run', 'prose-check')
# tags of the cells that cannot change what a training run does
RUN_NEUTRAL = ('prose-check',)


@dataclasses.dataclass(frozen=True)
class Published:
    """The book's own GPU run of a network, as printed at ``source``."""

    recipe: str            # as the results page prints it
    loss: float
    train_acc: float
    test_acc: float
    examples_per_sec: float
    epochs: int            # the epochs of that run
    source: str            # MyST: a {cite} and where in the work
    bar: float             # the accuracy the time-to-accuracy runs aim at

    def gpu_minutes(self, n_train=60000):
        """The run's minutes of training on its GPU, from its printed
        examples/s (its test evaluations not included)."""
        return self.epochs * n_train / self.examples_per_sec / 60


@dataclasses.dataclass(frozen=True)
class Chapter:
    """One chapter (or page) that trains a network."""

    name: str              # the key for settings(), the benchmark, tests
    notebook: str          # in book/
    section: str           # d2l's section number; '' for a page
    title: str
    network: str           # the network's name in tables and plots
    builder: str           # the notebook function that builds the net
    book: Recipe           # the book's recipe (the full profile)
    cpu: Recipe            # the recipe for 2 CPU cores
    smoke: Recipe          # seconds, for CI
    published: Published = None
    explorer: str = None   # 'channel', 'inception' or None
    api: str = 'nd'        # 'np': the notebook calls npx.set_np()
    # a chapter that trains the same network on the same cpu recipe: its
    # spread over seeds is that one's, so the benchmark runs only this
    # one's notebook (7.4 against 5.10)
    seeds_from: str = None
    torch: str = None      # its twin in benchmarks/torch_nets.py, if any
    # the cpu recipe that this one replaced: `make bench` trains it once
    # beside the new one, so that its plot shows what the change was worth
    cpu_before: Recipe = None

    @property
    def stem(self):
        return Path(self.notebook).stem

    @property
    def label(self):
        """'5.9 NiN' for a section, the title for a page: table rows."""
        if not self.section:
            return self.title
        api = ' (NumPy)' if self.api == 'np' else ''
        return f'{self.section} {self.network}{api}'

    def numpy_mode(self):
        """A context in which this chapter's arrays are of its kind: MXNet's
        NumPy interface on for an ``np`` chapter, off for an ``nd`` one;
        the caller's setting comes back afterwards."""
        return numpy_mode(self.api == 'np')


@contextlib.contextmanager
def numpy_mode(on=None, shape=None):
    """Run the body with MXNet's NumPy interface ``on`` (True/False), or
    as it is (None), and NumPy shapes ``shape`` (by default as ``on``);
    restore the caller's setting afterwards, whatever the body switched.

    Hand-written: MXNet's own scopes (``mx.util.np_shape``/``np_array``)
    restore only when the body leaves the mode as they set it, so a cell
    that calls ``npx.set_np()`` inside them would leak.
    """
    import mxnet as mx
    before = mx.util.is_np_shape(), mx.util.is_np_array()
    if on is not None:
        mx.util.set_np(shape=on if shape is None else shape, array=on)
    try:
        yield
    finally:
        mx.util.set_np(shape=before[0], array=before[1])


def _smoke(cpu):
    """Seconds per notebook: the cpu recipe on a few hundred images."""
    return dataclasses.replace(cpu, num_epochs=1, subset=(512, 256))


# The book's recipes: d2l's MXNet editions, sections 5.9/5.10 (v0.x, nd
# API) and 7.4 (np interface). The cpu recipes were measured on 2 cores
# (the chapters' Training sections, the "How long" page,
# benchmarks/recipes.md): inputs at which the maps under global average
# pooling stay 2x2 (NiN's last block: 99 is the smallest; GoogLeNet's
# b5: 33 to 64), MSRA init (the nets have no batch normalization, and
# Xavier's small first weights let the signal fade), Adam with a short
# warm-up and a cosine decay.
# The cpu recipes until 2026-12-06 (issue 30), kept for the benchmark's
# plot; today's add label smoothing, which brought the book's GPU
# accuracy a minute or more earlier (benchmarks/recipes.md).
_NIN_CPU_BEFORE = Recipe(lr=0.001, num_epochs=2, batch_size=64, resize=99,
                         warmup_epochs=0.2, schedule='cosine',
                         optimizer='adam', initializer='msra')
_GOOGLENET_CPU_BEFORE = Recipe(lr=0.001, num_epochs=3, batch_size=64,
                               resize=48, warmup_epochs=0.2,
                               schedule='cosine', optimizer='adam',
                               initializer='msra')
_NIN_CPU = dataclasses.replace(_NIN_CPU_BEFORE, label_smoothing=0.1)
_GOOGLENET_CPU = dataclasses.replace(_GOOGLENET_CPU_BEFORE,
                                     label_smoothing=0.1)
_GOOGLENET_PUBLISHED = Published(
    recipe='96×96, 10 epochs', loss=0.256, train_acc=0.903, test_acc=0.901,
    examples_per_sec=2260, epochs=10, bar=0.90,
    source='{cite:t}`zhang2021dive`, `mxnet.np` edition, section 7.4: the '
           "book's run as printed there")
_QUICKSTART = Recipe(lr=0.1, num_epochs=2, batch_size=256, momentum=0.9)

CHAPTERS = (
    Chapter(
        name='quickstart', notebook='getting-started.ipynb', section='',
        title='Getting started', network='LeNet-style net', builder='',
        book=_QUICKSTART, cpu=_QUICKSTART,
        smoke=dataclasses.replace(_QUICKSTART, num_epochs=1,
                                  batch_size=128, subset=(2048, 512))),
    Chapter(
        name='nin', notebook='nin.ipynb', section='5.9',
        title='Network in Network', network='NiN', builder='nin',
        book=Recipe(lr=0.1, num_epochs=5, batch_size=128, resize=224),
        cpu=_NIN_CPU, smoke=_smoke(_NIN_CPU),
        published=Published(
            recipe='224×224, 10 epochs', loss=0.363, train_acc=0.866,
            test_acc=0.840, examples_per_sec=2928, epochs=10, bar=0.84,
            source='{cite:t}`zhang2021dive`, MXNet v0.17.5, section 7.3'),
        explorer='channel', torch='nin', cpu_before=_NIN_CPU_BEFORE),
    Chapter(
        name='googlenet', notebook='googlenet.ipynb', section='5.10',
        title='GoogLeNet', network='GoogLeNet', builder='googlenet',
        book=Recipe(lr=0.1, num_epochs=5, batch_size=128, resize=96),
        cpu=_GOOGLENET_CPU, smoke=_smoke(_GOOGLENET_CPU),
        published=_GOOGLENET_PUBLISHED, explorer='inception',
        torch='googlenet', cpu_before=_GOOGLENET_CPU_BEFORE),
    Chapter(
        name='googlenet-numpy', notebook='googlenet-numpy.ipynb',
        section='7.4', title='GoogLeNet with the NumPy interface',
        network='GoogLeNet', builder='googlenet',
        book=Recipe(lr=0.1, num_epochs=10, batch_size=128, resize=96),
        cpu=_GOOGLENET_CPU, smoke=_smoke(_GOOGLENET_CPU),
        published=_GOOGLENET_PUBLISHED, explorer='inception', api='np',
        seeds_from='googlenet'),
)


def sections():
    """The chapters that are book sections (all but the pages)."""
    return [c for c in CHAPTERS if c.section]


def chapter(name):
    """The chapter called ``name`` (its key, or its notebook's stem)."""
    for c in CHAPTERS:
        if name in (c.name, c.stem):
            return c
    raise ValueError(f'unknown section {name!r}; known: '
                     f'{", ".join(c.name for c in CHAPTERS)}')


def tags(cell):
    """A cell's tags, as a set (nbformat keeps them in its metadata)."""
    return set(cell['metadata'].get('tags', []))


def tagged_cells(notebook, tag):
    """The code cells of ``book/notebook`` tagged ``tag``, in order."""
    if tag not in TAGS:
        raise ValueError(f'{tag!r} is not a cell tag code looks for; the '
                         f'tags are: {", ".join(TAGS)}')
    nb = json.loads((BOOK / notebook).read_text())
    return [cell for cell in nb['cells'] if cell['cell_type'] == 'code'
            and tag in tags(cell)]


def source(cell):
    """A cell's source as one string (nbformat stores a list of lines)."""
    text = cell['source']
    return text if isinstance(text, str) else ''.join(text)


def definitions(notebook):
    """Run a notebook's ``chapter-model`` cells; return their namespace.

    MXNet's NumPy interface is left as the caller had it: 7.4's
    ``npx.set_np()`` holds only while its cells run (use the chapter's
    :meth:`Chapter.numpy_mode` to build and run its network).
    """
    cells = tagged_cells(notebook, TAG)
    if not cells:
        raise ValueError(f'{notebook} has no cell tagged {TAG!r}; tag the '
                         'cells that define its model')
    namespace = {}
    with numpy_mode():
        for i, cell in enumerate(cells):
            code = compile(source(cell), f'{notebook}, {TAG} cell {i + 1}',
                           'exec')
            exec(code, namespace)
    return namespace


def builder(name):
    """The function that builds chapter ``name``'s network, from its
    notebook; the network is built in the chapter's array mode."""
    import functools
    c = chapter(name)
    if not c.builder:
        raise ValueError(f'{name!r} has no network builder')
    build = definitions(c.notebook)[c.builder]

    @functools.wraps(build)
    def in_mode(*args, **kwargs):
        with c.numpy_mode():
            return build(*args, **kwargs)
    return in_mode
