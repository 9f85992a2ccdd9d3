"""Channel explorers: change a network's channel counts, see the cost live.

``channel_report`` is the plain function behind every widget, so a test or
a script can call it directly. The builders come from the notebooks, so a
chapter's model code stays its only definition. An explorer's output also
carries the site's view of it (``cnnbook.explorer_site``, which this
module imports and which imports nothing from here).
"""
import collections
import dataclasses
import functools
import html
import numbers
import traceback

from .explorer_site import (MESSAGES, ExportError, check_shapes, mimebundle,
                            table_html)
from .summary import layer_summary

BLOCK_NAMES = ('3a', '3b', '4a', '4b', '4c', '4d', '4e', '5a', '5b')


@dataclasses.dataclass
class Report:
    """What one setting of the channels costs."""

    channels: dict
    rows: list           # Row objects, without the total
    total_params: int
    total_macs: int
    output_shape: tuple

    def __repr__(self):
        return (f'Report({self.total_params:,} parameters, '
                f'{self.total_macs:,} mult-adds, output {self.output_shape})')


# A block an explorer can pick (its picker's option; None for an
# explorer of the whole network): the builder with that block's channels
# set by the sliders, the book's values, and the headline function
Choice = collections.namedtuple('Choice', 'name build defaults headline')


def _whole(name, value):
    """Check one channel count; return it as an int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(MESSAGES['not_whole'].format(name=name,
                                                      value=repr(value)))
    if value != int(value):
        raise ValueError(MESSAGES['not_whole'].format(name=name,
                                                      value=value))
    if value < 1:
        raise ValueError(MESSAGES['below_one'].format(name=name,
                                                      value=value))
    return int(value)


def check_channels(channels):
    """Validate channel counts (ints, or pairs of ints); return them clean.

    Raises:
        ValueError: with a sentence naming the setting, e.g. "c1 must be at
            least 1 (got 0): ...".
    """
    clean = {}
    for name, value in channels.items():
        if isinstance(value, (tuple, list)):
            clean[name] = tuple(_whole(f'{name}[{i}]', v)
                                for i, v in enumerate(value))
        else:
            clean[name] = _whole(name, value)
    return clean


def channel_report(build, input_shape, depth=1, **channels):
    """Build a net from channel counts, run one forward pass, tabulate it.

    Args:
        build: a function returning a gluon network from keyword channel
            counts, such as a chapter's ``nin``.
        input_shape: e.g. (1, 1, 224, 224).
        depth: the nesting level of the rows (see ``layer_summary``).
        **channels: the counts, ints or (reduce, out) pairs.

    Raises:
        ValueError: an impossible setting, in words a student understands:
            a count below 1, a non-integer, an input too small, or a
            residual addition of two different shapes.
    """
    import mxnet as mx
    channels = check_channels(channels)
    side = input_shape[-1]
    if not isinstance(side, numbers.Integral) or side < 1:
        raise ValueError(MESSAGES['bad_size'].format(value=repr(side)))
    try:
        net = build(**channels)
    except mx.base.MXNetError as e:
        raise ValueError(f'these channels cannot be built: '
                         f'{str(e).splitlines()[0]}') from None
    try:
        # in the site's words, and before MXNet's own errors
        check_shapes(net, input_shape)
    except ExportError:
        pass            # the forward pass below still checks it
    table = layer_summary(net, input_shape, show=False, depth=depth)
    return Report(channels, list(table[:-1]), table.total_params,
                  table.total_macs, table[-1].output_shape)


def _change(new, old):
    """'+12%' style change, or 'as in the book'.

    A small change gets as many decimals as it takes not to round to
    zero: 5,980,255 against 5,977,530 is '+0.05%', never '+0%'.
    """
    if new == old:
        return 'as in the book'
    percent = 100 * (new - old) / old
    decimals = 0
    while round(abs(percent), decimals) == 0:
        decimals += 1
    return f'{percent:+.{decimals}f}% vs the book'


def _limit(default, value):
    """A slider's maximum: four times the book's value (at least 16), and
    never below the value it must show."""
    return max(4 * default, 16, value)


def _bar_chart(rows):
    """Parameters per row as a horizontal bar chart, as a PNG image."""
    import io

    from IPython.display import Image
    from matplotlib.figure import Figure
    fig = Figure(figsize=(5, 0.28 * len(rows) + 0.8))
    ax = fig.add_subplot()
    names = [r.name.strip() for r in rows][::-1]
    ax.barh(range(len(rows)), [r.params for r in rows][::-1],
            color='#6fa8dc')
    ax.set_yticks(range(len(rows)), names, fontsize=7)
    ax.set_xlabel('parameters')
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=80)
    return Image(buf.getvalue())


class ChannelExplorer:
    """Sliders for a network's channels and input size, with a live table.

    Build one with :func:`channel_explorer` or :func:`inception_explorer`;
    display it as the last expression of a cell. ``widget`` is the
    ipywidgets box, ``sliders`` the channel sliders, ``output`` the area
    the table is drawn in, and ``report`` the last :class:`Report` (None
    when the setting is invalid, with ``message`` saying why).
    ``choices`` lists the blocks it can pick (:class:`Choice`), for the
    site's view.

    The callbacks run in MXNet's NumPy mode as it was when the explorer
    was made (7.4's ``npx.set_np()``): ipykernel may handle widget
    messages where that thread-local mode is off. An unexpected error in
    a callback is shown in the output area, with its traceback, rather
    than lost in the kernel's log.
    """

    limit = staticmethod(_limit)

    def __init__(self, build, input_shape, defaults, note=None, depth=1,
                 extra=(), headline=None):
        import ipywidgets as w
        import mxnet as mx
        self.build, self.input_shape, self.depth = build, input_shape, depth
        self.note = note
        self._np_mode = (mx.util.is_np_array(), mx.util.is_np_shape())
        self.defaults = dict(defaults)
        # headline(values) -> HTML put before the totals, or None
        self.headline = headline
        self.choices = [Choice(None, build, self.defaults, headline)]
        self.sliders = {}
        for name, value in self.defaults.items():
            parts = value if isinstance(value, tuple) else (value,)
            for i, v in enumerate(parts):
                key = (name, i) if isinstance(value, tuple) else (name, None)
                label = (f'{name} {("reduce", "out")[i]}'
                         if isinstance(value, tuple) else name)
                self.sliders[key] = w.IntSlider(
                    value=v, min=1, max=_limit(v, v), description=label,
                    continuous_update=False)
        side = input_shape[-1]
        self.size = w.IntSlider(value=side, min=1, max=2 * side,
                                description='input size',
                                continuous_update=False)
        self.reset_button = w.Button(description='reset to the book')
        self.reset_button.on_click(self._guarded(lambda _: self.reset()))
        self.summary = w.HTML()
        self.output = w.Output()
        self._suspended = False
        for s in [*self.sliders.values(), self.size]:
            s.observe(lambda change: self.update(), names='value')
        header = [w.HTML(f'<i>{note}</i>')] if note else []
        self.widget = w.VBox(header + list(extra) + [
            w.HBox([w.VBox(list(self.sliders.values())),
                    w.VBox([self.size, self.reset_button])]),
            self.summary, self.output])
        self.baseline = channel_report(build, input_shape, depth,
                                       **self.defaults)
        self.report = self.message = None
        self.update()

    def numpy_mode(self):
        """A context in MXNet's NumPy mode as it was when the explorer
        was made; the caller's mode comes back after."""
        from .chapters import numpy_mode
        array, shape = self._np_mode
        return numpy_mode(array, shape)

    def values(self):
        """The channel settings the sliders show now."""
        out = {}
        for (name, i), slider in self.sliders.items():
            if i is None:
                out[name] = slider.value
            else:
                out[name] = out.get(name, ()) + (slider.value,)
        return out

    def set_values(self, values):
        """Move the sliders to ``values`` and update once.

        Each slider's maximum follows ``defaults`` (four times the book's
        value), so that a new block's sliders can move both ways.
        """
        self._suspended = True
        try:
            for (name, i), slider in self.sliders.items():
                v = values[name] if i is None else values[name][i]
                d = (self.defaults[name] if i is None
                     else self.defaults[name][i])
                # value first when it grows, so that it is never clamped
                if v > slider.max:
                    slider.max = _limit(d, v)
                    slider.value = v
                else:
                    slider.value = v
                    slider.max = _limit(d, v)
        finally:
            self._suspended = False
        self.update()

    def reset(self):
        """Back to the book's channels and input size."""
        self._suspended = True
        self.size.value = self.input_shape[-1]
        self.set_values(self.defaults)

    def _show(self, *objects):
        """Replace the output area's content in one step.

        Setting ``outputs`` rather than capturing ``display`` calls works
        outside a running kernel too (tests, headless builds), and the
        widget state saved in the notebook then holds the table.
        """
        from IPython.core.interactiveshell import InteractiveShell
        fmt = InteractiveShell.instance().display_formatter.format
        outputs = []
        for obj in objects:
            data, metadata = fmt(obj)
            outputs.append({'output_type': 'display_data', 'data': data,
                            'metadata': metadata})
        self.output.outputs = tuple(outputs)

    def _guarded(self, callback):
        """``callback`` run in the explorer's NumPy mode, with any error
        shown in the output area."""
        def run(*args):
            try:
                with self.numpy_mode():
                    return callback(*args)
            except Exception:
                self._show_error(traceback.format_exc())
        return run

    def _show_error(self, text):
        from IPython.display import HTML
        self.report = None
        self.message = text.strip().splitlines()[-1]
        self.summary.value = ''
        self._show(HTML('<p style="color:#a00"><b>The explorer failed:</b> '
                        f'{html.escape(self.message)}</p><pre>'
                        f'{html.escape(text)}</pre>'))

    def update(self):
        """Recompute the report for the sliders' values and redraw."""
        if not self._suspended:
            self._guarded(self._update)()

    def _update(self):
        from IPython.display import HTML
        shape = tuple(self.input_shape[:-2]) + (self.size.value,) * 2
        try:
            self.report = channel_report(self.build, shape, self.depth,
                                         **self.values())
            self.message = None
        except ValueError as e:
            self.report, self.message = None, str(e)
        if self.report is None:
            self.summary.value = ''
            self._show(HTML(f'<p style="color:#a00"><b>Not possible:</b> '
                            f'{html.escape(self.message)}</p>'))
            return
        r, b = self.report, self.baseline
        head = self.headline(self.values()) + '<br>' if self.headline else ''
        self.summary.value = (
            f'{head}<b>{r.total_params:,}</b> parameters '
            f'({_change(r.total_params, b.total_params)}), '
            f'<b>{r.total_macs / 1e6:,.1f} M</b> mult-adds '
            f'({_change(r.total_macs, b.total_macs)}); output '
            f'{r.output_shape}')
        self._show(HTML(table_html(r.rows)), _bar_chart(r.rows))

    def _repr_mimebundle_(self, **kwargs):
        # the widget for Jupyter, and HTML that the site makes live
        return mimebundle(self, self.widget._repr_mimebundle_(**kwargs))

    def __repr__(self):
        state = (repr(self.report) if self.report is not None
                 else f'invalid: {self.message}')
        return f'ChannelExplorer({self.values()}, {state})'


def channel_explorer(build, input_shape, defaults, note=None):
    """A :class:`ChannelExplorer` for ``build(**defaults)``.

    For NiN: ``channel_explorer(nin, (1, 1, 224, 224),
    dict(c1=96, c2=256, c3=384))``.
    """
    return ChannelExplorer(build, input_shape, defaults, note=note)


class _Override:
    """A block factory that changes the channels of the k-th block built.

    It stands in for the ``block`` argument of a chapter's builder, so the
    chapter's own stages are used unchanged.
    """

    def __init__(self, block, k=None, channels=None):
        self.block, self.k, self.channels = block, k, channels
        self.calls = []

    def __call__(self, c1, c2, c3, c4):
        self.calls.append((c1, c2, c3, c4))
        if len(self.calls) - 1 == self.k:
            c = self.channels
            return self.block(c['c1'], c['c2'], c['c3'], c['c4'])
        return self.block(c1, c2, c3, c4)


def inception_settings(build, block):
    """The channels of every Inception block that ``build`` makes."""
    recorder = _Override(block)
    build(block=recorder)
    return [dict(zip(('c1', 'c2', 'c3', 'c4'), c)) for c in recorder.calls]


def inception_explorer(build, input_shape, block, names=BLOCK_NAMES):
    """A :class:`ChannelExplorer` for one Inception block at a time.

    Args:
        build: the chapter's GoogLeNet builder, taking ``block=``.
        block: the chapter's Inception class.

    A dropdown picks the block (3a ... 5b); the sliders set its c1,
    c2 = (reduce, out), c3 = (reduce, out) and c4. The table has a row per
    Inception block, so it shows the network's shapes from that block on.
    """
    import ipywidgets as w
    settings = inception_settings(build, block)
    if len(settings) != len(names):
        raise ValueError(f'{build.__name__} builds {len(settings)} '
                         f'Inception blocks, but {len(names)} names were '
                         'given')
    picker = w.Dropdown(options=list(names), value=names[0],
                        description='block')
    state = {'k': 0}

    def build_block(k, c1, c2, c3, c4):
        return build(block=_Override(block, k,
                                     dict(c1=c1, c2=c2, c3=c3, c4=c4)))

    def headline(name, values):
        paths = [values['c1'], values['c2'][1], values['c3'][1],
                 values['c4']]
        return (f'block {name} outputs '
                f'{" + ".join(map(str, paths))} = <b>{sum(paths)}</b> '
                'channels')

    explorer = ChannelExplorer(
        lambda **c: build_block(state['k'], **c), input_shape, settings[0],
        depth=2, headline=lambda values: headline(picker.value, values),
        note='Pick a block and change its paths: c1 (1x1), c2 and c3 '
             '(1x1 reduction, then 3x3 or 5x5), c4 (after pooling).',
        extra=[picker])
    explorer.block_names, explorer.picker = list(names), picker
    explorer.choices = [
        Choice(name, functools.partial(build_block, k), settings[k],
               functools.partial(headline, name))
        for k, name in enumerate(names)]

    def pick(change):
        state['k'] = names.index(change['new'])
        explorer.defaults = settings[state['k']]
        explorer.set_values(settings[state['k']])

    picker.observe(explorer._guarded(pick), names='value')
    return explorer
