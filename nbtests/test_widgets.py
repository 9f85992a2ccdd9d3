"""Tests of cnnbook.widgets on the chapters' own NiN and GoogLeNet,
loaded from the notebooks (cnnbook.chapters)."""
import matplotlib
import pytest

from cnnbook import layer_summary
from cnnbook.chapters import definitions
from cnnbook.widgets import (BLOCK_NAMES, _Override, channel_explorer,
                             channel_report, check_channels,
                             inception_explorer, inception_settings)

matplotlib.use('Agg')

nin = definitions('nin.ipynb')['nin']
_goog = definitions('googlenet.ipynb')
googlenet, Inception = _goog['googlenet'], _goog['Inception']
# the book's settings of blocks 3a and 4b (d2l 5.10)
BLOCK_3A = dict(c1=64, c2=(96, 128), c3=(16, 32), c4=32)
BLOCK_4B = dict(c1=160, c2=(112, 224), c3=(24, 64), c4=64)


def conv_out(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def test_report_matches_layer_summary_and_arithmetic():
    report = channel_report(nin, (1, 1, 224, 224), c1=48, c2=128, c3=200)
    table = layer_summary(nin(48, 128, 200), (1, 1, 224, 224), show=False)
    assert report.total_params == table.total_params
    assert report.total_macs == table.total_macs
    n = conv_out(224, 11, 4, 0)
    sizes = [n, conv_out(n, 3, 2, 0)]
    sizes.append(conv_out(sizes[-1], 3, 2, 0))
    sizes.append(conv_out(sizes[-1], 3, 2, 0))
    shapes = [r.output_shape for r in report.rows]
    assert shapes[0] == (1, 48, sizes[0], sizes[0])
    assert shapes[1] == (1, 48, sizes[1], sizes[1])
    assert shapes[3] == (1, 128, sizes[2], sizes[2])
    assert shapes[5] == (1, 200, sizes[3], sizes[3])
    assert report.output_shape == (1, 10)
    # the book's NiN, counted in the 5.9 chapter: 1,992,166
    assert channel_report(nin, (1, 1, 224, 224), c1=96, c2=256,
                          c3=384).total_params == 1_992_166


@pytest.mark.parametrize('channels, message', [
    (dict(c1=0), r'c1 must be at least 1 \(got 0\)'),
    (dict(c2=-5), r'c2 must be at least 1 \(got -5\)'),
    (dict(c1=2.5), r'c1 must be a whole number of channels, got 2.5'),
    (dict(c3='64'), r"c3 must be a whole number of channels, got '64'"),
    (dict(c1=True), r'c1 must be a whole number'),
    (dict(c2=(96, 0)), r'c2\[1\] must be at least 1'),
])
def test_impossible_channels(channels, message):
    with pytest.raises(ValueError, match=message):
        channel_report(nin, (1, 1, 224, 224), **channels)


def test_input_too_small():
    with pytest.raises(ValueError, match=r"a 6x6 input is too small: after "
                       r"layer '0.0 Conv2D 96, 11x11 /4' the feature map "
                       r"would be 0x0"):
        channel_report(nin, (1, 1, 6, 6))
    with pytest.raises(ValueError, match=r"a 66x66 input is too small: "
                       r"after layer '5 MaxPool2D 3x3 /2'"):
        channel_report(nin, (1, 1, 66, 66))
    with pytest.raises(ValueError, match='positive whole number'):
        channel_report(nin, (1, 1, 0, 0))


def test_check_channels_normalises():
    assert check_channels(dict(c1=4.0, c2=(1, 2))) == dict(c1=4, c2=(1, 2))


def test_inception_settings_read_from_builder():
    settings = inception_settings(googlenet, Inception)
    assert len(settings) == 9
    assert settings[0] == BLOCK_3A and settings[3] == BLOCK_4B


def test_explorer_updates_on_slider_change():
    ex = channel_explorer(nin, (1, 1, 96, 96), dict(c1=96, c2=256, c3=384))
    base = ex.report.total_params
    assert ex.baseline.total_params == base
    ex.sliders[('c1', None)].value = 48
    assert ex.report.channels['c1'] == 48
    assert ex.report.total_params < base
    assert '% vs the book' in ex.summary.value
    # the output widget holds the new table
    html = ''.join(o['data'].get('text/html', '')
                   for o in ex.output.outputs)
    assert '(1, 48, 22, 22)' in html
    assert any('image/png' in o['data'] for o in ex.output.outputs)
    ex.size.value = 30                      # too small for NiN
    assert ex.report is None and 'a 30x30 input is too small' in ex.message
    assert 'Not possible' in ''.join(o['data'].get('text/html', '')
                                     for o in ex.output.outputs)
    ex.reset()
    assert ex.report.total_params == base and ex.size.value == 96


def test_inception_explorer_changes_one_block():
    ex = inception_explorer(googlenet, (1, 1, 32, 32), Inception)
    assert ex.picker.options == BLOCK_NAMES
    ex.picker.value = '4b'
    assert ex.values() == BLOCK_4B
    base = ex.report.total_params
    ex.sliders[('c2', 1)].value = 16
    assert 'block 4b outputs 160 + 16 + 64 + 64 = <b>304</b> channels' in \
        ex.summary.value
    rows = {r.name.strip(): r for r in ex.report.rows}
    block_4b = [r for name, r in rows.items() if name.startswith('3.1 ')]
    assert block_4b and block_4b[0].output_shape[1] == 304
    assert ex.report.total_params < base
    ex.picker.value = '3a'                  # back to 3a's own settings
    assert ex.values() == BLOCK_3A
    assert ex.report.total_params == base


def test_report_on_googlenet():
    report = channel_report(googlenet, (1, 1, 96, 96))
    table = layer_summary(googlenet(), (1, 1, 96, 96), show=False)
    assert (report.total_params, report.total_macs) == \
        (table.total_params, table.total_macs)
    assert report.output_shape == (1, 10)


def _table(ex):
    return ''.join(o['data'].get('text/html', '') for o in ex.output.outputs)


def test_numpy_explorer_keeps_updating_outside_numpy_mode():
    """Defect: 7.4's explorer went stale after its first change, because
    ipykernel handled the slider's messages where MXNet's NumPy mode (a
    per-thread setting) was off, and layer_summary then fed a legacy
    ndarray to the np network."""
    import threading

    from cnnbook.chapters import chapter
    names = definitions('googlenet-numpy.ipynb')
    build, block = names['googlenet'], names['Inception']
    with chapter('googlenet-numpy').numpy_mode():        # npx.set_np()
        ex = inception_explorer(build, (1, 1, 32, 32), block)
        expected = {c1: channel_report(
            lambda **c: build(block=_Override(block, 0, c)),
            (1, 1, 32, 32), depth=2, **dict(BLOCK_3A, c1=c1))
            for c1 in (8, 9, 10, 11)}
    c1 = ex.sliders[('c1', None)]

    def move(value):
        c1.value = value
        assert ex.message is None, ex.message
        assert ex.report.total_params == expected[value].total_params
        assert f'{expected[value].total_params:,}' in ex.summary.value
        shown = _table(ex)
        for row in expected[value].rows:
            assert f'<td>{row.output_shape}</td><td>{row.params:,}</td>' \
                in shown

    for value in (8, 9):            # here, with the mode off
        move(value)
    for value in (10, 11):          # in another thread, as ipykernel may
        errors = []
        t = threading.Thread(target=lambda v=value: _catch(errors, move, v))
        t.start()
        t.join(60)
        assert not t.is_alive() and errors == []


def _catch(errors, f, *args):
    try:
        f(*args)
    except BaseException as e:      # handed to the main thread
        errors.append(e)


def test_callback_error_shows_in_the_output_area():
    def build(c1, c2, c3):
        if c1 == 7:
            raise TypeError('a bug in the builder')
        return nin(c1, c2, c3)
    ex = channel_explorer(build, (1, 1, 96, 96), dict(c1=96, c2=256, c3=384))
    ex.sliders[('c1', None)].value = 7      # no exception escapes
    assert ex.report is None
    assert ex.message == 'TypeError: a bug in the builder'
    shown = _table(ex)
    assert 'The explorer failed' in shown and 'Traceback' in shown
    assert ex.summary.value == ''
    ex.sliders[('c1', None)].value = 8      # and it recovers
    assert ex.report.channels['c1'] == 8 and 'failed' not in _table(ex)


def test_inception_slider_limits_follow_the_block():
    ex = inception_explorer(googlenet, (1, 1, 32, 32), Inception)
    settings = inception_settings(googlenet, Inception)
    for name in ('4e', '5b', '3a'):
        ex.picker.value = name
        book = settings[BLOCK_NAMES.index(name)]
        for (key, i), slider in ex.sliders.items():
            v = book[key] if i is None else book[key][i]
            assert slider.value == v
            assert slider.max == max(4 * v, 16), (name, key, i)
    ex.picker.value = '5b'              # c1 = 384, at 3a's old limit 256
    top = ex.sliders[('c1', None)]
    top.value = top.max
    assert top.value == 4 * 384 and ex.values()['c1'] == 4 * 384
    assert ex.report.channels['c1'] == 4 * 384


def test_change_is_never_rounded_to_none():
    from cnnbook.widgets import _change
    assert _change(5_980_255, 5_977_530) == '+0.05% vs the book'
    assert _change(5_977_529, 5_977_530) == '-0.00002% vs the book'
    assert _change(48, 96) == '-50% vs the book'
    assert _change(1_992_166, 1_992_166) == 'as in the book'
    for new in (1_000_001, 999_999, 1_004_999, 1_000_000_000):
        assert not _change(new, 1_000_000).startswith(('+0%', '-0%'))
