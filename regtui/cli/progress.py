"""Progress on stderr while the CLI hashes artifacts or waits for a slow sync: one line rewritten in place, only
when stderr is a terminal and the output is not --json (pipes, CI logs and scripts see nothing)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

SHOW_EVERY_S = 0.1
"""The shortest time between two rewrites of the line."""
SLOW_AFTER_S = 0.5
"""A wait shorter than this says nothing."""
MIB = 1024 * 1024


class StatusLine:
    """One line on a terminal, rewritten in place and cleared when done; silent when not enabled."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.shown = False
        self.lock = threading.Lock()

    def show(self, text: str) -> None:
        """Replace the line's text."""
        if self.enabled:
            with self.lock:
                self.stream.write(f"\r\x1b[K{text}")
                self.stream.flush()
                self.shown = True

    def clear(self) -> None:
        """Remove the line, so the command's own output starts on a clean line."""
        if self.enabled and self.shown:
            with self.lock:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self.shown = False


def interactive(json_output: bool, stream: TextIO | None = None) -> bool:
    """Whether progress may be shown: stderr is a terminal and the output is meant for a person."""
    return not json_output and (stream or sys.stderr).isatty()


class HashMeter:
    """Counts the bytes hashed and shows the running total and rate (an on_bytes callback), once the hashing has
    taken longer than `quiet_for_s` (a quick verify prints nothing)."""

    def __init__(self, line: StatusLine, what: str = "hashing", quiet_for_s: float = SLOW_AFTER_S) -> None:
        self.line = line
        self.what = what
        self.quiet_for_s = quiet_for_s
        self.started = time.monotonic()
        self.shown_at = 0.0
        self.total = 0
        self.artifacts = ""

    def add(self, count: int) -> None:
        """Take a chunk's size; rewrite the line at most every SHOW_EVERY_S."""
        self.total += count
        now = time.monotonic()
        if now - self.started >= self.quiet_for_s and now - self.shown_at >= SHOW_EVERY_S:
            self.shown_at = now
            rate = self.total / max(now - self.started, 1e-6) / MIB
            self.line.show(f"regtui: {self.what}: {self.artifacts}{self.total / MIB:,.0f} MiB ({rate:,.0f} MiB/s)")

    def count(self, done: int, of: int) -> None:
        """Take how many of the artifacts are done (an ArtifactCount callback); shown with the next rewrite."""
        self.artifacts = f"{done} of {of} artifact(s) done, "

    def done(self) -> None:
        """Clear the line."""
        self.line.clear()


@contextmanager
def noticed_when_slow(line: StatusLine, text: str, after_s: float = SLOW_AFTER_S) -> Iterator[None]:
    """Show the text if the block is still running after `after_s`; clear it when the block ends."""
    timer = threading.Timer(after_s, line.show, args=(text,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        line.clear()
