"""`make test-platforms` on a machine that cannot run it.

The checks themselves (nbtests/platform_container.py and
nbtests/platform_arm64.py, and the 3.14 pass) run in `make
test-platforms`, the last step of `make test`. Here: a laptop without
the container tools, apt-get or root gets one sentence, and nothing is
installed or left behind (`make test` then leaves the checks out, unless
CI=true).
"""
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_container_tools_is_one_sentence(tmp_path):
    # A PATH holding only bash and id: no buildah, podman, debootstrap,
    # qemu, apt-get or sudo. As root (CI), the run drops to nobody.
    bin_ = tmp_path / 'bin'
    bin_.mkdir()
    for tool in ('bash', 'id'):
        (bin_ / tool).symlink_to(shutil.which(tool))
    user = []
    if os.getuid() == 0:
        user = [shutil.which('setpriv'), '--reuid=65534', '--regid=65534',
                '--clear-groups']
    before = sorted(p.name for p in ROOT.iterdir())
    done = subprocess.run(
        [*user, shutil.which('make'), '--no-print-directory', '-C',
         str(ROOT), 'platform-tools'],
        capture_output=True, text=True,
        env={'PATH': str(bin_), 'OMP_NUM_THREADS': '1',
             'HOME': '/nonexistent'})
    assert done.returncode != 0
    assert done.stdout == (
        'the container, Python 3.14 and arm64 checks need buildah podman '
        'runc debootstrap qemu-aarch64-static and this machine cannot '
        'install them (no apt-get, or neither root nor sudo): on Debian or '
        'Ubuntu, sudo apt-get install buildah podman runc debootstrap '
        'qemu-user-static.\n'), done.stdout + done.stderr
    assert sorted(p.name for p in ROOT.iterdir()) == before
