"""The site's build steps (cnnbook/build.py): the execution-cache stamp.
The built site itself is tested in test_site.py."""
import shutil
from pathlib import Path

from cnnbook import build

LIBRARY = Path(build.__file__).parent


def test_fingerprint_follows_profile_and_library(tmp_path):
    copy = tmp_path / 'lib'
    shutil.copytree(LIBRARY, copy, ignore=shutil.ignore_patterns('__pyc*'))
    base = build.library_fingerprint('cpu', copy)
    assert base == build.library_fingerprint('cpu', LIBRARY)
    assert base != build.library_fingerprint('smoke', copy)
    path = copy / 'training.py'
    path.write_text(path.read_text() + '#\n')
    assert base != build.library_fingerprint('cpu', copy)


def test_stamp_clears_the_cache_only_when_stale(tmp_path, monkeypatch):
    cache = tmp_path / '.jupyter_cache'
    monkeypatch.setenv('CNNBOOK_PROFILE', 'smoke')
    cache.mkdir()
    assert build.stamp(tmp_path) and not cache.exists()
    cache.mkdir()
    (cache / 'kept').write_text('x')
    assert not build.stamp(tmp_path)
    assert (cache / 'kept').exists()
    monkeypatch.setenv('CNNBOOK_PROFILE', 'cpu')
    assert build.stamp(tmp_path) and not cache.exists()
    assert 'profile=cpu' in (tmp_path / build.STAMP).read_text()
