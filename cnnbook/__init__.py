"""cnnbook: the helper library of the NiN and GoogLeNet chapters.

Everything a chapter only *uses* lives here (data, training, plots,
inspection, profiles); the models a chapter teaches stay in its notebook.
Importing cnnbook downloads nothing, seeds nothing and silences nothing;
its one change to another library is _compat's, which must come before
MXNet is imported (on numpy 1.24 to 1.26 it restores ``numpy.bool``).
"""
from . import _compat  # noqa: F401  (first: see cnnbook/_compat.py)
from .data import (DataError, get_fashion_mnist_labels,
                   load_data_fashion_mnist)
from .inspect import layer_summary
from .models import alexnet
from .plot import (LiveCurves, Table, draw_branches, draw_pipelines,
                   show_images)
from .profiles import active_profile, settings
from .train import (History, TrainingDiverged, evaluate_accuracy, set_seed,
                    train, try_gpu)
from .website import record_results

__all__ = ['DataError', 'History', 'LiveCurves', 'Table', 'TrainingDiverged',
           'active_profile', 'alexnet', 'draw_branches', 'draw_pipelines',
           'evaluate_accuracy', 'get_fashion_mnist_labels', 'layer_summary',
           'load_data_fashion_mnist', 'record_results', 'set_seed',
           'settings', 'show_images', 'train', 'try_gpu']
