"""The container image (Containerfile), checked from outside.

Run by `make test-container` after it has built the image (named in
$CNNBOOK_IMAGE) with buildah; not collected by `make test` (the file
name is not test_*.py). Every check runs the image with podman, as a
laptop, Codespaces or a JupyterHub spawner would.
"""
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IMAGE = os.environ.get('CNNBOOK_IMAGE')
# The target for a lean image.
MAX_BYTES = 1.5e9


@pytest.fixture(scope='module')
def image():
    if not IMAGE:
        pytest.fail('CNNBOOK_IMAGE names no image: run make test-container')
    return IMAGE


def podman(*args, check=True, timeout=300):
    done = subprocess.run(['podman', *args], capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert done.returncode == 0, (
            f'podman {" ".join(args)} failed:\n{done.stdout}\n{done.stderr}')
    return done


def run_in(image, script, *options, timeout=300):
    """Run ``script`` with sh in a throwaway container; return stdout.

    The container is removed even when the run times out (killing the
    podman client alone would leave it running).
    """
    name = f'cnnbook-test-{os.getpid()}-{time.monotonic_ns()}'
    try:
        return podman('run', '--rm', '--name', name, *options, image, 'sh',
                      '-c', script, timeout=timeout).stdout
    finally:
        podman('rm', '--force', '--ignore', name, check=False)


def test_image_is_lean(image):
    size = json.loads(podman('image', 'inspect', image).stdout)[0]['Size']
    print(f'{image}: {size / 1e9:.2f} GB')
    assert size <= MAX_BYTES, f'{image} is {size / 1e9:.2f} GB'
    # no compiler, and no pip/uv caches kept
    out = run_in(image, 'for c in cc gcc g++ uv; do command -v $c; done; '
                 'ls -A ~/.cache /opt/venv/share/uv 2>/dev/null; true')
    assert out == '', f'found in the image:\n{out}'


def test_runs_as_jovyan_uid_1000_with_jupyterhub_singleuser(image):
    out = run_in(image, 'id -un; id -u; pwd; '
                 'jupyterhub-singleuser --version').split()
    assert out[:3] == ['jovyan', '1000', '/home/jovyan/cnnbook'], out
    # the version requirements.txt pins
    pin = next(line for line in
               (ROOT / 'requirements.txt').read_text().splitlines()
               if line.startswith('jupyterhub=='))
    assert out[3] == pin.split('==')[1], out


def test_every_notebook_passes_inside(image):
    notebooks = sorted(p.name for p in (ROOT / 'book').glob('*.ipynb'))
    # nbmake bounds each cell (600 s); the whole run gets an hour, which
    # a busy 2-core machine has needed (16 min for three notebooks)
    out = run_in(image, 'python -m pytest --nbmake book '
                 '--nbmake-timeout=600 -p no:cacheprovider -q -rA',
                 '--env', 'CNNBOOK_PROFILE=smoke', timeout=3600)
    passed = sorted(line.split('::')[0].removeprefix('PASSED book/')
                    for line in out.splitlines()
                    if line.startswith('PASSED book/'))
    assert passed == notebooks, out


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def status(url):
    """The HTTP status of ``url``, or None if nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def test_jupyterlab_answers_with_a_token(image):
    # The image's own command (JupyterLab on port 8888), published on a
    # free local port as `podman run -p 8888:8888` would.
    port, token = free_port(), os.urandom(16).hex()
    name = f'cnnbook-lab-{port}'
    podman('run', '--detach', '--rm', '--name', name,
           '--publish', f'127.0.0.1:{port}:8888',
           '--env', f'JUPYTER_TOKEN={token}', image)
    try:
        base = f'http://127.0.0.1:{port}'
        deadline, answer = time.monotonic() + 180, None
        while answer is None and time.monotonic() < deadline:
            time.sleep(1)
            answer = status(f'{base}/api/status?token={token}')
        logs = podman('logs', name, check=False)
        assert answer == 200, f'JupyterLab: {answer}\n{logs.stderr}'
        assert status(f'{base}/api/status') == 403
        assert status(f'{base}/api/status?token=wrong') == 403
        assert status(f'{base}/lab?token={token}') == 200
    finally:
        podman('stop', '--time', '2', name, check=False)
