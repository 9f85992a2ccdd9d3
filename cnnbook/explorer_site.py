"""The channel explorers on the static site: live, with no kernel.

An explorer's output carries two views. Jupyter shows the ipywidgets
view, driven by the kernel. The site (myst-nb, with ``text/html`` ranked
first in ``_config.yml``) shows :func:`html_view`: the explorer as data,
which ``_static/explorer.js`` turns into sliders, a table, totals and a
chart in the reader's browser.

Why this design. Thebe or Binder would run the real kernel, but every
reader would need the network, an outside host and a Binder start of
minutes, and the site would break with the host. JupyterLite runs Python
in the browser, but MXNet has no WebAssembly build. Here the page needs
only its own files: the HTML view is a few kB per explorer, and an
update, table and chart redrawn, takes a few milliseconds in Chromium
(benchmarks/widget_update.py), where JupyterLab's kernel took 0.45 to
1.5 s on a busy machine (nbtests/test_lab.py logs it).

Nothing about a network is typed twice. The data is MXNet's own graph
of the network the explorer's builder (the chapter's code) makes:
``net(mx.sym.var('data')).tojson()`` lists each Convolution, Pooling and
FullyConnected operator with its kernel, stride, padding and channels,
and each concatenation and addition with its inputs. The script applies
each operator's shape rule; for an addition (a residual connection) the
shapes must agree. Which layers a slider sets is read from one more
build per block, with the sliders at marker values (see
:func:`_slider_layers`). MXNet's shape inference checks every rule here
at two settings; what the script could not follow raises
:class:`ExportError`.

The sentences for impossible settings are :data:`MESSAGES` and
``summary.TOO_SMALL``: ``cnnbook.widgets`` raises them, and the script
fills the same templates, so the page says what ``channel_report`` says.
This module imports nothing from ``cnnbook.widgets``; widgets imports it.
"""
import ast
import copy
import html
import json
import math
import string

from . import summary

# the data format; _static/explorer.js reads this one only
VERSION = 2
# stands for a layer's own channel count in its name (see _template)
MARK = '\x00'
# The sentences for impossible settings, filled in by cnnbook.widgets and
# by explorer.js alike
MESSAGES = {
    'not_whole': '{name} must be a whole number of channels, got {value}',
    'below_one': ('{name} must be at least 1 (got {value}): a layer needs '
                  'at least one channel'),
    'bad_size': 'the input size must be a positive whole number, got '
                '{value}',
    'mismatch': ("'{layer}' adds a {a} tensor and a {b} tensor: an "
                 'addition needs the same channels and size on both sides')}

# MXNet 1.9.1's operators, as the graph names them (nd API and mxnet.np)
SAME = {'Activation', 'LeakyReLU', 'Dropout', 'BatchNorm', 'relu',
        'sigmoid', 'tanh', '_npx_relu', '_npx_sigmoid'}
ADD = {'elemwise_add', 'broadcast_add', '_npi_add', 'add_n'}
CONCAT = {'Concat': ('dim', '1'), '_npi_concatenate': ('axis', '0')}


class ExportError(RuntimeError):
    """The network does something the site's script cannot follow."""


def _pairs(text):
    return list(ast.literal_eval(text))


def _template(text, block):
    """``text``, which ends with the block's name (``summary.describe``),
    as parts: strings, and {'out': True} where it shows the block's own
    channel count (a convolution's filters, a dense layer's units)."""
    plain = summary.describe(block)
    marked = copy.copy(block)
    kwargs = getattr(block, '_kwargs', None)
    if isinstance(kwargs, dict) and 'num_filter' in kwargs:
        marked._kwargs = dict(kwargs, num_filter=MARK)
    elif hasattr(block, '_units'):
        marked._units = MARK
    pieces = (text[:len(text) - len(plain)] +
              summary.describe(marked)).split(MARK)
    parts = [pieces[0]]
    for piece in pieces[1:]:
        parts += [{'out': True}, piece]
    return [p for p in parts if p != '']


def _fill(parts, out):
    return ''.join(str(out) if isinstance(p, dict) else p for p in parts)


def _read(net, depth=None):
    """The network's graph as the script's nodes.

    A node is an operator that makes a new shape or has parameters; one
    that keeps its input's shape and has none (an activation, dropout)
    is its input's node. ``src`` and ``parts`` name nodes, -1 the input.
    Forward hooks, which gluon also runs on a symbolic call, say which
    graph node is each block's output (a row of the table); an operator
    belongs to the block with the longest name prefix of its name.
    """
    import mxnet as mx
    walked = list(summary._walk(net))
    outputs = {}
    handles = [block.register_forward_hook(
        lambda b, args, out, path=path: outputs.__setitem__(
            path, getattr(out, 'name', None))) for path, block, _ in walked]
    data = mx.sym.var('data')
    try:
        out = net(data.as_np_ndarray() if mx.util.is_np_array() else data)
        text = out.tojson()
    except Exception as e:      # Python code that only runs on arrays
        raise ExportError(f'MXNet cannot make the graph of this network: '
                          f'{type(e).__name__}: {e}') from None
    finally:
        for h in handles:
            h.detach()
    by_prefix = sorted(walked, key=lambda w: -len(w[1].prefix))
    graph = json.loads(text)
    nodes, names, params, owners = [], [], [], []
    index = {}          # graph node -> node, -1 for the input
    for g, op in enumerate(graph['nodes']):
        if op['op'] == 'null':
            if op['name'] == 'data':
                index[g] = -1
            continue
        attrs, kind = op.get('attrs', {}), op['op']
        ins = [index[i] for i, *_ in op['inputs'] if i in index]
        weights = [graph['nodes'][i]['name'] for i, *_ in op['inputs']
                   if i not in index]
        path, block, _ = next((w for w in by_prefix if op['name']
                               .startswith(w[1].prefix)), walked[0])
        if kind in SAME and not weights:
            index[g] = ins[0]
            continue
        if kind in SAME:
            node = dict(kind='same', params=[['out']] * len(weights))
        elif kind in ADD:
            node = dict(kind='add', parts=ins)
        elif kind in CONCAT and attrs.get(*CONCAT[kind]) == '1':
            node = dict(kind='concat', parts=ins)
        elif kind == 'Flatten':
            node = dict(kind='flatten')
        elif kind == 'Pooling' and attrs.get('global_pool') == 'True':
            node = dict(kind='global')
        elif (kind == 'Pooling' and attrs.get('pooling_convention')
              in (None, 'valid')) or (kind == 'Convolution' and attrs.get(
                  'num_group', '1') == '1'):
            k = _pairs(attrs['kernel'])
            node = dict(kind='window', k=k, **{
                key: _pairs(attrs[name]) if name in attrs else [n] * len(k)
                for key, name, n in (('s', 'stride', 1), ('p', 'pad', 0),
                                     ('d', 'dilate', 1))})
            if kind == 'Convolution':
                node.update(out=int(attrs['num_filter']), weight=0,
                            params=[['out', 'in', *k], ['out']])
        elif kind == 'FullyConnected' and attrs.get('flatten') != 'False':
            node = dict(kind='vector', out=int(attrs['num_hidden']),
                        params=[['out', 'inflat'], ['out']], weight=0)
        else:
            raise ExportError(f"layer '{path}': the site cannot follow "
                              f"MXNet's operator {kind!r} (its {op['name']})")
        if attrs.get('no_bias') == 'True':
            node['params'] = node['params'][:1]
        if 'parts' not in node:
            node['src'] = ins[0]
        if node['kind'] in ('window', 'add'):
            # named in the sentence for an impossible setting
            node['label'] = _template(
                f'{path} {summary.describe(block)}'.strip(), block)
        index[g] = len(nodes)
        nodes.append(node)
        names.append(op['name'])
        params.append(weights)
        owners.append(path)
    node_of = {op['name']: index.get(g)
               for g, op in enumerate(graph['nodes'])}
    rows = []
    top = 0 if summary._is_layer(net) else 1
    paths = {id(block): path for path, block, _ in walked}
    for name, block in ([] if depth is None else
                        summary._row_blocks(walked, top, depth)):
        path = paths[id(block)]
        node = node_of.get(outputs.get(path), -1)
        if node is None or node < 0:
            raise ExportError(f"block '{path}': its output is no layer's")
        rows.append(dict(name=_template(name, block), node=node, leaves=[
            i for i, owner in enumerate(owners) if 'params' in nodes[i]
            and (path in ('', owner) or owner.startswith(path + '.'))]))
    return dict(nodes=nodes, names=names, params=params, rows=rows,
                output=index[graph['heads'][0][0]], json=text)


def _shapes(nodes, input_shape, own):
    """Each node's output shape by the script's rules (explorer.js's
    ``evaluate``), with ``own[i]`` node i's own channels (or None).

    Raises:
        ValueError: the input is too small for a window, or an addition
            adds unequal shapes; in the words the page uses.
    """
    input_shape, shapes = tuple(input_shape), []
    for node, c in zip(nodes, own):
        parts = [input_shape if p < 0 else shapes[p]
                 for p in node.get('parts', [node.get('src')])]
        src, kind = parts[0], node['kind']
        c = src[1] if c is None else c
        if kind == 'add':
            bad = next((p for p in parts if p != src), None)
            if bad is not None:
                raise ValueError(MESSAGES['mismatch'].format(
                    layer=_fill(node['label'], c), a=src, b=bad))
            shape = src
        elif kind == 'concat':
            shape = src[:1] + (sum(p[1] for p in parts),) + src[2:]
        elif kind == 'window':
            out = tuple(summary.window_out(*a) for a in zip(
                src[2:], node['k'], node['s'], node['p'], node['d']))
            if len(src) == 4 and min(out) < 1:
                raise ValueError(summary.TOO_SMALL.format(
                    input_h=input_shape[2], input_w=input_shape[3],
                    layer=_fill(node['label'], c), out_h=max(out[0], 0),
                    out_w=max(out[1], 0), in_h=src[2], in_w=src[3]))
            shape = src[:1] + (c,) + out
        elif kind == 'global':
            shape = src[:1] + (c,) + (1,) * (len(src) - 2)
        elif kind == 'flatten':
            shape = (src[0], math.prod(src[1:]))
        elif kind == 'vector':
            shape = (src[0], c)
        else:                                   # same
            shape = src[:1] + (c,) + src[2:]
        shapes.append(shape)
    return shapes


def check_shapes(net, input_shape):
    """Check ``net`` on ``input_shape`` as the site's script would.

    ``channel_report`` calls this before its forward pass: MXNet's own
    error for an addition of unequal shapes is cryptic, and in the NumPy
    interface an addition broadcasts, so a 1x1 map would be added to a
    larger one without complaint.

    Raises:
        ValueError: an input too small for a layer, or an addition of
            unequal shapes, in the words the page uses.
        ExportError: a network the script cannot follow.
    """
    graph = _read(net)
    _shapes(graph['nodes'], input_shape,
            [n.get('out') for n in graph['nodes']])


def _verify(graph, input_shape):
    """Every shape the script's rules give is MXNet's shape inference's:
    each node's output and each parameter, which must all be a node's."""
    import mxnet as mx
    nodes = graph['nodes']
    try:
        shapes = _shapes(nodes, input_shape, [n.get('out') for n in nodes])
        sym = mx.sym.load_json(graph['json']).get_internals()
        inferred = dict(zip([s.name for s in sym], sym.infer_shape(
            data=tuple(input_shape))[1]))
    except (ValueError, mx.base.MXNetError) as e:
        raise ExportError(f'shapes on {input_shape}: {e}') from None
    seen = {'data'}
    for node, name, params, shape in zip(nodes, graph['names'],
                                         graph['params'], shapes):
        src = input_shape if node.get('src', -1) < 0 else shapes[node['src']]
        sizes = {'out': shape[1], 'in': src[1], 'inflat': math.prod(src[1:])}
        want = [(name, shape)] + [
            (p, tuple(sizes.get(d, d) for d in dims))
            for p, dims in zip(params, node.get('params', []))]
        for key, value in want:
            if tuple(inferred.get(key, ())) != value:
                raise ExportError(f'{key}: MXNet infers '
                                  f'{inferred.get(key)}, the site {value}')
        seen.update(params)
    if set(sym.list_arguments() + sym.list_auxiliary_states()) - seen:
        raise ExportError('some parameters belong to no layer')


def _flat(values, sliders):
    return [values[name] if i is None else values[name][i]
            for name, i in sliders]


def _nested(vector, sliders):
    out = {}
    for (name, i), v in zip(sliders, vector):
        out[name] = v if i is None else out.get(name, ()) + (v,)
    return out


def _slider_layers(build, keys, values, book):
    """For each slider, the nodes whose own channels are its value.

    No map is declared: the builders are the chapters' own code, which
    hands a slider's value on through helpers (``nin_block``,
    ``conv_relu``, Inception's paths) to ``Conv2D(channels)``, and writing
    the layers down beside them would describe each network twice. So
    the net is built once more with each slider at a marker value above
    every channel count in it: a layer that shows slider k's marker takes
    slider k's value; every other layer keeps its count. A layer that
    shows neither (say twice a slider) raises ExportError.
    """
    base = 1 + max([*values] + [n.get('out', 0) for n in book['nodes']])
    marks = [base + k for k in range(len(keys))]
    moved = _read(build(**_nested(marks, keys)))
    if len(book['nodes']) != len(moved['nodes']):
        raise ExportError('the sliders change the layers, not only their '
                          'channels')
    layers = [[] for _ in keys]
    for i, (a, b) in enumerate(zip(book['nodes'], moved['nodes'])):
        if a == b:
            continue
        k = marks.index(b['out']) if b.get('out') in marks else None
        if k is None or dict(a, out=b['out']) != b or a['out'] != values[k]:
            raise ExportError(f'{book["names"][i]}: its channels are not '
                              'one slider\'s value')
        layers[k].append(i)
    return layers


class _Sym:
    """A sum of sliders, for reading a headline function: ``str`` gives
    a marker, ``+`` adds."""

    def __init__(self, table, const=0, coef=None):
        self.table, self.const, self.coef = table, const, dict(coef or {})

    def __add__(self, other):
        if isinstance(other, int):
            return _Sym(self.table, self.const + other, self.coef)
        if not isinstance(other, _Sym):
            return NotImplemented
        coef = dict(self.coef)
        for k, a in other.coef.items():
            coef[k] = coef.get(k, 0) + a
        return _Sym(self.table, self.const + other.const, coef)

    __radd__ = __add__

    def __str__(self):
        self.table.append([self.const, sorted(self.coef.items())])
        return f'{MARK}{len(self.table) - 1}{MARK}'


def _headline(headline, keys, values):
    """A headline function as parts (text, and {'sum': [const, [[slider,
    coef], ...]]}), checked against the real one at ``values``."""
    if headline is None:
        return None
    table = []
    pieces = headline(_nested([_Sym(table, 0, {k: 1}) for k in
                               range(len(keys))], keys)).split(MARK)
    parts = [{'sum': table[int(p)]} if j % 2 else p
             for j, p in enumerate(pieces) if j % 2 or p]
    flat = _flat(values, keys)
    filled = ''.join(p if isinstance(p, str) else str(
        p['sum'][0] + sum(a * flat[k] for k, a in p['sum'][1]))
        for p in parts)
    if filled != headline(values):
        raise ExportError('the headline is not a sum of the sliders: '
                          f'{filled!r}')
    return parts


def _messages():
    found = dict(MESSAGES, too_small=summary.TOO_SMALL)
    for key, text in found.items():
        for _, field, spec, conversion in string.Formatter().parse(text):
            if field is not None and (not field.isidentifier() or spec or
                                      conversion):
                raise ExportError(f'message {key!r} needs more than plain '
                                  'fields: the site fills only {field}')
    return found


def explorer_data(explorer):
    """The explorer as data for ``_static/explorer.js`` (a dict).

    Reads the explorer's ``choices`` (a builder and book values per block
    it can pick) without moving its widgets.

    Raises:
        ExportError: the network does something the script cannot follow
            (the site would then be wrong, so the caller shows nothing).
    """
    keys = list(explorer.sliders)
    side = explorer.input_shape[-1]
    lead = tuple(explorer.input_shape[:-2])
    choices, first = [], None
    with explorer.numpy_mode():
        for choice in explorer.choices:
            values = _flat(choice.defaults, keys)
            book = _read(choice.build(**choice.defaults), explorer.depth)
            layers = _slider_layers(choice.build, keys, values, book)
            for n in (side, side + 13):
                _verify(book, lead + (n, n))
            first = first or book
            if (book['nodes'], book['rows']) != (first['nodes'],
                                                 first['rows']):
                raise ExportError(f'block {choice.name}: the network '
                                  'differs from the first block\'s')
            choices.append(dict(
                name=choice.name, values=values, layers=layers,
                max=[explorer.limit(v, v) for v in values],
                headline=_headline(choice.headline, keys, choice.defaults)))
    picker = getattr(explorer, 'picker', None)
    names = [c.name for c in explorer.choices]
    return dict(
        version=VERSION, note=explorer.note,
        choice_label=picker.description if picker is not None else None,
        choices=choices,
        initial=dict(choice=names.index(picker.value) if picker else 0,
                     values=_flat(explorer.values(), keys),
                     size=explorer.size.value),
        sliders=[dict(name=name if i is None else f'{name}[{i}]',
                      label=explorer.sliders[name, i].description,
                      min=explorer.sliders[name, i].min)
                 for name, i in keys],
        size=dict(label=explorer.size.description, value=side,
                  min=explorer.size.min, max=explorer.size.max),
        input=list(lead), nodes=first['nodes'], rows=first['rows'],
        output=first['output'],
        baseline=dict(params=explorer.baseline.total_params,
                      macs=explorer.baseline.total_macs),
        messages=_messages())


def table_html(rows):
    """Layer rows as an HTML table (the explorers' table in Jupyter, and
    on the site for a reader without JavaScript)."""
    head = ('<tr><th>layer</th><th>output shape</th><th>parameters</th>'
            '<th>mult-adds</th></tr>')
    body = ''.join(
        f'<tr><td style="text-align:left">{html.escape(r.name)}</td>'
        f'<td>{r.output_shape}</td><td>{r.params:,}</td>'
        f'<td>{r.macs:,}</td></tr>' for r in rows)
    return f'<table>{head}{body}</table>'


def _script_json(data):
    """JSON that is safe inside a <script> element."""
    text = json.dumps(data, separators=(',', ':'))
    return text.replace('<', '\\u003c').replace('>', '\\u003e') \
        .replace('&', '\\u0026')


def html_view(explorer):
    """The explorer's ``text/html`` view: its data, and the table of its
    current setting for a reader without JavaScript."""
    data = explorer_data(explorer)
    fallback = ''
    if explorer.report is not None:
        fallback = table_html(explorer.report.rows)
    return ('<div class="cnnbook-explorer">'
            '<script type="application/json" class="cnnbook-explorer-data">'
            f'{_script_json(data)}</script>'
            '<div class="cnnbook-explorer-static"><p><i>The explorer needs '
            'JavaScript; the table shows its starting setting.</i></p>'
            f'{fallback}</div></div>')


def mimebundle(explorer, bundle):
    """``bundle`` (the widget's views) with the site's HTML view added."""
    try:
        bundle['text/html'] = html_view(explorer)
    except Exception as e:     # the widget view must show regardless
        # the widget view still works; the site says why this one cannot
        bundle['text/html'] = ('<p><b>This explorer cannot run on the '
                               f'site:</b> {html.escape(repr(e))}</p>')
    return bundle


def chapter_explorers(section):
    """A chapter's explorers, made as its notebook makes them: its model
    cells, then each cell tagged ``explorer`` (the value of its last
    line), in the chapter's NumPy mode. For the site's tests and
    benchmark."""
    from . import chapters
    chapter = chapters.chapter(section)
    namespace = chapters.definitions(chapter.notebook)
    explorers = []
    with chapter.numpy_mode():
        for i, cell in enumerate(chapters.tagged_cells(chapter.notebook,
                                                       'explorer')):
            where = f'{chapter.notebook}, explorer cell {i + 1}'
            tree = ast.parse(chapters.source(cell))
            last = tree.body.pop()
            exec(compile(tree, where, 'exec'), namespace)
            explorers.append(eval(compile(ast.Expression(last.value),
                                          where, 'eval'), namespace))
    return explorers
