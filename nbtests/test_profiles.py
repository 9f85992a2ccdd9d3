"""Tests of cnnbook.profiles."""
import dataclasses

import mxnet as mx
import pytest

from cnnbook import profiles
from cnnbook.chapters import chapter, sections
from cnnbook.profiles import BOOK, active_profile, settings


def test_unknown_profile_lists_valid_ones(monkeypatch):
    monkeypatch.setenv('CNNBOOK_PROFILE', 'fast')
    with pytest.raises(ValueError, match="'fast' is not a profile; use one "
                       'of: full, cpu, smoke'):
        active_profile()


class GPUArray:
    def asnumpy(self):
        return None


def broken_gpu(*args, **kwargs):
    raise mx.base.MXNetError('no kernel image is available for execution '
                             'on the device')


@pytest.mark.parametrize('gpus, ones, expected', [
    (0, broken_gpu, 'cpu'),
    (1, lambda *args, **kwargs: GPUArray(), 'full'),
    # a GPU that MXNet sees but cannot run on keeps the cpu profile
    (1, broken_gpu, 'cpu')])
def test_default_depends_on_working_gpu(monkeypatch, capsys, gpus, ones,
                                        expected):
    monkeypatch.delenv('CNNBOOK_PROFILE', raising=False)
    monkeypatch.setattr(mx.context, 'num_gpus', lambda: gpus)
    monkeypatch.setattr(mx.nd, 'ones', ones)
    assert active_profile() == expected
    said = capsys.readouterr().out
    assert ('cannot run on it' in said) == (gpus == 1 and expected == 'cpu')


def test_env_selects(monkeypatch):
    monkeypatch.setenv('CNNBOOK_PROFILE', ' Smoke ')
    assert active_profile() == 'smoke'
    assert settings('nin').profile == 'smoke'


@pytest.mark.parametrize('section', list(BOOK))
def test_profiles_keep_their_promises(section):
    full = settings(section, 'full')
    assert full.recipe == full.book and full.changes() == []
    cpu = settings(section, 'cpu')
    assert cpu.subset is None            # cpu trains on all 60k/10k
    smoke = settings(section, 'smoke')
    assert smoke.subset is not None and smoke.num_epochs == 1
    for s in (full, cpu, smoke):
        assert s.lr > 0 and s.batch_size >= 1 and s.num_epochs >= 1


def test_book_recipes():
    assert (BOOK['nin'].lr, BOOK['nin'].num_epochs, BOOK['nin'].batch_size,
            BOOK['nin'].resize) == (0.1, 5, 128, 224)
    assert BOOK['googlenet'].resize == BOOK['googlenet-numpy'].resize == 96
    assert BOOK['googlenet'].num_epochs == 5
    assert BOOK['googlenet-numpy'].num_epochs == 10


def test_repr_shows_both_recipes():
    s = settings('nin', 'cpu')
    text = repr(s)
    assert "profile 'cpu' for section 'nin'" in text
    assert 'the book: lr 0.1, 5 epochs, batch 128, input 224x224, SGD, ' \
        'Xavier init, all 60000/10000 images' in text
    assert 'changed:' in text and 'resize' in text
    assert s.lr == s.recipe.lr          # fields read through
    assert set(s.train_kwargs()) == {'momentum', 'wd', 'warmup_epochs',
                                     'schedule', 'optimizer', 'initializer',
                                     'label_smoothing', 'profile'}


def test_describe_names_the_optimizer_and_initialisation():
    r = profiles.Recipe(lr=0.001, num_epochs=3, batch_size=128, resize=99,
                        warmup_epochs=0.2, schedule='cosine',
                        optimizer='adam', initializer='msra')
    assert r.describe() == ('lr 0.001, 3 epochs, batch 128, input 99x99, '
                            'Adam (0.2-epoch warm-up, cosine schedule), '
                            'MSRA init, all 60000/10000 images')


def test_describe_names_smoothing_and_flips():
    r = profiles.Recipe(lr=0.001, num_epochs=3, batch_size=64, resize=48,
                        optimizer='adam', label_smoothing=0.1, flip=True)
    assert r.describe() == ('lr 0.001, 3 epochs, batch 64, input 48x48, '
                            'random flips, Adam (label smoothing 0.1), '
                            'Xavier init, all 60000/10000 images')
    assert r.train_kwargs()['label_smoothing'] == 0.1


def test_unknown_section_and_profile():
    with pytest.raises(ValueError, match="unknown section 'vgg'"):
        settings('vgg', 'cpu')
    with pytest.raises(ValueError, match="unknown profile 'gpu'"):
        settings('nin', 'gpu')


def test_recipe_fields_only():
    # A profile may change the training recipe, never the layers: a
    # Recipe has no field that could describe the architecture.
    names = {f.name for f in dataclasses.fields(profiles.Recipe)}
    assert names == {'lr', 'num_epochs', 'batch_size', 'resize', 'momentum',
                     'wd', 'warmup_epochs', 'schedule', 'subset',
                     'optimizer', 'initializer', 'label_smoothing', 'flip'}


def test_short_budget_never_grows():
    cpu = settings('nin', 'cpu').short(6000, 2000, num_epochs=2)
    assert cpu.subset == (6000, 2000) and cpu.num_epochs == 2
    assert cpu.resize == settings('nin', 'cpu').resize
    smoke = settings('nin', 'smoke')
    short = smoke.short(6000, 2000)
    assert short.subset == smoke.subset and short.num_epochs == 1
    assert short.warmup_epochs <= 0.5


@pytest.mark.parametrize('profile', profiles.PROFILES)
@pytest.mark.parametrize('section', [c.name for c in sections()])
def test_global_pooling_averages_real_maps(section, profile):
    # The chapters teach global average pooling over class maps (NiN) and
    # Inception branches that see a neighbourhood (GoogLeNet's b5): every
    # profile's input keeps the maps it averages at 2x2 or larger.
    import cnnbook
    from cnnbook.chapters import builder
    side = settings(section, profile).resize or 28
    with chapter(section).numpy_mode():
        rows = cnnbook.layer_summary(builder(section)(), (1, 1, side, side),
                                     expand=True, show=False)
    gap = next(i for i, r in enumerate(rows)
               if r.name.split()[1] == 'GlobalAvgPool2D')
    height, width = rows[gap - 1].output_shape[2:]
    assert min(height, width) >= 2, (section, profile, side)


def test_compare_shows_every_field_beside_the_book():
    table = settings('nin', 'cpu').compare()
    fields = {f.name for f in dataclasses.fields(profiles.Recipe)}
    assert {field for _, field, _ in profiles._ROWS} == fields
    rows = {r[0]: r[1:] for r in table.rows}
    assert rows['input'][0] == '224x224'
    assert rows['epochs'][:2] == [str(BOOK['nin'].num_epochs),
                                  str(settings('nin', 'cpu').num_epochs)]
    changed = {r[0] for r in table.rows if r[3] == 'changed'}
    labels = {field: label for label, field, _ in profiles._ROWS}
    assert changed == {labels[f] for f in settings('nin', 'cpu').changes()}
    assert not any(r[3] for r in settings('nin', 'full').compare().rows)
    # an option that neither recipe uses has no row; one that is used has
    assert 'random left-right flips' not in rows
    assert rows['label smoothing'] == [
        '0', f"{settings('nin', 'cpu').label_smoothing:g}", 'changed']
    s = settings('nin', 'cpu')
    s = dataclasses.replace(s, recipe=dataclasses.replace(
        s.recipe, flip=True))
    flipped = {r[0]: r[1:] for r in s.compare().rows}
    assert flipped['random left-right flips'] == ['no', 'yes', 'changed']


def test_every_optimizer_and_initializer_has_a_name():
    from cnnbook.training import INITIALIZERS, OPTIMIZERS
    assert set(profiles.OPTIMIZER_NAMES) == set(OPTIMIZERS)
    assert set(profiles.INITIALIZER_NAMES) == set(INITIALIZERS)


def test_loss_note_says_when_the_loss_is_the_smoothed_one():
    # the results tables set the run's loss beside the book's plain
    # cross-entropy: a smoothed loss says so, and its floor
    assert settings('nin', 'full').loss_note() == ''
    s = settings('nin', 'cpu')
    plain = dataclasses.replace(s, recipe=dataclasses.replace(
        s.recipe, label_smoothing=0.0))
    assert plain.loss_note() == ''
    smoothed = dataclasses.replace(s, recipe=dataclasses.replace(
        s.recipe, label_smoothing=0.1))
    assert smoothed.loss_note() == (
        '; its loss is against labels smoothed by 0.1, never below 0.50')
