"""The audit entry view: one promotion-log entry in full (who, when, what moved, every detail, its hash links)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from regtui.domain.entry import utc_iso
from regtui.services import audit
from regtui.services.views import AuditEntry
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.tones import Cell, Tone, Toned, stage_move
from regtui.tui.widgets.report import Report

NONE = Toned("-", Tone.MUTED)
INDENT = "  "


def model_reference(entry: AuditEntry) -> Cell:
    """'model@version', the model alone, or '-' for entries about no model."""
    if not entry.model:
        return NONE
    return f"{entry.model}@{entry.version}" if entry.version else entry.model


def title(entry: AuditEntry) -> str:
    """'Entry 674 · rollback · search-ranker@1.4.0'."""
    reference = model_reference(entry)
    return " · ".join([f"Entry {entry.position}", entry.kind, *([reference] if isinstance(reference, str) else [])])


class AuditEntryScreen(RegtuiScreen):
    """Every field of one log entry in a scrolling report; back returns to the log where it was."""

    TITLE = "Audit entry"
    AUTO_FOCUS = "#entry-report"

    class EntryLoaded(Message):
        """The entry was read from the cache (None: the cache holds no entry at that position)."""

        def __init__(self, entry: AuditEntry | None) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position

    def compose_body(self) -> ComposeResult:
        """A title line over the report."""
        yield Static(Content(f"Entry {self.position} · reading…"), id="entry-title")
        yield Report(id="entry-report")

    def on_mount(self) -> None:
        """Read the entry once the screen is up."""
        super().on_mount()
        self.load_entry()

    @work(thread=True, exclusive=True, group="audit-entry", exit_on_error=False)
    def load_entry(self) -> None:
        """Read the entry from the cache (in a thread)."""
        self.post_message(self.EntryLoaded(audit.read_entry(self.regtui.service, self.position)))

    def on_audit_entry_screen_entry_loaded(self, message: EntryLoaded) -> None:
        """Show the entry, or say the cache has none at this position."""
        report = self.query_one(Report)
        entry = message.entry
        if entry is None:
            self.query_one("#entry-title", Static).update(Content(f"Entry {self.position}"))
            report.show(report.text(Toned(f"no log entry at position {self.position}", Tone.MUTED)))
            return
        self.query_one("#entry-title", Static).update(Content(title(entry)))
        report.show(self._table(report, entry))

    def _table(self, report: Report, entry: AuditEntry) -> Table:
        """Labels and values in two columns (values wrap; a hash fits on one line at 80 columns), under the
        headings Entry, Details and Chain."""
        table = report.grid("", "", wrap=(1,), show_header=False)
        table.expand = True
        table.pad_edge = False
        table.columns[0].max_width = 28
        table.columns[1].ratio = 1
        rows: list[tuple[str, Cell]] = [
            ("position", str(entry.position)),
            ("time (UTC)", utc_iso(entry.at)),
            ("kind", entry.kind),
            ("actor", entry.actor),
            ("model", model_reference(entry)),
            ("stage", stage_move(entry.from_stage, entry.to_stage)),
        ]
        self._section(report, table, "Entry", rows)
        details = [(INDENT * line.depth + line.key, Toned(line.value)) for line in entry.details]
        self._section(report, table, "Details", details or [("", Toned("no details recorded", Tone.MUTED))])
        self._section(report, table, "Chain", [("hash", entry.hash), ("previous hash", entry.prev_hash)])
        return table

    @staticmethod
    def _section(report: Report, table: Table, heading: str, rows: list[tuple[str, Cell]]) -> None:
        """A heading row (after a blank row, but for the first), then one row per label and value."""
        if table.row_count:
            table.add_row(Text(), Text())
        table.add_row(report.heading(heading), Text())
        for label, value in rows:
            table.add_row(report.text(Toned(label, Tone.MUTED)), report.text(value))
