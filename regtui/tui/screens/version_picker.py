"""Pick one of a model's versions from a windowed list, over the screen that asked (diff baseline/candidate)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from regtui.services import review
from regtui.services.views import VersionLine
from regtui.tui.tones import Tone, Toned, stage_badge
from regtui.tui.widgets.key_bar import KeyBar
from regtui.tui.widgets.window_table import Column, WindowTable

if TYPE_CHECKING:
    from regtui.tui.app import RegtuiApp

VERSION_COLUMNS: tuple[Column[VersionLine], ...] = (
    Column("VERSION", lambda v: v.version, 14, min_width=10, priority=9),
    Column("STAGE", lambda v: stage_badge(v.stage, v.canary_share), 14, min_width=10, priority=8),
    Column("CREATED", lambda v: f"{v.created_at:%Y-%m-%d}", 10, priority=6),
    Column("CHANGE", lambda v: Toned(v.change_kind, Tone.MUTED), 15, min_width=8, priority=4),
    Column("BY", lambda v: Toned(v.registered_by, Tone.MUTED), 12, min_width=6, flex=True, priority=2),
)
"""The picker's columns, newest version first."""


class VersionPickerScreen(ModalScreen[str | None]):
    """A model's versions, windowed from the cache; Enter picks one, escape keeps the current choice."""

    TITLE = "Pick a version"
    AUTO_FOCUS = "#picker-versions"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "cancel_pick", "Cancel", id="cancel_pick"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Pick the version under the cursor. |
    | escape, q | Close without changing anything. |
    """

    def __init__(self, model: str, prompt: str, current: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.prompt = prompt
        self.current = current
        """The version the prompt names as chosen now: the cursor starts on it."""

    def compose(self) -> ComposeResult:
        """The prompt over the windowed version list."""
        service = cast("RegtuiApp", self.app).service
        with Vertical(id="picker-dialog"):
            yield Static(Content(self.prompt), id="picker-title")
            yield WindowTable(
                VERSION_COLUMNS,
                partial(review.list_versions, service, self.model),
                partial(review.count_versions, service, self.model),
                id="picker-versions",
                empty_text="no versions",
            )
        yield KeyBar()

    @on(WindowTable.Counted, "#picker-versions")
    def versions_counted(self) -> None:
        """Once the list is counted, look up the current version's row (the cursor starts there)."""
        if self.current is not None:
            self.find_current(self.current)
            self.current = None

    @work(thread=True, exit_on_error=False)
    def find_current(self, version: str) -> None:
        """Move the cursor onto the version's row, found in the cache off the event loop."""
        position = review.version_position(cast("RegtuiApp", self.app).service, self.model, version)
        if position is not None:
            self.app.call_from_thread(self.place_cursor, position)

    def place_cursor(self, row: int) -> None:
        """Put the cursor on a row of the list (nothing once the picker has closed)."""
        for table in self.query("#picker-versions").results(WindowTable):
            table.cursor_row = row

    @on(WindowTable.RowSelected, "#picker-versions")
    def version_picked(self, event: WindowTable.RowSelected) -> None:
        """Enter picks the version."""
        assert isinstance(event.row, VersionLine)
        self.dismiss(event.row.key)

    def action_cancel_pick(self) -> None:
        """Close without picking."""
        self.dismiss(None)
