"""Tests of cnnbook.models against published parameter counts."""
import mxnet as mx

from cnnbook import layer_summary
from cnnbook.models import alexnet


def test_alexnet_parameters_and_shape():
    # 46,764,746 for one input channel and 10 classes (d2l section 5.6)
    rows = layer_summary(alexnet(), (2, 1, 224, 224), show=False)
    assert rows.total_params == 46_764_746
    assert rows[7].output_shape == (2, 256, 5, 5)
    # the first dense layer: 6400 inputs to 4096 units, counted by hand
    assert rows[8].params == 256 * 5 * 5 * 4096 + 4096


def test_alexnet_forward():
    net = alexnet(num_classes=7)
    net.initialize()
    assert net(mx.nd.zeros((3, 1, 224, 224))).shape == (3, 7)


def test_vgg11_parameters():
    from cnnbook.models import vgg11
    # 128,806,154 for one input channel and 10 classes (d2l section 5.7)
    rows = layer_summary(vgg11(), (1, 1, 224, 224), show=False)
    assert rows.total_params == 128_806_154
    # five 2x2 pools: 224 / 32 = 7
    assert rows[12].output_shape == (1, 512, 7, 7)
