"""The course edition: an nbgrader course folder made from the chapters.

Every chapter is an nbgrader source notebook (see cnnbook/exercises.py),
so the real nbgrader releases, autogrades and gives feedback. Each chapter
is one assignment named after its notebook, e.g. ``nin`` with
``source/nin/nin.ipynb``.

``python -m cnnbook course DIR`` makes a course folder in DIR (its
nbgrader_config.py, the chapters under source/, the releases under
release/, the gradebook). ``make student`` writes the tidied releases to
BUILD/student/notebooks with :func:`student_notebooks`.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .chapters import BOOK
from .exercises import check_source, check_statements, student_release

# Seconds a cell may run while autograding; the cpu profile's training
# cell takes about ten minutes (the same limit as _config.yml's).
TIMEOUT = 1800
CONFIG = """\
# nbgrader's settings for this course (written by `python -m cnnbook
# course`). The gradebook is gradebook.db beside this file.
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = 'cnnbook'
# seconds per cell when autograding; the cpu profile trains ~10 min
c.Execute.timeout = {timeout}
"""


class CourseError(RuntimeError):
    """An nbgrader command failed; the message holds its output."""


def chapters():
    """The chapter notebooks, i.e. the assignments, by name."""
    return sorted(path.stem for path in BOOK.glob('*.ipynb'))


def nbgrader(root, *args, env=None):
    """Run ``nbgrader ARGS`` in the course folder ``root``; return stdout.

    The environment gets ``env`` on top of this process's, e.g.
    ``{'CNNBOOK_PROFILE': 'smoke'}`` for an autograde run.
    """
    # nbgrader runs the `alembic` program by name (nbgrader.api), so this
    # environment's scripts must come first on PATH even when it is not
    # activated.
    path = os.pathsep.join([str(Path(sys.executable).parent),
                            os.environ.get('PATH', '')])
    result = subprocess.run(
        [sys.executable, '-m', 'nbgrader', *args], cwd=root,
        env={**os.environ, 'PATH': path, **(env or {})},
        capture_output=True, text=True)
    if result.returncode:
        raise CourseError(f'nbgrader {" ".join(args)} failed in {root} '
                          f'(exit {result.returncode}):\n'
                          f'{result.stdout[-3000:]}{result.stderr[-6000:]}')
    return result.stdout + result.stderr


def make_course(root, names=None):
    """Set up an nbgrader course in ``root`` and release the chapters.

    ``names`` picks chapters (default: all). Each chapter is checked
    first (:func:`cnnbook.exercises.check_source` and
    :func:`~cnnbook.exercises.check_statements`), so a chapter whose
    solutions would leak, or whose statements do not name what is
    graded, stops the run before anything is released.
    nbgrader's release is then tidied in place by
    :func:`cnnbook.exercises.student_release`. Returns the release
    notebooks' paths.
    """
    known = chapters()
    names = known if names is None else list(names)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValueError(f'no chapter named {", ".join(unknown)}; the '
                         f'chapters are {", ".join(known)}')
    for name in names:
        nb = nbformat.read(BOOK / f'{name}.ipynb', as_version=4)
        check_source(nb, f'{name}.ipynb')
        check_statements(nb, f'{name}.ipynb')
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    config = root / 'nbgrader_config.py'
    if not config.exists():     # keep an instructor's own settings
        config.write_text(CONFIG.format(root=str(root), timeout=TIMEOUT))
    released = []
    for name in names:
        source = root / 'source' / name
        source.mkdir(parents=True, exist_ok=True)
        shutil.copy(BOOK / f'{name}.ipynb', source / f'{name}.ipynb')
        nbgrader(root, 'generate_assignment', name, '--force')
        path = root / 'release' / name / f'{name}.ipynb'
        # tidied in place, so that what release_assignment hands out is
        # what `make student` writes
        nb = student_release(nbformat.read(path, as_version=4))
        tmp_path = path.with_suffix('.tmp')
        nbformat.write(nb, tmp_path)
        tmp_path.replace(path)
        released.append(path)
    return released


def student_notebooks(build):
    """Write the student notebooks to ``build``/student/notebooks.

    They are the releases of :func:`make_course`, made in a throwaway
    course folder.
    """
    out = Path(build) / 'student' / 'notebooks'
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix='course-') as tmp:
        for path in make_course(tmp):
            # copy beside, then rename: no half-written notebook is left
            tmp_path = out / (path.name + '.tmp')
            shutil.copy(path, tmp_path)
            tmp_path.replace(out / path.name)
            written.append(out / path.name)
    return written


def replace_site_sources(html, notebooks):
    """Put the student notebooks behind the student site's downloads.

    Sphinx copies each page's source, here the chapter with its solutions
    and tests, to ``html``/_sources, and the page's download button links
    there; so each copy is replaced by the student notebook.
    """
    for path in notebooks:
        path = Path(path)
        target = Path(html) / '_sources' / 'book' / path.name
        if not target.exists():
            raise FileNotFoundError(f'{target} is missing: build the student '
                                    f'site before replacing its sources')
        shutil.copy(path, target)


def main(root):
    """``python -m cnnbook course DIR``: a course folder in ``root``."""
    for path in make_course(root):
        print(f'released {path}')
    print(f'course folder: {Path(root).resolve()} (see the instructors '
          f'page, book/instructors.md)')
    return 0
