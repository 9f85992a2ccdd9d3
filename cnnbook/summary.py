"""Layer summaries: a table of output shapes, parameters, multiply-adds.

gluon's ``Block.summary`` walks the net with forward hooks and prints
output shapes and parameter counts, but it only prints (no rows to test or
plot), counts no multiply-adds, needs an initialized net that is not
hybridized (its docstring says so), and lets an MXNet
traceback through when the input is too small. ``layer_summary`` uses the
same hook mechanism and adds those pieces.
"""
import dataclasses
import warnings

import numpy as np


@dataclasses.dataclass
class Row:
    """One line of the layer table."""

    name: str
    output_shape: tuple
    params: int
    macs: int


class LayerTable(list):
    """The rows of :func:`layer_summary`; its text is the printed table."""

    @property
    def total_params(self):
        return self[-1].params

    @property
    def total_macs(self):
        return self[-1].macs

    def __str__(self):
        width = max(len(r.name) for r in self) + 2
        head = (f'{"layer":<{width}}{"output shape":<20}{"parameters":>12}'
                f'{"mult-adds":>16}')
        lines = [head, '-' * len(head)]
        for r in self:
            if r is self[-1]:
                lines.append('-' * len(head))
            shape = '' if r.output_shape is None else str(r.output_shape)
            lines.append(f'{r.name:<{width}}{shape:<20}{r.params:>12,}'
                         f'{r.macs:>16,}')
        return '\n'.join(lines)

    def __repr__(self):
        return (f'LayerTable({len(self) - 1} layers, {self.total_params:,} '
                f'parameters, {self.total_macs:,} mult-adds)')


def describe(block):
    """A short readable name for a layer, e.g. ``Conv2D 96, 11x11 /4``."""
    kind = type(block).__name__
    kw = getattr(block, '_kwargs', {})
    if 'num_filter' in kw:
        k = 'x'.join(map(str, kw['kernel']))
        s = kw['stride'][0]
        return f'{kind} {kw["num_filter"]}, {k}' + (f' /{s}' if s > 1 else '')
    if kw.get('global_pool'):
        return kind
    if 'pool_type' in kw:
        k = 'x'.join(map(str, kw['kernel']))
        s = kw['stride'][0]
        return f'{kind} {k}' + (f' /{s}' if s > 1 else '')
    if hasattr(block, '_units'):
        return f'{kind} {block._units}'
    if hasattr(block, '_rate'):
        return f'{kind} {block._rate}'
    children = list(block._children.values())
    if children:
        return f'{kind} ({len(children)} layers)'
    return kind


# The sentence for an input too small for a layer (the site's explorers
# fill in the same one: cnnbook/explorer_site.py)
TOO_SMALL = ("a {input_h}x{input_w} input is too small: after layer "
             "'{layer}' the feature map would be {out_h}x{out_w} (it "
             "receives {in_h}x{in_w}). Use a larger input.")


def window_out(n, k, s, p, d=1):
    """The output size of a convolution or pooling window along one axis:
    input size ``n``, kernel ``k``, stride ``s``, padding ``p``, dilation
    ``d``.

    The formula is floor((n + 2p - d(k - 1) - 1) / s) + 1, MXNet's 'valid'
    convention, which gluon's layers use (the site's explorers use it
    too: cnnbook/explorer_site.py).
    """
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _spatial_check(block, name, shape, input_shape):
    """Raise ValueError if a conv or pool would produce a size below 1
    (:func:`window_out`)."""
    kw = getattr(block, '_kwargs', {})
    if 'kernel' not in kw or kw.get('global_pool') or len(shape) != 4:
        return
    dilate = kw.get('dilate', (1, 1))
    out = [window_out(*a) for a in
           zip(shape[2:], kw['kernel'], kw['stride'], kw['pad'], dilate)]
    if min(out) < 1:
        raise ValueError(TOO_SMALL.format(
            input_h=input_shape[2], input_w=input_shape[3], layer=name,
            out_h=max(out[0], 0), out_w=max(out[1], 0), in_h=shape[2],
            in_w=shape[3]))


def _is_layer(block):
    """True for an innermost layer: no children, or weights of its own.

    ``Conv2D(..., activation='relu')`` holds its Activation as a child, but
    it is one layer.
    """
    return not block._children or bool(block._reg_params)


def _walk(block, path='', depth=0):
    """Yield (path, block, depth) for ``block`` and every block down to
    the innermost layers."""
    yield path, block, depth
    if not _is_layer(block):
        for key, child in block._children.items():
            yield from _walk(child, f'{path}.{key}' if path else key,
                             depth + 1)


def _hybrid_state(net):
    """(block, active, flags) for every HybridBlock, parents first."""
    import mxnet as mx

    def every(block):
        yield block
        for child in block._children.values():
            yield from every(child)
    return [(b, b._active, dict(b._flags)) for b in every(net)
            if isinstance(b, mx.gluon.HybridBlock)]


def _restore_hybrid_state(state):
    """Hybridize each block again as it was, static_alloc and all.

    ``hybridize`` also sets a block's children, so the blocks go parents
    first: each child then ends with its own setting.
    """
    if not any(active for _, active, _ in state):
        return          # nothing was switched off
    for block, active, flags in state:
        block.hybridize(active, **flags)


def _row_blocks(nodes, top, depth):
    """(name, block) for each row of the table at ``depth``: the blocks at
    that nesting level, and layers that end higher up. ``nodes`` is
    ``list(_walk(net))``; ``top`` is 0 when the net is one layer, else 1.
    """
    rows = []
    for path, block, node_depth in nodes:
        level = node_depth - top + 1
        if level == depth or (_is_layer(block) and level < depth):
            indent = '  ' * (level - 1) if depth > 1 else ''
            rows.append((indent + f'{path} {describe(block)}'.strip(),
                         block))
    return rows


def _symbolic(inputs):
    """True while gluon traces a graph (deferred shape inference)."""
    import mxnet as mx
    return isinstance(inputs[0], mx.sym.Symbol)


def _count(block):
    """Number of parameters in ``block`` and everything below it."""
    return sum(int(np.prod(p.shape)) for p in
               block.collect_params().values())


def layer_summary(net, input_shape, expand=False, show=True, depth=None):
    """Run one forward pass and tabulate every layer; return the rows.

    Args:
        net: a gluon Block; it is initialized if it is not yet.
        input_shape: e.g. (1, 1, 224, 224).
        expand: False gives one row per top-level layer (nested blocks
            summed), True one row per innermost layer.
        show: print the table.
        depth: rows at this nesting level instead (1 is the same as
            expand=False); layers that end higher up get a row of their
            own.

    Returns:
        a :class:`LayerTable` of :class:`Row`; the last row is the total.

    Raises:
        ValueError: the input is too small for some layer, or the forward
            pass fails; the message names the layer.
    """
    import mxnet as mx
    if len(input_shape) != 4 or min(input_shape) < 1:
        raise ValueError(f'input_shape must be (batch, channels, height, '
                         f'width) with positive sizes, got {input_shape}')
    # Hooks on inner layers fire only when the net runs imperatively.
    hybrid = _hybrid_state(net)
    if any(active for _, active, _ in hybrid):
        net.hybridize(False)
    nodes = list(_walk(net))
    top = 0 if _is_layer(net) else 1
    if depth is None:
        depth = float('inf') if expand else 1
    rows = []           # (row, block), in table order
    macs = {}           # id(innermost layer) -> multiply-adds
    current = ['input']
    handles = []

    def check(blk, inputs, label):
        if _symbolic(inputs):
            return
        current[0] = label
        _spatial_check(blk, label, inputs[0].shape, input_shape)

    def count(blk, inputs, output):
        if _symbolic(inputs):
            return
        weight = getattr(blk, 'weight', None)
        if weight is not None and len(weight.shape) >= 2:
            # Each output element is one dot product over a kernel:
            # (in_channels / groups) * kh * kw for a conv, in_units for
            # a dense layer.
            macs[id(blk)] = int(np.prod(output.shape)) * int(
                np.prod(weight.shape[1:]))

    def record(row):
        def hook(blk, inputs, output):
            if _symbolic(inputs):
                return
            out = output[0] if isinstance(output, (list, tuple)) else output
            row.output_shape = tuple(out.shape)
        return hook

    for path, block, _ in nodes:
        if _is_layer(block):
            label = f'{path} {describe(block)}'.strip()
            handles.append(block.register_forward_pre_hook(
                lambda b, i, label=label: check(b, i, label)))
            handles.append(block.register_forward_hook(count))
    for name, block in _row_blocks(nodes, top, depth):
        row = Row(name, None, 0, 0)
        rows.append((row, block))
        handles.append(block.register_forward_hook(record(row)))
    params = net.collect_params()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # "already initialized" is fine
        ctx = next((p.list_ctx()[0] for p in params.values()
                    if p._data is not None), mx.cpu())
        net.initialize(ctx=ctx)
    zeros = mx.np.zeros if mx.util.is_np_array() else mx.nd.zeros
    try:
        out = net(zeros(tuple(input_shape), ctx=ctx))
        out.wait_to_read()
    except mx.base.MXNetError as e:
        first = str(e).strip().splitlines()[0]
        raise ValueError(
            f'the forward pass on input {tuple(input_shape)} failed at '
            f"layer '{current[0]}': {first}") from None
    finally:
        for h in handles:
            h.detach()
        _restore_hybrid_state(hybrid)
    table = LayerTable()
    for row, block in rows:
        # Parameters are known only after the first forward pass.
        row.params = _count(block)
        row.macs = sum(macs.get(id(b), 0) for _, b, _ in _walk(block))
        table.append(row)
    table.append(Row('total', tuple(out.shape), _count(net),
                     sum(macs.values())))
    if show:
        print(table)
    return table
