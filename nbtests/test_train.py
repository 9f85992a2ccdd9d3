"""Tests of cnnbook.train on small synthetic problems."""
import math

import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon
from mxnet.gluon import nn

from cnnbook.device import try_gpu
from cnnbook.training import (CHANCE_LOSS, TrainingDiverged, _format_secs,
                              _scheduler, chance_hint, evaluate_accuracy,
                              initializer_for, set_seed, train)


def loaders(n=512, batch=64, scale=1.0, seed=0):
    """A linearly separable 10-class problem as two DataLoaders."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(10, 20)) * 3
    y = rng.integers(0, 10, size=n)
    X = (centers[y] + rng.normal(size=(n, 20))) * scale
    ds = gluon.data.ArrayDataset(X.astype(np.float32), y.astype(np.int32))
    return (gluon.data.DataLoader(ds, batch, shuffle=True),
            gluon.data.DataLoader(ds, batch))


def mlp():
    net = nn.HybridSequential()
    net.add(nn.Dense(32, activation='relu'), nn.Dense(10))
    return net


def test_learns_and_records_history(capsys):
    set_seed(1)
    train_iter, test_iter = loaders()
    h = train(mlp(), train_iter, test_iter, 3, 0.1, mx.cpu(), plot=False)
    assert len(h) == 3 and [e.epoch for e in h] == [1, 2, 3]
    assert h[-1].test_acc > 0.9 and h[-1].loss < h[0].loss
    assert all(e.seconds > 0 and e.examples_per_sec > 0 for e in h)
    out = capsys.readouterr().out
    last = out.strip().splitlines()
    assert last[-2].startswith(f'loss {h[-1].loss:.3f}, train acc ')
    assert last[-1].endswith('examples/sec on cpu(0)')
    assert h.column('test_acc') == [e.test_acc for e in h]
    assert 'History(3 epochs' in repr(h)


def test_seed_makes_runs_repeat():
    runs = []
    for _ in range(2):
        set_seed(7)
        train_iter, test_iter = loaders()
        runs.append(train(mlp(), train_iter, test_iter, 1, 0.05,
                             mx.cpu(), plot=False)[0].loss)
    assert runs[0] == pytest.approx(runs[1], rel=1e-6)


def test_evaluations_within_an_epoch_change_no_training(capsys):
    """evals_per_epoch=4 tests at each quarter epoch; the run's losses,
    printed lines and epoch ends are those of evals_per_epoch=1."""
    runs = []
    for evals in (1, 4):
        set_seed(3)
        train_iter, test_iter = loaders(n=640)     # 10 batches an epoch
        h = train(mlp(), train_iter, test_iter, 2, 0.05, mx.cpu(),
                  plot=False, evals_per_epoch=evals)
        printed = [line.rsplit(' (', 1)[0] for line in
                   capsys.readouterr().out.splitlines()
                   if line.startswith('epoch ')]
        runs.append((h, printed))
    (one, printed1), (four, printed4) = runs
    assert [e.loss for e in four] == [e.loss for e in one]
    assert [e.test_acc for e in four] == [e.test_acc for e in one]
    assert printed4 == printed1 and len(printed4) == 2
    assert [n for n, _, _ in one.evaluations] == [1, 2]
    # 10 batches: after batches 2 (round(2.5)), 5 and 8 (round(7.5)),
    # then the epoch's end
    assert [n for n, _, _ in four.evaluations] == [
        0.2, 0.5, 0.8, 1, 1.2, 1.5, 1.8, 2]
    seconds = [secs for _, secs, _ in four.evaluations]
    assert seconds == sorted(seconds) and seconds[0] > 0
    # the last evaluation is at the run's training time, evaluations left
    # out
    assert seconds[-1] == pytest.approx(sum(e.seconds for e in four))
    assert four.evaluations[3][2] == four[0].test_acc
    assert one.extra_eval_seconds == 0 < four.extra_eval_seconds
    assert len(four.curve()) == 8 and four.curve()[-1] == (
        round(seconds[-1] / 60, 3), round(four[-1].test_acc, 4))


@pytest.mark.parametrize('value', [0, -1, 2.5, 'four', '4x'])
def test_evals_per_epoch_must_be_a_whole_number(value, monkeypatch):
    train_iter, test_iter = loaders(n=128)
    with pytest.raises(ValueError, match='evals_per_epoch must be a whole '
                       'number of test evaluations per epoch, 1 or more'):
        train(mlp(), train_iter, test_iter, 1, 0.05, mx.cpu(), plot=False,
              evals_per_epoch=value)
    # the benchmark's variable, when the argument is not given, is named
    monkeypatch.setenv('CNNBOOK_EVALS_PER_EPOCH', str(value))
    with pytest.raises(ValueError, match='CNNBOOK_EVALS_PER_EPOCH must'):
        train(mlp(), train_iter, test_iter, 1, 0.05, mx.cpu(), plot=False)


def test_evals_per_epoch_from_the_environment(monkeypatch):
    monkeypatch.setenv('CNNBOOK_EVALS_PER_EPOCH', '2')
    set_seed(0)
    train_iter, test_iter = loaders(n=256)
    h = train(mlp(), train_iter, test_iter, 1, 0.05, mx.cpu(), plot=False)
    assert [n for n, _, _ in h.evaluations] == [0.5, 1]


def test_label_smoothing_is_cross_entropy_against_smoothed_targets():
    from mxnet import npx
    from cnnbook.training import smoothed_loss
    rng = np.random.default_rng(0)
    pred = mx.nd.array(rng.normal(size=(6, 10)) * 3)
    y = mx.nd.array([0, 3, 3, 9, 5, 1])
    targets = np.eye(10)[y.asnumpy().astype(int)] * 0.9 + 0.01
    expected = gluon.loss.SoftmaxCrossEntropyLoss(sparse_label=False)(
        pred, mx.nd.array(targets)).asnumpy()
    assert np.allclose(smoothed_loss(0.1)(pred, y).asnumpy(), expected,
                       atol=1e-6)
    # and under the NumPy interface (7.4), hybridized too
    npx.set_np()
    try:
        loss = smoothed_loss(0.1)
        loss.hybridize()
        got = loss(pred.as_np_ndarray(), y.as_np_ndarray()).asnumpy()
    finally:
        npx.reset_np()
    assert np.allclose(got, expected, atol=1e-6)


def test_smoothed_loss_floor_is_its_least_value():
    from cnnbook.training import smoothed_loss, smoothed_loss_floor
    target = np.eye(10)[[4]] * 0.9 + 0.01
    # scores whose softmax is the smoothed target itself reach the floor
    exact = smoothed_loss(0.1)(mx.nd.array(np.log(target)),
                               mx.nd.array([4])).asscalar()
    assert smoothed_loss_floor(0.1) == pytest.approx(exact, abs=1e-6)
    assert round(smoothed_loss_floor(0.1), 2) == 0.50
    # any other scores cost more; without smoothing the floor is 0
    other = smoothed_loss(0.1)(mx.nd.array(np.log(target) * 2),
                               mx.nd.array([4])).asscalar()
    assert other > exact
    assert smoothed_loss_floor(0.0) == 0


def test_label_smoothing_trains_and_is_checked():
    set_seed(0)
    train_iter, test_iter = loaders()
    h = train(mlp(), train_iter, test_iter, 2, 0.1, mx.cpu(), plot=False,
              label_smoothing=0.1)
    assert h[-1].test_acc > 0.9
    for bad, extra in ((1.0, {}), (-0.1, {}),
                       (0.1, {'loss': gluon.loss.L2Loss()})):
        with pytest.raises(ValueError, match='label_smoothing must be at '
                           'least 0 and below 1'):
            train(mlp(), train_iter, test_iter, 1, 0.1, mx.cpu(),
                  plot=False, label_smoothing=bad, **extra)


def test_evaluate_accuracy_matches_numpy():
    set_seed(0)
    _, test_iter = loaders(n=200)
    net = mlp()
    net.initialize()
    preds, labels = [], []
    for X, y in test_iter:
        preds.append(net(X).asnumpy().argmax(axis=1))
        labels.append(y.asnumpy())
    expected = np.mean(np.concatenate(preds) == np.concatenate(labels))
    assert evaluate_accuracy(net, test_iter, mx.cpu()) == \
        pytest.approx(expected)


def test_divergence_stops_with_advice():
    set_seed(0)
    train_iter, test_iter = loaders(scale=100)
    with pytest.raises(TrainingDiverged, match=r'loss became (nan|inf).*'
                       r'Lower the learning rate \(try lr=5e\+07\)') as err:
        train(mlp(), train_iter, test_iter, 2, 1e8, mx.cpu(), plot=False)
    assert err.value.history == []


def test_chance_level_prints_hint(capsys, monkeypatch):
    # inputs scaled to almost nothing: logits near 0, loss near ln 10
    train_iter, test_iter = loaders(scale=1e-6)
    train(mlp(), train_iter, test_iter, 1, 1e-6, mx.cpu(), plot=False,
          profile='cpu')
    out = capsys.readouterr().out
    assert 'hint: the loss is still about ln 10' in out
    assert 'this run (SGD, lr 1e-06) has not started' in out
    assert CHANCE_LOSS == pytest.approx(2.302585)


def test_chance_hint_describes_the_run():
    """Defect: the hint named NiN in the GoogLeNet chapters and suggested
    momentum with a warm-up under a recipe that had both."""
    hint = chance_hint(0.001, 'adam', 0.0, 0.2)
    assert 'this run (Adam, lr 0.001, a 0.2-epoch warm-up)' in hint
    assert 'momentum' not in hint and 'warmup_epochs' not in hint
    assert 'NiN' not in hint
    hint = chance_hint(0.1, 'sgd', 0.9, 0.5)
    assert 'SGD, lr 0.1, momentum 0.9 and a 0.5-epoch warm-up' in hint
    assert 'momentum=0.9' not in hint and 'warmup_epochs' not in hint
    assert hint.endswith('another seed or a smaller lr (lr=0.01).')
    hint = chance_hint(0.1, 'sgd', 0.0, 0.0)
    assert hint.endswith('try another seed, a smaller lr (lr=0.01), '
                         'momentum=0.9 or warmup_epochs=0.5.')


def test_no_chance_hint_under_the_smoke_profile(capsys, monkeypatch):
    # a smoke run is too short to learn: a hint there would mislead. The
    # profile comes as an argument (settings' train_kwargs passes it);
    # the environment does not decide.
    import cnnbook
    monkeypatch.setenv('CNNBOOK_PROFILE', 'cpu')
    assert chance_hint(0.1, 'sgd', 0.0, 0.0, profile='smoke') is None
    cfg = cnnbook.settings('nin', 'smoke')
    assert cfg.train_kwargs()['profile'] == 'smoke'
    assert cfg.short(100, 100).train_kwargs()['profile'] == 'smoke'
    train_iter, test_iter = loaders(scale=1e-6)
    kwargs = dict(cfg.train_kwargs(), optimizer='sgd', initializer='xavier',
                  warmup_epochs=0.0, schedule='constant')
    train(mlp(), train_iter, test_iter, 1, 1e-6, mx.cpu(), plot=False,
          **kwargs)
    assert 'hint' not in capsys.readouterr().out


def test_no_hint_when_learning(capsys):
    train_iter, test_iter = loaders()
    train(mlp(), train_iter, test_iter, 1, 0.1, mx.cpu(), plot=False)
    assert 'hint' not in capsys.readouterr().out


def test_ctrl_c_stops_and_keeps_the_history(capsys, interrupting):
    import cnnbook
    train_iter, test_iter = loaders()
    # Jupyter's "Interrupt" must stop Run All: the interrupt goes on
    with pytest.raises(KeyboardInterrupt) as err:
        train(mlp(), interrupting(train_iter), test_iter, 5, 0.1, mx.cpu(),
              plot=False)
    h = err.value.history
    assert len(h) == 1 and h.interrupted and h[0].epoch == 1
    assert cnnbook.training.last_history is h
    out = capsys.readouterr().out
    assert 'interrupted after 1 complete epoch' in out
    assert 'cnnbook.training.last_history' in out
    assert 'interrupted' in repr(h)


def test_last_history_is_the_latest_run():
    import cnnbook
    train_iter, test_iter = loaders(n=128)
    h = train(mlp(), train_iter, test_iter, 1, 0.1, mx.cpu(), plot=False)
    assert cnnbook.training.last_history is h and not h.interrupted


def test_numpy_interface():
    from mxnet import npx
    npx.set_np()
    rng = np.random.default_rng(0)
    X = mx.np.array(rng.normal(size=(128, 20)), dtype='float32')
    y = mx.np.array(rng.integers(0, 10, size=128), dtype='int32')
    it = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), 32)
    h = train(mlp(), it, it, 1, 0.1, mx.cpu(), plot=False)
    assert len(h) == 1 and math.isfinite(h[0].loss)
    assert 0 <= evaluate_accuracy(mlp_np_init(), it, mx.cpu()) <= 1


def mlp_np_init():
    net = mlp()
    net.initialize()
    return net


def lrs(sched, steps):
    return [sched(i) for i in steps]


def test_cosine_schedule_with_warmup():
    # 10 steps an epoch, 4 epochs, half an epoch of warm-up
    s = _scheduler(0.1, 10, 4, 0.5, 'cosine')
    assert s(0) == pytest.approx(0.0)
    assert s(5) == pytest.approx(0.1)              # end of warm-up
    assert s(40) == pytest.approx(0.0, abs=1e-9)   # end of training
    mid = 5 + (40 - 5) / 2
    assert s(mid) == pytest.approx(0.05, rel=1e-6)
    warm = lrs(s, range(6))
    assert warm == sorted(warm)


def test_constant_schedule():
    assert _scheduler(0.1, 10, 4, 0, 'constant') is None
    s = _scheduler(0.1, 10, 4, 1, 'constant')
    assert s(5) == pytest.approx(0.05) and s(30) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="'constant' or 'cosine'"):
        _scheduler(0.1, 10, 4, 0, 'step')


def test_bad_arguments():
    train_iter, test_iter = loaders(n=64)
    with pytest.raises(ValueError, match='num_epochs must be >= 1'):
        train(mlp(), train_iter, test_iter, 0, 0.1, plot=False)


def test_an_epoch_without_batches_is_refused():
    # 10 examples, batches of 64 rolled over: no batch in the epoch
    train_iter, test_iter = loaders(n=10)
    rollover = gluon.data.DataLoader(train_iter._dataset, 64,
                                     last_batch='rollover')
    assert len(rollover) == 0
    with pytest.raises(ValueError, match='train_iter yields no batch'):
        train(mlp(), rollover, test_iter, 1, 0.1, mx.cpu(), plot=False)


    class Empty:
        """A loader whose len() promises a batch that never comes."""

        def __len__(self):
            return 1

        def __iter__(self):
            return iter(())
    with pytest.raises(ValueError, match='train_iter yields no batch'):
        train(mlp(), Empty(), test_iter, 1, 0.1, mx.cpu(), plot=False)


def test_thread_tip(monkeypatch):
    from cnnbook.device import thread_tip
    monkeypatch.setattr('os.sched_getaffinity', lambda pid: {0, 1, 2, 3})
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    assert thread_tip() == ('tip: MXNet uses 2 of 4 cores. Start Jupyter '
                             'with OMP_NUM_THREADS=4 (make lab does) to '
                             'train up to twice as fast.')
    monkeypatch.setenv('OMP_NUM_THREADS', '4')
    assert thread_tip() is None


def test_custom_loss_is_used():
    calls = []

    class Counting(gluon.loss.SoftmaxCrossEntropyLoss):
        def hybrid_forward(self, F, pred, label, *args):
            calls.append(1)
            return super().hybrid_forward(F, pred, label, *args) * 0 + 7

    train_iter, test_iter = loaders(n=128)
    h = train(mlp(), train_iter, test_iter, 1, 0.1, mx.cpu(), plot=False,
              loss=Counting())
    assert calls and h[0].loss == pytest.approx(7)


@pytest.mark.parametrize('seconds, text', [
    (0, '0 s'), (0.4, '0 s'), (59.4, '59 s'),
    # rounding to the second first: 59.6 s is a minute, not "60 s"
    (59.6, '1 min 0 s'), (60, '1 min 0 s'), (100, '1 min 40 s'),
    (119.4, '1 min 59 s'), (119.7, '2 min 0 s'), (150, '2 min 30 s'),
    (3599.6, '60 min 0 s'), (7325, '122 min 5 s'),
])
def test_format_secs(seconds, text):
    assert _format_secs(seconds) == text


# What MXNet 1.9.1's CUDA build raises on a GPU its kernels do not cover.
NO_KERNEL = ('Traceback (most recent call last):\n'
             '  File "../src/operator/tensor/init_op.h", line 305\n'
             'MXNetError: Check failed: err == cudaSuccess (209 vs. 0) : '
             'no kernel image is available for execution on the device')


class FakeGPUArray:
    """What mx.nd.ones returns on a working GPU, as far as try_gpu looks."""

    def asnumpy(self):
        return np.ones(1, np.float32)


def fake_gpus(monkeypatch, count, ones):
    """Make MXNet report ``count`` GPUs and build arrays with ``ones``."""
    monkeypatch.setattr(mx.context, 'num_gpus', lambda: count)
    monkeypatch.setattr(mx.nd, 'ones', ones)


def no_kernel(shape, ctx=None, **kwargs):
    raise mx.base.MXNetError(NO_KERNEL)


def test_try_gpu_without_gpu(monkeypatch, capsys):
    def ones(*args, **kwargs):
        raise AssertionError('no GPU, so nothing should be tried on one')
    fake_gpus(monkeypatch, 0, ones)
    assert try_gpu() == mx.cpu()
    assert capsys.readouterr().out == ''


def test_try_gpu_with_working_gpu(monkeypatch, capsys):
    calls = []

    def ones(shape, ctx=None, **kwargs):
        calls.append(ctx)
        return FakeGPUArray()
    fake_gpus(monkeypatch, 1, ones)
    assert try_gpu() == mx.gpu(0)
    assert calls == [mx.gpu(0)]
    assert try_gpu(1) == mx.cpu()         # only one GPU is there
    assert capsys.readouterr().out == ''


def test_try_gpu_falls_back_once_when_kernels_are_missing(monkeypatch,
                                                          capsys):
    fake_gpus(monkeypatch, 1, no_kernel)
    assert try_gpu() == mx.cpu()
    assert try_gpu() == mx.cpu()
    out = capsys.readouterr().out
    assert out == (
        'MXNet sees GPU 0 but cannot run on it (Check failed: err == '
        'cudaSuccess (209 vs. 0) : no kernel image is available for '
        'execution on the device), so cnnbook uses the CPU; the '
        'mxnet-cu117 1.9.1 build has kernels for sm_50 to sm_86 only '
        '(no H100, sm_90): see the README, "A GPU".\n')


def test_try_gpu_falls_back_on_mxnets_own_error(monkeypatch, capsys):
    # The real operator, told of one GPU more than there is: MXNet's own
    # error, not a fake one, must lead back to the CPU (on the CPU build,
    # and on a CUDA build, where that GPU does not exist).
    real = mx.context.num_gpus()
    monkeypatch.setattr(mx.context, 'num_gpus', lambda: real + 1)
    assert try_gpu(real) == mx.cpu()
    out = capsys.readouterr().out
    assert out.startswith(f'MXNet sees GPU {real} but cannot run on it (')
    if not mx.runtime.Features().is_enabled('CUDA'):
        assert 'not implemented for GPU' in out


def test_train_defaults_to_cpu_when_gpu_fails(monkeypatch, capsys):
    real_ones = mx.nd.ones

    def ones(shape, ctx=None, **kwargs):
        if ctx is not None and ctx.device_type == 'gpu':
            no_kernel(shape, ctx)
        return real_ones(shape, ctx=ctx, **kwargs)
    fake_gpus(monkeypatch, 1, ones)
    train_iter, test_iter = loaders(n=64)
    h = train(mlp(), train_iter, test_iter, 1, 0.1, plot=False)
    assert len(h) == 1
    out = capsys.readouterr().out
    assert out.startswith('MXNet sees GPU 0 but cannot run on it')
    assert out.rstrip().endswith('examples/sec on cpu(0)')


@pytest.mark.parametrize('optimizer, momentum', [
    ('sgd', 0.0), ('nag', 0.9), ('adam', 0.0)])
def test_optimizers_learn(optimizer, momentum):
    set_seed(3)
    train_iter, test_iter = loaders()
    lr = 0.01 if optimizer == 'adam' else 0.1
    h = train(mlp(), train_iter, test_iter, 2, lr, mx.cpu(), plot=False,
              optimizer=optimizer, momentum=momentum, warmup_epochs=0.2,
              schedule='cosine')
    assert h[-1].test_acc > 0.9


def test_optimizer_reaches_the_trainer(monkeypatch):
    seen = {}
    real = gluon.Trainer

    def spy(params, optimizer, optimizer_params):
        seen.update(optimizer_params, name=optimizer)
        return real(params, optimizer, optimizer_params)
    monkeypatch.setattr(gluon, 'Trainer', spy)
    train_iter, test_iter = loaders(n=128)
    train(mlp(), train_iter, test_iter, 1, 0.002, mx.cpu(), plot=False,
          optimizer='adam', wd=1e-4)
    assert seen['name'] == 'adam' and seen['learning_rate'] == 0.002
    assert seen['wd'] == 1e-4 and 'momentum' not in seen


def conv_weight_std(initializer):
    net = nn.HybridSequential()
    net.add(nn.Conv2D(64, 3, in_channels=32))
    set_seed(0)
    net.initialize(initializer_for(initializer))
    return float(net[0].weight.data().asnumpy().std())


def test_msra_initialisation_has_he_scale():
    # He et al.: std sqrt(2 / fan_in), fan_in = 32 * 3 * 3 = 288
    assert conv_weight_std('msra') == pytest.approx(math.sqrt(2 / 288),
                                                    rel=0.05)
    # Xavier (MXNet's default: uniform, 'avg', magnitude 3) is smaller
    assert conv_weight_std('xavier') == pytest.approx(
        math.sqrt(2 / (288 + 576)), rel=0.05)


@pytest.mark.parametrize('kwargs, message', [
    (dict(optimizer='rmsprop'), "optimizer must be one of"),
    (dict(optimizer='adam', momentum=0.9), 'Adam takes no momentum'),
    (dict(initializer='kaiming'), 'initializer must be one of')])
def test_bad_recipe_arguments(kwargs, message):
    train_iter, test_iter = loaders(n=128)
    with pytest.raises(ValueError, match=message):
        train(mlp(), train_iter, test_iter, 1, 0.1, mx.cpu(), plot=False,
              **kwargs)
