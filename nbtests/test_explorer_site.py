"""Tests of cnnbook.explorer_site, the explorers' data for the site.

The script that reads the data is tested against channel_report in a
real browser on the built site (test_site.py::test_site_explorers).
"""
import json
import re

import matplotlib
import pytest
from mxnet.gluon import nn

from cnnbook import explorer_site, summary, widgets
from cnnbook.chapters import definitions
from cnnbook.explorer_site import (ExportError, explorer_data, html_view,
                                   mimebundle)
from cnnbook.widgets import channel_explorer, inception_explorer

matplotlib.use('Agg')

nin = definitions('nin.ipynb')['nin']
_goog = definitions('googlenet.ipynb')
googlenet, Inception = _goog['googlenet'], _goog['Inception']


def test_nin_as_data():
    ex = channel_explorer(nin, (1, 1, 96, 96), dict(c1=96, c2=256, c3=384),
                          note='a note')
    data = explorer_data(ex)
    assert [s['name'] for s in data['sliders']] == ['c1', 'c2', 'c3']
    assert data['size'] == dict(label='input size', value=96, min=1,
                                max=192)
    assert data['note'] == 'a note'
    first = data['nodes'][0]
    # Conv2D(c1, 11, stride 4) on the input: its channels are slider 0
    assert first['kind'] == 'window' and first['src'] == -1
    assert (first['k'], first['s'], first['p']) == ([11, 11], [4, 4],
                                                     [0, 0])
    assert first['own'] == [0, [[0, 1]]]
    assert first['params'] == [['out', 1, 11, 11], ['out']]
    assert first['label'] == ['0.0 Conv2D ', {'out': True}, ', 11x11 /4']
    # the last block has 10 channels whatever the sliders say
    assert data['nodes'][-4]['own'] == [10, []]
    assert [n['kind'] for n in data['nodes'][-2:]] == ['global', 'flatten']
    assert len(data['rows']) == len(ex.report.rows)
    assert data['baseline'] == dict(params=1_992_166,
                                    macs=ex.baseline.total_macs)
    assert data['messages'] == dict(widgets.MESSAGES,
                                    too_small=summary.TOO_SMALL)


def test_inception_blocks_and_headline():
    ex = inception_explorer(googlenet, (1, 1, 32, 32), Inception)
    data = explorer_data(ex)
    names = [c['name'] for c in data['choices']]
    assert names == list(widgets.BLOCK_NAMES)
    joins = [n for n in data['nodes'] if n['kind'] == 'join']
    assert len(joins) == 9 and all(len(j['parts']) == 4 for j in joins)
    four_b = data['choices'][3]
    assert four_b['values'] == [160, 112, 224, 24, 64, 64]
    assert four_b['max'] == [widgets._limit(v, v) for v in four_b['values']]
    # the headline, filled in at 4b's values, is Python's
    ex.picker.value = '4b'
    text = ''.join(p if isinstance(p, str) else str(
        p['sum'][0] + sum(a * four_b['values'][k] for k, a in p['sum'][1]))
        for p in four_b['headline'])
    assert text == ex.headline(ex.values())


def test_export_leaves_the_explorer_as_it_was():
    ex = inception_explorer(googlenet, (1, 1, 32, 32), Inception)
    ex.picker.value = '4e'
    ex.size.value = 40
    ex.set_values(dict(c1=7, c2=(8, 9), c3=(10, 11), c4=2000))
    before = (ex.values(), ex.size.value, ex.picker.value, repr(ex),
              {k: s.max for k, s in ex.sliders.items()}, dict(ex.defaults))
    data = json.loads(re.search(r'<script[^>]*>(.*?)</script>',
                                html_view(ex)).group(1))
    assert (ex.values(), ex.size.value, ex.picker.value, repr(ex),
            {k: s.max for k, s in ex.sliders.items()},
            dict(ex.defaults)) == before
    assert data['initial'] == dict(choice=6, values=[7, 8, 9, 10, 11, 2000],
                                   size=40)
    # and the explorer still follows its sliders
    ex.sliders['c1', None].value = 8
    assert ex.report.channels['c1'] == 8


class _Halve(nn.HybridBlock):
    """Keeps every other row and column: a shape rule the site lacks."""

    def hybrid_forward(self, F, x):
        return F.slice(x, begin=(None, None, None, None),
                       end=(None, None, None, None), step=(1, 1, 2, 2))


def _halving(c1):
    net = nn.HybridSequential()
    net.add(nn.Conv2D(c1, 3), _Halve(), nn.GlobalAvgPool2D())
    return net


def test_a_network_the_site_cannot_follow():
    ex = channel_explorer(_halving, (1, 1, 16, 16), dict(c1=4))
    with pytest.raises(ExportError, match="layer '1' changes the shape"):
        explorer_data(ex)
    # Jupyter still gets the widget; the site says why it has no explorer
    bundle = mimebundle(ex, ex.widget._repr_mimebundle_())
    assert 'application/vnd.jupyter.widget-view+json' in bundle
    assert 'cannot run on the site' in bundle['text/html']


def test_html_view_embeds_safe_json():
    ex = channel_explorer(nin, (1, 1, 96, 96), dict(c1=96, c2=256, c3=384),
                          note='<b>bold</b> & </script>')
    view = html_view(ex)
    body = re.search(r'<script type="application/json" '
                     r'class="cnnbook-explorer-data">(.*?)</script>',
                     view, re.S).group(1)
    assert '<' not in body and '&' not in body
    assert json.loads(body)['note'] == '<b>bold</b> & </script>'
    # a reader without JavaScript sees the table of the starting setting
    assert widgets._html_table(ex.report.rows) in view
    # and Jupyter's bundle has both views
    bundle = ex._repr_mimebundle_()
    assert bundle['text/html'].startswith('<div class="cnnbook-explorer">')
    assert 'application/vnd.jupyter.widget-view+json' in bundle


def test_the_script_checks_the_data_version(tmp_path):
    """explorer.js reads the data format explorer_site writes; a page
    whose data has another says so and keeps its static table."""
    from pathlib import Path

    from browser import headless_chromium, serve
    static = Path(__file__).resolve().parents[1] / '_static'
    script = (static / 'explorer.js').read_text()
    assert f'var VERSION = {explorer_site.VERSION};' in script
    (tmp_path / 'explorer.js').write_text(script)
    ex = channel_explorer(nin, (1, 1, 96, 96), dict(c1=96, c2=256, c3=384))
    view = html_view(ex)
    version = f'"version":{explorer_site.VERSION},'
    assert view.count(version) == 1
    other = view.replace(version, f'"version":{explorer_site.VERSION + 1},')
    for name, body in (('same', view), ('other', other)):
        (tmp_path / f'{name}.html').write_text(
            '<!doctype html><html><head><meta charset="utf-8">'
            '<script src="explorer.js"></script></head><body>'
            f'{body}</body></html>')
    with serve(tmp_path) as url, headless_chromium() as browser:
        page = browser.new_page()
        errors = []
        page.on('pageerror', lambda e: errors.append(str(e)))
        page.goto(f'{url}/same.html')
        page.wait_for_selector('.cnnbook-explorer-live')
        assert page.locator('.cnnbook-message').count() == 0
        page.goto(f'{url}/other.html')
        message = page.locator('.cnnbook-explorer .cnnbook-message')
        message.wait_for()
        assert message.inner_text() == (
            'This explorer cannot run: its data has format '
            f'{explorer_site.VERSION + 1}, and this page\'s explorer.js '
            f'reads format {explorer_site.VERSION}. Rebuild the site '
            '(make book).')
        assert page.locator('.cnnbook-explorer-live').count() == 0
        assert page.locator('.cnnbook-explorer-static table').is_visible()
        assert not errors
