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
