"""``python -m cnnbook``: the command line of cnnbook/__main__.py."""
import subprocess
import sys

import pytest


def run(*args, **env):
    """``python -m cnnbook ARGS`` in a fresh process."""
    import os
    return subprocess.run([sys.executable, '-m', 'cnnbook', *args],
                          capture_output=True, text=True,
                          env=dict(os.environ, **env))


def test_help_prints_help_and_does_nothing_else(tmp_path):
    # a missing FASHION_MNIST_DIR would be an error if the data were read
    done = run('--help', FASHION_MNIST_DIR=str(tmp_path / 'nope'))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('usage: python -m cnnbook')
    for word in ('--where', 'stamp', 'student', 'course'):
        assert word in done.stdout
    assert 'Fashion-MNIST:' not in done.stdout + done.stderr
    assert not (tmp_path / 'nope').exists()


def test_unknown_command_is_refused(tmp_path):
    done = run('stmap', str(tmp_path))
    assert done.returncode == 2
    assert "invalid choice: 'stmap'" in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('command, name', [('stamp', 'BUILD'),
                                           ('student', 'BUILD'),
                                           ('course', 'DIR')])
def test_command_needs_a_folder(command, name):
    done = run(command)
    assert done.returncode == 2
    assert f'the following arguments are required: {name}' in done.stderr


def test_course_runs_the_course_step(tmp_path, monkeypatch):
    from cnnbook import course
    from cnnbook.__main__ import main
    made = []
    monkeypatch.setattr(course, 'make_course',
                        lambda root: made.append(root) or [])
    assert main(['course', str(tmp_path)]) == 0
    assert made == [str(tmp_path)]


def test_stamp_runs_the_build_step(tmp_path, monkeypatch, capsys):
    from cnnbook import build
    from cnnbook.__main__ import main
    monkeypatch.setenv('CNNBOOK_PROFILE', 'smoke')
    assert main(['stamp', str(tmp_path)]) == 0
    assert 'profile=smoke' in (tmp_path / build.STAMP).read_text()
    assert 'execution cache cleared' in capsys.readouterr().out


def test_where_goes_without_a_command(tmp_path, capsys):
    from cnnbook.__main__ import main
    with pytest.raises(SystemExit) as exit:
        main(['--where', 'stamp', str(tmp_path)])
    assert exit.value.code == 2
    assert '--where goes without a command' in capsys.readouterr().err
