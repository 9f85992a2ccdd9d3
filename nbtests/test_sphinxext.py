"""The site's Sphinx extension (cnnbook/sphinxext.py), on a tiny project
built with Sphinx itself; the real site is tested in test_site.py."""
from sphinx.application import Sphinx
from sphinx.builders.html._assets import _JavaScript
from sphinx.util.docutils import docutils_namespace

from cnnbook.sphinxext import (_drop_inline_script_twins, _drop_thebe,
                               _drop_unused_widget_manager)

TOGGLE = "var togglebuttonSelector = '.toggle, .admonition.dropdown';"


def build(tmp_path, extensions):
    """Build a one-page project; return its index.html."""
    src = tmp_path / 'src'
    src.mkdir(parents=True)
    (src / 'conf.py').write_text(f'extensions = {extensions!r}\n')
    (src / 'index.rst').write_text('Title\n=====\n\nText.\n')
    # docutils_namespace: each build registers its directives and nodes
    # in docutils' globals; without it the second build would inherit
    # the first one's extensions
    with docutils_namespace():
        app = Sphinx(src, src, tmp_path / 'html', tmp_path / 'doctrees',
                     'html', status=None, warning=None, freshenv=True)
        app.build()
    return (tmp_path / 'html' / 'index.html').read_text()


def test_inline_scripts_are_written_once(tmp_path):
    # sphinx-togglebutton adds this script on builder-inited, after the
    # builder started: Sphinx 7 writes it twice (sphinx-doc/sphinx#13402)
    page = build(tmp_path / 'with', ['sphinx_togglebutton', 'sphinx_exercise',
                                     'cnnbook.sphinxext'])
    assert page.count(TOGGLE) == 1
    # without the extension: the bug it works around is still there
    # (once this fails, the workaround can go)
    bare = build(tmp_path / 'without', ['sphinx_togglebutton'])
    assert bare.count(TOGGLE) == 2


def test_only_the_exact_twin_goes():
    one = _JavaScript(None, body='let a = 1;')
    twin = _JavaScript('', body='let a = 1;')
    alone = _JavaScript(None, body='let b = 2;')
    other_priority = _JavaScript(None, body='let c = 3;', priority=800)
    blank = _JavaScript('', body='let c = 3;')
    file = _JavaScript('_static/x.js')
    context = {'script_files': [file, one, twin, alone, other_priority,
                                blank]}
    _drop_inline_script_twins(None, 'index', 'page.html', context, None)
    assert context['script_files'] == [file, twin, alone, other_priority,
                                       blank]


class _App:
    """What the page hooks read of a Sphinx app."""

    def __init__(self, **config):
        self.config = type('Config', (), config)()


def test_thebe_scripts_go_while_its_button_is_off():
    thebe = _JavaScript(None, body='const THEBE_JS_URL = "https://unpkg.'
                        'com/thebe@0.8.2/lib/index.js"')
    loader = _JavaScript('sphinx-thebe.js', **{'async': 'async'})
    other = _JavaScript('_static/explorer.js')
    for buttons, kept in (({'thebe': False}, [other]),
                          ({}, [other]),
                          ({'thebe': True}, [thebe, loader, other])):
        context = {'script_files': [thebe, loader, other], 'css_files': []}
        _drop_thebe(_App(html_theme_options={'launch_buttons': buttons}),
                    'index', 'page.html', context, None)
        assert context['script_files'] == kept


def test_widget_manager_only_on_pages_with_a_widget():
    state = _JavaScript(None, type='application/vnd.jupyter.widget-state'
                        '+json', body='{}')
    manager = _JavaScript('_static/vendor/require.js')
    other = _JavaScript('_static/explorer.js')
    app = _App(nb_ipywidgets_js={'vendor/require.js': {}})
    view = ('<script type="application/vnd.jupyter.widget-view+json">'
            '{}</script>')
    for body, kept in ((view, [state, manager, other]),
                       ('<div class="cnnbook-explorer"></div>', [other])):
        context = {'script_files': [state, manager, other], 'body': body}
        _drop_unused_widget_manager(app, 'nin', 'page.html', context, None)
        assert context['script_files'] == kept
