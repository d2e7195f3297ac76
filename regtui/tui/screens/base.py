"""The base of every regtui screen: status header, footer, back key, reloads after a sync, read-only writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from regtui.tui.keys import bound_action
from regtui.tui.widgets.key_bar import KeyBar
from regtui.tui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from regtui.tui.app import RegtuiApp


class RegtuiScreen(Screen[None]):
    """A full screen of the dashboard; subclasses compose their body and reload it from the cache."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q,escape", "go_back", "Back", id="go_back"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | q, escape | Go back to the previous screen (quit on the registry screen). |
    """

    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    """Actions that change the registry: hidden with --readonly, disabled while offline."""

    def __init__(self) -> None:
        super().__init__()
        self.stale = False

    @property
    def regtui(self) -> RegtuiApp:
        """The running dashboard app."""
        return cast("RegtuiApp", self.app)

    def compose(self) -> ComposeResult:
        """Header, the screen's body, footer."""
        yield StatusHeader(self.regtui.services.url, self.regtui.clock, readonly=self.regtui.readonly)
        yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def on_mount(self) -> None:
        """Show the current sync state straight away."""
        self.show_sync_state()

    def on_screen_resume(self) -> None:
        """Catch up with syncs that brought changes while another screen was on top."""
        self.show_sync_state()
        if self.stale:
            self.stale = False
            self.reload()

    def show_sync_state(self) -> None:
        """Copy the app's sync state into this screen's header (if it is composed yet: on_mount copies it)."""
        for header in self.query(StatusHeader):
            header.show(self.regtui.sync_status, self.regtui.identity)

    def reload(self) -> None:
        """Re-query the cache (a sync brought changes); screens that show data override this."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A screen's failed read becomes a notification; the screen stays as it was."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.regtui.report_error(event.worker.error)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide write actions in a read-only session; show them disabled while the registry is offline or its log's
        anchor is broken."""
        if action in self.WRITE_ACTIONS:
            if self.regtui.readonly:
                return False
            status = self.regtui.sync_status
            if status is not None and (status.offline or status.anchor_break is not None):
                return None
        return True

    def on_key(self, event: events.Key) -> None:
        """A write key pressed while writes cannot run (its binding hidden read-only, disabled offline) says why
        instead of doing nothing; a key that another binding takes now is left to it."""
        if self.regtui.writable:
            return
        active = self.active_bindings.get(event.key)
        if active is not None and active.enabled:
            return
        if bound_action(type(self), event.key, self.regtui.settings.keys) in self.WRITE_ACTIONS:
            event.stop()
            self.regtui.require_writable()

    def action_go_back(self) -> None:
        """Back to the previous screen; the registry screen quits."""
        if len(self.app.screen_stack) > 1:
            self.dismiss()
        else:
            self.app.exit(0)
