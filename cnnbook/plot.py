"""Figures: live training curves and image grids."""
import numpy as np


def in_notebook():
    """True when running inside a Jupyter kernel (live or headless)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, 'kernel', None) is not None


class LiveCurves:
    """Loss and accuracies against epochs, redrawn in place in Jupyter.

    The figure and a one-line progress text are each shown through one
    display handle and updated in place, so an executed notebook keeps one
    final figure per run rather than one per redraw.
    """

    LINES = (('loss', 'train loss', '-'), ('train_acc', 'train acc', '--'),
             ('test_acc', 'test acc', '-.'))

    def __init__(self, num_epochs, title=None):
        from matplotlib.figure import Figure
        # A bare Figure (not pyplot) is not shown again at the cell's end.
        self.fig = Figure(figsize=(5, 3.2))
        self.ax = self.fig.add_subplot()
        self.num_epochs = num_epochs
        self.title = title
        self.points = {key: ([], []) for key, _, _ in self.LINES}
        self._fig_handle = self._text_handle = None

    def add(self, epoch, **values):
        """Add points at (fractional) ``epoch``: loss=..., test_acc=..."""
        for key, value in values.items():
            xs, ys = self.points[key]
            xs.append(epoch)
            ys.append(value)

    def _draw(self):
        ax = self.ax
        ax.cla()
        for key, label, style in self.LINES:
            xs, ys = self.points[key]
            if xs:
                ax.plot(xs, ys, style, label=label,
                        marker='o' if key == 'test_acc' else None)
        ax.set_xlabel('epoch')
        ax.set_xlim(0, max(self.num_epochs, 1))
        ax.grid(True, alpha=0.3)
        if self.title:
            ax.set_title(self.title)
        if any(xs for xs, _ in self.points.values()):
            ax.legend(loc='center right')
        self.fig.tight_layout()

    def png(self):
        """The figure as an IPython PNG image.

        Displaying the Figure itself would need the inline backend's PNG
        formatter, which IPython registers only once pyplot has drawn
        something; a page that draws nothing else first would show
        '<Figure ...>' as text.
        """
        import io
        from IPython.display import Image
        buf = io.BytesIO()
        self.fig.savefig(buf, format='png', bbox_inches='tight')
        return Image(data=buf.getvalue(), format='png')

    def show(self, progress=None):
        """Redraw the figure (and the progress line) in place."""
        from IPython.display import display
        self._draw()
        if self._fig_handle is None:
            self._fig_handle = display(self.png(), display_id=True)
        else:
            self._fig_handle.update(self.png())
        if progress is not None:
            self.progress(progress)

    def progress(self, text):
        """Replace the progress line under the figure (cheap: no redraw)."""
        from IPython.display import display
        if self._text_handle is None:
            self._text_handle = display(_Text(text), display_id=True)
        else:
            self._text_handle.update(_Text(text))

    def __repr__(self):
        n = len(self.points['loss'][0])
        return f'LiveCurves({n} points, {self.num_epochs} epochs)'


class _Text:
    """Plain text for a display handle (a str would show its quotes)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def show_images(X, y=None, nrows=2, ncols=9, scale=1.5, titles=None):
    """Draw a grid of images, titled with their text labels if ``y`` given.

    ``X`` is (N, 1, H, W) or (N, H, W): an MXNet array or a numpy array.
    """
    import matplotlib.pyplot as plt
    from .data import get_fashion_mnist_labels
    X = X.asnumpy() if hasattr(X, 'asnumpy') else np.asarray(X)
    if X.ndim == 4:
        X = X[:, 0]
    n = min(len(X), nrows * ncols)
    if titles is None and y is not None:
        titles = get_fashion_mnist_labels(y)
    fig, axes = plt.subplots(nrows, ncols,
                             figsize=(ncols * scale, nrows * scale * 1.15))
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis('off')
        if i < n:
            ax.imshow(X[i], cmap='gray_r')
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def draw_pipelines(pipelines, box_width=1.6, gap=0.45, figsize=None):
    """Draw rows of labelled boxes joined by arrows, one row per design.

    Args:
        pipelines: a list of (title, boxes); each box is (text, colour).
            Architecture diagrams are built from these rows, so a chapter
            states its layers as data and the drawing stays here.

    Returns:
        the matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch
    longest = max(len(boxes) for _, boxes in pipelines)
    width = longest * (box_width + gap)
    fig, ax = plt.subplots(figsize=figsize or (max(6.0, width * 1.05),
                                               1.45 * len(pipelines)))
    for row, (title, boxes) in enumerate(pipelines):
        y = -row * 1.45
        ax.text(0, y + 0.62, title, fontsize=10, fontweight='bold',
                va='bottom')
        for i, (text, colour) in enumerate(boxes):
            x = i * (box_width + gap)
            ax.add_patch(FancyBboxPatch(
                (x, y - 0.35), box_width, 0.7,
                boxstyle='round,pad=0.02,rounding_size=0.08',
                facecolor=colour, edgecolor='0.3'))
            ax.text(x + box_width / 2, y, text, ha='center', va='center',
                    fontsize=8)
            if i:
                ax.annotate('', xy=(x, y), xytext=(x - gap, y),
                            arrowprops=dict(arrowstyle='->', color='0.3'))
    ax.set_xlim(-0.1, width)
    ax.set_ylim(-1.45 * (len(pipelines) - 1) - 0.5, 1.0)
    ax.axis('off')
    fig.tight_layout()
    return fig


class Table:
    """A small table that renders as HTML in Jupyter and as text elsewhere.

    Hand-written rather than pandas, which the book does not otherwise
    need.
    """

    def __init__(self, header, rows):
        self.header, self.rows = list(header), [list(r) for r in rows]

    @staticmethod
    def _cell(value):
        if isinstance(value, float):
            return f'{value:.3f}'
        if isinstance(value, int):
            return f'{value:,}'
        return str(value)

    def _repr_html_(self):
        import html
        head = ''.join(f'<th>{html.escape(h)}</th>' for h in self.header)
        body = ''.join(
            '<tr>' + ''.join(f'<td>{html.escape(self._cell(v))}</td>'
                             for v in row) + '</tr>' for row in self.rows)
        return (f'<table><thead><tr>{head}</tr></thead>'
                f'<tbody>{body}</tbody></table>')

    def __repr__(self):
        cells = [self.header] + [[self._cell(v) for v in r]
                                 for r in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in
                  range(len(self.header))]
        lines = ['  '.join(c.ljust(w) for c, w in zip(r, widths))
                 for r in cells]
        lines.insert(1, '  '.join('-' * w for w in widths))
        return '\n'.join(lines)


def draw_branches(top, branches, bottom, box_width=1.9, figsize=None):
    """Draw parallel paths from one box into another, such as an Inception
    block: ``top`` feeds every branch, and every branch feeds ``bottom``.

    Args:
        top, bottom: (text, colour) boxes.
        branches: a list of paths, each a list of (text, colour) boxes
            drawn from top to bottom.

    Returns:
        the matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch
    depth = max(len(b) for b in branches)
    step, gap = 1.0, 0.5
    width = len(branches) * (box_width + gap)
    fig, ax = plt.subplots(figsize=figsize or (width * 0.95,
                                               (depth + 2) * 0.95))

    def box(x, y, text, colour):
        ax.add_patch(FancyBboxPatch(
            (x - box_width / 2, y - 0.3), box_width, 0.6,
            boxstyle='round,pad=0.02,rounding_size=0.08', facecolor=colour,
            edgecolor='0.3'))
        ax.text(x, y, text, ha='center', va='center', fontsize=8)

    def arrow(x0, y0, x1, y1):
        ax.annotate('', xy=(x1, y1 + 0.3), xytext=(x0, y0 - 0.3),
                    arrowprops=dict(arrowstyle='->', color='0.3'))

    centre = width / 2 - (box_width + gap) / 2
    y_bottom = -(depth + 1) * step
    box(centre, 0, *top)
    box(centre, y_bottom, *bottom)
    for i, path in enumerate(branches):
        x = i * (box_width + gap)
        y_prev, x_prev = 0, centre
        for j, (text, colour) in enumerate(path):
            # a short path sits at the bottom, next to the concatenation
            y = -(depth - len(path) + j + 1) * step
            box(x, y, text, colour)
            arrow(x_prev, y_prev, x, y)
            x_prev, y_prev = x, y
        arrow(x, y_prev, centre, y_bottom)
    ax.set_xlim(-box_width / 2 - 0.1, width - gap - box_width / 2 + 0.1)
    ax.set_ylim(y_bottom - 0.5, 0.5)
    ax.axis('off')
    fig.tight_layout()
    return fig


def draw_pointwise_dense(c_in, c_out, height, width, pixel=(1, 2)):
    """Draw a 1x1 convolution as one dense layer applied at every pixel.

    The input (``c_in`` maps of ``height`` x ``width``) and the output
    (``c_out`` maps) are drawn as stacks of grids. One pixel's channel
    vector is picked out in both, and joined by a dense layer of
    ``c_in`` inputs and ``c_out`` outputs: the same layer, with the same
    weights, serves every other pixel.

    Returns:
        the matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Rectangle
    fig, ax = plt.subplots(figsize=(8.6, 3.4))
    r, c = pixel
    shift = 0.35                    # offset between stacked channel maps

    def stack(x0, channels, colour, label):
        for k in reversed(range(channels)):
            ox, oy = x0 + k * shift, k * shift
            for i in range(height):
                for j in range(width):
                    hit = (i, j) == (r, c)
                    ax.add_patch(Rectangle(
                        (ox + j * 0.5, oy + (height - 1 - i) * 0.5), 0.5,
                        0.5, facecolor='#e69138' if hit else colour,
                        edgecolor='0.35', lw=0.6))
        ax.text(x0 + width * 0.25 + channels * shift / 2, -0.55, label,
                ha='center', va='top', fontsize=9)
        return x0 + (channels - 1) * shift + width * 0.5

    right_in = stack(0.0, c_in, '#cfe2f3',
                     f'input: {c_in} channels, {height}x{width}')
    net_x = right_in + 1.2
    ys_in = [1.0 + (height * 0.5 + 1.2) * (k + 0.5) / c_in
             for k in range(c_in)]
    ys_out = [0.6 + (height * 0.5 + 2.0) * (k + 0.5) / c_out
              for k in range(c_out)]
    for yi in ys_in:
        for yo in ys_out:
            ax.plot([net_x, net_x + 1.6], [yi, yo], color='0.6', lw=0.6)
    for yi in ys_in:
        ax.add_patch(Circle((net_x, yi), 0.14, facecolor='#e69138',
                            edgecolor='0.3', zorder=3))
    for yo in ys_out:
        ax.add_patch(Circle((net_x + 1.6, yo), 0.14, facecolor='#d9ead3',
                            edgecolor='0.3', zorder=3))
    ax.text(net_x + 0.8, -0.55,
            f'dense layer {c_in} -> {c_out}\n(the 1x1 kernel\'s weights)',
            ha='center', va='top', fontsize=9)
    ax.annotate('', xy=(net_x - 0.25, 1.6),
                xytext=(right_in - width * 0.5 + c * 0.5 + 0.45,
                        (height - 1 - r) * 0.5 + 0.25 + (c_in - 1) * shift),
                arrowprops=dict(arrowstyle='->', color='0.3'))
    out_x = net_x + 2.5
    right_out = stack(out_x, c_out, '#d9ead3',
                      f'output: {c_out} channels, {height}x{width}')
    ax.annotate('', xytext=(net_x + 1.85, 1.6),
                xy=(out_x + c * 0.5 + 0.25, (height - 1 - r) * 0.5 + 0.25),
                arrowprops=dict(arrowstyle='->', color='0.3'))
    ax.set_xlim(-0.3, right_out + 0.3)
    ax.set_ylim(-1.3, max(height * 0.5 + c_out * shift,
                          height * 0.5 + 2.6) + 0.2)
    ax.set_aspect('equal')
    ax.axis('off')
    fig.tight_layout()
    return fig


def draw_channel_splits(names, settings):
    """Draw each Inception block's output channels as one stacked bar,
    split among its four paths (1x1, 3x3, 5x5, pooling), as shares.

    Args:
        names: the blocks' names, e.g. ``'3a'``.
        settings: one ``(c1, c2, c3, c4)`` per block, as ``Inception``
            takes them (``c2``, ``c3``: (reduction, output) pairs).

    Returns:
        the matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    paths = [('1x1', '#6fa8dc'), ('3x3', '#93c47d'), ('5x5', '#e69138'),
             ('pool + 1x1', '#999999')]
    outs = [[c1, c2[1], c3[1], c4] for c1, c2, c3, c4 in settings]
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    bottom = [0.0] * len(outs)
    for k, (label, colour) in enumerate(paths):
        share = [o[k] / sum(o) for o in outs]
        ax.bar(names, share, bottom=bottom, color=colour, label=label,
               edgecolor='white')
        for x, (b, s, o) in enumerate(zip(bottom, share, outs)):
            ax.text(x, b + s / 2, str(o[k]), ha='center', va='center',
                    fontsize=7)
        bottom = [b + s for b, s in zip(bottom, share)]
    for x, o in enumerate(outs):
        ax.text(x, 1.02, str(sum(o)), ha='center', va='bottom', fontsize=7)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel('share of the output channels')
    ax.set_xlabel('Inception block (numbers: channels; on top: the total)')
    ax.legend(loc='center left', bbox_to_anchor=(1.0, 0.5), fontsize=8)
    fig.tight_layout()
    return fig

def show_class_maps(X, maps, y=None, scale=1.1):
    """Draw each image beside its class maps, one map per class.

    A class map is the last convolutional block's output for that class
    before global average pooling (a class activation map): its mean is
    the class score, so the map shows where the evidence for the class
    lies. Each map is stretched over its image; all maps of one image
    share one colour scale, so a dark map is a class with no evidence.

    Args:
        X: images, (N, 1, H, W) or (N, H, W), MXNet or numpy.
        maps: (N, C, h, w), one map per class, at any h and w.
        y: the true labels, or None. The true class's title starts with
            a star; the predicted class (largest mean) is in bold.

    Returns:
        The figure; its axes are row by row, the image first.
    """
    import matplotlib.pyplot as plt
    from .data import get_fashion_mnist_labels

    def as_numpy(a):
        return a.asnumpy() if hasattr(a, 'asnumpy') else np.asarray(a)

    X, maps = as_numpy(X), as_numpy(maps)
    y = None if y is None else as_numpy(y).astype(int)
    if X.ndim == 4:
        X = X[:, 0]
    if maps.ndim != 4 or X.ndim != 3 or len(maps) != len(X):
        raise ValueError(
            f'show_class_maps needs images (N, 1, H, W) or (N, H, W) and '
            f'maps (N, classes, h, w) for the same N; got images of shape '
            f'{X.shape} and maps of shape {maps.shape}')
    n, classes = maps.shape[:2]
    names = (get_fashion_mnist_labels(range(classes)) if classes == 10
             else [str(c) for c in range(classes)])
    height, width = X.shape[1:]
    fig, axes = plt.subplots(n, classes + 1, squeeze=False,
                             figsize=((classes + 1) * scale,
                                      n * scale * 1.25))
    for i in range(n):
        scores = maps[i].mean(axis=(1, 2))
        top = max(float(maps[i].max()), 1e-12)
        axes[i, 0].imshow(X[i], cmap='gray_r')
        axes[i, 0].set_title('image' if y is None else
                             f'image\n({names[y[i]]})', fontsize=8)
        for c in range(classes):
            ax = axes[i, c + 1]
            ax.imshow(X[i], cmap='gray', alpha=0.5)
            ax.imshow(maps[i, c], cmap='inferno', vmin=0, vmax=top,
                      alpha=0.75, interpolation='bilinear',
                      extent=(-0.5, width - 0.5, height - 0.5, -0.5))
            mark = '*' if y is not None and c == y[i] else ''
            ax.set_title(f'{mark}{names[c]}\n{scores[c]:.2f}', fontsize=7,
                         fontweight='bold' if c == scores.argmax()
                         else 'normal')
    for ax in axes.ravel():
        ax.axis('off')
    fig.tight_layout()
    return fig
