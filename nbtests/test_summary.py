"""Tests of cnnbook.summary against counts made by hand."""
import itertools

import mxnet as mx
import pytest
from mxnet.gluon import nn

from cnnbook.summary import describe, layer_summary


def lenet():
    net = nn.HybridSequential()
    net.add(nn.Conv2D(6, kernel_size=5, padding=2, activation='relu'),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Conv2D(16, kernel_size=5, activation='relu'),
            nn.MaxPool2D(pool_size=2, strides=2),
            nn.Dense(120, activation='relu'), nn.Dense(10))
    return net


def conv_out(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def test_lenet_by_hand():
    rows = layer_summary(lenet(), (1, 1, 28, 28), show=False)
    # weights + biases, counted by hand
    params = [1 * 6 * 5 * 5 + 6, 0, 6 * 16 * 5 * 5 + 16, 0,
              16 * 5 * 5 * 120 + 120, 120 * 10 + 10]
    assert [r.params for r in rows[:-1]] == params
    assert rows.total_params == sum(params) == 51902
    shapes = [(1, 6, 28, 28), (1, 6, 14, 14), (1, 16, 10, 10),
              (1, 16, 5, 5), (1, 120), (1, 10)]
    assert [r.output_shape for r in rows[:-1]] == shapes
    # one multiply-add per output element and kernel entry
    macs = [6 * 28 * 28 * 25, 0, 16 * 10 * 10 * 6 * 25, 0, 400 * 120, 1200]
    assert [r.macs for r in rows[:-1]] == macs
    assert rows.total_macs == sum(macs)
    assert rows[0].name == '0 Conv2D 6, 5x5'
    assert rows[1].name == '1 MaxPool2D 2x2 /2'
    assert rows[-1].name == 'total' and rows[-1].output_shape == (1, 10)


def test_batch_scales_macs_not_params():
    one = layer_summary(lenet(), (1, 1, 28, 28), show=False)
    four = layer_summary(lenet(), (4, 1, 28, 28), show=False)
    assert four.total_params == one.total_params
    assert four.total_macs == 4 * one.total_macs


@pytest.mark.parametrize('n, k, s, p', list(itertools.product(
    (9, 16, 23), (1, 3, 5), (1, 2, 3), (0, 1, 2))))
def test_shapes_follow_conv_arithmetic(n, k, s, p):
    net = nn.Sequential()
    net.add(nn.Conv2D(3, kernel_size=k, strides=s, padding=p),
            nn.MaxPool2D(pool_size=k, strides=s, padding=min(p, k // 2)))
    m = conv_out(n, k, s, p)
    q = conv_out(m, k, s, min(p, k // 2))
    if q < 1:
        with pytest.raises(ValueError, match=f'a {n}x{n} input is too '
                           f'small.*would be 0x0 \\(it receives {m}x{m}\\)'):
            layer_summary(net, (2, 1, n, n), show=False)
        return
    rows = layer_summary(net, (2, 1, n, n), show=False)
    assert rows[0].output_shape == (2, 3, m, m)
    assert rows[1].output_shape == (2, 3, q, q)


def nested():
    net = nn.HybridSequential()
    block = nn.HybridSequential()
    block.add(nn.Conv2D(8, 3, padding=1), nn.Conv2D(8, 1))
    net.add(block, nn.GlobalAvgPool2D(), nn.Dense(10))
    return net


def test_nested_rows_expand_and_sum():
    net = nested()
    flat = layer_summary(net, (1, 3, 12, 12), show=False)
    deep = layer_summary(net, (1, 3, 12, 12), expand=True, show=False)
    assert len(flat) == 4 and len(deep) == 5
    assert flat[0].name.startswith('0 HybridSequential (2 layers)')
    assert [r.name.strip() for r in deep[:2]] == ['0.0 Conv2D 8, 3x3',
                                                  '0.1 Conv2D 8, 1x1']
    assert flat[0].params == deep[0].params + deep[1].params == \
        (3 * 9 * 8 + 8) + (8 * 8 + 8)
    assert flat[0].macs == deep[0].macs + deep[1].macs
    assert flat.total_params == deep.total_params
    assert flat.total_macs == deep.total_macs


def test_hybridized_net_is_inspected_and_restored():
    net = lenet()
    net.initialize()
    net.hybridize()
    net(mx.nd.zeros((1, 1, 28, 28)))
    rows = layer_summary(net, (1, 1, 28, 28), show=False)
    assert rows.total_params == 51902
    assert net._active
    assert net(mx.nd.ones((2, 1, 28, 28))).shape == (2, 10)


def hybrid_state(net):
    """(active, flags) of every HybridBlock in ``net``, in walk order."""
    def walk(block):
        yield block
        for child in block._children.values():
            yield from walk(child)
    return [(b._active, dict(b._flags)) for b in walk(net)
            if isinstance(b, nn.HybridBlock)]


def test_hybridize_flags_are_restored():
    # as cnnbook.train hybridizes, with one block left imperative
    net = lenet()
    net.initialize()
    net.hybridize(static_alloc=True, static_shape=True)
    net[4].hybridize(False)
    net(mx.nd.zeros((1, 1, 28, 28)))
    before = hybrid_state(net)
    assert before[0] == (True, {'static_alloc': True, 'static_shape': True,
                                'inline_limit': 2})
    layer_summary(net, (1, 1, 28, 28), show=False)
    assert hybrid_state(net) == before
    assert net(mx.nd.ones((2, 1, 28, 28))).shape == (2, 10)


@pytest.mark.filterwarnings('ignore:All children of this Sequential')
def test_hybridized_children_of_a_plain_sequential():
    # Block.hybridize reaches the children; their hooks must still fire
    net = nn.Sequential()
    net.add(lenet())
    net.hybridize(static_alloc=True)
    before = hybrid_state(net)
    rows = layer_summary(net, (1, 1, 28, 28), expand=True, show=False)
    assert rows[0].output_shape == (1, 6, 28, 28)
    assert hybrid_state(net) == before


def test_numpy_interface():
    from mxnet import npx
    npx.set_np()
    assert layer_summary(lenet(), (1, 1, 28, 28),
                         show=False).total_params == 51902


def test_printed_table(capsys):
    rows = layer_summary(lenet(), (1, 1, 28, 28))
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ['layer', 'output', 'shape',
                                           'parameters', 'mult-adds']
    assert 'total' in out and '51,902' in out
    assert repr(rows).startswith('LayerTable(6 layers, 51,902 parameters')


def strided():
    net = nn.Sequential()
    net.add(nn.Conv2D(8, kernel_size=11, strides=4),
            nn.MaxPool2D(pool_size=3, strides=2))
    return net


def test_too_small_for_pool():
    with pytest.raises(ValueError, match=r"a 12x12 input is too small: after "
                       r"layer '1 MaxPool2D 3x3 /2' the feature map would be "
                       r"0x0 \(it receives 1x1\)"):
        layer_summary(strided(), (1, 1, 12, 12), show=False)


def test_too_small_for_conv_inside_block():
    net = nn.Sequential()
    inner = nn.Sequential()
    inner.add(nn.Conv2D(4, kernel_size=5))
    net.add(inner, nn.Flatten())
    with pytest.raises(ValueError, match=r"a 3x3 input is too small: after "
                       r"layer '0.0 Conv2D 4, 5x5'"):
        layer_summary(net, (1, 1, 3, 3), show=False)


def test_bad_input_shape():
    with pytest.raises(ValueError, match=r'\(batch, channels, height, '
                       r'width\) with positive sizes'):
        layer_summary(lenet(), (1, 28, 28), show=False)
    with pytest.raises(ValueError, match='positive sizes'):
        layer_summary(lenet(), (1, 1, 0, 28), show=False)


def test_describe():
    assert describe(nn.Dense(10)) == 'Dense 10'
    assert describe(nn.Dropout(0.5)) == 'Dropout 0.5'
    assert describe(nn.GlobalAvgPool2D()) == 'GlobalAvgPool2D'
    assert describe(nn.Conv2D(96, 11, 4)) == 'Conv2D 96, 11x11 /4'
