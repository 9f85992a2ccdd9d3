"""Let MXNet 1.9.1 import under numpy 1.24 to 1.26 (Python 3.12, 3.13).

MXNet 1.9.1, the last MXNet release, reads the alias ``numpy.bool`` when
it is imported (``mxnet/numpy/utils.py``). numpy removed that alias in
1.24, and numpy 1.23 has no wheels past Python 3.11, so on 3.12 and 3.13
the book runs numpy 1.26.4 with the alias put back here. It is the only
alias MXNet needs on 1.26; numpy 2 removed many more, which is why
requirements.txt keeps numpy below 2 (as MXNet's own metadata does).

This module is imported first by ``cnnbook/__init__.py``, so a notebook
that imports cnnbook before mxnet gets a working MXNet
(nbtests/test_notebooks.py checks that order). It can go when the book
no longer supports numpy >= 1.24 with MXNet 1.9.1, that is, when MXNet is
replaced or a release reads ``bool`` itself.
"""
import numpy
from numpy.lib import NumpyVersion

# Only 1.24 to 1.26 lack the alias: 1.23 still has it (reading it there
# warns, so it is not probed), and numpy 2 defines numpy.bool again as
# its own scalar type, which must not be overwritten.
_VERSION = NumpyVersion(numpy.__version__)
if '1.24.0' <= _VERSION < '2.0.0':
    numpy.bool = bool
