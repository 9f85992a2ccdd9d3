"""The path a student takes: the chapters in a real JupyterLab.

``make lab`` starts JupyterLab as root too (containers, some lab
machines), where Jupyter refuses to run without ``--allow-root``.
"""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize('uid', ['0', '1000'])
def test_make_lab_allows_root_only_for_root(uid, tmp_path):
    # a stand-in for `id` that reports the given user
    fake = tmp_path / 'id'
    fake.write_text(f'#!/bin/sh\necho {uid}\n')
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}')
    out = subprocess.run(['make', '-n', '-s', '-C', str(ROOT), 'lab'],
                         env=env, capture_output=True, text=True,
                         check=True).stdout
    line = [x for x in out.splitlines() if 'jupyter lab' in x]
    assert line, out
    assert ('--allow-root' in line[-1]) == (uid == '0'), line[-1]
