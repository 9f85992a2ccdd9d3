"""Let MXNet 1.9.1 run on numpy 1.24 to 1.26 and on numpy 2.

MXNet 1.9.1, the last MXNet release, talks to numpy through ctypes, not
through numpy's C API, so a numpy 2 loads it as well as a numpy 1 does.
What breaks is names: MXNet's Python code reads numpy names that newer
numpy releases removed. This module puts back exactly the names MXNet
1.9.1 reads, found by reading every ``numpy.X`` that MXNet's sources
name (nbtests/test_compat.py repeats that scan against the installed
numpy, and imports and exercises the MXNet modules the book uses):

* numpy 1.24 to 1.26: the alias ``numpy.bool`` (``mxnet/numpy/utils.py``,
  at import). numpy 2 defines ``numpy.bool`` again, as its own scalar
  type, which is left alone.
* numpy 2 (NEP 52 cleaned up the main namespace):
  - the constants ``PZERO``, ``NZERO``, ``PINF``, ``NINF``, ``NAN``,
    ``NaN`` and ``Inf`` (``mxnet/numpy/utils.py`` at import,
    ``gluon.contrib.estimator`` at use);
  - the aliases ``alltrue``, ``sometrue``, ``product``, ``round_``,
    ``in1d``, ``msort`` and ``trapz`` (``mxnet/numpy/fallback.py`` binds
    them and ``mxnet/numpy_dispatch_protocol.py`` registers them, both
    at import), each restored as the function numpy names as its
    replacement;
  - ``numpy.compat.basestring`` (``mx.np.pad`` with a string mode);
  - the financial functions ``mirr``, ``npv``, ``pmt``, ``ppmt``, ``pv``
    and ``rate`` (``mxnet/numpy/fallback.py`` binds them at import).
    numpy moved them to the separate numpy-financial package; nothing in
    the book calls them, so they come back as functions that say so
    rather than as a new dependency.

A name is set only where numpy lacks it. Left out on purpose:
``numpy.int``, read only by ``mxnet.test_utils``, which neither the book
nor its tests import.

This module is imported first by ``cnnbook/__init__.py``, so a notebook
that imports cnnbook before mxnet gets a working MXNet
(nbtests/test_notebooks.py checks that order). It can go when MXNet is
replaced, or when a release of MXNet reads none of these names.
"""
import types

import numpy
from numpy.lib import NumpyVersion

_VERSION = NumpyVersion(numpy.__version__)
# numpy 3 may remove more names (or change more than names): the shim
# has been run with numpy 1.23 to 2.4 only, so it stops here instead of
# letting MXNet fail later with an AttributeError.
if _VERSION >= '3.0.0.dev0':
    raise ImportError(
        f'cnnbook runs MXNet 1.9.1 with numpy 1.23 to 2.x, not numpy '
        f'{numpy.__version__}: install numpy 2 with pip install "numpy<3" '
        '(see README: "Which Python").')


def _moved_to_numpy_financial(name):
    """A stand-in for ``numpy.<name>``, which numpy 2 moved out."""
    def removed(*args, **kwargs):
        raise AttributeError(
            f'numpy 2 moved numpy.{name} to the numpy-financial package: '
            f'pip install numpy-financial, then numpy_financial.{name}')
    removed.__name__ = name
    return removed


def _in1d(ar1, ar2, assume_unique=False, invert=False, **kwargs):
    """numpy's ``in1d``: ``isin`` flattened, as numpy 2 documents."""
    return numpy.isin(ar1, ar2, assume_unique=assume_unique,
                      invert=invert, **kwargs).ravel()


def _msort(a):
    """numpy's ``msort``: a copy sorted along the first axis."""
    return numpy.sort(a, axis=0)


def _numpy2_names():
    """The names numpy 2 removed that MXNet 1.9.1 reads, with values."""
    compat = types.ModuleType('numpy.compat')
    compat.basestring = str
    names = {'PZERO': 0.0, 'NZERO': -0.0, 'PINF': numpy.inf,
             'NINF': -numpy.inf, 'NAN': numpy.nan, 'NaN': numpy.nan,
             'Inf': numpy.inf,
             'alltrue': numpy.all, 'sometrue': numpy.any,
             'product': numpy.prod, 'round_': numpy.round,
             'in1d': _in1d, 'msort': _msort, 'trapz': numpy.trapezoid,
             'compat': compat}
    for name in ('mirr', 'npv', 'pmt', 'ppmt', 'pv', 'rate'):
        names[name] = _moved_to_numpy_financial(name)
    return names


def restored():
    """The names this module sets on this numpy, name -> value."""
    if '1.24.0' <= _VERSION < '2.0.0.dev0':
        return {'bool': bool}
    if _VERSION >= '2.0.0.dev0':
        return _numpy2_names()
    return {}


# numpy 2's module __getattr__ raises for removed names; a name in the
# module's own dict is found before it is consulted.
for _name, _value in restored().items():
    if _name not in vars(numpy):
        setattr(numpy, _name, _value)
