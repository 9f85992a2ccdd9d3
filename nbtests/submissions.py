"""Submissions other than the book's, for nbgrader to grade.

``ALTERNATIVE`` holds, for every autograded exercise, a correct answer
written independently of the book's solution and differing from it
where the statement leaves room (a list for a tuple, a float for an
NDArray, another way to count, a subclass replaced by a block written
from scratch). It must get full marks. ``WRONG`` holds a plausible wrong
answer per exercise (a misreading a student could make); it must score
less. Both map a chapter to {grade_id of a solution cell: the code a
student would type there}. :func:`fill` puts them into the release.
"""
import copy
import uuid

from cnnbook.exercises import STUB, nbgrader_meta

ALTERNATIVE = {
    'getting-started': {
        'start_ex1_code': '''\
most_params = most_macs = None
for row in rows[:-1]:
    if most_params is None or row.params > most_params.params:
        most_params = row
    if most_macs is None or row.macs > most_macs.macs:
        most_macs = row
''',
    },
    'nin': {
        'nin_ex1_code': '''\
def nin_block_one(num_channels, kernel_size, strides, padding):
    # the book's block without its last 1x1 layer
    return nin_block(num_channels, kernel_size, strides, padding)[:2]


def n_weights(net):
    side = cfg.resize or 224
    net.initialize()
    net(nd.zeros((1, 1, side, side)))
    return sum(p.data().size for p in net.collect_params().values())


two, one = n_weights(nin()), n_weights(nin(block=nin_block_one))
runs = {}
for label, blk in (('book', nin_block), ('one 1x1', nin_block_one)):
    runs[label] = cnnbook.train(nin(block=blk), small_train, small_test,
                                short.num_epochs, short.lr, plot=False,
                                **short.train_kwargs())
''',
        'nin_ex2_code': '''\
heaviest = {}
for label, table in {'NiN': rows, 'AlexNet': alex_rows}.items():
    stages = table[:-1]
    heaviest[label] = [sorted(stages, key=lambda r: r.params)[-1],
                       sorted(stages, key=lambda r: r.macs)[-1]]
''',
        'nin_ex3_code': '''\
linear = nn.Conv2D(10, 1, in_channels=384)
linear.initialize(init.Normal(0.1))
x = nd.random.uniform(shape=(3, 384, 4, 4))
map_first = linear(x).mean(axis=(2, 3))
average_first = linear(x.mean(axis=(2, 3), keepdims=True)).reshape((3, 10))
difference = float(nd.abs(map_first - average_first).max().asscalar())
''',
        'nin_ex4_code': '''\
same = nin()
same.initialize(init.Normal(0.01))
for side in (224, 96):
    print(side, same(nd.zeros((2, 1, side, side))).shape)
''',
        'nin_ex5_code_1': '''\
def dead_classes(net, X):
    alive = (net(X).asnumpy() > 0).sum(axis=0)
    return int((alive == 0).sum())


results = []
for rate in (0.05, 0.2, 1.0):
    cnnbook.set_seed(3)
    model = nin()
    hist = cnnbook.train(model, small_train, small_test, 1, rate,
                         plot=False)
    results.append((rate, hist[-1].test_acc))
''',
        'nin_ex6_code': '''\
tuning = []
for rate in (short.lr / 2, short.lr, 2 * short.lr):
    cnnbook.set_seed(7)
    hist = cnnbook.train(nin(), small_train, small_test, short.num_epochs,
                         rate, plot=False, **short.train_kwargs())
    tuning.append([rate, hist[-1].loss, hist[-1].test_acc])
# the last of the best, where the book keeps the first
best = sorted(tuning, key=lambda row: row[2])[-1]
''',
        'nin_ex7_code': '''\
def memory(side, batch, optimizer_slots):
    net = nin()
    net.initialize()
    x = nd.zeros((1, 1, side, side))
    sizes = [x.size]
    for stage in net:
        for layer in (stage if isinstance(stage, nn.HybridSequential)
                      else [stage]):
            x = layer(x)
            sizes.append(x.size)
    params = sum(p.data().size for p in net.collect_params().values())
    return {
        'parameters': 4 * params,
        'activations per image': 4 * sum(sizes[1:]),
        'training': 4 * params * (2 + optimizer_slots)
                    + 4 * batch * sum(sizes),
        'inference': 4 * params
                     + 4 * max(a + b for a, b in zip(sizes, sizes[1:])),
    }
''',
        'nin_ex8_code': '''\
def nin_linear_scores():
    head = nn.HybridSequential()
    head.add(nn.Conv2D(10, 3, padding=1, activation='relu'),
             nn.Conv2D(10, 1, activation='relu'),
             nn.Conv2D(10, 1))
    net = nn.HybridSequential()
    for i, layer in enumerate(nin()):
        net.add(head if i == 7 else layer)
    return net


def silent_classes(net, X):
    params = [p for p in net.collect_params().values()
              if p.grad_req != 'null']
    count = 0
    for c in range(10):
        with autograd.record(train_mode=False):
            score = net(X)[:, c].sum()
        score.backward()
        count += max(float(nd.norm(p.grad()).asscalar())
                     for p in params) == 0
    return count
''',
    },
    'googlenet': {
        'googlenet_ex1_code': '''\
settings = [(64, (96, 128), (16, 32), 32), (128, (128, 192), (32, 96), 64),
            (192, (96, 208), (16, 48), 64), (160, (112, 224), (24, 64), 64),
            (128, (128, 256), (24, 64), 64), (112, (144, 288), (32, 64), 64),
            (256, (160, 320), (32, 128), 128),
            (256, (160, 320), (32, 128), 128),
            (384, (192, 384), (48, 128), 128)]
widths = tuple(c1 + c2[1] + c3[1] + c4 for c1, c2, c3, c4 in settings)
''',
        'googlenet_ex2_code': '''\
class InceptionNoReduction(nn.HybridBlock):
    # written from scratch: four layers side by side, no reductions
    def __init__(self, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        self.one = nn.Conv2D(c1, 1, activation='relu')
        self.three = nn.Conv2D(c2[1], 3, padding=1, activation='relu')
        self.five = nn.Conv2D(c3[1], 5, padding=2, activation='relu')
        self.pool = nn.MaxPool2D(3, 1, padding=1)
        self.proj = nn.Conv2D(c4, 1, activation='relu')

    def hybrid_forward(self, F, x):
        return F.concat(self.one(x), self.three(x), self.five(x),
                        self.proj(self.pool(x)), dim=1)


base = cnnbook.layer_summary(googlenet(), (1, 1, 96, 96), show=False)
wide = cnnbook.layer_summary(googlenet(block=InceptionNoReduction),
                             (1, 1, 96, 96), show=False)
''',
        'googlenet_ex3_code': '''\
class InceptionTwo3x3(nn.HybridBlock):
    def __init__(self, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        self.paths = []
        for i, layers in enumerate([
                [(c1, 1)], [(c2[0], 1), (c2[1], 3)],
                [(c3[0], 1), (c3[1], 3), (c3[1], 3)]]):
            path = nn.HybridSequential()
            for channels, k in layers:
                path.add(nn.Conv2D(channels, k, padding=k // 2,
                                   activation='relu'))
            setattr(self, f'path{i}', path)
            self.paths.append(path)
        self.pool = nn.MaxPool2D(3, 1, padding=1)
        self.proj = nn.Conv2D(c4, 1, activation='relu')

    def hybrid_forward(self, F, x):
        outs = [path(x) for path in self.paths]
        return F.concat(*outs, self.proj(self.pool(x)), dim=1)


rows_5x5 = cnnbook.layer_summary(Inception(64, (96, 128), (16, 32), 32),
                                 (1, 192, 12, 12), show=False)
rows_3x3 = cnnbook.layer_summary(InceptionTwo3x3(64, (96, 128), (16, 32), 32),
                                 (1, 192, 12, 12), show=False)
''',
        'googlenet_ex4_code': '''\
counted = googlenet()
counted.initialize()
sizes = []


def leaves(blk):
    kids = list(blk._children.values())
    if not kids:
        yield blk
    for kid in kids:
        yield from leaves(kid)


counted(nd.zeros((1, 1, 96, 96)))     # shapes known before the hooks
hooks = [leaf.register_forward_hook(
    lambda blk, inputs, out: sizes.append(out.size))
    for leaf in leaves(counted)]
counted(nd.zeros((1, 1, 96, 96)))
for hook in hooks:
    hook.detach()
n_params = sum(p.data().size for p in counted.collect_params().values())
act_per_image = sum(sizes)
''',
        'googlenet_ex5_code': '''\
def b1_28():
    stem = nn.HybridSequential()
    stem.add(nn.Conv2D(64, 3, strides=1, padding=1, activation='relu'),
             nn.MaxPool2D(3, 2, padding=1))
    return stem


def googlenet28(num_classes=10):
    # the book's network with its first stage swapped
    net = nn.HybridSequential()
    net.add(b1_28(), *list(googlenet(num_classes))[1:])
    return net
''',
    },
    'googlenet-numpy': {
        'googlenet_np_ex1_code': '''\
def walk(blk):
    yield blk
    for kid in blk._children.values():
        yield from walk(kid)


n_bn = sum(isinstance(b, nn.BatchNorm)
           for b in walk(googlenet(block=inception_bn)))
curves = {}
for label, blk in (('with BN', inception_bn), ('without', Inception)):
    cnnbook.set_seed(3)
    curves[label] = cnnbook.train(googlenet(block=blk), small_train,
                                  small_test, short.num_epochs, short.lr,
                                  plot=False, **short.train_kwargs())
''',
        'googlenet_np_ex2_code': '''\
class InceptionV2(nn.HybridBlock):
    # from scratch, each path a HybridSequential
    def __init__(self, c1, c2, c3, c4, factor_3x3=False, **kwargs):
        super().__init__(**kwargs)
        layers = [[(c1, (1, 1))],
                  [(c2[0], (1, 1))] + ([(c2[1], (1, 3)), (c2[1], (3, 1))]
                                       if factor_3x3 else [(c2[1], (3, 3))]),
                  [(c3[0], (1, 1)), (c3[1], (3, 3)), (c3[1], (3, 3))]]
        self.paths = []
        for i, path_layers in enumerate(layers):
            path = nn.HybridSequential()
            for channels, (kh, kw) in path_layers:
                path.add(nn.Conv2D(channels, (kh, kw),
                                   padding=(kh // 2, kw // 2),
                                   activation='relu'))
            setattr(self, f'path{i}', path)
            self.paths.append(path)
        self.pool = nn.MaxPool2D(3, 1, padding=1)
        self.proj = nn.Conv2D(c4, 1, activation='relu')

    def hybrid_forward(self, F, x):
        outs = [path(x) for path in self.paths]
        return F.np.concatenate(outs + [self.proj(self.pool(x))], axis=1)


class InceptionV3(InceptionV2):
    def __init__(self, c1, c2, c3, c4, **kwargs):
        super().__init__(c1, c2, c3, c4, factor_3x3=True, **kwargs)


results = []
for label, cls in (('original', Inception), ('v2', InceptionV2),
                   ('v3', InceptionV3)):
    t = cnnbook.layer_summary(cls(*INCEPTION_CHANNELS['b4'][0]),
                              (1, 480, 6, 6), show=False)
    blk = cls(*INCEPTION_CHANNELS['b4'][0])
    blk.initialize()
    results.append((label, t.total_params, t.total_macs,
                    blk(np.zeros((1, 480, 6, 6))).shape))
''',
        'googlenet_np_ex3_code': '''\
class SmoothedCrossEntropy(gluon.loss.SoftmaxCrossEntropyLoss):
    def __init__(self, epsilon=0.1, **kwargs):
        super().__init__(sparse_label=False, **kwargs)
        self.epsilon = epsilon

    def hybrid_forward(self, F, pred, label, *args):
        k = 10
        target = F.npx.one_hot(label, k,
                               on_value=1 - self.epsilon + self.epsilon / k,
                               off_value=self.epsilon / k)
        return super().hybrid_forward(F, pred, target, *args)


def confidence(net, data_iter):
    sums, count = [], 0
    for X, _ in data_iter:
        p = npx.softmax(net(X), axis=-1)
        sums.append(float(p.max(axis=-1).sum()))
        count += len(X)
    return sum(sums) / count
''',
        'googlenet_np_ex4_code': '''\
class ResidualInception(nn.HybridBlock):
    def __init__(self, c1, c2, c3, c4, in_channels, **kwargs):
        super().__init__(**kwargs)
        out = c1 + c2[1] + c3[1] + c4
        self.f = Inception(c1, c2, c3, c4)
        self.g = nn.Conv2D(out, 1)          # linear: no activation
        self.project = in_channels != out
        if self.project:
            self.proj = nn.Conv2D(out, 1)

    def hybrid_forward(self, F, x):
        shortcut = self.proj(x) if self.project else x
        return F.npx.activation(self.g(self.f(x)) + shortcut,
                                act_type='relu')


widths = iter([192] + [c1 + c2[1] + c3[1] + c4
                       for stage in INCEPTION_CHANNELS.values()
                       for c1, c2, c3, c4 in stage])
res_params = cnnbook.layer_summary(
    googlenet(block=lambda *c: ResidualInception(*c, next(widths))),
    (1, 1, 96, 96), show=False).total_params
''',
        'googlenet_np_ex5_code': '''\
def works(side):
    probe = googlenet()
    probe.initialize()
    try:
        probe(np.zeros((1, 1, side, side)))
        return True
    except Exception:
        return False


smallest = min(side for side in range(1, 30) if works(side))
''',
        'googlenet_np_ex6_code': '''\
from cnnbook.chapters import definitions
from cnnbook.models import alexnet, vgg11

counts = []
for label, build in (('AlexNet', alexnet), ('VGG-11', vgg11),
                     ('NiN', definitions('nin.ipynb')['nin']),
                     ('GoogLeNet', googlenet)):
    net_ = build()
    net_.initialize()
    net_(np.zeros((1, 1, 224, 224)))
    total = sum(p.data().size for p in net_.collect_params().values())
    counts.append((label, total))
''',
        'googlenet_np_ex7_code': '''\
def receptive_field(layers):
    # from one output pixel back to the input
    side = 1
    for kernel, stride in layers[::-1]:
        side = stride * (side - 1) + kernel
    return side
''',
        'googlenet_np_ex8_code': '''\
tuning = []
for lr_try, batch, seed in [(short.lr / 2, short.batch_size, 0),
                            (short.lr, short.batch_size, 0),
                            (2 * short.lr, short.batch_size, 0),
                            (short.lr, 2 * short.batch_size, 0),
                            (short.lr, short.batch_size, 1)]:
    data = cnnbook.load_data_fashion_mnist(batch, resize=short.resize,
                                           subset=short.subset)
    cnnbook.set_seed(seed)
    hist = cnnbook.train(googlenet(), *data, short.num_epochs, lr_try,
                         plot=False, **short.train_kwargs())
    tuning.append((lr_try, batch, seed, hist[-1].test_acc))
''',
    },
}

WRONG = {
    'getting-started': {
        # the first layer, the largest in the printout's first rows
        'start_ex1_code': 'most_params = most_macs = rows[0]\n',
    },
    'nin': {
        # forgot to change the block: no parameters saved
        'nin_ex1_code': ALTERNATIVE['nin']['nin_ex1_code'].replace(
            "nin_block(num_channels, kernel_size, strides, padding)[:2]",
            "nin_block(num_channels, kernel_size, strides, padding)"),
        # the pair in the other order
        'nin_ex2_code': ALTERNATIVE['nin']['nin_ex2_code'].replace(
            "[sorted(stages, key=lambda r: r.params)[-1],\n"
            "                       sorted(stages, key=lambda r: r.macs)[-1]]",
            "[sorted(stages, key=lambda r: r.macs)[-1],\n"
            "                       sorted(stages, key=lambda r: r.params)"
            "[-1]]"),
        # a ReLU on the map: no longer linear
        'nin_ex3_code': ALTERNATIVE['nin']['nin_ex3_code'].replace(
            "nn.Conv2D(10, 1, in_channels=384)",
            "nn.Conv2D(10, 1, in_channels=384, activation='relu')"),
        # never initialized
        'nin_ex4_code': 'same = nin()\n',
        # two rates only, and dead entries counted instead of channels
        'nin_ex5_code_1': ALTERNATIVE['nin']['nin_ex5_code_1'].replace(
            "return int((alive == 0).sum())",
            "return int((net(X).asnumpy() <= 0).sum())").replace(
            "(0.05, 0.2, 1.0)", "(0.05, 0.2)"),
        # three runs of one rate
        'nin_ex6_code': ALTERNATIVE['nin']['nin_ex6_code'].replace(
            "(short.lr / 2, short.lr, 2 * short.lr)",
            "(short.lr, short.lr, short.lr)"),
        # the blocks' outputs only, not every layer inside them
        'nin_ex7_code': ALTERNATIVE['nin']['nin_ex7_code'].replace(
            "(stage if isinstance(stage, nn.HybridSequential)\n"
            "                      else [stage])", "[stage]"),
        # counts the classes that do pass a gradient
        'nin_ex8_code': ALTERNATIVE['nin']['nin_ex8_code'].replace(
            "for p in params) == 0", "for p in params) > 0"),
    },
    'googlenet': {
        # the reductions' channels instead of the convolutions'
        'googlenet_ex1_code': ALTERNATIVE['googlenet']['googlenet_ex1_code']
        .replace('c1 + c2[1] + c3[1] + c4', 'c1 + c2[0] + c3[0] + c4'),
        # removes the large kernels and keeps the 1x1 reductions
        'googlenet_ex2_code': ALTERNATIVE['googlenet']['googlenet_ex2_code']
        .replace("nn.Conv2D(c2[1], 3, padding=1,", "nn.Conv2D(c2[1], 1,")
        .replace("nn.Conv2D(c3[1], 5, padding=2,", "nn.Conv2D(c3[1], 1,"),
        # the other widths, 16 -> 16 -> 32, which the statement rules out
        'googlenet_ex3_code': ALTERNATIVE['googlenet']['googlenet_ex3_code']
        .replace("[(c3[0], 1), (c3[1], 3), (c3[1], 3)]",
                 "[(c3[0], 1), (c3[0], 3), (c3[1], 3)]"),
        # the stages' outputs only
        'googlenet_ex4_code': ALTERNATIVE['googlenet']['googlenet_ex4_code']
        .replace("for leaf in leaves(counted)]", "for leaf in counted]"),
        # an unpadded stem, which the statement rules out
        'googlenet_ex5_code': ALTERNATIVE['googlenet']['googlenet_ex5_code']
        .replace("strides=1, padding=1,", "strides=1,"),
    },
    'googlenet-numpy': {
        # one BatchNorm per block
        'googlenet_np_ex1_code': ALTERNATIVE['googlenet-numpy'][
            'googlenet_np_ex1_code'].replace(
            "n_bn = sum(isinstance(b, nn.BatchNorm)\n"
            "           for b in walk(googlenet(block=inception_bn)))",
            "n_bn = 9"),
        # the first layer of each pair keeps its input's channels
        'googlenet_np_ex2_code': ALTERNATIVE['googlenet-numpy'][
            'googlenet_np_ex2_code'].replace(
            "[(c3[0], (1, 1)), (c3[1], (3, 3)), (c3[1], (3, 3))]",
            "[(c3[0], (1, 1)), (c3[0], (3, 3)), (c3[1], (3, 3))]"),
        # eps / (K - 1) on the other classes, a smoothing of another kind
        'googlenet_np_ex3_code': ALTERNATIVE['googlenet-numpy'][
            'googlenet_np_ex3_code'].replace(
            "on_value=1 - self.epsilon + self.epsilon / k,\n"
            "                               off_value=self.epsilon / k)",
            "on_value=1 - self.epsilon,\n"
            "                               off_value=self.epsilon"
            " / (k - 1))"),
        # a projection on every shortcut
        'googlenet_np_ex4_code': ALTERNATIVE['googlenet-numpy'][
            'googlenet_np_ex4_code'].replace(
            "self.project = in_channels != out", "self.project = True"),
        # probing from 2 pixels
        'googlenet_np_ex5_code': ALTERNATIVE['googlenet-numpy'][
            'googlenet_np_ex5_code'].replace("range(1, 30)", "range(2, 30)"),
        # counted at 96x96
        'googlenet_np_ex6_code': ALTERNATIVE['googlenet-numpy'][
            'googlenet_np_ex6_code'].replace("(1, 1, 224, 224)",
                                             "(1, 1, 96, 96)"),
        # the strides forgotten
        'googlenet_np_ex7_code': '''\
def receptive_field(layers):
    return 1 + sum(kernel - 1 for kernel, _ in layers)
''',
        # one batch size only
        'googlenet_np_ex8_code': ALTERNATIVE['googlenet-numpy'][
            'googlenet_np_ex8_code'].replace(
            "(short.lr, 2 * short.batch_size, 0)",
            "(short.lr, short.batch_size, 2)"),
    },
}


def fill(release, answers):
    """A copy of the release notebook with ``answers`` typed into it.

    ``answers`` maps a solution cell's grade_id to its code; each such
    cell must be a stub of the release. Other stubs stay as released.
    """
    nb = copy.deepcopy(release)
    left = dict(answers)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get('grade_id')
        if grade_id in left:
            assert STUB in cell.source, grade_id
            cell.source = left.pop(grade_id)
    if left:
        raise KeyError(f'no stubbed cell {", ".join(sorted(left))}')
    return nb


def book_answers(source):
    """The book's own solution code, by grade_id, as a student types it
    (the region between ### BEGIN SOLUTION and ### END SOLUTION)."""
    from cnnbook.exercises import BEGIN, END
    return {nbgrader_meta(cell)['grade_id']:
            cell.source.split(BEGIN)[1].split(END)[0].strip('\n') + '\n'
            for cell in source.cells
            if cell.cell_type == 'code'
            and nbgrader_meta(cell).get('solution')}


def damage(nb):
    """A copy of ``nb`` with its first test cell deleted and its first
    solution code cell pasted twice, grade_id and all (as in
    jupyter/nbgrader #1941 and #1083). Returns (notebook, the deleted
    test's grade_id, the copied cell's grade_id)."""
    from cnnbook.exercises import is_test
    nb = copy.deepcopy(nb)
    test = next(i for i, c in enumerate(nb.cells) if is_test(c))
    deleted = nbgrader_meta(nb.cells.pop(test))['grade_id']
    copied = next(i for i, c in enumerate(nb.cells)
                  if c.cell_type == 'code'
                  and nbgrader_meta(c).get('solution'))
    paste = copy.deepcopy(nb.cells[copied])
    if 'id' in paste:           # JupyterLab gives a pasted cell a new id
        paste.id = uuid.uuid4().hex[:8]
    nb.cells.insert(copied + 1, paste)
    return nb, deleted, nbgrader_meta(nb.cells[copied])['grade_id']
