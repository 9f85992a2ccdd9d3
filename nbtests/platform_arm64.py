"""MXNet's aarch64 wheel, run under qemu-user emulation.

Run by `make test-arm64`, which has unpacked Debian 13's arm64 Python
into $CNNBOOK_ARM64_ROOT and installed requirements.txt there from
aarch64 wheels; not collected by `make test`. The
aarch64 Python runs in a chroot of that root through qemu-aarch64-static,
called directly because these machines have no binfmt_misc. This is the
check that can be made here for Apple Silicon (Docker and Podman run
arm64 Linux there) and Linux aarch64: the wheel's own code runs, not a
real arm64 CPU's speed.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cnnbook import data

ROOT = Path(__file__).resolve().parents[1]
ARM64 = os.environ.get('CNNBOOK_ARM64_ROOT')
PYTHON = os.environ.get('CNNBOOK_ARM64_PYTHON', '/usr/bin/python3.13')

# A seeded NiN, the chapter's own builder, at the smallest input NiN
# takes (99x99: its last block's map stays 2x2 under the global average
# pooling), 3 epochs of Adam from MSRA on one batch of 16 images (and 16
# to test); then one JSON line with what it ran on and the loss of each
# epoch. Emulation is slow (128 images took over 10 minutes an epoch on
# a busy machine here), so the run is as small as still shows the loss
# fall (x86_64, seed 0: 3.01, 2.68, 2.42).
SCRIPT = """
import json, platform
from cnnbook import chapters, data, training  # first: cnnbook/_compat.py
import mxnet, numpy
training.set_seed(0)
net = chapters.builder('nin')()
train_iter, test_iter = data.load_data_fashion_mnist(
    16, resize=99, subset=(16, 16))
history = training.train(net, train_iter, test_iter, 3, 0.001,
                         optimizer='adam', initializer='msra', plot=False,
                         progress_secs=1e9)
print(json.dumps({'machine': platform.machine(), 'mxnet': mxnet.__version__,
                  'numpy': numpy.__version__,
                  'loss': history.column('loss')}))
"""


@pytest.fixture(scope='module')
def root():
    if not ARM64:
        pytest.fail('CNNBOOK_ARM64_ROOT names no arm64 root: run '
                    'make test-arm64')
    root = Path(ARM64).resolve()
    # this checkout's cnnbook and notebooks (builders are read from
    # them), and the data, copied in fresh
    book = root / 'opt' / 'book'
    shutil.rmtree(book, ignore_errors=True)
    shutil.copytree(ROOT / 'cnnbook', book / 'cnnbook',
                    ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copytree(ROOT / 'book', book / 'book',
                    ignore=shutil.ignore_patterns('_build', '.*'))
    folder, _ = data.find_fashion_mnist()
    shutil.copytree(folder, book / 'data', dirs_exist_ok=True)
    return root


def in_arm64(root, *args, timeout=1800):
    # OpenBLAS's folder: where update-alternatives would have pointed
    # libblas.so.3 and liblapack.so.3, had the packages' scripts run
    env = {'PATH': '/usr/bin:/bin', 'PYTHONPATH': '/opt/book',
           'LD_LIBRARY_PATH': '/usr/lib/aarch64-linux-gnu/openblas-pthread',
           'FASHION_MNIST_DIR': '/opt/book/data', 'HOME': '/tmp',
           'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '2')}
    return subprocess.run(
        [shutil.which('chroot'), str(root), '/usr/bin/qemu-aarch64-static',
         PYTHON, *args], capture_output=True, text=True, env=env,
        timeout=timeout)


def test_python_is_aarch64(root):
    done = in_arm64(root, '-c', 'import platform; print(platform.machine())')
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == 'aarch64'


def test_nin_trains_with_a_falling_loss(root):
    done = in_arm64(root, '-c', SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    print(result)
    pins = (ROOT / 'requirements.txt').read_text().splitlines()
    assert f"mxnet=={result['mxnet']}" in pins
    assert result['machine'] == 'aarch64'
    loss = result['loss']
    assert len(loss) == 3 and loss[-1] < loss[0], (
        f'the loss did not fall: {loss}')
