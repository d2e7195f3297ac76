"""CLI progress: one line on a terminal's stderr, rewritten in place and cleared; nothing in pipes or for --json."""

from __future__ import annotations

import io
import threading

from regtui.cli.progress import MIB, HashMeter, StatusLine, interactive, noticed_when_slow


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        """Yes."""
        return True


def test_progress_only_on_a_terminal_and_never_for_json() -> None:
    """A terminal gets progress; a pipe and --json do not."""
    assert interactive(False, Terminal())
    assert not interactive(True, Terminal())
    assert not interactive(False, io.StringIO())


def test_the_hash_meter_rewrites_one_line_and_clears_it() -> None:
    """Bytes counted show as a running MiB total on one line (carriage return, erase), cleared when done; a quick
    hashing shows nothing."""
    quick = Terminal()
    meter = HashMeter(StatusLine(True, quick))
    meter.add(3 * MIB)
    meter.done()
    assert quick.getvalue() == ""
    stream = Terminal()
    meter = HashMeter(StatusLine(True, stream), quiet_for_s=0.0)
    meter.add(3 * MIB)
    assert stream.getvalue().startswith("\r\x1b[Kregtui: hashing: 3 MiB (")
    meter.done()
    assert stream.getvalue().endswith("\r\x1b[K") and "\n" not in stream.getvalue()


def test_a_disabled_line_writes_nothing() -> None:
    """Not interactive: the meter counts but prints nothing, not even the clearing sequence."""
    stream = Terminal()
    meter = HashMeter(StatusLine(False, stream))
    meter.add(MIB)
    meter.done()
    assert stream.getvalue() == "" and meter.total == MIB


def test_a_slow_wait_is_noticed_and_a_quick_one_is_not() -> None:
    """The notice shows once the wait outlasts its delay and is cleared after; a quick block says nothing."""
    quick = Terminal()
    with noticed_when_slow(StatusLine(True, quick), "syncing…", after_s=5.0):
        pass
    assert quick.getvalue() == ""
    slow = Terminal()
    shown = threading.Event()
    line = StatusLine(True, slow)
    with noticed_when_slow(line, "syncing…", after_s=0.01):
        while not line.shown:
            shown.wait(0.01)
    assert slow.getvalue() == "\r\x1b[Ksyncing…\r\x1b[K"


def test_the_line_counts_artifacts_beside_the_bytes() -> None:
    """Per artifact and in total: how many of the artifacts are done, then the bytes and the rate."""
    stream = Terminal()
    meter = HashMeter(StatusLine(True, stream), quiet_for_s=0.0)
    meter.count(1, 4)
    meter.add(2 * MIB)
    assert stream.getvalue().startswith("\r\x1b[Kregtui: hashing: 1 of 4 artifact(s) done, 2 MiB (")
    meter.done()
