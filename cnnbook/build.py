"""Build steps of the website and the course edition (the Makefile's).

Commands (``python -m cnnbook ...``):

``stamp BUILD``   clear BUILD/.jupyter_cache when the profile or the
                  cnnbook library changed since the cache was filled.
``student BUILD`` the site without solutions in BUILD/student/html and the
                  student notebooks in BUILD/student/notebooks.

:func:`toc_pages` reads ``_toc.yml`` for the tests that walk the site.
"""
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP = '.cnnbook-stamp'


def toc_pages(toc_path=None):
    """The site's pages in reading order, as paths without suffix, read by
    sphinx-external-toc's own parser (the one Jupyter Book builds with)."""
    from sphinx_external_toc.parsing import parse_toc_yaml
    site_map = parse_toc_yaml(Path(toc_path or ROOT / '_toc.yml'))

    def walk(docname):
        yield docname
        for subtree in site_map[docname].subtrees:
            for item in subtree.items:
                if isinstance(item, str):     # a file, not a URL or glob
                    yield from walk(str(item))
    return list(walk(site_map.root.docname))


def library_fingerprint(profile, library=None):
    """The profile plus a hash of cnnbook's sources (or ``library``'s).

    jupyter-cache keys on a notebook's code alone, so neither a change of
    CNNBOOK_PROFILE nor an edit to this library would re-run a page.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(library or Path(__file__).parent).glob('*.py')):
        digest.update(path.name.encode() + b'\0' + path.read_bytes())
    return f'profile={profile} cnnbook={digest.hexdigest()[:16]}\n'


def stamp(build):
    """Clear the execution cache in ``build`` if its stamp is stale.

    Returns True when the cache was cleared.
    """
    from .profiles import active_profile
    build = Path(build)
    build.mkdir(parents=True, exist_ok=True)
    want = library_fingerprint(active_profile())
    path = build / STAMP
    have = path.read_text() if path.exists() else None
    if have == want:
        return False
    shutil.rmtree(build / '.jupyter_cache', ignore_errors=True)
    path.write_text(want)
    print(f'cnnbook: execution cache cleared ({want.strip()})')
    return True


def student_site(build):
    """Build the site with sphinx-exercise's hide_solutions.

    Calls the function behind ``jupyter-book build`` with two overrides,
    because the CLI has no option to set one Sphinx value or to put the
    html folder elsewhere than PATH/_build/html. It shares the main
    site's execution cache, so a built site makes this run nothing.
    """
    from jupyter_book.sphinx import build_sphinx
    build = Path(build).resolve()
    result = build_sphinx(
        ROOT, build / 'student' / 'html', noconfig=True,
        path_config=str(ROOT / '_config.yml'),
        confoverrides={
            'hide_solutions': True,
            'nb_execution_cache_path': str(build / '.jupyter_cache'),
            'external_toc_path': str(ROOT / '_toc.yml'),
            'latex_individualpages': False,
            'nitpicky': True},
        warningiserror=True, keep_going=True, freshenv=True)
    if result:
        raise SystemExit(f'the student site failed to build ({result})')


def main(command, build):
    """Run ``stamp`` or ``student`` on the folder ``build``."""
    if command == 'stamp':
        stamp(build)
    elif command == 'student':
        from .course import replace_site_sources, student_notebooks
        notebooks = student_notebooks(build)
        for path in notebooks:
            print(f'wrote {path}')
        student_site(build)
        replace_site_sources(Path(build) / 'student' / 'html', notebooks)
    else:
        raise ValueError(f"command must be 'stamp' or 'student', got "
                         f'{command!r}')
    return 0
