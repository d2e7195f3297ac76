"""Stopping a long-running command (`audit --follow`) cleanly on Ctrl-C or SIGTERM: the signal sets an event the
command waits on, so it finishes its current output and returns instead of dying mid-line."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM while the block runs (the previous handlers are put back after)."""
    stopped = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        """Ask the command to finish."""
        stopped.set()

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        yield stopped
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
