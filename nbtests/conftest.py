"""Fixtures shared by several test files."""
import pytest

# cnnbook.train is also the name of a function in cnnbook: import the
# cache's owner by name.
from cnnbook.train import _gpu_runs


@pytest.fixture
def fresh_gpu_check():
    """Forget try_gpu's cached verdict before and after a test.

    A test that fakes a GPU must not leave its verdict to later tests,
    which would then train on a GPU that is not there.
    """
    _gpu_runs.cache_clear()
    yield
    _gpu_runs.cache_clear()
