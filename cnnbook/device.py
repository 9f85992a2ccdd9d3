"""Where training runs: the GPU check, its fallback sentence, and the
OpenMP tip for the CPU.

MXNet 1.9.1's CUDA builds stop at sm_86, so a GPU that MXNet sees may
still fail at the first operator; :func:`try_gpu` finds out once per
process and falls back to the CPU with one sentence.
"""
import functools
import os


def try_gpu(i=0):
    """Return gpu(i) if MXNet can run on it, else cpu().

    A GPU that MXNet sees but cannot use (say, an H100 under mxnet-cu117,
    whose kernels stop at sm_86) gets one sentence saying so, and the
    CPU is used instead.
    """
    import mxnet as mx
    return mx.gpu(i) if _gpu_runs(i) else mx.cpu()


# Cached: the check costs one operator, and the sentence is said once
# per process, not at every call of evaluate_accuracy.
@functools.lru_cache(maxsize=None)
def _gpu_runs(i):
    """Whether MXNet sees gpu(i) and can run an operator on it."""
    import mxnet as mx
    try:
        if mx.context.num_gpus() <= i:
            return False
        # MXNet runs operators asynchronously: asnumpy() waits, so a
        # missing kernel or a CUDA error surfaces here.
        mx.nd.ones((1,), ctx=mx.gpu(i)).asnumpy()
    except mx.base.MXNetError as err:
        print(gpu_fallback_message(i, err), flush=True)
        return False
    return True


def gpu_fallback_message(i, err):
    """The sentence printed when gpu(i) is seen but fails with ``err``."""
    # MXNet's message ends with its reason, after a C++ traceback.
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    reason = lines[-1].removeprefix('MXNetError: ') if lines else repr(err)
    return (f'MXNet sees GPU {i} but cannot run on it ({reason}), so '
            f'cnnbook uses the CPU; the mxnet-cu117 1.9.1 build has '
            f'kernels for sm_50 to sm_86 only (no H100, sm_90): see '
            f'the README, "A GPU".')


def thread_tip():
    """A tip when MXNet runs on fewer OpenMP threads than there are cores.

    MXNet reads OMP_NUM_THREADS once, when it is imported, and otherwise
    uses half the cores (it assumes hyper-threading), so the setting has
    to come from the environment that starts Python or Jupyter.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(
        os, 'sched_getaffinity') else os.cpu_count()
    if os.environ.get('OMP_NUM_THREADS') or cores < 2:
        return None
    return (f'tip: MXNet uses {max(cores // 2, 1)} of {cores} cores. Start '
            f'Jupyter with OMP_NUM_THREADS={cores} (make lab does) to train '
            'up to twice as fast.')
