"""Snapshot helpers: every snapshot runs the demo at a fixed time, path and identity, at two sizes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tests.tui.driving import Step, drive

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
"""Every screen is snapshotted at the compact 80x24 layout and at 120x40."""


def after(*steps: Step) -> Callable[[Pilot[object]], Awaitable[None]]:
    """A run_before that settles, then presses keys or calls functions, settling after each step."""

    async def run(pilot: Pilot[object]) -> None:
        """Drive the app into the state to snapshot."""
        await drive(pilot, steps)

    return run
