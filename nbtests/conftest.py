"""Fixtures shared by several test files."""
import pytest


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
