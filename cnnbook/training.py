"""Training: the book's train_ch5/train_ch6 loop, with live curves.

Works under both the classic ``nd`` API and the NumPy interface
(``npx.set_np()``): the loaders hand out arrays of the active kind, and the
running sums below use only operations both kinds share.
"""
import dataclasses
import math
import os
import random
import time

import numpy as np

from .device import thread_tip, try_gpu
from .plot import LiveCurves, in_notebook
from .recipe import OPTIMIZER_NAMES

CHANCE_LOSS = math.log(10)   # cross-entropy of a uniform guess, 10 classes

# The History of the latest train() call, finished or not: after Ctrl-C
# the notebook cell stops with the exception, and this is where the
# student finds the epochs done (``cnnbook.training.last_history``).
last_history = None

NO_BATCH = ('train_iter yields no batch: it holds fewer examples than one '
            'batch, and its last partial batch is dropped or rolled over. '
            'Use more examples or a smaller batch_size.')


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; ``history`` holds the epochs so far."""

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


def set_seed(seed):
    """Seed MXNet, numpy and Python, for reproducible runs.

    The training loader shuffles with numpy's global generator.
    """
    import mxnet as mx
    mx.random.seed(seed)
    np.random.seed(seed)
    random.seed(seed)


def _scalar(x):
    """A one-element MXNet array (nd or np) as a Python float."""
    return float(x.asnumpy().reshape(-1)[0])


def _correct(y_hat, y):
    """Number of right predictions, kept on the device."""
    return (y_hat.argmax(axis=1).astype('float32')
            == y.astype('float32')).astype('float32').sum()


def evaluate_accuracy(net, data_iter, ctx=None):
    """Accuracy of ``net`` on ``data_iter`` (one sync at the end)."""
    ctx = ctx or try_gpu()
    correct, n = 0.0, 0
    for X, y in data_iter:
        X, y = X.as_in_context(ctx), y.as_in_context(ctx)
        correct = correct + _correct(net(X), y)
        n += y.shape[0]
    return _scalar(correct) / n if n else float('nan')


@dataclasses.dataclass
class Epoch:
    """What one epoch of training measured."""

    epoch: int
    loss: float
    train_acc: float
    test_acc: float
    seconds: float
    examples_per_sec: float


class History(list):
    """The per-epoch records of a run (a list of :class:`Epoch`).

    ``evaluations`` holds every test evaluation as (epochs done, seconds
    of training so far, test accuracy): one per epoch's end, and more
    when ``train`` was asked for several per epoch; those within an
    epoch took ``extra_eval_seconds`` of wall time in all.
    """

    interrupted = False

    def __init__(self, *args):
        super().__init__(*args)
        self.evaluations = []
        self.extra_eval_seconds = 0.0

    def column(self, name):
        """One field across epochs, e.g. ``history.column('test_acc')``."""
        return [getattr(e, name) for e in self]

    def curve(self):
        """[(minutes of training so far, test accuracy)] at each test
        evaluation (each epoch's end, and any within an epoch).

        Evaluation time is left out, as in ``seconds``. A History made
        from epochs alone has the epochs' ends.
        """
        points, secs = list(self.evaluations), 0.0
        if not points:
            for e in self:
                secs += e.seconds
                points.append((e.epoch, secs, e.test_acc))
        return [(round(secs / 60, 3), round(acc, 4))
                for _, secs, acc in points]

    @property
    def examples_per_sec(self):
        """Training examples per second over the whole run."""
        secs = sum(e.seconds for e in self)
        n = sum(e.seconds * e.examples_per_sec for e in self)
        return n / secs if secs else float('nan')

    def __repr__(self):
        if not self:
            return 'History(no epoch finished)'
        last = self[-1]
        stop = ', interrupted' if self.interrupted else ''
        return (f'History({len(self)} epochs{stop}: loss {last.loss:.3f}, '
                f'train acc {last.train_acc:.3f}, test acc '
                f'{last.test_acc:.3f})')


def _scheduler(lr, steps_per_epoch, num_epochs, warmup_epochs, schedule):
    """An MXNet lr scheduler for the recipe, or None for a constant lr."""
    import mxnet as mx
    warmup = int(round(warmup_epochs * steps_per_epoch))
    total = max(steps_per_epoch * num_epochs, warmup + 1)
    if schedule == 'cosine':
        return mx.lr_scheduler.CosineScheduler(
            max_update=total, base_lr=lr, final_lr=0.0, warmup_steps=warmup,
            warmup_begin_lr=0.0)
    if schedule != 'constant':
        raise ValueError(f"schedule must be 'constant' or 'cosine', got "
                         f'{schedule!r}')
    if warmup:
        # factor 1: the rate stays at lr once the warm-up is over.
        return mx.lr_scheduler.FactorScheduler(
            step=total + 1, factor=1.0, base_lr=lr, warmup_steps=warmup,
            warmup_begin_lr=0.0)
    return None


OPTIMIZERS = ('sgd', 'nag', 'adam')
INITIALIZERS = ('xavier', 'msra')


def initializer_for(name):
    """The MXNet initializer called ``name`` ('xavier' or 'msra')."""
    import mxnet as mx
    if name == 'xavier':
        return mx.init.Xavier()     # the book's choice
    if name == 'msra':
        # He et al. (2015): variance 2/fan_in keeps the signal's scale
        # through ReLU layers; slope 0 is a plain ReLU.
        return mx.init.MSRAPrelu('in', 0.0)
    raise ValueError(f'initializer must be one of {INITIALIZERS}, got '
                     f'{name!r}')


def optimizer_params(optimizer, lr, momentum, wd):
    """gluon.Trainer's optimizer_params for the recipe, checked."""
    if optimizer not in OPTIMIZERS:
        raise ValueError(f'optimizer must be one of {OPTIMIZERS}, got '
                         f'{optimizer!r}')
    params = {'learning_rate': lr, 'wd': wd}
    if optimizer == 'adam':
        # Adam keeps its own running means (beta1 plays momentum's part)
        if momentum:
            raise ValueError('Adam takes no momentum (its beta1 is '
                             "the momentum); use optimizer='nag' or 'sgd' "
                             'with momentum, or momentum=0 with Adam.')
    else:
        params['momentum'] = momentum
    return params


def _format_secs(seconds):
    """A duration as '42 s' or '2 min 5 s', to the nearest second."""
    # round once, before splitting: rounding the minutes and the seconds
    # apart gives "2 min 60 s" for 119.7 s
    minutes, secs = divmod(round(seconds), 60)
    return f'{minutes} min {secs} s' if minutes else f'{secs} s'


def chance_hint(lr, optimizer, momentum, warmup_epochs, profile=None):
    """What to say when the first epoch ends at chance level, or None.

    The hint names this run's recipe and suggests only what it does not
    already use. Under the smoke profile (``profile``, as
    ``Settings.train_kwargs`` passes it) it says nothing: its runs (one
    epoch on a few hundred images) are too short to learn.
    """
    if profile == 'smoke':
        return None
    used = [f'momentum {momentum:g}'] if momentum else []
    used += ([f'a {warmup_epochs:g}-epoch warm-up'] if warmup_epochs
             else [])
    run = (f'{OPTIMIZER_NAMES.get(optimizer, optimizer)}, lr {lr:g}'
           + (f', {" and ".join(used)}' if used else ''))
    tries = ['another seed', f'a smaller lr (lr={lr / 10:g})']
    if not momentum and optimizer in ('sgd', 'nag'):
        tries.append('momentum=0.9')
    if not warmup_epochs:
        tries.append('warmup_epochs=0.5')
    return (f'hint: the loss is still about ln 10 = {CHANCE_LOSS:.2f}, '
            f'chance level: this run ({run}) has not started to learn. '
            'More epochs may get it moving; otherwise try '
            f'{", ".join(tries[:-1])} or {tries[-1]}.')


def smoothed_loss(smoothing):
    """Softmax cross-entropy against labels smoothed by ``smoothing``:
    the target keeps 1 - smoothing on the true class and spreads
    ``smoothing`` evenly over all ten (Szegedy et al. 2016, section 7).

    Written here because MXNet 1.9's gluon losses take no smoothing; it
    uses log_softmax and pick as gluon's SoftmaxCrossEntropyLoss does,
    from ``npx`` under the NumPy interface (7.4).
    """
    from mxnet import gluon
    from mxnet.util import is_np_array

    class SmoothedCrossEntropy(gluon.loss.Loss):
        def __init__(self):
            super().__init__(weight=None, batch_axis=0)

        def hybrid_forward(self, F, pred, label):
            npx = F.npx if is_np_array() else F
            log_p = npx.log_softmax(pred, axis=-1)
            true = -npx.pick(log_p, label, axis=-1)
            spread = -log_p.mean(axis=-1)
            return (1 - smoothing) * true + smoothing * spread

    return SmoothedCrossEntropy()


def smoothed_loss_floor(smoothing, classes=10):
    """The least value :func:`smoothed_loss` can take: the entropy of its
    target, reached when the net predicts the target exactly (0.50 for a
    smoothing of 0.1 over ten classes; 0 without smoothing)."""
    import math
    target = [1 - smoothing + smoothing / classes] + \
        [smoothing / classes] * (classes - 1)
    return -sum(q * math.log(q) for q in target if q > 0)


EVALS_VARIABLE = 'CNNBOOK_EVALS_PER_EPOCH'


def evals_per_epoch_from(value):
    """The number of test evaluations per epoch: ``value``, or when it is
    None the environment's CNNBOOK_EVALS_PER_EPOCH (the benchmark sets it
    for the notebooks it runs), else 1. Anything but a whole number from
    1 up is refused with a sentence naming where it came from."""
    source = 'evals_per_epoch'
    if value is None:
        value, source = os.environ.get(EVALS_VARIABLE, '1'), EVALS_VARIABLE
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = 0
    if count < 1 or str(count) != str(value).strip():
        raise ValueError(f'{source} must be a whole number of test '
                         f'evaluations per epoch, 1 or more; got {value!r}')
    return count


def train(net, train_iter, test_iter, num_epochs, lr, ctx=None, *,
          momentum=0.0, wd=0.0, warmup_epochs=0.0, schedule='constant',
          optimizer='sgd', initializer='xavier', points_per_epoch=5,
          plot=None, init=True, progress_secs=5.0, loss=None,
          profile=None, evals_per_epoch=None, label_smoothing=0.0):
    """Train ``net`` with SGD and softmax cross-entropy; return a History.

    As the book's ``train_ch5``: Xavier initialisation (``init=False``
    keeps the current weights), ``ctx`` defaults to :func:`try_gpu`, and
    the net is hybridized where it can be. The recipe arguments beyond the
    book's (momentum, weight decay, warm-up epochs, cosine schedule, the
    optimizer ``'sgd'``, ``'nag'`` or ``'adam'``, the initializer
    ``'xavier'`` or ``'msra'``) are those a profile may change; their
    defaults are the book's plain SGD from Xavier initialisation.

    The curves are drawn live in Jupyter (``plot=None`` decides by itself).
    ``loss`` replaces the softmax cross-entropy with another gluon loss
    that takes the net's output and the integer labels;
    ``label_smoothing`` (a recipe's) smooths the cross-entropy's targets
    (:func:`smoothed_loss`). ``profile`` (as
    ``Settings.train_kwargs()`` passes it) only decides whether a first
    epoch at chance level earns a hint (:func:`chance_hint`).

    ``evals_per_epoch`` (default 1, or CNNBOOK_EVALS_PER_EPOCH) tests the
    net that many times per epoch, at even steps, for the benchmark's
    time to accuracy; the time they take is left out of the training
    time, they change nothing in the training, and only the epoch's end
    is printed and drawn. All of them are in ``history.evaluations``.

    Between points, a progress line with an ETA is refreshed every
    ``progress_secs`` seconds. A NaN loss raises :class:`TrainingDiverged`.
    Ctrl-C (Jupyter's Interrupt) stops the run and goes on as
    ``KeyboardInterrupt``, so that the next cells do not start; the
    epochs done so far are on the exception (``err.history``) and in
    ``cnnbook.training.last_history``, which always holds the latest
    run's History.
    """
    global last_history
    import mxnet as mx
    from mxnet import autograd, gluon
    if num_epochs < 1 or lr <= 0:
        raise ValueError(f'num_epochs must be >= 1 and lr > 0, got '
                         f'num_epochs={num_epochs}, lr={lr}')
    if len(train_iter) == 0:
        raise ValueError(NO_BATCH)
    evals = evals_per_epoch_from(evals_per_epoch)
    if not 0 <= label_smoothing < 1 or (label_smoothing and loss):
        raise ValueError(
            'label_smoothing must be at least 0 and below 1, and goes with '
            f'the default loss only; got {label_smoothing!r}'
            + (' with a loss of your own' if loss else ''))
    ctx = ctx or try_gpu()
    tip = thread_tip() if ctx.device_type == 'cpu' else None
    if tip:
        print(tip, flush=True)
    opt_params = optimizer_params(optimizer, lr, momentum, wd)
    if init:
        net.initialize(initializer_for(initializer), ctx=ctx,
                       force_reinit=True)
    # Block.hybridize reaches every HybridBlock inside a plain Sequential.
    net.hybridize(static_alloc=True, static_shape=True)
    steps = len(train_iter)
    sched = _scheduler(lr, steps, num_epochs, warmup_epochs, schedule)
    if sched is not None:
        opt_params['lr_scheduler'] = sched
    trainer = gluon.Trainer(net.collect_params(), optimizer, opt_params)
    loss_fn = loss or (smoothed_loss(label_smoothing) if label_smoothing
                       else gluon.loss.SoftmaxCrossEntropyLoss())
    plot = in_notebook() if plot is None else plot
    curves = LiveCurves(num_epochs) if plot else None
    every = max(1, steps // max(1, points_per_epoch))
    # the batches after which a test evaluation falls within an epoch
    eval_after = {round(steps * j / evals) for j in range(1, evals)} - {
        0, steps}
    history = last_history = History()
    start = last_note = time.time()
    trained = 0.0       # seconds of training in the finished epochs

    def eta_text(epoch, i):
        done = epoch + (i + 1) / steps
        eta = (time.time() - start) / done * (num_epochs - done)
        return (f'epoch {epoch + 1}/{num_epochs}, batch {i + 1}/{steps}, '
                f'ETA {_format_secs(eta)}')

    # The loss and accuracy sums stay on the device; they are read only at
    # the few plot points per epoch, not after every batch.
    try:
        for epoch in range(num_epochs):
            tic = time.time()
            loss_sum = correct = 0.0
            n, previous = 0, None
            for i, (X, y) in enumerate(train_iter):
                X, y = X.as_in_context(ctx), y.as_in_context(ctx)
                with autograd.record():
                    y_hat = net(X)
                    batch_loss = loss_fn(y_hat, y)
                batch_loss.backward()
                trainer.step(X.shape[0])
                loss_sum = loss_sum + batch_loss.sum()
                correct = correct + _correct(y_hat, y)
                n += X.shape[0]
                # MXNet runs asynchronously: without a bound, Python queues
                # batch after batch (about 25 MB each at 224x224). Waiting
                # for the previous batch keeps one in flight, copies
                # nothing to the host, and keeps the progress count true.
                if previous is not None:
                    previous.wait_to_read()
                previous = batch_loss
                if (i + 1) % every == 0 or i + 1 == steps:
                    mean_loss = _scalar(loss_sum) / n
                    if not math.isfinite(mean_loss):
                        raise TrainingDiverged(
                            f'the loss became {mean_loss} in epoch '
                            f'{epoch + 1}, batch {i + 1} (lr={lr}). Lower '
                            f'the learning rate (try lr={lr / 2:g}), add a '
                            'warm-up (warmup_epochs=0.5), or check the '
                            'input scaling.', history)
                    if curves:
                        curves.add(epoch + (i + 1) / steps, loss=mean_loss,
                                   train_acc=_scalar(correct) / n)
                        curves.show(eta_text(epoch, i))
                        last_note = time.time()
                elif curves and time.time() - last_note > progress_secs:
                    # The batch count needs no sync with the device.
                    curves.progress(eta_text(epoch, i))
                    last_note = time.time()
                if i + 1 in eval_after:
                    mx.nd.waitall()     # the training so far, finished
                    paused = time.time()
                    acc = evaluate_accuracy(net, test_iter, ctx)
                    history.evaluations.append(
                        (epoch + (i + 1) / steps,
                         trained + paused - tic, acc))
                    # the epoch's clock skips the evaluation
                    took = time.time() - paused
                    tic += took
                    history.extra_eval_seconds += took
            if n == 0:      # a loader whose len() promised batches
                raise ValueError(NO_BATCH)
            train_secs = time.time() - tic
            trained += train_secs
            test_acc = evaluate_accuracy(net, test_iter, ctx)
            history.evaluations.append((epoch + 1, trained, test_acc))
            record = Epoch(epoch + 1, _scalar(loss_sum) / n,
                           _scalar(correct) / n, test_acc, train_secs,
                           n / train_secs)
            history.append(record)
            print(f'epoch {record.epoch}: loss {record.loss:.3f}, train acc '
                  f'{record.train_acc:.3f}, test acc {test_acc:.3f} '
                  f'({train_secs:.1f} s)', flush=True)
            if curves:
                curves.add(epoch + 1, test_acc=test_acc)
                curves.show(f'epoch {epoch + 1}/{num_epochs} done, '
                            f'{_format_secs(time.time() - start)} so far')
            if epoch == 0 and abs(record.loss - CHANCE_LOSS) < 0.1:
                hint = chance_hint(lr, optimizer, momentum, warmup_epochs,
                                   profile)
                if hint:
                    print(hint, flush=True)
    except KeyboardInterrupt as err:
        history.interrupted = True
        err.history = history
        print(f'interrupted after {len(history)} complete epoch(s); they '
              'are in cnnbook.training.last_history.', flush=True)
        raise
    finally:
        mx.nd.waitall()
        if curves and curves.points['loss'][0]:
            ended = 'finished' if len(history) == num_epochs else 'stopped'
            curves.show(f'{ended} in {_format_secs(time.time() - start)}')
    if history:
        last = history[-1]
        print(f'loss {last.loss:.3f}, train acc {last.train_acc:.3f}, '
              f'test acc {last.test_acc:.3f}')
        print(f'{history.examples_per_sec:.1f} examples/sec on {ctx}')
    return history
