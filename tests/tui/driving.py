"""Driving the dashboard with a Pilot until it is still: shared by the tests, the snapshots and the screenshots."""

from __future__ import annotations

import contextlib
from typing import Any, Callable

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

Step = str | Callable[[Pilot[Any]], None]
"""A key to press, or a function to call with the pilot."""


async def settle(pilot: Pilot[Any]) -> None:
    """Wait out debounce timers and every worker (sync, pages, details), then until the screen stops changing."""
    for delay in (None, 0.15, None):
        await pilot.pause(delay)
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
    _stop_blinking(pilot)
    await _until_still(pilot)


def _stop_blinking(pilot: Pilot[Any]) -> None:
    """Hold text cursors steady, so a render does not depend on when in the blink it was taken."""
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]


async def _until_still(pilot: Pilot[Any], attempts: int = 20) -> None:
    """Pause until two renders a frame apart are identical (late repaints such as scrollbars land)."""
    previous = pilot.app.export_screenshot()
    for _ in range(attempts):
        await pilot.pause(0.02)
        current = pilot.app.export_screenshot()
        if current == previous:
            return
        previous = current


async def drive(pilot: Pilot[Any], steps: tuple[Step, ...]) -> None:
    """Settle, then press each key or run each step, settling after each."""
    await settle(pilot)
    for step in steps:
        if isinstance(step, str):
            await pilot.press(step)
        else:
            step(pilot)
        await settle(pilot)
