"""Driving the dashboard with a Pilot until it is still: shared by the tests, the snapshots and the screenshots."""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

Step = str | Callable[[Pilot[Any]], Awaitable[None] | None]
"""A key to press, or a function to call (or await) with the pilot."""

WAIT_LIMIT_S = 30.0
"""The longest any wait lets the app run before it fails: generous, for a loaded CI machine."""
POLL_S = 1 / 60
"""How long the app runs between two looks at a condition: one frame."""


async def until(pilot: Pilot[Any], condition: Callable[[], object], what: str, limit: float = WAIT_LIMIT_S) -> None:
    """Let the app run until the condition holds; fail naming what was awaited once the limit has passed."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {limit:g} s for {what}; it never came")
        await pilot.pause(POLL_S)


async def settle(pilot: Pilot[Any], limit: float = WAIT_LIMIT_S) -> None:
    """Let the app run until it is still: no worker running, every message handled, and two looks a frame apart
    showing the same screen (late repaints such as scrollbars land); fail once the limit has passed."""
    deadline = time.monotonic() + limit
    previous: str | None = None
    while True:
        await pilot.pause()
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        _stop_blinking(pilot)
        current = pilot.app.export_screenshot()
        running = [worker.name for worker in pilot.app.workers if worker.is_running]
        if current == previous and not running:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {limit:g} s for the app to be still; workers running: {running}")
        previous = current


def _stop_blinking(pilot: Pilot[Any]) -> None:
    """Hold text cursors steady, so a render does not depend on when in the blink it was taken."""
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]


async def drive(pilot: Pilot[Any], steps: tuple[Step, ...]) -> None:
    """Settle, then press each key or run (or await) each step, settling after each."""
    await settle(pilot)
    for step in steps:
        if isinstance(step, str):
            await pilot.press(step)
        elif inspect.isawaitable(result := step(pilot)):
            await result
        await settle(pilot)
