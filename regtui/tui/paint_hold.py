"""Hold the app's repaints for a moment, so that a keystroke and the rows it asked for paint in one frame."""

from __future__ import annotations

from contextlib import ExitStack

from textual.app import App
from textual.timer import Timer


class PaintHold:
    """Suspends the app's repaints from `start` until `release`, or for `limit` seconds at most.

    Filtering as you type repaints twice per keystroke otherwise: the input's echo in one frame, the rows
    its query returns a few milliseconds later in the next (Textual paces frames at 60 per second, so the
    second frame waits for its slot). Held, both land in one frame; the limit keeps the echo prompt when a
    query is slow."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._app: App[object] | None = None
        self._batch = ExitStack()
        self._timer: Timer | None = None

    def start(self, app: App[object]) -> None:
        """Suspend the app's repaints (a no-op while already holding)."""
        if self._app is not None:
            return
        self._app = app
        self._batch.enter_context(app.batch_update())
        self._timer = app.set_timer(self.limit, self.release, name="paint-hold")

    def release(self) -> None:
        """Paint again, at once, everything that changed meanwhile (a no-op when not holding)."""
        app, self._app = self._app, None
        if app is None:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._batch.close()
        app.screen.check_idle()
