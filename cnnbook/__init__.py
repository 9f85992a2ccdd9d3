"""cnnbook: the helper library of the NiN and GoogLeNet chapters.

Everything a chapter only *uses* lives here (data, training, plots, layer
summaries, profiles); the models a chapter teaches stay in its notebook.
Importing cnnbook downloads nothing, seeds nothing and silences nothing;
its one change to another library is _compat's, which must come before
MXNet is imported (on numpy 1.24 to 1.26 it restores ``numpy.bool``).

Import policy: MXNet, and the other large libraries (matplotlib, IPython,
ipywidgets, myst-nb, Sphinx), are imported inside the functions that use
them, never at the top of a module; the standard library and numpy are
imported at the top. So ``import cnnbook`` and ``python -m cnnbook
--help`` start without loading MXNet (the build step ``stamp`` loads it
only when CNNBOOK_PROFILE is unset, to see whether a GPU runs), and the
notebooks never load the Sphinx extension (``cnnbook.sphinxext``, which
only the site build imports). nbtests/test_imports.py checks this.

``cnnbook.training.last_history`` is the History of the latest
:func:`train` call, finished or not: after Ctrl-C it holds the epochs
done so far.
"""
from . import _compat  # noqa: F401  (first: see cnnbook/_compat.py)
from .data import (DataError, get_fashion_mnist_labels,
                   load_data_fashion_mnist)
from .models import alexnet
from .plot import (LiveCurves, Table, draw_branches, draw_channel_splits,
                   draw_pipelines, draw_pointwise_dense, show_class_maps,
                   show_images)
from .profiles import active_profile, settings
from .prose import claim
from .results import record_results
from .summary import layer_summary
from .device import try_gpu
from .training import (History, TrainingDiverged, evaluate_accuracy,
                       set_seed, train)

__all__ = ['DataError', 'History', 'LiveCurves', 'Table', 'TrainingDiverged',
           'active_profile', 'alexnet', 'claim', 'draw_branches',
           'draw_channel_splits', 'draw_pipelines', 'draw_pointwise_dense',
           'evaluate_accuracy', 'get_fashion_mnist_labels',
           'layer_summary', 'load_data_fashion_mnist', 'record_results',
           'set_seed', 'settings', 'show_class_maps', 'show_images',
           'train', 'try_gpu']

