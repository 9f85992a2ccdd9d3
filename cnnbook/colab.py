"""Set up a Google Colab runtime for this book: MXNet and cnnbook.

Each chapter's first cell (tagged ``colab-setup``, removed from the
website) clones the repository into /content/cnnbook when it runs in
Colab and then runs this file, so the steps live here once. Run there,
it installs MXNet at the version requirements.txt pins, and cnnbook
itself in editable mode (so that ``book/`` stays beside it, as
``cnnbook.chapters`` expects), both with ``--no-deps``: Colab already
has everything else the chapters import, and its numpy (1.x or 2.x, on
any Python from 3.11) stays as it is, loaded or not, so no restart is
needed. MXNet's metadata asks for numpy<2; cnnbook/_compat.py restores
the names MXNet reads from a numpy 2 (README: "Which Python").

This file uses the standard library only: it runs before anything is
installed, so it must not import cnnbook's package (whose
``__init__`` imports numpy through ``_compat``).
"""
import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What Colab lacks; its own numpy, matplotlib, ipywidgets, setuptools
# (distutils for MXNet on 3.12+) and requests serve the book.
PACKAGES = ('mxnet',)


def in_colab():
    """Whether this runs in a Google Colab kernel."""
    return 'google.colab' in sys.modules


def pinned(requirements=REPO / 'requirements.txt', names=PACKAGES):
    """The lines of ``requirements`` that pin ``names``, markers kept.

    pip evaluates the environment markers (``; python_version ...``)
    itself, so the lines are passed on as written.
    """
    pins, found = [], set()
    for line in requirements.read_text().splitlines():
        line = line.split('#', 1)[0].strip()
        name = re.match(r'[A-Za-z0-9._-]+', line)
        if name and name.group().lower() in names:
            pins.append(line)
            found.add(name.group().lower())
    missing = sorted(set(names) - found)
    if missing:
        raise ValueError(f'{requirements} pins no {", ".join(missing)}; '
                         'add the pin there (cnnbook/colab.py reads it)')
    return pins


def version_problem(version, numpy_version):
    """The sentence to print if this runtime cannot run the book, else ''.

    ``numpy_version`` is Colab's numpy (None if it has none).
    """
    found = f'{version[0]}.{version[1]}'
    if tuple(version[:2]) < (3, 11):
        return (f'This Colab runtime has Python {found}, older than the 3.11 '
                'this book needs: choose Runtime > Change runtime type > '
                'Runtime version > Latest and run this cell again.')
    major = int(numpy_version.split('.')[0]) if numpy_version else 2
    if major >= 3:
        return (f'This Colab runtime has numpy {numpy_version}, newer than '
                'the numpy 2 this book runs MXNet 1.9.1 with: run '
                '!pip install "numpy<3", then Runtime > Restart session, '
                'then this cell again.')
    return ''


def installed_version(name):
    """The installed version of distribution ``name``, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def main(version=sys.version_info, run=subprocess.run):
    """Install what the book needs, if this is Colab; return what was done.

    Returns 'not colab', 'wrong runtime' or 'installed'. Running it again
    is safe: pip then finds everything in place.
    """
    if not in_colab():
        return 'not colab'
    problem = version_problem(version, installed_version('numpy'))
    if problem:
        print(problem)
        return 'wrong runtime'
    pip = [sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps']
    print('Installing MXNet 1.9.1 and cnnbook...', flush=True)
    run(pip + pinned(), check=True)
    run(pip + ['--editable', str(REPO)], check=True)
    # An editable install takes effect in new processes; this one gets
    # the checkout on its path directly.
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    print('Colab is ready for this book.')
    return 'installed'


if __name__ == '__main__':
    main()
