"""Building the website and the course edition.

Commands (``python -m cnnbook ...``):

``stamp BUILD``   clear BUILD/.jupyter_cache when the profile or the
                  cnnbook library changed since the cache was filled.
``student BUILD`` the site without solutions in BUILD/student/html and the
                  student notebooks in BUILD/student/notebooks.

``record_results`` is what a chapter calls after training: it glues the numbers
that the results page shows. ``setup`` makes this module a Sphinx extension
(see _config.yml) that lets ``hide_solutions`` work on gated solutions.
"""
import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP = '.cnnbook-stamp'


def toc_pages(toc_path=None):
    """The site's pages in reading order, as paths without suffix."""
    import yaml

    def walk(entries):
        for entry in entries:
            if 'file' in entry:
                yield entry['file']
            yield from walk(entry.get('parts', []) +
                            entry.get('chapters', []) +
                            entry.get('sections', []))
    toc = yaml.safe_load(Path(toc_path or ROOT / '_toc.yml').read_text())
    return [toc['root'], *walk([toc])]


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


def record_results(cfg, history):
    """Glue a run's numbers for the results page (myst-nb's glue).

    Keys: profile, input, batch_size, epochs, loss, train_acc, test_acc,
    train_seconds, examples_per_sec. Nothing is displayed.
    """
    from myst_nb import glue
    if not history:
        raise ValueError('record() needs a history with at least one '
                         'finished epoch; train for longer')
    last = history[-1]
    size = cfg.resize or 28
    values = {
        'profile': cfg.profile,
        'input': f'{size}×{size}',
        'batch_size': cfg.batch_size,
        'epochs': len(history),
        'loss': last.loss,
        'train_acc': last.train_acc,
        'test_acc': last.test_acc,
        'train_seconds': sum(e.seconds for e in history),
        'examples_per_sec': history.examples_per_sec,
    }
    for key, value in values.items():
        glue(key, value, display=False)
    return values


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


def setup(app):
    """Sphinx extension: ``hide_solutions`` for gated solutions.

    sphinx-exercise 1.2.1 drops a hidden ``{solution-start}`` but keeps
    its ``{solution-end}``, and the HTML writer then fails on that node
    (executablebooks/sphinx-exercise#89, open). So when hide_solutions is
    set, this turns it off for sphinx-exercise, which then merges each
    gated solution into one node as usual, and removes those nodes after.
    """
    app.add_config_value('cnnbook_hide_solutions', False, 'env')
    app.connect('config-inited', _take_over_hide_solutions)
    app.connect('html-page-context', _drop_repeated_scripts)
    app.add_transform(_remove_solutions_transform())
    return {'parallel_read_safe': True, 'parallel_write_safe': True}


def _take_over_hide_solutions(app, config):
    if config.hide_solutions:
        config.hide_solutions = False
        config.cnnbook_hide_solutions = True


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    # sphinx-thebe's and sphinx-togglebutton's inline scripts reach every
    # page twice under Jupyter Book 1.0.4; the second `const THEBE_JS_URL`
    # is a JavaScript error in the browser console.
    seen, unique = set(), []
    for script in context.get('script_files', []):
        # an inline script's filename is None in one copy, '' in the other
        key = (script.filename or '',
               tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context['script_files'] = unique


def _remove_solutions_transform():
    # Built on demand: importing Sphinx at `import cnnbook` would slow
    # every notebook down for a class only the site build uses.
    from sphinx.transforms import SphinxTransform
    from sphinx_exercise.nodes import solution_node

    class RemoveSolutions(SphinxTransform):
        # after sphinx-exercise's MergeGatedSolutions (priority 10)
        default_priority = 11

        def apply(self):
            if self.config.cnnbook_hide_solutions:
                for node in list(self.document.findall(solution_node)):
                    node.parent.remove(node)
    return RemoveSolutions


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ('stamp', 'student'):
        raise SystemExit('usage: python -m cnnbook stamp|student BUILD')
    command, build = argv
    if command == 'stamp':
        stamp(build)
    else:
        from .course import replace_site_sources, student_notebooks
        notebooks = student_notebooks(build)
        for path in notebooks:
            print(f'wrote {path}')
        student_site(build)
        replace_site_sources(Path(build) / 'student' / 'html', notebooks)
    return 0
