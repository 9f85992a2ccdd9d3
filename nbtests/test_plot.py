"""Tests of cnnbook.plot: figures build, tables render, curves update."""
import matplotlib
import numpy as np
import pytest

matplotlib.use('Agg')

from cnnbook.plot import (LiveCurves, Table, draw_pipelines,  # noqa: E402
                          show_class_maps, show_images)


def test_show_images_titles_from_labels():
    X = np.zeros((5, 1, 28, 28), dtype=np.float32)
    fig = show_images(X, [0, 1, 2, 3, 9], nrows=2, ncols=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ['t-shirt', 'trouser', 'pullover', 'dress',
                      'ankle boot', '']


def test_draw_pipelines_draws_every_box():
    fig = draw_pipelines([('a', [('x', 'w'), ('y', 'w')]),
                          ('b', [('p', 'w'), ('q', 'w'), ('r', 'w')])])
    ax = fig.axes[0]
    assert len(ax.patches) == 5
    texts = {t.get_text() for t in ax.texts}
    assert {'a', 'b', 'x', 'y', 'p', 'q', 'r'} <= texts


def test_table_text_and_html():
    t = Table(['run', 'acc', 'n'], [['ours', 0.91234, 60000],
                                    ['book <gpu>', 0.84, 2928]])
    text = repr(t).splitlines()
    assert text[0].split() == ['run', 'acc', 'n']
    assert '0.912' in text[2] and '60,000' in text[2]
    html = t._repr_html_()
    assert html.count('<tr>') == 3 and 'book &lt;gpu&gt;' in html


def test_live_curves_update_one_display(monkeypatch):
    shown = []

    class Handle:
        def __init__(self, obj):
            shown.append(['display', obj])

        def update(self, obj):
            shown.append(['update', obj])

    import IPython.display
    monkeypatch.setattr(IPython.display, 'display',
                        lambda obj, display_id: Handle(obj))
    curves = LiveCurves(num_epochs=2)
    curves.add(0.5, loss=2.0, train_acc=0.3)
    curves.show('epoch 1/2, batch 5/10, ETA 3 s')
    curves.add(1, loss=1.0, train_acc=0.6, test_acc=0.7)
    curves.show('done')
    curves.progress('still going')
    kinds = [k for k, _ in shown]
    # one figure and one text line, each created once and then updated
    assert kinds == ['display', 'display', 'update', 'update', 'update']
    # the figure goes out as a PNG, whatever the matplotlib backend
    figure = shown[0][1]
    assert figure.format == 'png' and figure.data[:8] == b'\x89PNG\r\n\x1a\n'
    assert repr(shown[-1][1]) == 'still going'
    lines = curves.ax.get_lines()
    assert [line.get_label() for line in lines] == ['train loss',
                                                    'train acc', 'test acc']
    assert list(lines[0].get_xdata()) == [0.5, 1]
    assert repr(curves) == 'LiveCurves(2 points, 2 epochs)'


def test_unknown_curve_is_an_error():
    with pytest.raises(KeyError):
        LiveCurves(1).add(1, accuracy=0.5)


def test_class_maps_one_map_per_class_on_one_scale():
    X = np.zeros((2, 1, 8, 8), dtype=np.float32)
    maps = np.zeros((2, 10, 2, 2), dtype=np.float32)
    maps[0, 3] = [[4, 0], [0, 0]]           # mean 1: class 3 (dress) wins
    maps[1, 7] = [[0, 2], [2, 2]]           # mean 1.5: class 7 (sneaker)
    fig = show_class_maps(X, maps, y=np.array([3.0, 0.0]))
    assert len(fig.axes) == 2 * 11
    row0 = fig.axes[:11]
    assert row0[0].get_title() == 'image\n(dress)'
    assert row0[4].get_title() == '*dress\n1.00'
    assert row0[4].title.get_fontweight() == 'bold'
    assert fig.axes[11 + 8].get_title() == 'sneaker\n1.50'
    assert fig.axes[12].get_title() == '*t-shirt\n0.00'
    # the maps of one image share a scale from 0 to its largest value,
    # and each map is stretched over the whole image
    overlay = row0[4].images[1]
    assert overlay.get_clim() == (0, 4.0)
    assert overlay.get_extent() == [-0.5, 7.5, 7.5, -0.5]
    assert fig.axes[11 + 1].images[1].get_clim() == (0, 2.0)


def test_class_maps_refuse_mismatched_inputs():
    with pytest.raises(ValueError, match=r'same N; got images of shape '
                       r'\(3, 8, 8\) and maps of shape \(2, 10, 2, 2\)'):
        show_class_maps(np.zeros((3, 1, 8, 8)), np.zeros((2, 10, 2, 2)))
    with pytest.raises(ValueError, match='maps .N, classes, h, w.'):
        show_class_maps(np.zeros((2, 8, 8)), np.zeros((2, 10, 4)))
