"""The chapters' own model code, loaded from the notebooks, checked
against the shapes and parameter counts the text states and against the
convolution arithmetic."""
import pytest
from mxnet import nd

from cnnbook import layer_summary
from cnnbook.chapters import builder, chapter, definitions, sections


@pytest.fixture(scope='module')
def nin():
    return definitions('nin.ipynb')


@pytest.fixture(scope='module')
def goog():
    return definitions('googlenet.ipynb')


def test_definitions_run_nothing_else(nin):
    assert {'nin_block', 'nin'} <= set(nin)
    # no data loaded, nothing trained or drawn
    assert not {'history', 'train_iter', 'cfg', 'fig', 'rows'} & set(nin)


def test_nin_shapes_and_parameters(nin):
    rows = layer_summary(nin['nin'](), (1, 1, 224, 224), show=False)
    assert [r.output_shape for r in rows[:-1]] == [
        (1, 96, 54, 54), (1, 96, 26, 26), (1, 256, 26, 26),
        (1, 256, 12, 12), (1, 384, 12, 12), (1, 384, 5, 5),
        (1, 384, 5, 5), (1, 10, 5, 5), (1, 10, 1, 1), (1, 10)]
    assert rows.total_params == 1_992_166


def test_nin_smallest_input(nin):
    # (n - 11) // 4 + 1 >= 15 is needed for three 3x3/2 pools to leave 1x1
    smallest = min(n for n in range(20, 100) if (n - 11) // 4 + 1 >= 15)
    assert smallest == 67
    assert layer_summary(nin['nin'](), (1, 1, 67, 67),
                         show=False)[-1].output_shape == (1, 10)
    with pytest.raises(ValueError, match='a 66x66 input is too small'):
        layer_summary(nin['nin'](), (1, 1, 66, 66), show=False)


def test_nin_block_shape(nin):
    blk = nin['nin_block'](8, kernel_size=3, strides=2, padding=1)
    blk.initialize()
    assert blk(nd.zeros((2, 3, 9, 9))).shape == (2, 8, 5, 5)


def test_googlenet_stages(goog):
    rows = layer_summary(goog['googlenet'](), (1, 1, 96, 96), show=False)
    assert [r.output_shape for r in rows[:-1]] == [
        (1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6), (1, 832, 3, 3),
        (1, 1024, 1, 1), (1, 10)]
    assert rows.total_params == 5_977_530


def test_inception_keeps_size_and_adds_channels(goog):
    blk = goog['Inception'](64, (96, 128), (16, 32), 32)
    blk.initialize()
    assert blk(nd.zeros((2, 192, 7, 7))).shape == (2, 256, 7, 7)
    # parameters by hand: each conv has c_out * (c_in * k * k + 1)
    by_hand = (64 * (192 + 1) + 96 * (192 + 1) + 128 * (96 * 9 + 1)
               + 16 * (192 + 1) + 32 * (16 * 25 + 1) + 32 * (192 + 1))
    assert layer_summary(blk, (1, 192, 7, 7),
                         show=False).total_params == by_hand


def test_googlenet_hybridizes(goog):
    net = goog['googlenet']()
    net.initialize()
    net.hybridize()
    assert net(nd.zeros((2, 1, 28, 28))).shape == (2, 10)


@pytest.mark.parametrize('name', [c.name for c in sections()])
def test_every_chapter_network_runs_forward(name):
    # at the input the cpu profile trains on; a batch of 2, in the
    # chapter's own array mode
    import mxnet as mx
    c = chapter(name)
    side = c.cpu.resize or 28
    net = builder(name)()
    with c.numpy_mode():
        net.initialize()
        zeros = mx.np.zeros if c.api == 'np' else mx.nd.zeros
        assert net(zeros((2, 1, side, side))).shape == (2, 10)


def test_the_numpy_chapter_leaves_the_callers_mode_alone():
    # Defect: building 7.4's net left MXNet's NumPy interface on, and a
    # later nd network failed with "received a legacy ndarray".
    import cnnbook
    from mxnet import gluon, nd, util
    from mxnet.gluon import nn
    names = definitions('googlenet-numpy.ipynb')
    assert len(names['INCEPTION_CHANNELS']['b4']) == 5
    net = builder('googlenet-numpy')()
    assert not util.is_np_array() and not util.is_np_shape()
    with chapter('googlenet-numpy').numpy_mode():
        assert util.is_np_array() and util.is_np_shape()
        net.initialize()
    assert not util.is_np_array()
    mlp = nn.HybridSequential()
    mlp.add(nn.Dense(8, activation='relu'), nn.Dense(10))
    X, y = nd.random.uniform(shape=(64, 1, 4, 4)), nd.zeros((64,))
    data = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), 32)
    cnnbook.train(mlp, data, data, 1, 0.1, plot=False)


def test_only_tagged_cells_run(tmp_path, monkeypatch):
    import nbformat
    from cnnbook import chapters
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell('SIZE = 3\nimport math',
                                  metadata={'tags': [chapters.TAG]}),
        nbformat.v4.new_code_cell('raise RuntimeError("training")'),
        nbformat.v4.new_code_cell('def area():\n    return SIZE ** 2',
                                  metadata={'tags': ['hide-input',
                                                     chapters.TAG]})])
    nbformat.write(nb, tmp_path / 'x.ipynb')
    monkeypatch.setattr(chapters, 'BOOK', tmp_path)
    names = chapters.definitions('x.ipynb')
    assert names['area']() == 9 and names['math'].pi > 3
    nbformat.write(nbformat.v4.new_notebook(cells=nb.cells[1:2]),
                   tmp_path / 'y.ipynb')
    with pytest.raises(ValueError, match=r"y.ipynb has no cell tagged "
                       r"'chapter-model'"):
        chapters.definitions('y.ipynb')


def test_builder_lookup():
    assert builder('googlenet-numpy').__name__ == 'googlenet'
    with pytest.raises(ValueError, match="unknown section 'vgg'; known: "
                       "quickstart, nin"):
        builder('vgg')



@pytest.mark.parametrize('name', [c.name for c in sections()])
def test_the_training_run_loads_what_its_recipe_asks(name):
    # Flips are the loader's, not cnnbook.train's: a chapter whose recipe
    # asks for them must pass cfg.flip to the load_data_fashion_mnist call
    # of its training run (the one that reads cfg.subset), or the recipe
    # it names would not be the one it trains.
    import json
    from cnnbook import chapters
    c = chapter(name)
    nb = json.loads((chapters.BOOK / c.notebook).read_text())
    calls = [chapters.source(cell) for cell in nb['cells']
             if cell['cell_type'] == 'code'
             and 'subset=cfg.subset' in chapters.source(cell)]
    assert len(calls) == 1 and 'load_data_fashion_mnist(' in calls[0]
    flips = any(r.flip for r in (c.book, c.cpu, c.smoke))
    assert ('flip=cfg.flip' in calls[0]) == flips, (
        f'{name}: its recipes {"flip" if flips else "do not flip"}, and '
        f'its loader call {"does not pass" if flips else "passes"} '
        f'flip=cfg.flip:\n{calls[0]}')
