"""The audit screen: the promotion log, newest first, filtered by model and actor, with the chain's state."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from regtui.domain.entry import utc_iso
from regtui.domain.text import clean_single_line
from regtui.services import audit
from regtui.services.views import ChainState, EventLine, EventQuery
from regtui.tui.debounce import Debounce
from regtui.tui.screens.audit_entry import AuditEntryScreen
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.tones import Tone, Toned, stage_move
from regtui.tui.widgets.window_table import Column, Count, Fetch, WindowTable

FILTER_DEBOUNCE_S = 0.1
NONE = Toned("-", Tone.MUTED)


EVENT_COLUMNS: tuple[Column[EventLine], ...] = (
    Column("#", lambda e: str(e.position), 6, priority=5, align="right"),
    Column("TIME (UTC)", lambda e: utc_iso(e.at)[:16].replace("T", " "), 16, priority=8),
    Column("KIND", lambda e: e.kind, 16, min_width=9, priority=6),
    Column("MODEL", lambda e: e.model or NONE, 18, min_width=10, priority=7),
    Column("VERSION", lambda e: e.version or NONE, 10, priority=3),
    Column("STAGE", lambda e: stage_move(e.from_stage, e.to_stage), 21, min_width=19, priority=2),
    Column("ACTOR", lambda e: e.actor, 12, min_width=8, priority=7),
    Column("DETAILS", lambda e: Toned(e.summary, Tone.MUTED), 16, flex=True, priority=4),
)
"""The audit log's columns: at 80 columns stage and version give way first (the entry view shows them), so that
#, time, kind, model, actor and the start of the details stay."""


class AuditScreen(RegtuiScreen):
    """The hash-chained promotion log, windowed from the cache, and whether its chain verifies."""

    TITLE = "Audit log"
    AUTO_FOCUS = "#events"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter('model')", "Filter model", id="filter_model"),
        Binding("at", "focus_filter('actor')", "Filter actor", id="filter_actor"),
        Binding("v", "verify_chain", "Verify chain", id="verify_chain"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | / | Filter by model (substring, as you type). |
    | @ | Filter by actor (substring, as you type). |
    | v | Walk the hash chain again. |
    """

    class ChainVerified(Message):
        """Walking the log's hash chain finished."""

        def __init__(self, state: ChainState) -> None:
            super().__init__()
            self.state = state

    def __init__(self, model: str = "", actor: str = "") -> None:
        super().__init__()
        self.query_state = EventQuery(model, actor)
        self._debounce = Debounce(self, FILTER_DEBOUNCE_S, self._apply_query)

    def compose_body(self) -> ComposeResult:
        """Filters and chain state over the windowed log."""
        with Horizontal(id="audit-bar"):
            yield Input(
                clean_single_line(self.query_state.model), placeholder="/ model", id="model-filter", compact=True
            )
            yield Input(
                clean_single_line(self.query_state.actor), placeholder="@ actor", id="actor-filter", compact=True
            )
            yield Static(id="chain-state")
        yield WindowTable(
            EVENT_COLUMNS, *self._source(self.query_state), id="events", empty_text="no log entries match"
        )

    def _source(self, query: EventQuery) -> tuple[Fetch[EventLine], Count]:
        """Fetch and count callbacks bound to one filter."""
        service = self.regtui.service
        return partial(audit.list_events, service, query), partial(audit.count_events, service, query)

    def on_mount(self) -> None:
        """Check the chain once the screen is up (only entries not verified earlier in this session)."""
        super().on_mount()
        self._start_verify(self.regtui.verified_chain)

    def reload(self) -> None:
        """A sync brought changes: re-read the window and hash the new log entries."""
        self.query_one("#events", WindowTable).reload()
        self._start_verify(self.regtui.verified_chain)

    @on(Input.Changed)
    def filter_changed(self) -> None:
        """Filter as you type."""
        model = self._typed("#model-filter", self.query_state.model)
        actor = self._typed("#actor-filter", self.query_state.actor)
        self.query_state = EventQuery(model, actor)
        self._debounce()

    def _typed(self, selector: str, current: str) -> str:
        """A filter's text; while it still shows the (cleaned) value it started with, the stored value."""
        value = self.query_one(selector, Input).value.strip()
        return current if value == clean_single_line(current).strip() else value

    @on(Input.Submitted)
    def filter_submitted(self) -> None:
        """Enter in a filter goes to the log."""
        self.query_one("#events").focus()

    def _apply_query(self) -> None:
        """Point the table at the current filters."""
        self.query_one("#events", WindowTable).set_source(*self._source(self.query_state))

    @on(WindowTable.RowSelected, "#events")
    def entry_selected(self, event: WindowTable.RowSelected) -> None:
        """Enter opens the entry in full."""
        assert isinstance(event.row, EventLine)
        self.app.push_screen(AuditEntryScreen(event.row.position))

    def action_focus_filter(self, which: str) -> None:
        """Focus the model or actor filter."""
        self.query_one(f"#{which}-filter").focus()

    def action_go_back(self) -> None:
        """Escape in a filter returns to the log; otherwise back."""
        if isinstance(self.focused, Input):
            self.query_one("#events").focus()
        else:
            super().action_go_back()

    def action_verify_chain(self) -> None:
        """Walk the whole hash chain of the cached log again, from the first entry."""
        self._start_verify(None)

    def _start_verify(self, since: ChainState | None) -> None:
        """Show 'verifying' and walk the chain (after `since`, when given) in a worker."""
        self._show_chain("chain: verifying…", "-pending")
        self.verify_chain(since)

    def _show_chain(self, text: str, state_class: str) -> None:
        """The chain state beside the filters, its class saying pending, intact or broken."""
        chain = self.query_one("#chain-state", Static)
        chain.update(Content(text))
        chain.set_classes(state_class)

    @work(thread=True, exclusive=True, group="audit-chain", exit_on_error=False)
    def verify_chain(self, since: ChainState | None) -> None:
        """Verify the entries' hash links after `since` (in a thread)."""
        self.post_message(self.ChainVerified(audit.verify_log(self.regtui.service, since)))

    def on_audit_screen_chain_verified(self, message: ChainVerified) -> None:
        """Show 'chain intact (N entries)' or 'BROKEN at entry N: reason'."""
        state = self.regtui.verified_chain = message.state
        self._show_chain(state.describe(), "-intact" if state.broken_at is None else "-broken")
        if state.broken_at is not None:
            self.notify(state.describe(), title="Audit chain", severity="error", markup=False)
