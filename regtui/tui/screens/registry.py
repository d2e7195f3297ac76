"""The registry screen (home): every model with what runs in Production, Canary and Staging."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from regtui.domain.entry import Stage
from regtui.domain.listing import ModelSort, ModelState, ModelSummary
from regtui.domain.text import format_age, one_line
from regtui.glyphs import PAST_RETENTION
from regtui.services import models
from regtui.services.handle import CacheReader
from regtui.services.views import ModelLine, ModelQuery
from regtui.tui.paint_hold import PaintHold
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.tones import Cell, Tone, Toned
from regtui.tui.widgets.window_table import Column, Count, Fetch, WindowTable

SORTS = tuple(ModelSort)
FILTER_PAINT_HOLD_S = 0.1
"""The longest a keystroke's echo waits for its rows, so that both paint in one frame."""
READ_AHEAD_DELAY_S = 0.1
"""How long the cursor rests on a model before the model is read ahead (longer than a held j's key repeat)."""
NONE = Toned("-", Tone.MUTED)


def live_versions(versions: tuple[str, ...], tone: Tone) -> Cell:
    """The first version in a stage, and how many more there are."""
    if not versions:
        return NONE
    more = (Toned(f" +{len(versions) - 1}", Tone.MUTED),) if len(versions) > 1 else ()
    return (Toned(versions[0], tone), *more)


def drill_cell(model: ModelLine) -> Cell:
    """How long ago the rollback was last drilled successfully ('25d'); '!' and the bad tone when a drill is overdue
    by the policy's cadence ('! never' for a model in Production never drilled); 'failed' in the bad tone when the
    most recent drill failed."""
    if model.drill_failed:
        return Toned("failed", Tone.BAD)
    shown = model.drill_age or "never"
    if model.drill_overdue:
        return Toned(f"! {shown}", Tone.BAD)
    return NONE if model.drill_age is None else Toned(shown, Tone.MUTED)


def retention_cell(model: ModelLine) -> Cell:
    """How many of the model's versions are past retention, after the mark ('◷ 3'); a muted '-' when none."""
    return Toned(f"{PAST_RETENTION} {model.past_retention}", Tone.WARN) if model.past_retention else NONE


def count_model_lines(reader: CacheReader, query: ModelQuery) -> int:
    """How many models the registry screen's query matches (in the table's worker)."""
    return models.count_models(reader, query)


def model_lines(
    reader: CacheReader, clock: Callable[[], datetime], query: ModelQuery, offset: int, limit: int
) -> list[ModelLine]:
    """One window of the registry screen's rows, with each listed model's open requests and drill state."""
    now = clock()
    return [model_line(summary, state, now) for summary, state in models.model_rows(reader, query, offset, limit, now)]


def model_line(summary: ModelSummary, state: ModelState, now: datetime) -> ModelLine:
    """A model summary and its state as a registry row, every shown string cleaned."""
    drilled = state.last_drill
    return ModelLine(
        key=summary.name,
        name=one_line(summary.name),
        owner=one_line(summary.owner),
        description=one_line(summary.description),
        production=one_line(summary.production) or None,
        canary=tuple(map(one_line, summary.canary)),
        staging=tuple(map(one_line, summary.staging)),
        versions=summary.versions,
        latest=one_line(summary.latest) or None,
        open_requests=state.open_requests,
        drill_overdue=state.drill_overdue,
        drill_failed=state.drill_failed,
        drill_age=None if drilled is None else format_age((now - drilled).total_seconds()),
        past_retention=state.past_retention,
    )


MODEL_COLUMNS: tuple[Column[ModelLine], ...] = (
    Column("MODEL", lambda m: m.name, 18, flex=True, priority=10),
    Column("OWNER", lambda m: m.owner, 16, min_width=9, priority=7),
    Column("PRODUCTION", lambda m: Toned(m.production, Tone.GOOD) if m.production else NONE, 10, priority=9),
    Column("CANARY", lambda m: live_versions(m.canary, Tone.WARN), 8, min_width=7, priority=6),
    Column("STAGING", lambda m: live_versions(m.staging, Tone.INFO), 8, min_width=7, priority=5),
    Column(
        "REQUESTS",
        lambda m: Toned(str(m.open_requests), Tone.WARN) if m.open_requests else NONE,
        8,
        priority=8,
        align="right",
    ),
    Column("DRILL", drill_cell, 7, priority=4),
    Column("EXPIRED", retention_cell, 7, priority=3),
    Column("VERSIONS", lambda m: str(m.versions), 8, priority=2, align="right"),
    Column("LATEST", lambda m: m.latest or NONE, 10, priority=3),
    Column("DESCRIPTION", lambda m: Toned(m.description, Tone.MUTED), 12, min_width=11, flex=True, priority=1),
)
"""The registry's columns; a new column is a ModelLine field plus one entry here."""


class RegistryScreen(RegtuiScreen):
    """Every model: owner, Production / Canary / Staging versions, version count, latest version."""

    TITLE = "Registry"
    AUTO_FOCUS = "#models"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "app.quit", "Quit", id="quit_home"),
        Binding("escape", "escape_home", "Clear filter", id="escape_home", show=False),
        Binding("slash", "focus_filter", "Filter", id="focus_filter"),
        Binding("p", "filter_stage('Production')", "Has Production", id="filter_production", show=False),
        Binding("c", "filter_stage('Canary')", "Has Canary", id="filter_canary", show=False),
        Binding("s", "filter_stage('Staging')", "Has Staging", id="filter_staging", show=False),
        Binding("a", "filter_stage('')", "All models", id="filter_all", show=False),
        Binding("o", "cycle_sort", "Sort", id="cycle_sort"),
        Binding("R", "rollback_model", "Rollback", id="rollback_model"),
        Binding("P", "app.open_screen('providers')", "Providers", id="open_providers", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | q | Quit regtui (ctrl+q quits from any screen). |
    | escape | Leave the filter for the list; on the list, clear the filter. Never quits. |
    | / | Filter models by name, owner or description as you type. |
    | p, c, s | Only models with a Production, Canary or Staging version. |
    | a | All models again. |
    | o | Sort by name, owner, or latest registration. |
    | enter | Open the model under the cursor. |
    | R | Roll back the model under the cursor (on call: history, verify, confirm). |
    | P | Provider models: pinned versions, change log, qualification. |
    """

    def __init__(self) -> None:
        super().__init__()
        self.query_state = ModelQuery()
        self.total: int | None = None
        self._querying = False
        """A filter query is in flight (typing meanwhile waits for it: queries never queue up)."""
        self._query_waiting = False
        self._summary = Content()
        self._paint_hold = PaintHold(FILTER_PAINT_HOLD_S)
        self._read_ahead_timer: Timer | None = None

    def compose_body(self) -> ComposeResult:
        """Filter bar over the windowed model table."""
        with Horizontal(id="filter-bar"):
            yield Input(placeholder="/ filter by name, owner, description", id="filter", compact=True)
            yield Static(id="summary")
        yield WindowTable(
            MODEL_COLUMNS, *self._source(self.query_state), id="models", page_size=50, empty_text="no models match"
        )

    def _source(self, query: ModelQuery) -> tuple[Fetch[ModelLine], Count]:
        """Fetch and count callbacks bound to one query (run in the table's workers)."""
        reader = self.regtui.services.reader
        return partial(model_lines, reader, self.regtui.clock, query), partial(count_model_lines, reader, query)

    def on_mount(self) -> None:
        """Show the filter state; hold the paint of each edit of the filter until its rows arrive."""
        super().on_mount()
        self._show_summary()
        self.watch(self.query_one("#filter", Input), "value", self._filter_edited, init=False)

    def _filter_edited(self) -> None:
        """An edit of the filter (before its echo is painted): paint it together with its rows."""
        self._paint_hold.start(self.app)

    def reload(self) -> None:
        """Re-query after a sync brought changes, keeping the cursor where it is."""
        self.query_one("#models", WindowTable).reload()

    def _apply_query(self) -> None:
        """Point the table at the current query."""
        self.query_one("#models", WindowTable).set_source(*self._source(self.query_state))
        self._show_summary()

    def _show_summary(self) -> None:
        """'12 models · has Canary · by owner' beside the filter (repainted only when it changes, and the
        screen laid out again only when its width does: typing in the filter repaints only what it must)."""
        count = "…" if self.total is None else f"{self.total} model{'s' if self.total != 1 else ''}"
        stage = f"has {self.query_state.stage}" if self.query_state.stage else "all stages"
        summary = Content(f"{count} · {stage} · by {self.query_state.sort}")
        if summary.plain != self._summary.plain:
            self.query_one("#summary", Static).update(summary, layout=summary.cell_length != self._summary.cell_length)
            self._summary = summary

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Filter as you type: at once, or, while the previous keystroke's query runs, as soon as it is done."""
        self.query_state = ModelQuery(event.value.strip(), self.query_state.stage, self.query_state.sort)
        self._query_waiting = True
        if not self._querying:
            self._run_waiting_query()

    def _run_waiting_query(self) -> None:
        """Run the filter typed meanwhile, if any: one query in flight at a time, the newest text wins."""
        self._querying, self._query_waiting = self._query_waiting, False
        if self._querying:
            self._apply_query()

    def _query_done(self) -> None:
        """The table's query finished (or failed): run the filter typed meanwhile, else paint."""
        self._querying = False
        self._run_waiting_query()
        if not self._querying:
            self._paint_hold.release()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        """Enter in the filter goes to the list."""
        self.query_one("#models").focus()

    @on(WindowTable.Counted, "#models")
    def models_counted(self, event: WindowTable.Counted) -> None:
        """Keep the count beside the filter."""
        self.total = event.total
        self._show_summary()
        self._query_done()
        self._window_shown()

    @on(WindowTable.LoadFailed, "#models")
    def models_failed(self) -> None:
        """A failed query ends too (the app reports the error)."""
        self._query_done()
        self._window_shown()

    def _window_shown(self) -> None:
        """Once this window is on screen, the app may start its background work (the first sync)."""
        self.call_after_refresh(self.regtui.start_background_work)

    @on(WindowTable.RowHighlighted, "#models")
    @on(events.DescendantFocus, "#models")
    def cursor_rested(self) -> None:
        """Once the cursor rests on a model in the focused list, have the app read it ahead (RegtuiApp.
        read_model_ahead): Enter then only paints. Typing in the filter reads nothing ahead."""
        if self._read_ahead_timer is not None:
            self._read_ahead_timer.stop()
        self._read_ahead_timer = self.set_timer(READ_AHEAD_DELAY_S, self._read_cursor_ahead)

    def _read_cursor_ahead(self) -> None:
        """Read ahead the model under the cursor, if the list still has the focus."""
        table = self.query_one("#models", WindowTable)
        line = table.cursor_value
        if table.has_focus and line is not None:
            self.regtui.read_model_ahead(line.key)

    @on(WindowTable.RowSelected, "#models")
    def model_selected(self, event: WindowTable.RowSelected) -> None:
        """Enter opens the model."""
        assert isinstance(event.row, ModelLine)
        self.regtui.open_model(event.row.key)

    def action_focus_filter(self) -> None:
        """Focus the filter input."""
        self.query_one("#filter").focus()

    def action_filter_stage(self, stage: str) -> None:
        """Only models with a version in the stage ('' for all)."""
        self.query_state = ModelQuery(
            self.query_state.text, Stage(stage).value if stage else None, self.query_state.sort
        )
        self._apply_query()

    def action_cycle_sort(self) -> None:
        """Next sort order: name, owner, latest."""
        sort = SORTS[(SORTS.index(self.query_state.sort) + 1) % len(SORTS)]
        self.query_state = ModelQuery(self.query_state.text, self.query_state.stage, sort)
        self._apply_query()

    def action_escape_home(self) -> None:
        """Escape in the filter returns to the list; on the list it clears the filter; it never quits."""
        search = self.query_one("#filter", Input)
        if self.focused is search:
            self.query_one("#models").focus()
        elif search.value:
            search.value = ""

    def action_rollback_model(self) -> None:
        """The rollback screen of the model under the cursor."""
        line = self.query_one("#models", WindowTable).cursor_value
        if line is not None:
            from regtui.tui.screens.rollback import RollbackScreen  # the write path loads on first use, not at start

            self.app.push_screen(RollbackScreen(line.key))
