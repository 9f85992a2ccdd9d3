"""The site's Sphinx extension (listed in _config.yml).

What it changes in the packages Jupyter Book 1.0.4 pins:

* ``hide_solutions`` works on gated solutions. sphinx-exercise 1.2.1
  drops a hidden ``{solution-start}`` but keeps its ``{solution-end}``,
  and the HTML writer then fails on that node
  (executablebooks/sphinx-exercise#89, open). So when hide_solutions is
  set, this turns it off for sphinx-exercise, which then merges each
  gated solution into one node as usual, and removes those nodes after.
* Inline scripts are not written twice (sphinx-doc/sphinx#13402, below).
* The tables with a row per chapter (results and instructors pages) get
  their rows from the chapter registry as a page is read
  (``results.chapter_rows``), in place of a ``<!-- chapter-rows: NAME
  -->`` line.
* Thebe's scripts, which name an outside host, are left off the pages
  while the Thebe launch button is off; the widget manager is left off
  pages that show no widget.
* Two pieces of HTML that fail WCAG 2.1 AA (axe-core, nbtests/test_site)
  are written without the fault: myst-nb's "Show code cell source"
  toggle loses its aria-label, and the references page's entries take
  the role listitem in place of the deprecated doc-biblioentry
  (:func:`_accessible_html`). The theme's own faults are fixed by the
  templates in _templates/, the colours by _static/a11y.css.

Only the site build imports this module; the notebooks never do.
"""
import re

from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_node


def setup(app):
    """Register the config value, the transform and the page hook."""
    app.add_config_value('cnnbook_hide_solutions', False, 'env')
    app.connect('config-inited', _take_over_hide_solutions)
    app.connect('source-read', _chapter_rows)
    app.connect('html-page-context', _drop_inline_script_twins)
    app.connect('html-page-context', _drop_thebe)
    app.connect('html-page-context', _drop_unused_widget_manager)
    app.add_transform(RemoveSolutions)
    _accessible_html(app)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}


MARKER = re.compile(r'^<!-- chapter-rows: ([\w-]+) -->$', re.M)


def _chapter_rows(app, docname, source):
    """Fill each ``<!-- chapter-rows: NAME -->`` line with the rows of
    that table, for the chapters this site builds."""
    from .results import chapter_rows
    source[0] = MARKER.sub(
        lambda m: chapter_rows(m[1], app.env.found_docs), source[0])


def _take_over_hide_solutions(app, config):
    if config.hide_solutions:
        config.hide_solutions = False
        config.cnnbook_hide_solutions = True


def _drop_inline_script_twins(app, pagename, templatename, context,
                              doctree):
    """Drop the second copy of an inline script that Sphinx 7 adds.

    ``Sphinx.add_js_file(None, body=...)`` called after the HTML builder
    started (sphinx-togglebutton on builder-inited, sphinx-thebe on
    env-before-read-docs) hands the builder the script with filename None;
    the builder's prepare_writing adds the registry's copy again with
    filename '', and the two do not compare equal, so every page carries
    both (in the browser: "redeclaration of const THEBE_JS_URL").
    Fixed upstream by sphinx-doc/sphinx#13402 (Sphinx 8.2, March 2025);
    Jupyter Book 1.0.4 requires sphinx~=7.0. So exactly that twin goes: a
    script whose filename is None and that equals, but for the filename,
    a script whose filename is ''. Nothing happens on a Sphinx with the
    fix.
    """
    scripts = context.get('script_files', [])
    blank = {_identity(s) for s in scripts if s.filename == ''}
    context['script_files'] = [
        s for s in scripts
        if not (s.filename is None and _identity(s) in blank)]


def _drop_thebe(app, pagename, templatename, context, doctree):
    """Take sphinx-thebe's scripts off the page unless Thebe is on.

    Jupyter Book always loads sphinx-thebe, which puts on every page an
    inline script naming Thebe's URL on unpkg.com and the script that
    would fetch it. With the Thebe launch button off (``_config.yml``),
    no reader can ask for live code, so the page names no outside host.
    """
    theme = getattr(app.config, 'html_theme_options', None) or {}
    buttons = theme.get('launch_buttons') or {}
    if buttons.get('thebe'):
        return
    context['script_files'] = [
        s for s in context.get('script_files', [])
        if not (str(s.filename).endswith('sphinx-thebe.js') or
                'THEBE_JS_URL' in s.attributes.get('body', ''))]
    context['css_files'] = [
        s for s in context.get('css_files', [])
        if not str(s.filename).endswith('sphinx-thebe.css')]


def _drop_unused_widget_manager(app, pagename, templatename, context,
                                doctree):
    """Leave the widgets' state and scripts off a page that shows none.

    myst-nb adds a notebook's saved widget state and the ipywidgets
    manager (``nb_ipywidgets_js``, megabytes) to its page whenever the
    notebook holds widget state. The channel explorers show their HTML
    view on the site (cnnbook/explorer_site.py), so a page with no widget
    view left needs neither.
    """
    if 'application/vnd.jupyter.widget-view+json' in context.get('body', ''):
        return
    # the HTML builder files them under _static/
    manager = {f'_static/{path}' for path in
               getattr(app.config, 'nb_ipywidgets_js', None) or ()}
    context['script_files'] = [
        s for s in context.get('script_files', [])
        if s.filename not in manager and s.attributes.get('type') !=
        'application/vnd.jupyter.widget-state+json']


def _accessible_html(app):
    """Write two nodes' HTML without what fails WCAG 2.1 AA.

    * myst-nb 1.x writes a hidden cell's toggle as ``<summary
      aria-label="Toggle hidden content">`` around the visible text "Show
      code cell source": a name that does not contain the visible label
      (WCAG 2.5.3, axe's label-content-name-mismatch). Without the label
      the summary's name is its text.
    * docutils writes a citation as ``role="doc-biblioentry"`` inside a
      ``role="list"``; DPUB-ARIA 1.1 deprecates doc-biblioentry (axe's
      aria-deprecated-role), and the list is then left without list
      items (aria-required-children). ``listitem`` is what the list asks
      for.

    Each visitor is the package's own, with its output edited; this
    extension is loaded after myst-nb, so its registration wins.
    """
    from docutils import nodes
    from myst_nb.sphinx_ import (HideCodeCellNode, depart_HideCellInput,
                                 visit_HideCellInput)
    from sphinx.writers.html5 import HTML5Translator

    def edited(visit, old, new):
        def visit_edited(self, node):
            start = len(self.body)
            visit(self, node)
            self.body[start:] = [s.replace(old, new)
                                 for s in self.body[start:]]
        return visit_edited

    app.add_node(HideCodeCellNode, override=True, html=(
        edited(visit_HideCellInput,
               '<summary aria-label="Toggle hidden content">', '<summary>'),
        depart_HideCellInput))
    app.add_node(nodes.citation, override=True, html=(
        edited(HTML5Translator.visit_citation,
               'role="doc-biblioentry"', 'role="listitem"'),
        HTML5Translator.depart_citation))


def _identity(script):
    """What makes two of Sphinx's script entries equal, but the name."""
    return script.priority, tuple(sorted(script.attributes.items()))


class RemoveSolutions(SphinxTransform):
    """Remove the merged solution nodes when cnnbook_hide_solutions."""

    # after sphinx-exercise's MergeGatedSolutions (priority 10)
    default_priority = 11

    def apply(self):
        if self.config.cnnbook_hide_solutions:
            for node in list(self.document.findall(solution_node)):
                node.parent.remove(node)
