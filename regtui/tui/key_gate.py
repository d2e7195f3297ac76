"""Keys that arrive in one burst (slow SSH, tmux, pastes) are handed on one at a time, each once the last is done.

Textual forwards a key to the widget focused when the app reads it, while what the previous key does (a binding
that focuses the filter, a dialog being pushed and focusing its first field) runs later in other message queues:
`/risk` read at once would send `risk` to the list. The gate holds each key until the previous one has gone
through its widget, that widget's parents and the app's bindings, and until the focus and screen changes they
made have landed; then the held key goes to the widget focused by then. A screen that opens a dialog only
after some work (the rollback verifies checksums first) pauses the gate meanwhile: keys typed ahead go to the
dialog.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from itertools import count

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget

GATE_LIMIT_S = 1.0
"""The longest a key is held back for the previous one (a widget removed meanwhile never answers)."""
PAUSE_LIMIT_S = 30.0
"""The longest a pause holds keys (the work before a dialog never ended): then they go where they would have."""
MIN_ROUNDS = 2
"""Walks up the queues after each key: the key's own path, then what its handlers posted."""
MAX_ROUNDS = 6
"""At most this many walks while each one still changes the focus or the screen."""
HeldEvent = events.Key | events.Paste
State = tuple[Screen[object], "Widget | None"]
Dispatch = Callable[[HeldEvent], Awaitable[None]]


class KeyGate:
    """Lets one key (or paste) through at a time; the next waits until what the last one did has settled."""

    def __init__(self, app: App[object], dispatch: Dispatch) -> None:
        self.app = app
        self.dispatch = dispatch
        self.held: deque[HeldEvent] = deque()
        self.busy = False
        self.paused = False
        self._passes = count()
        self._pass = 0
        self._pause_id = 0

    async def receive(self, event: HeldEvent) -> None:
        """A key read from the terminal: dispatched now if the last one is done, else held in order."""
        if self.busy or self.paused:
            self.held.append(event)
        else:
            await self._let_through(event)

    async def _let_through(self, event: HeldEvent) -> None:
        """Dispatch one event, then follow it through the queues it travels before letting the next one in."""
        self.busy = True
        self._pass = next(self._passes)
        before = self._state()
        await self.dispatch(event)
        self.app.set_timer(GATE_LIMIT_S, self._timed_out(self._pass))
        self._walk(before[1] or before[0], self._pass, 1, before)

    def _state(self) -> tuple[Screen[object], Widget | None]:
        """The active screen and its focused widget."""
        return self.app.screen, self.app.focused

    def _walk(self, node: MessagePump, pass_id: int, round_: int, before: State) -> None:
        """Wait behind what is queued for `node`, then for its parent, and so on up to the app."""
        if not node.call_later(self._walked, node, pass_id, round_, before):
            self.app.call_later(self._round_done, pass_id, round_, before)

    def _walked(self, node: MessagePump, pass_id: int, round_: int, before: State) -> None:
        """What was queued for `node` is done (messages it passed on are queued higher up): go one level up."""
        parent = node.parent if isinstance(node, DOMNode) else None
        if parent is None or isinstance(parent, App):
            self.app.call_later(self._round_done, pass_id, round_, before)
        else:
            self._walk(parent, pass_id, round_, before)

    async def _round_done(self, pass_id: int, round_: int, before: State) -> None:
        """One walk up to the app is done: walk again from the focused widget (behind the messages the key's
        handlers posted, the focus they asked for, a pushed screen's start) until a walk changes nothing."""
        if pass_id != self._pass:
            return
        now = self._state()
        if round_ < MIN_ROUNDS or (now != before and round_ < MAX_ROUNDS):
            self._walk(now[1] or now[0], pass_id, round_ + 1, now)
        else:
            await self._release(pass_id)

    def pause(self) -> None:
        """Hold every key until `resume` (a dialog is about to open after some work)."""
        self.paused = True
        self._pause_id = next(self._passes)
        pause_id = self._pause_id

        def timed_out() -> None:
            if self._pause_id == pause_id:
                self.resume()

        self.app.set_timer(PAUSE_LIMIT_S, timed_out)

    def resume(self, *, drop: bool = False) -> None:
        """Let the held keys through, once a screen pushed just now has focused its first field; `drop` discards
        them instead (the dialog they were typed for did not open)."""
        if not self.paused:
            return
        self.paused = False
        if drop:
            self.held.clear()
        if not self.busy:
            self.busy = True
            self._pass = next(self._passes)
            now = self._state()
            self._walk(now[1] or now[0], self._pass, 1, now)

    def _timed_out(self, pass_id: int) -> Callable[[], Awaitable[None]]:
        """A safety release: let the next key in if this pass never settles."""

        async def release() -> None:
            await self._release(pass_id)

        return release

    async def _release(self, pass_id: int) -> None:
        """The event has settled: let the next held one through, if any."""
        if pass_id != self._pass or not self.busy:
            return
        self.busy = False
        if self.held and not self.paused:
            await self._let_through(self.held.popleft())
