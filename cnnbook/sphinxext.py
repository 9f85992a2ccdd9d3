"""The site's Sphinx extension (listed in _config.yml).

Two repairs of the packages Jupyter Book 1.0.4 pins:

* ``hide_solutions`` works on gated solutions. sphinx-exercise 1.2.1
  drops a hidden ``{solution-start}`` but keeps its ``{solution-end}``,
  and the HTML writer then fails on that node
  (executablebooks/sphinx-exercise#89, open). So when hide_solutions is
  set, this turns it off for sphinx-exercise, which then merges each
  gated solution into one node as usual, and removes those nodes after.
* Inline scripts are not written twice (sphinx-doc/sphinx#13402, below).

Only the site build imports this module; the notebooks never do.
"""
from sphinx.transforms import SphinxTransform
from sphinx_exercise.nodes import solution_node


def setup(app):
    """Register the config value, the transform and the page hook."""
    app.add_config_value('cnnbook_hide_solutions', False, 'env')
    app.connect('config-inited', _take_over_hide_solutions)
    app.connect('html-page-context', _drop_inline_script_twins)
    app.add_transform(RemoveSolutions)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}


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
