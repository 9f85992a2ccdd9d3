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
only its own files: the HTML view is 5.5 kB for NiN's explorer and
20.8 kB for GoogLeNet's, and an update, table and chart redrawn, takes
a few milliseconds in Chromium (benchmarks/widget_update.py), where
JupyterLab's kernel took 0.45 to 1.5 s on a busy machine
(nbtests/test_lab.py logs it).

Nothing about a network is typed twice. :func:`explorer_data` probes the
builder the explorer itself calls (the chapter's own code). One forward
pass with hooks on every block gives each layer's kind, kernel, stride
and padding, the tensor it reads and the shapes of its parameters; a
block whose output no layer made (Inception's concatenation) joins the
tensors made inside it that nothing inside reads. Building the network
with one slider moved at a time gives each layer's own channel count (a
convolution's filters, a dense layer's units) as a linear function of the
sliders, for each block the explorer can pick. A forward pass at a
further setting, for each block, and at two other input sizes checks the
linear functions and every rule inferred; what does not fit raises
:class:`ExportError`. The sentences for impossible settings are the
templates the Python code fills (``widgets.MESSAGES``,
``summary.TOO_SMALL``): the script fills them under the same rules, so
the page says what ``channel_report`` says.
"""
import ast
import html
import json
import math
import re
import string

from . import summary, widgets

# the data format; _static/explorer.js reads this one only
VERSION = 1
# the steps of the probes: each slider moved alone, then all together
STEP = 3
OFFSETS = (5, 2, 7, 3, 11, 4, 13, 6)
# stands for a channel count in a layer's name (see _name_template)
MARK = '\x00'


class ExportError(RuntimeError):
    """The network does something the site's script cannot follow."""


class _Sym:
    """A linear expression of the sliders, for reading a headline
    function: ``str`` gives a marker, ``+`` combines."""

    def __init__(self, table, const=0, coef=None):
        self.table, self.const, self.coef = table, const, dict(coef or {})

    def __add__(self, other):
        if isinstance(other, _Sym):
            coef = dict(self.coef)
            for k, a in other.coef.items():
                coef[k] = coef.get(k, 0) + a
            return _Sym(self.table, self.const + other.const, coef)
        if isinstance(other, int):
            return _Sym(self.table, self.const + other, self.coef)
        return NotImplemented

    __radd__ = __add__

    def __str__(self):
        self.table.append([self.const, sorted(self.coef.items())])
        return f'{MARK}{len(self.table) - 1}{MARK}'


def _name_template(block, text):
    """``text`` (a layer's name) as parts: strings, and {'out': True}
    where it shows the layer's own channel count."""
    kw = getattr(block, '_kwargs', None)
    saved = []
    if isinstance(kw, dict) and 'num_filter' in kw:
        saved.append((kw, 'num_filter', kw['num_filter']))
        kw['num_filter'] = MARK
    try:
        if hasattr(block, '_units'):
            saved.append((block.__dict__, '_units', block._units))
            block._units = MARK
        marked = summary.describe(block)
    finally:
        for where, key, value in saved:
            where[key] = value
    plain = summary.describe(block)
    prefix = text[:len(text) - len(plain)]
    parts = (prefix + marked).split(MARK)
    out = [parts[0]]
    for part in parts[1:]:
        out += [{'out': True}, part]
    return [p for p in out if p != '']


def _fill(parts, out):
    return ''.join(str(out) if isinstance(p, dict) else p for p in parts)


def _own(block):
    """A layer's own channel count (a convolution's filters, a dense
    layer's units), or None for a layer that keeps its input's."""
    kw = getattr(block, '_kwargs', None)
    if isinstance(kw, dict) and 'num_filter' in kw:
        return kw['num_filter']
    return getattr(block, '_units', None)


def _owns(build, channels):
    """Build the net (no forward pass); each layer's own channels, by
    path."""
    net = build(**channels)
    return {path: _own(block) for path, block, _ in summary._walk(net)
            if summary._is_layer(block)}


def _trace(build, channels, input_shape):
    """Build ``build(**channels)`` and run one input through it with a
    hook on every block.

    The nodes are the tensors the net makes, in order: each layer's
    output, and each block's output that no layer made (Inception's
    concatenation: a *join*). A layer's ``src`` is the node it reads (-1:
    the input); a join's ``parts`` are the nodes made inside its block
    that nothing inside reads.
    """
    import mxnet as mx
    net = build(**channels)
    if any(active for _, active, _ in summary._hybrid_state(net)):
        net.hybridize(False)
    walked = list(summary._walk(net))
    nodes, made, keep, handles, block_node = [], {}, [], [], {}

    def hook(path, leaf):
        def record(blk, inputs, output):
            out = output[0] if isinstance(output, (list, tuple)) else output
            keep.extend([inputs[0], out])
            if leaf:
                if id(inputs[0]) not in made:
                    raise ExportError(f"layer '{path}' reads a tensor that "
                                      'no layer or block made')
                node = dict(block=blk, leaf=True, src=made[id(inputs[0])],
                            in_shape=tuple(inputs[0].shape),
                            own=_own(blk))
            elif id(out) in made:
                block_node[id(blk)] = made[id(out)]
                return
            else:
                inside = {id(b) for _, b, _ in summary._walk(blk)}
                mine = [i for i, n in enumerate(nodes)
                        if id(n['block']) in inside]
                read = {nodes[i]['src'] for i in mine} | {
                    p for i in mine for p in nodes[i].get('parts', ())}
                node = dict(block=blk, leaf=False,
                            parts=[i for i in mine if i not in read])
            node['path'] = path
            node['out_shape'] = tuple(out.shape)
            made[id(out)] = block_node[id(blk)] = len(nodes)
            nodes.append(node)
        return record

    for path, block, _ in walked:
        handles.append(block.register_forward_hook(
            hook(path, summary._is_layer(block))))
    net.initialize(ctx=mx.cpu())
    zeros = mx.np.zeros if mx.util.is_np_array() else mx.nd.zeros
    x = zeros(tuple(input_shape), ctx=mx.cpu())
    made[id(x)] = -1
    try:
        out = net(x)
        out.wait_to_read()
    finally:
        for h in handles:
            h.detach()
    for node in nodes:
        if node['leaf']:
            block = node['block']
            params = list(block.collect_params().values())
            node['params'] = [tuple(p.shape) for p in params]
            weight = getattr(block, 'weight', None)
            node['weight'] = next(
                (i for i, p in enumerate(params) if p is weight
                 and len(p.shape) >= 2), -1)
            node['label'] = f"{node['path']} {summary.describe(block)}" \
                .strip()
    return dict(net=net, walked=walked, nodes=nodes, block_node=block_node,
                output=made[id(out)], input_shape=tuple(input_shape),
                params=summary._count(net))


def _rows(trace, depth):
    """(name, block, node, leaves) per row of the table at ``depth``."""
    walked, nodes = trace['walked'], trace['nodes']
    top = 0 if summary._is_layer(trace['net']) else 1
    rows = []
    for name, block in summary._row_blocks(walked, top, depth):
        inside = {id(b) for _, b, _ in summary._walk(block)}
        leaves = [i for i, n in enumerate(nodes)
                  if n['leaf'] and id(n['block']) in inside]
        rows.append((name, block, trace['block_node'][id(block)], leaves))
    return rows


def _kind(node):
    if not node['leaf']:
        return 'join'
    kw = getattr(node['block'], '_kwargs', {})
    if kw.get('global_pool'):
        return 'global'
    if 'kernel' in kw:
        return 'window'
    ins, outs = node['in_shape'], node['out_shape']
    if len(outs) == 2:
        if node['own'] is None and outs[1] == math.prod(ins[1:]):
            return 'flatten'
        return 'vector'
    if len(outs) == len(ins) and outs[2:] == ins[2:]:
        return 'same'
    raise ExportError(f"layer '{node['path']}' changes the shape "
                      f'{ins} -> {outs} in a way the site cannot follow')


def _window(block):
    kw = block._kwargs
    return dict(k=list(kw['kernel']), s=list(kw['stride']),
                p=list(kw['pad']), d=list(kw.get('dilate', (1, 1))))


def _rule(node, kind, src, own, shapes):
    """The shape a node's rule gives (the script's rule, in Python)."""
    if kind == 'join':
        first = shapes[node['parts'][0]]
        return (first[:1] + (sum(shapes[p][1] for p in node['parts']),)
                + first[2:])
    channels = src[1] if own is None else own
    if kind == 'window':
        w = _window(node['block'])
        return (src[:1] + (channels,) + tuple(
            summary.window_out(n, *a) for n, *a in
            zip(src[2:], w['k'], w['s'], w['p'], w['d'])))
    if kind == 'global':
        return src[:1] + (channels,) + (1,) * (len(src) - 2)
    if kind == 'same':
        return src[:1] + (channels,) + src[2:]
    if kind == 'flatten':
        return (src[0], math.prod(src[1:]))
    return src[:1] + (channels,)     # vector


def _check_rules(trace, kinds, owns=None):
    """Every node's shape follows its kind's rule in this trace, with the
    layers' own channels ``owns`` (by node) when given."""
    nodes = trace['nodes']
    shapes = [n['out_shape'] for n in nodes]
    for i, (node, kind) in enumerate(zip(nodes, kinds)):
        src = (trace['input_shape'] if node.get('src', 0) < 0
               else shapes[node['src']] if node['leaf'] else None)
        if node['leaf'] and src != node['in_shape']:
            raise ExportError(f"layer '{node['path']}' does not read the "
                              'tensor it was traced to')
        own = node.get('own') if owns is None else owns[i]
        want = _rule(node, kind, src, own, shapes)
        if tuple(want) != tuple(node['out_shape']):
            raise ExportError(f"node {i} ('{node['path']}', {kind}) made "
                              f"{node['out_shape']}; its rule gives "
                              f'{tuple(want)}')


def _dims(node, shape):
    """What each axis of a parameter could be, in this trace."""
    ins = node['in_shape']
    named = {'out': node['out_shape'][1], 'in': ins[1],
             'inflat': math.prod(ins[1:])}
    return [{('const', n)} | {(key, None) for key, v in named.items()
                              if v == n} for n in shape]


def _flat(values, sliders):
    return [values[name] if i is None else values[name][i]
            for name, i in sliders]


def _nested(vector, sliders):
    out = {}
    for (name, i), v in zip(sliders, vector):
        if i is None:
            out[name] = v
        else:
            out[name] = out.get(name, ()) + (v,)
    return out


def _linear(fn, x):
    const, coef = fn
    return const + sum(a * x[k] for k, a in coef)


def _headline(explorer, sliders, values):
    """The explorer's headline as parts (text and linear sums), checked
    against the real one at ``values``."""
    if explorer.headline is None:
        return None
    table = []
    syms = [_Sym(table, 0, {k: 1}) for k in range(len(sliders))]
    pieces = explorer.headline(_nested(syms, sliders)).split(MARK)
    parts = []
    for j, piece in enumerate(pieces):
        if j % 2:
            parts.append({'sum': table[int(piece)]})
        elif piece:
            parts.append(piece)
    flat = _flat(values, sliders)
    filled = ''.join(p if isinstance(p, str) else
                     str(_linear(p['sum'], flat)) for p in parts)
    if filled != explorer.headline(values):
        raise ExportError('the headline is not a linear function of the '
                          f'sliders: {filled!r}')
    return parts


def _fit(build, sliders, x0, paths):
    """Each layer's own channels (by node) as [const, [[slider, coef],
    ...]], from builds with one slider moved at a time; None for a
    layer that has none."""
    base = _owns(build, _nested(x0, sliders))
    moved = []
    for k in range(len(sliders)):
        x = list(x0)
        x[k] += STEP
        moved.append(_owns(build, _nested(x, sliders)))
    fns = []
    for path in paths:
        if path is None or base.get(path) is None:
            fns.append(None)
            continue
        coef = []
        for k, owns in enumerate(moved):
            delta = owns[path] - base[path]
            if delta % STEP:
                raise ExportError(f"layer '{path}': its channels are not a "
                                  f'whole multiple of slider {k}')
            if delta:
                coef.append([k, delta // STEP])
        fns.append([base[path] - sum(a * x0[k] for k, a in coef), coef])
    return fns


def _messages():
    found = dict(widgets.MESSAGES, too_small=summary.TOO_SMALL)
    for key, text in found.items():
        for _, field, spec, conversion in string.Formatter().parse(text):
            if field is not None and (not field.isidentifier() or spec or
                                      conversion):
                raise ExportError(f'message {key!r} needs more than plain '
                                  'fields: the site fills only {field}')
    return found


class _Frozen:
    """Within ``with``: the explorer in its NumPy mode, with its updates
    off; after: its sliders, size and block as they were."""

    def __init__(self, explorer):
        self.ex = explorer

    def __enter__(self):
        import mxnet as mx
        ex = self.ex
        self.mode = (mx.util.is_np_array(), mx.util.is_np_shape())
        array, shape = getattr(ex, '_np_mode', self.mode)
        mx.util.set_np(shape=shape, array=array)
        self.values, self.size = ex.values(), ex.size.value
        self.defaults = dict(ex.defaults)
        picker = getattr(ex, 'picker', None)
        self.choice = picker.value if picker is not None else None
        ex.update = lambda: None
        return self

    def __exit__(self, *exc):
        import mxnet as mx
        ex = self.ex
        try:
            picker = getattr(ex, 'picker', None)
            if picker is not None:
                picker.value = self.choice
            ex.defaults = self.defaults
            ex.set_values(self.values)
            ex.size.value = self.size
        finally:
            del ex.update
            mx.util.set_np(shape=self.mode[1], array=self.mode[0])


def explorer_data(explorer):
    """The explorer as data for ``_static/explorer.js`` (a dict).

    Raises:
        ExportError: the network does something the script cannot follow
            (the site would then be wrong, so the caller shows nothing).
    """
    sliders = list(explorer.sliders)
    side = explorer.input_shape[-1]
    lead = tuple(explorer.input_shape[:-2])
    picker = getattr(explorer, 'picker', None)
    names = list(picker.options) if picker is not None else [None]
    choices = []
    with _Frozen(explorer) as frozen:
        for c, name in enumerate(names):
            if picker is not None:
                picker.value = name
            build = explorer.build
            x0 = _flat(explorer.defaults, sliders)
            x1 = [v + OFFSETS[k % len(OFFSETS)] for k, v in enumerate(x0)]
            if c == 0:
                # the structure, and the spatial rules at other sizes
                base = _trace(build, explorer.defaults, lead + (side, side))
                kinds = [_kind(n) for n in base['nodes']]
                paths = [n['path'] if n['leaf'] else None
                         for n in base['nodes']]
                traces = [base] + [
                    _trace(build, explorer.defaults, lead + (n, n))
                    for n in (side + 13, side + 30)]
            fns = _fit(build, sliders, x0, paths)
            verify = _trace(build, _nested(x1, sliders), lead + (side, side))
            owns = [None if f is None else _linear(f, x1) for f in fns]
            traces.append(verify)
            choices.append(dict(
                name=name, values=x0,
                max=[explorer.sliders[key].max for key in sliders],
                own=fns, verify=(verify, owns),
                headline=_headline(explorer, sliders, explorer.defaults)))
        initial = dict(choice=names.index(frozen.choice) if picker else 0,
                       values=_flat(frozen.values, sliders),
                       size=frozen.size)
    structure = [(n['path'], n['leaf'], n.get('src'), n.get('parts'))
                 for n in base['nodes']]
    candidates = {}
    for trace in traces:
        if [(n['path'], n['leaf'], n.get('src'), n.get('parts'))
                for n in trace['nodes']] != structure:
            raise ExportError('the layers differ between settings')
        _check_rules(trace, kinds)
        for i, node in enumerate(trace['nodes']):
            for j, shape in enumerate(node.get('params', ())):
                dims = _dims(node, shape)
                old = candidates.setdefault((i, j), dims)
                if len(old) != len(dims):
                    raise ExportError(f"layer '{node['path']}': parameter "
                                      f'{j} changes its number of axes')
                candidates[i, j] = [a & b for a, b in zip(old, dims)]
    for choice in choices:
        verify, owns = choice.pop('verify')
        _check_rules(verify, kinds, owns)
        if sum(sum(math.prod(s) for s in n.get('params', ()))
               for n in verify['nodes']) != verify['params']:
            raise ExportError('some parameters belong to no layer')
    nodes = [_node(i, node, kind, candidates)
             for i, (node, kind) in enumerate(zip(base['nodes'], kinds))]
    rows = [dict(name=_name_template(block, name), node=node, leaves=leaves)
            for name, block, node, leaves in _rows(base, explorer.depth)]
    _check_names(choices, rows, nodes, sliders, explorer.depth, traces)
    # each layer's own channels: the first block choice's on the node,
    # and per choice only where it differs
    for i, node in enumerate(nodes):
        if node['kind'] != 'join' and choices[0]['own'][i] is not None:
            node['own'] = choices[0]['own'][i]
    for choice in choices:
        choice['own'] = {str(i): fn for i, fn in enumerate(choice['own'])
                         if fn is not None and fn != nodes[i].get('own')}
    return dict(
        version=VERSION, note=getattr(explorer, 'note', None),
        choice_label=picker.description if picker is not None else None,
        choices=choices, initial=initial,
        sliders=[dict(name=name if i is None else f'{name}[{i}]',
                      label=explorer.sliders[name, i].description,
                      min=explorer.sliders[name, i].min)
                 for name, i in sliders],
        size=dict(label=explorer.size.description, value=side,
                  min=explorer.size.min, max=explorer.size.max),
        input=list(lead), nodes=nodes, rows=rows, output=base['output'],
        baseline=dict(params=explorer.baseline.total_params,
                      macs=explorer.baseline.total_macs),
        messages=_messages())


def _node(i, node, kind, candidates):
    """A node as the script reads it."""
    entry = dict(kind=kind)
    if kind == 'join':
        entry['parts'] = node['parts']
        return entry
    entry['src'] = node['src']
    if kind == 'window':
        entry.update(_window(node['block']))
    order = ('const', 'out', 'in', 'inflat')
    params = []
    for j in range(len(node['params'])):
        shape = []
        for dim in candidates[i, j]:
            if not dim:
                raise ExportError(f"layer '{node['path']}': parameter {j} "
                                  'has an axis the site cannot follow')
            key, value = min(dim, key=lambda d: order.index(d[0]))
            shape.append(value if key == 'const' else key)
        params.append(shape)
    if params:
        entry.update(params=params, weight=node['weight'])
    if kind == 'window':
        # named in the sentence for an input too small for it
        entry['label'] = _name_template(node['block'], node['label'])
    return entry


def _check_names(choices, rows, nodes, sliders, depth, traces):
    """The name templates give the real names in the verifying traces."""
    for choice, trace in zip(choices, traces[-len(choices):]):
        channels = [n['out_shape'][1] for n in trace['nodes']]
        for (name, _, node, _), row in zip(_rows(trace, depth), rows):
            if _fill(row['name'], channels[row['node']]) != name:
                raise ExportError(f'row {name!r}: its name does not follow '
                                  'the channels')
        for i, (node, entry) in enumerate(zip(trace['nodes'], nodes)):
            if 'label' in entry and \
                    _fill(entry['label'], channels[i]) != node['label']:
                raise ExportError(f"layer {node['label']!r}: its name does "
                                  'not follow the channels')


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
        fallback = widgets._html_table(explorer.report.rows)
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


EXPLORER_CALL = re.compile(r'\b(?:channel|inception)_explorer\(')


def chapter_explorers(section):
    """A chapter's explorers, made as its notebook makes them: its model
    cells (``cnnbook.chapters``), then each cell that calls an explorer
    (the value of its last line). For the site's tests and benchmark."""
    from .chapters import BOOK, definitions
    notebook = f'{section}.ipynb'
    nb = json.loads((BOOK / notebook).read_text())
    namespace = definitions(notebook)
    explorers = []
    for cell in nb['cells']:
        source = ''.join(cell['source'])
        if cell['cell_type'] == 'code' and EXPLORER_CALL.search(source):
            tree = ast.parse(source)
            last = tree.body.pop()
            exec(compile(tree, notebook, 'exec'), namespace)
            explorers.append(eval(compile(ast.Expression(last.value),
                                          notebook, 'eval'), namespace))
    return explorers
