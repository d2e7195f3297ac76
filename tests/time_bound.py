"""A time bound for a test step that must not hang (pytest-timeout is not installed): SIGALRM interrupts it."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TookTooLong(AssertionError):
    """The step ran past its bound: it hung or blocked."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Fail the block with TookTooLong once it has run `seconds` (a blocking open or read is interrupted too)."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        """Raise in the main thread, interrupting whatever system call it waits in."""
        raise TookTooLong(f"still running after {seconds:g}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
