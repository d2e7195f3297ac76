"""Run a refresh at once, then at most once per interval while requests keep coming (the last one wins)."""

from __future__ import annotations

from collections.abc import Callable

from textual.message_pump import MessagePump
from textual.timer import Timer


class Debounce:
    """Leading and trailing debounce: the first keystroke repaints at once; a burst ends with one more."""

    def __init__(self, owner: MessagePump, delay: float, callback: Callable[[], None]) -> None:
        self.owner = owner
        self.delay = delay
        self.callback = callback
        self._timer: Timer | None = None
        self._pending = False

    def __call__(self) -> None:
        """Request a run."""
        if self._timer is not None:
            self._pending = True
            return
        self.callback()
        self._timer = self.owner.set_timer(self.delay, self._settle)

    def _settle(self) -> None:
        """End of the quiet interval: run once more if anything was requested meanwhile."""
        self._timer = None
        if self._pending:
            self._pending = False
            self()
