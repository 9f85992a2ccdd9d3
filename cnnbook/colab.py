"""Set up a Google Colab runtime for this book: MXNet, its numpy, cnnbook.

Each chapter's first cell (tagged ``colab-setup``, removed from the
website) clones the repository into /content/cnnbook when it runs in
Colab and then runs this file, so the steps live here once. Run there,
it installs MXNet, numpy and setuptools at the versions requirements.txt
pins for the runtime's Python, and cnnbook itself in editable mode (so
that ``book/`` stays beside it, as ``cnnbook.chapters`` expects).

This file uses the standard library only: it runs before anything is
installed, so it must not import cnnbook's package (whose
``__init__`` imports numpy through ``_compat``: Colab's numpy 2, which
would then stay loaded across the install).
"""
import importlib.metadata
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The packages Colab lacks, or has at versions MXNet 1.9.1 cannot use
# (numpy 2); Colab's own matplotlib and ipywidgets serve the book.
PACKAGES = ('numpy', 'mxnet', 'setuptools')
# Colab's last runtime version with Python 3.12 (Colab moved to 3.13 in
# August 2026: github.com/googlecolab/colabtools issue 6081).
RUNTIME_312 = '2026.07'
PICK_RUNTIME = ('choose Runtime > Change runtime type > Runtime version '
                f'> {RUNTIME_312} (Python 3.12) and run this cell again')


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


def version_problem(version):
    """The sentence to print if Colab's Python cannot run the book, else ''.

    numpy 1.26, the last numpy 1.x, has no wheel for 3.13, so pip would
    build it from source (about 16 minutes on Colab's 2 cores); cnnbook
    needs 3.11 or newer.
    """
    found = f'{version[0]}.{version[1]}'
    if (3, 11) <= tuple(version[:2]) <= (3, 12):
        return ''
    if tuple(version[:2]) > (3, 12):
        return (f'This Colab runtime has Python {found}, for which numpy '
                '1.26 (MXNet 1.9.1 needs numpy 1.x) has no wheel and would '
                f'take about 16 minutes to build: {PICK_RUNTIME}.')
    return (f'This Colab runtime has Python {found}, older than the 3.11 '
            f'this book needs: {PICK_RUNTIME}.')


def installed_version(name):
    """The installed version of distribution ``name``, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def restart_runtime():
    """End this kernel; Colab starts a fresh one with the new packages."""
    os.kill(os.getpid(), signal.SIGKILL)


def main(version=sys.version_info, run=subprocess.run,
         restart=restart_runtime):
    """Install what the book needs, if this is Colab; return what was done.

    Returns 'not colab', 'wrong python', 'installed', or 'restarting'
    when numpy was replaced after this kernel had imported it. Running it
    again is safe: pip then finds everything in place.
    """
    if not in_colab():
        return 'not colab'
    problem = version_problem(version)
    if problem:
        print(problem)
        return 'wrong python'
    pins = pinned()
    pip = [sys.executable, '-m', 'pip', 'install', '--quiet']
    print('Installing MXNet 1.9.1, numpy 1.x and cnnbook...', flush=True)
    run(pip + pins, check=True)
    run(pip + ['--no-deps', '--editable', str(REPO)], check=True)
    loaded = sys.modules.get('numpy')
    now = installed_version('numpy')
    if loaded is not None and loaded.__version__ != now:
        print(f'Colab restarts its runtime now to load numpy {now} in '
              f'place of {loaded.__version__}: when it is back, run this '
              'cell again, then the rest of the notebook.', flush=True)
        restart()
        return 'restarting'
    # An editable install takes effect in new processes; this one gets
    # the checkout on its path directly.
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    print('Colab is ready for this book.')
    return 'installed'


if __name__ == '__main__':
    main()
