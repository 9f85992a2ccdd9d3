"""Tests of cnnbook.explorer_site, the explorers' data for the site.

The script that reads the data is tested against channel_report in a
real browser here, on explorers made in the test (a small residual
network among them), and on the built site (test_site.py's
test_site_explorers).
"""
import ast
import json
import re
from pathlib import Path

import matplotlib
import mxnet as mx
import pytest
from mxnet.gluon import nn

from cnnbook import chapters, explorer_site, summary, widgets
from cnnbook.chapters import definitions
from cnnbook.explorer_site import (ExportError, _nested, _shapes,
                                   chapter_explorers, explorer_data,
                                   html_view, mimebundle, table_html)
from cnnbook.widgets import channel_explorer, channel_report, \
    inception_explorer

matplotlib.use('Agg')

ROOT = Path(__file__).resolve().parents[1]
nin = definitions('nin.ipynb')['nin']
_goog = definitions('googlenet.ipynb')
googlenet, Inception = _goog['googlenet'], _goog['Inception']


class Residual(nn.HybridBlock):
    """Two 3x3 convolutions and a shortcut around them: the block's input
    itself, or a 1x1 convolution to the new channels and size."""

    def __init__(self, channels, project=False, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.conv1 = nn.Conv2D(channels, 3, strides=strides, padding=1,
                               activation='relu')
        self.conv2 = nn.Conv2D(channels, 3, padding=1)
        self.project = (nn.Conv2D(channels, 1, strides=strides) if project
                        else None)
        self.relu = nn.Activation('relu')

    def hybrid_forward(self, F, x):
        y = self.conv2(self.conv1(x))
        # an element-wise addition: elemwise_add, or _npi_add in mxnet.np
        return self.relu(y + (x if self.project is None
                              else self.project(x)))


def resnet(c1=8, c2=8, c3=16):
    """The identity shortcut of block 1 needs c2 == c1."""
    net = nn.HybridSequential()
    net.add(nn.Conv2D(c1, 3, padding=1, activation='relu'),
            Residual(c2), Residual(c3, project=True, strides=2),
            nn.GlobalAvgPool2D(), nn.Dense(10))
    return net


RESNET = dict(c1=8, c2=8, c3=16)


def residual_explorer(numpy):
    """The residual network's explorer, made in MXNet's nd API or (as 7.4
    does) in its NumPy interface."""
    with mx.util.np_shape(numpy), mx.util.np_array(numpy):
        return channel_explorer(resnet, (1, 3, 16, 16), dict(RESNET),
                                note='a residual network')


def _own(data, choice, x):
    """Each node's own channels at slider values ``x``, as the script
    reads them from the data."""
    own = [n.get('out') for n in data['nodes']]
    for k, nodes in enumerate(data['choices'][choice]['layers']):
        for i in nodes:
            own[i] = x[k]
    return own


def test_nin_as_data():
    ex = channel_explorer(nin, (1, 1, 96, 96), dict(c1=96, c2=256, c3=384),
                          note='a note')
    data = explorer_data(ex)
    assert data['version'] == explorer_site.VERSION == 2
    assert [s['name'] for s in data['sliders']] == ['c1', 'c2', 'c3']
    assert data['size'] == dict(label='input size', value=96, min=1,
                                max=192)
    assert data['note'] == 'a note'
    nodes = data['nodes']
    first = nodes[0]
    # Conv2D(c1, 11, stride 4) on the input, from MXNet's Convolution
    assert first['kind'] == 'window' and first['src'] == -1
    assert (first['k'], first['s'], first['p']) == ([11, 11], [4, 4],
                                                     [0, 0])
    assert first['out'] == 96
    assert first['params'] == [['out', 'in', 11, 11], ['out']]
    assert first['label'] == ['0.0 Conv2D ', {'out': True}, ', 11x11 /4']
    # the declared map: each slider sets the three convolutions of its
    # NiN block; the last block has 10 channels whatever the sliders say
    assert data['choices'][0]['layers'] == [[0, 1, 2], [4, 5, 6],
                                            [8, 9, 10]]
    assert [n['kind'] for n in nodes[-5:]] == ['window'] * 3 + [
        'global', 'flatten']
    assert [n['out'] for n in nodes[-5:-2]] == [10, 10, 10]
    # the ReLUs and the dropout keep their input's shape: no node
    assert len(nodes) == 4 * 3 + 3 + 2
    assert len(data['rows']) == len(ex.report.rows)
    assert data['rows'][0] == dict(name=['0 HybridSequential (3 layers)'],
                                   node=2, leaves=[0, 1, 2])
    assert data['baseline'] == dict(params=1_992_166,
                                    macs=ex.baseline.total_macs)
    assert data['messages'] == dict(widgets.MESSAGES,
                                    too_small=summary.TOO_SMALL)


def test_inception_blocks_and_headline():
    ex = inception_explorer(googlenet, (1, 1, 32, 32), Inception)
    data = explorer_data(ex)
    names = [c['name'] for c in data['choices']]
    assert names == list(widgets.BLOCK_NAMES)
    joins = [n for n in data['nodes'] if n['kind'] == 'concat']
    assert len(joins) == 9 and all(len(j['parts']) == 4 for j in joins)
    four_b = data['choices'][3]
    assert four_b['values'] == [160, 112, 224, 24, 64, 64]
    assert four_b['max'] == [widgets._limit(v, v) for v in four_b['values']]
    # each slider sets one convolution of block 4b: c1's is the first
    # part of 4b's concatenation, c4's (after the pooling) the last
    concat = data['nodes'].index(joins[3])
    assert all(len(nodes) == 1 for nodes in four_b['layers'])
    assert joins[3]['parts'][0] == four_b['layers'][0][0]
    assert joins[3]['parts'][3] == four_b['layers'][5][0] == concat - 1
    assert [data['nodes'][i]['out'] for i, in four_b['layers']] == \
        four_b['values']
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


@pytest.mark.parametrize('numpy', [False, True], ids=['nd', 'np'])
def test_residual_additions(numpy):
    """Element-wise additions, from MXNet's graph in either interface:
    their shapes must agree, and channel_report says so in the site's
    words when they do not."""
    ex = residual_explorer(numpy)
    data = explorer_data(ex)
    nodes = data['nodes']
    adds = [i for i, n in enumerate(nodes) if n['kind'] == 'add']
    assert len(adds) == 2
    # block 1 adds its input (the first convolution's output) back;
    # block 2 adds a 1x1 projection of its input
    assert nodes[adds[0]]['parts'] == [adds[0] - 1, 0]
    assert nodes[adds[1]]['parts'] == [adds[1] - 2, adds[1] - 1]
    assert nodes[adds[1] - 1]['k'] == [1, 1]
    assert data['choices'][0]['layers'] == [
        [0], [1, 2], [adds[0] + 1, adds[0] + 2, adds[0] + 3]]
    assert nodes[adds[0]]['label'] == ['1 Residual (3 layers)']
    # the script's rules on the data give channel_report's shapes
    keys = list(ex.sliders)
    for x, side in (([8, 8, 16], 16), ([5, 5, 3], 9), ([2, 2, 7], 1)):
        with ex.numpy_mode():
            report = channel_report(resnet, (1, 3, side, side),
                                    **_nested(x, keys))
        shapes = _shapes(nodes, (1, 3, side, side), _own(data, 0, x))
        assert [shapes[r['node']] for r in data['rows']] == \
            [r.output_shape for r in report.rows]
        assert shapes[data['output']] == report.output_shape
    # an identity shortcut around a change of channels is not possible;
    # c1 = 1 would broadcast in mxnet.np, so MXNet alone would allow it
    for c1 in (6, 1):
        message = ("'1 Residual (3 layers)' adds a (1, 8, 16, 16) tensor "
                   f'and a (1, {c1}, 16, 16) tensor: an addition needs the '
                   'same channels and size on both sides')
        with pytest.raises(ValueError) as e, ex.numpy_mode():
            channel_report(resnet, (1, 3, 16, 16), **dict(RESNET, c1=c1))
        assert str(e.value) == message
        with pytest.raises(ValueError) as e:
            _shapes(nodes, (1, 3, 16, 16), _own(data, 0, [c1, 8, 16]))
        assert str(e.value) == message
        ex.sliders['c1', None].value = c1
        assert ex.report is None and ex.message == message
    assert mx.util.is_np_array() is False


def test_explorers_switch_numpy_mode_either_way():
    """An explorer works in its own mode, whatever its caller's."""
    nd_ex, np_ex = residual_explorer(False), residual_explorer(True)
    for outer, inner in ((np_ex, nd_ex), (nd_ex, np_ex)):
        numpy = inner is np_ex
        with outer.numpy_mode():
            with inner.numpy_mode():
                assert mx.util.is_np_array() == mx.util.is_np_shape() == \
                    numpy
            assert mx.util.is_np_array() == (not numpy)
            inner.sliders['c3', None].value += 1
            assert inner.message is None
            assert explorer_data(inner)['nodes']
            assert mx.util.is_np_array() == (not numpy)
    assert not mx.util.is_np_array() and not mx.util.is_np_shape()


def test_graph_operators_of_both_interfaces():
    """The operators MXNet 1.9.1 names in its graph, nd and np."""
    seen = {}
    for numpy in (False, True):
        with mx.util.np_shape(numpy), mx.util.np_array(numpy):
            net = resnet()
            data = mx.sym.var('data')
            out = net(data.as_np_ndarray() if numpy else data)
            seen[numpy] = {n['op'] for n in json.loads(out.tojson())['nodes']}
    assert 'elemwise_add' in seen[False] and '_npi_add' in seen[True]
    for ops in seen.values():
        assert ops - {'null'} <= (explorer_site.SAME | explorer_site.ADD | {
            'Convolution', 'Pooling', 'FullyConnected'})


class _Halve(nn.HybridBlock):
    """Keeps every other row and column: a shape rule the site lacks."""

    def hybrid_forward(self, F, x):
        return F.slice(x, begin=(None, None, None, None),
                       end=(None, None, None, None), step=(1, 1, 2, 2))


def _halving(c1):
    net = nn.HybridSequential()
    net.add(nn.Conv2D(c1, 3), _Halve(), nn.GlobalAvgPool2D())
    return net


def _doubled(c1):
    net = nn.HybridSequential()
    net.add(nn.Conv2D(2 * c1, 3), nn.GlobalAvgPool2D())
    return net


def test_a_network_the_site_cannot_follow():
    ex = channel_explorer(_halving, (1, 1, 16, 16), dict(c1=4))
    with pytest.raises(ExportError, match="layer '1': the site cannot "
                       "follow MXNet's operator 'slice'"):
        explorer_data(ex)
    # Jupyter still gets the widget; the site says why it has no explorer
    bundle = mimebundle(ex, ex.widget._repr_mimebundle_())
    assert 'application/vnd.jupyter.widget-view+json' in bundle
    assert 'cannot run on the site' in bundle['text/html']
    # a layer whose channels are no one slider's value
    ex = channel_explorer(_doubled, (1, 1, 16, 16), dict(c1=4))
    with pytest.raises(ExportError, match="not one slider's value"):
        explorer_data(ex)


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
    assert table_html(ex.report.rows) in view
    # and Jupyter's bundle has both views
    bundle = ex._repr_mimebundle_()
    assert bundle['text/html'].startswith('<div class="cnnbook-explorer">')
    assert 'application/vnd.jupyter.widget-view+json' in bundle


def test_imports_go_one_way():
    """widgets imports explorer_site; explorer_site never imports
    widgets (it reads the explorer it is given)."""
    def imported(module):
        tree = ast.parse(Path(module.__file__).read_text())
        return {alias.name for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom)
                for alias in node.names} | {
            node.module or '' for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)}
    assert 'widgets' not in imported(explorer_site)
    assert 'explorer_site' in imported(widgets)


@pytest.mark.parametrize('name', [c.name for c in chapters.CHAPTERS
                                  if c.explorer])
def test_chapter_explorers_export(name):
    """Each cell tagged ``explorer`` makes an explorer the site can show,
    in the chapter's NumPy mode; the caller's mode stays as it was."""
    c = chapters.chapter(name)
    cells = chapters.tagged_cells(c.notebook, 'explorer')
    explorers = chapter_explorers(name)
    assert not mx.util.is_np_array() and not mx.util.is_np_shape()
    assert len(explorers) == len(cells) >= 1
    for ex in explorers:
        data = explorer_data(ex)
        kinds = [n['kind'] for n in data['nodes']]
        if c.explorer == 'inception':
            assert kinds.count('concat') == 9
            assert len(data['choices']) == len(widgets.BLOCK_NAMES)
            assert data['choices'][0]['headline'][0] == 'block 3a outputs '
        else:
            assert 'concat' not in kinds and data['choices'][0]['layers']
        assert len(data['rows']) == len(ex.baseline.rows)


# ---- The script against channel_report, in headless Chromium ----


def _page(path, body):
    """A page with explorer.js (beside it) and ``body``."""
    path.write_text('<!doctype html><html><head><meta charset="utf-8">'
                    '<script src="explorer.js"></script></head><body>'
                    f'{body}</body></html>')


def _open(browser):
    """A new page of ``browser`` and the list its script errors go to."""
    page, errors = browser.new_page(), []
    page.on('pageerror', lambda e: errors.append(str(e)))
    return page, errors



def test_the_page_computes_what_python_does(tmp_path, monkeypatch):
    """explorer.js gives channel_report's rows, totals and sentences:
    a residual network (nd and np), NiN and GoogLeNet's Inception
    blocks, at settings valid and not."""
    from browser import (READ_EXPLORER, SET_CONTROLS, headless_chromium,
                         python_view, serve)
    from IPython.display import HTML
    monkeypatch.setattr(widgets, '_bar_chart', lambda rows: HTML(''))
    explorers = [
        (residual_explorer(False), [
            (None, [8, 8, 16], 16), (None, [8, 6, 16], 16),
            (None, [3, 3, 5], 7), (None, [4, 4, 2], 1),
            (None, [1, 8, 16], 16)]),
        (residual_explorer(True), [
            (None, [1, 8, 16], 16), (None, [6, 6, 9], 11),
            (None, [7, 7, 7], 2)]),
        (channel_explorer(nin, (1, 1, 96, 96),
                          dict(c1=96, c2=256, c3=384)), [
            (None, [40, 100, 30], 99), (None, [96, 256, 384], 60)]),
        (inception_explorer(googlenet, (1, 1, 32, 32), Inception), [
            (3, [16, 8, 20, 4, 9, 5], 32), (8, [3, 5, 7, 2, 4, 6], 40),
            (0, [64, 96, 128, 16, 32, 32], 3)]),
    ]
    (tmp_path / 'explorer.js').write_bytes(
        (ROOT / '_static' / 'explorer.js').read_bytes())
    _page(tmp_path / 'page.html',
          ''.join(html_view(ex) for ex, _ in explorers))
    with serve(tmp_path) as url, headless_chromium() as browser:
        page, errors = _open(browser)
        page.goto(f'{url}/page.html')
        page.wait_for_selector('.cnnbook-explorer-live')
        mismatches = 0
        for i, (ex, settings) in enumerate(explorers):
            keys = list(ex.sliders)
            for choice, values, size in settings:
                page.evaluate(SET_CONTROLS, [i, choice, values, size])
                shown = page.evaluate(READ_EXPLORER, i)
                summary_, message, rows = python_view(
                    ex, choice, _nested(values, keys), size)
                want = dict(summary=summary_ or '', message=message,
                            rows=rows)
                shown = {k: shown[k] for k in want}
                setting = f'explorer {i}: {choice=} {values} {size}'
                assert shown == want, setting
                mismatches += 'adds a' in (shown['message'] or '')
        assert mismatches == 3
        assert not errors


def test_the_script_checks_the_data_version(tmp_path):
    """explorer.js reads the data format explorer_site writes; a page
    whose data has another says so and keeps its static table."""
    from browser import headless_chromium, serve
    script = (ROOT / '_static' / 'explorer.js').read_text()
    assert f'var VERSION = {explorer_site.VERSION};' in script
    (tmp_path / 'explorer.js').write_text(script)
    ex = channel_explorer(nin, (1, 1, 96, 96), dict(c1=96, c2=256, c3=384))
    view = html_view(ex)
    version = f'"version":{explorer_site.VERSION},'
    assert view.count(version) == 1
    other = view.replace(version, f'"version":{explorer_site.VERSION + 1},')
    for name, body in (('same', view), ('other', other)):
        _page(tmp_path / f'{name}.html', body)
    with serve(tmp_path) as url, headless_chromium() as browser:
        page, errors = _open(browser)
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
