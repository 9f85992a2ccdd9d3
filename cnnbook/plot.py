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

    def show(self, progress=None):
        """Redraw the figure (and the progress line) in place."""
        from IPython.display import display
        self._draw()
        if self._fig_handle is None:
            self._fig_handle = display(self.fig, display_id=True)
        else:
            self._fig_handle.update(self.fig)
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
