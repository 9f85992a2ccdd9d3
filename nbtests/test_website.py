"""Building the site: the cache stamp and the numbers for the results page
(cnnbook/website.py). The built site itself is tested in test_site.py."""
import shutil
from pathlib import Path

import pytest

import cnnbook
from cnnbook import website
from cnnbook.train import Epoch, History

LIBRARY = Path(website.__file__).parent


def test_fingerprint_follows_profile_and_library(tmp_path):
    copy = tmp_path / 'lib'
    shutil.copytree(LIBRARY, copy, ignore=shutil.ignore_patterns('__pyc*'))
    base = website.library_fingerprint('cpu', copy)
    assert base == website.library_fingerprint('cpu', LIBRARY)
    assert base != website.library_fingerprint('smoke', copy)
    (copy / 'train.py').write_text((copy / 'train.py').read_text() + '#\n')
    assert base != website.library_fingerprint('cpu', copy)


def test_stamp_clears_the_cache_only_when_stale(tmp_path, monkeypatch):
    cache = tmp_path / '.jupyter_cache'
    monkeypatch.setenv('CNNBOOK_PROFILE', 'smoke')
    cache.mkdir()
    assert website.stamp(tmp_path) and not cache.exists()
    cache.mkdir()
    (cache / 'kept').write_text('x')
    assert not website.stamp(tmp_path)
    assert (cache / 'kept').exists()
    monkeypatch.setenv('CNNBOOK_PROFILE', 'cpu')
    assert website.stamp(tmp_path) and not cache.exists()
    assert 'profile=cpu' in (tmp_path / website.STAMP).read_text()


def test_record_results_glues_the_last_epoch(monkeypatch):
    glued = {}
    import myst_nb
    monkeypatch.setattr(myst_nb, 'glue', lambda k, v, display: glued.update(
        {k: (v, display)}))
    history = History([Epoch(1, 0.9, 0.6, 0.55, 10.0, 100.0),
                       Epoch(2, 0.5, 0.8, 0.75, 30.0, 200.0)])
    cfg = cnnbook.settings('nin', 'cpu')
    values = cnnbook.record_results(cfg, history)
    assert {k: v for k, (v, _) in glued.items()} == values
    assert not any(display for _, display in glued.values())
    assert values['epochs'] == 2 and values['test_acc'] == 0.75
    assert values['train_seconds'] == 40.0
    # images per second over the run: (1000 + 6000) / 40
    assert values['examples_per_sec'] == pytest.approx(175.0)
    assert values['profile'] == 'cpu'
    assert values['input'] == f'{cfg.resize}×{cfg.resize}'


def test_record_results_needs_an_epoch():
    with pytest.raises(ValueError, match='at least one finished epoch'):
        cnnbook.record_results(cnnbook.settings('nin', 'smoke'), History())
