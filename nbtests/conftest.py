"""Fixtures shared by several test files."""
# ipykernel replaces the comm package's manager when ipykernel.ipkernel
# is first imported (by whichever test reaches it). A widget made before
# that registered its comm with the old manager; closing it, at the end
# of its test or in its __del__ at exit, then asks the new one, which
# raises KeyError ("Exception ignored in Widget.__del__", once per
# widget, after pytest's summary). Importing it here, before any test
# makes a widget, gives the whole run one manager.
import ipykernel.ipkernel  # noqa: F401
import pytest

from cnnbook.device import _gpu_runs


@pytest.fixture(autouse=True)
def fresh_gpu_check():
    """Forget try_gpu's cached verdict before and after every test.

    A test that fakes a GPU must not leave its verdict to later tests,
    which would then train on a GPU that is not there; autouse, so that
    no such test can forget it (clearing the cache costs nothing).
    """
    _gpu_runs.cache_clear()
    yield
    _gpu_runs.cache_clear()


@pytest.fixture(autouse=True)
def close_widgets():
    """Close the widgets a test made, when it ends.

    A widget left open lives on in ipywidgets' registry until the
    interpreter exits; autouse, so that no test can forget it.
    """
    from ipywidgets.widgets.widget import _instances
    before = set(_instances)
    yield
    for key in set(_instances) - before:
        widget = _instances.get(key)
        if widget is not None:
            widget.close()


@pytest.fixture(autouse=True)
def numpy_mode_off():
    """Leave MXNet's NumPy interface off after every test.

    Building 7.4's net (or calling npx.set_np) switches it on for the
    whole process; a later test would then build nd arrays in np mode and
    fail far from the cause. Autouse, so that no test can forget it.
    """
    yield
    from mxnet import npx
    npx.reset_np()


class _Interrupting:
    """A loader that raises KeyboardInterrupt (Ctrl-C) in epoch 2."""

    def __init__(self, inner):
        self.inner, self.epoch = inner, 0

    def __len__(self):
        return len(self.inner)

    def __iter__(self):
        self.epoch += 1
        for i, batch in enumerate(self.inner):
            if self.epoch == 2 and i == 1:
                raise KeyboardInterrupt
            yield batch


@pytest.fixture
def interrupting():
    """Wrap a loader so that its second epoch is cut by Ctrl-C."""
    return _Interrupting
