"""The providers screen: pinned provider versions with countdowns, the change log, a version's qualification matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from regtui.domain.entry import Stage, utc_iso
from regtui.domain.provider_views import ChangelogEntry, MatrixCell, PinView
from regtui.domain.providers import CheckName, Qualification
from regtui.domain.text import clean_single_line
from regtui.services import provider_reads
from regtui.services import providers as provider_services
from regtui.services.reads import clean_deep
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.tones import Tone, Toned
from regtui.tui.widgets.key_bar import KeyBar
from regtui.tui.widgets.report import Report
from regtui.tui.widgets.window_table import Column, WindowTable

PIN_STAGES = (Stage.PRODUCTION, Stage.CANARY)
CHECKS = tuple(CheckName)
SORTS: tuple[str, ...] = ("date", "provider", "status")
"""Change log orders cycled with `o`: newest change first, provider and version, qualification status."""

STATUS_TONES: dict[Qualification, Tone] = {
    Qualification.QUALIFIED: Tone.GOOD,
    Qualification.UNDER_EVALUATION: Tone.WARN,
    Qualification.REJECTED: Tone.BAD,
    Qualification.UNQUALIFIED: Tone.MUTED,
}
STATUS_ORDER = {
    status: i
    for i, status in enumerate(
        (Qualification.REJECTED, Qualification.UNDER_EVALUATION, Qualification.UNQUALIFIED, Qualification.QUALIFIED)
    )
}


def status_badge(status: Qualification | None) -> Toned:
    """A qualification status in words and its tone ('unknown' for a version the registry does not list)."""
    if status is None:
        return Toned("unknown version", Tone.BAD)
    return Toned(status.value, STATUS_TONES[status])


def countdown(days: int | None, deprecated: bool) -> Toned:
    """'retires in 39d', 'retires today', 'retired 12d ago', 'deprecated', or '-'."""
    if days is None:
        return Toned("deprecated", Tone.WARN) if deprecated else Toned("-", Tone.MUTED)
    if days < 0:
        return Toned(f"retired {-days}d ago", Tone.BAD)
    if days == 0:
        return Toned("retires today", Tone.BAD)
    return Toned(f"retires in {days}d", Tone.BAD if days <= 30 else Tone.WARN)


def _date(entry: ChangelogEntry) -> str:
    """The change date as YYYY-MM-DD."""
    return utc_iso(entry.changed_at)[:10] if entry.changed_at else "-"


CHANGELOG_COLUMNS: tuple[Column[ChangelogEntry], ...] = (
    Column("PROVIDER", lambda e: e.provider, 10, min_width=9, priority=6),
    Column("MODEL", lambda e: e.model, 16, min_width=8, priority=1),
    Column(
        "VERSION",
        lambda e: (Toned(e.version), Toned(" (alias)", Tone.MUTED)) if e.alias else e.version,
        34,
        min_width=26,
        priority=9,
    ),
    Column("CHANGED", _date, 10, priority=7),
    Column(
        "IMPACT",
        lambda e: Toned(e.impact or "-", Tone.PLAIN if e.impact else Tone.MUTED),
        24,
        min_width=8,
        flex=True,
        priority=3,
    ),
    Column("STATUS", lambda e: status_badge(e.status), 16, priority=8),
)
"""The change log's columns (the standard's: provider model, version, change date, impact, status)."""
PIN_WIDTHS = (None, 10, None, 11, 16)
"""Pin rows keep the stage, qualification status and countdown whole; the model and pinned version share the rest."""


@dataclass(frozen=True)
class ProvidersData:
    """What the screen shows from the cache: live pins and the whole change log."""

    pins: list[PinView]
    entries: list[ChangelogEntry]


def sort_entries(entries: list[ChangelogEntry], order: str) -> list[ChangelogEntry]:
    """The change log in one of SORTS (the query already gives newest change first)."""
    if order == "provider":
        return sorted(entries, key=lambda e: (e.provider, e.version))
    if order == "status":
        return sorted(entries, key=lambda e: (STATUS_ORDER[e.status], e.provider, e.version))
    return list(entries)


def filter_entries(entries: list[ChangelogEntry], text: str) -> list[ChangelogEntry]:
    """Entries whose provider, model, version, impact or status contains the text (case-insensitive)."""
    needle = text.strip().lower()
    if not needle:
        return list(entries)
    return [
        e
        for e in entries
        if any(needle in field.lower() for field in (e.provider, e.model, e.version, e.impact, e.status.value))
    ]


class CheckScreen(ModalScreen[tuple[bool, str] | None]):
    """Record one check: evidence text (file, link or note) and pass or fail; returns them, or None when cancelled."""

    AUTO_FOCUS = "#evidence"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_check", "Cancel", id="cancel_check"),
        Binding("ctrl+t", "toggle_result", "Pass/fail", id="toggle_check_result"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Record the check with the evidence typed. |
    | ctrl+t | Switch between pass and fail. |
    | escape | Cancel: nothing is recorded. |
    """

    def __init__(self, title: str, passed: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.passed = passed

    def compose(self) -> ComposeResult:
        """What is being recorded, the result, the evidence input, any complaint; the dialog's keys."""
        with Vertical(id="check-dialog"):
            yield Static(Content(self.title_text), id="check-title")
            yield Static(id="check-result")
            yield Input(placeholder="evidence: a file path, a https:// link, or a note", id="evidence")
            yield Static(Content("enter record · ctrl+t pass/fail · escape cancel"), id="check-error")
        yield KeyBar()

    def on_mount(self) -> None:
        """Show the starting result."""
        self._show_result()

    def _show_result(self) -> None:
        """'result: PASS' or 'result: FAIL'."""
        result = self.query_one("#check-result", Static)
        result.update(Content(f"result: {'PASS' if self.passed else 'FAIL'}"))
        result.set_classes("-pass" if self.passed else "-fail")

    def action_toggle_result(self) -> None:
        """Switch pass and fail."""
        self.passed = not self.passed
        self._show_result()

    @on(Input.Submitted, "#evidence")
    def evidence_submitted(self, event: Input.Submitted) -> None:
        """Submit, unless the evidence is empty."""
        evidence = event.value.strip()
        if not evidence:
            error = self.query_one("#check-error", Static)
            error.update(Content("evidence is required: a file, a link or a note"))
            error.add_class("-error")
            return
        self.dismiss((self.passed, evidence))

    def action_cancel_check(self) -> None:
        """Close without recording."""
        self.dismiss(None)


class ProvidersScreen(RegtuiScreen):
    """Third-party provider versions: what live models pin, the change log, and qualification checks."""

    TITLE = "Providers"
    AUTO_FOCUS = "#changelog"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", id="providers_filter"),
        Binding("o", "cycle_sort", "Sort", id="providers_sort"),
        Binding("f", "fetch_now", "Fetch feeds", id="providers_fetch"),
        Binding("1", "mark_check(1)", "Mark regression", id="mark_regression", show=False),
        Binding("2", "mark_check(2)", "Mark safety", id="mark_safety", show=False),
        Binding("3", "mark_check(3)", "Mark cost/latency", id="mark_cost_latency", show=False),
        Binding("4", "mark_check(4)", "Mark API compat", id="mark_api_compat", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | / | Filter the change log (provider, model, version, impact, status; as you type). |
    | o | Sort the change log: change date, provider and version, status. |
    | f | Fetch every provider feed now. |
    | 1-4 | Record check 1-4 (regression, safety, cost/latency, API compatibility) of the highlighted version. |
    """

    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset({"fetch_now", "mark_check"})

    class Loaded(Message):
        """The pins and change log were read from the cache."""

        def __init__(self, data: ProvidersData) -> None:
            super().__init__()
            self.data = data

    class MatrixLoaded(Message):
        """A version's qualification matrix was read."""

        def __init__(self, key: tuple[str, str], cells: list[MatrixCell]) -> None:
            super().__init__()
            self.key = key
            self.cells = cells

    class Done(Message):
        """A qualification check was recorded: what to say about it."""

        def __init__(self, text: str, title: str, severity: str = "information") -> None:
            super().__init__()
            self.text = text
            self.title = title
            self.severity = severity

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[ChangelogEntry] = []
        self.shown: list[ChangelogEntry] = []
        self.filter_text = ""
        self.sort = SORTS[0]
        self.matrix_key: tuple[str, str] | None = None

    def compose_body(self) -> ComposeResult:
        """Pins over the filterable change log over the highlighted version's matrix."""
        yield Report(id="pins")
        with Horizontal(id="providers-bar"):
            yield Input(placeholder="/ filter change log", id="changelog-filter", compact=True)
            yield Static(id="changelog-sort")
        yield WindowTable(
            CHANGELOG_COLUMNS, lambda _o, _l: [], lambda: 0, id="changelog", empty_text="no provider versions match"
        )
        yield Report(id="matrix")

    def on_mount(self) -> None:
        """Read the cache once the screen is up."""
        super().on_mount()
        self._show_sort()
        self.load()

    def reload(self) -> None:
        """A sync (or a fetch or check) brought changes: read again."""
        self.load()

    @work(thread=True, exclusive=True, group="providers-load", exit_on_error=False)
    def load(self) -> None:
        """Pins in Production/Canary and the change log, cleaned (in a thread)."""
        pins, entries = provider_reads.pins_and_changelog(self.regtui.service, self.regtui.clock(), PIN_STAGES)
        data = ProvidersData(pins, entries)
        self.post_message(self.Loaded(clean_deep(data)))

    def on_providers_screen_loaded(self, message: Loaded) -> None:
        """Show the pins and point the table at the change log (keeping the cursor where it was)."""
        self._show_pins(message.data.pins)
        self.entries = message.data.entries
        self._apply(reset_cursor=False)

    def _show_pins(self, pins: list[PinView]) -> None:
        """One row per live pin: model@version, stage, pinned provider version, status, countdown (never wrapped)."""
        report = self.query_one("#pins", Report)
        heading = report.heading("PINNED IN PRODUCTION / CANARY")
        if not pins:
            report.show(
                heading, report.text(Toned("no Production or Canary version pins a provider model", Tone.MUTED))
            )
            return
        table = report.grid("", "", "", "", "", show_header=False, widths=PIN_WIDTHS)
        table.expand = True
        table.columns[0].ratio = table.columns[2].ratio = 1
        for pin in pins:
            pinned: list[Toned] = [Toned(pin.pin.version)]
            if pin.status.alias:
                pinned.append(Toned(" (alias)", Tone.BAD))
            table.add_row(
                *(
                    report.text(cell)
                    for cell in (
                        f"{pin.model}@{pin.version}",
                        Toned(pin.stage.value, Tone.GOOD if pin.stage is Stage.PRODUCTION else Tone.WARN),
                        tuple(pinned),
                        status_badge(pin.qualification),
                        countdown(pin.days_left, pin.deprecated),
                    )
                )
            )
        report.show(heading, table)

    def _apply(self, *, reset_cursor: bool = True) -> None:
        """Filter and sort the change log into the table."""
        self.shown = sort_entries(filter_entries(self.entries, self.filter_text), self.sort)
        rows = self.shown
        self.query_one("#changelog", WindowTable).set_source(
            lambda offset, limit: rows[offset : offset + limit], lambda: len(rows), reset_cursor=reset_cursor
        )

    def _show_sort(self) -> None:
        """The current order beside the filter."""
        self.query_one("#changelog-sort", Static).update(Content(f"o sort: {self.sort}"))

    @on(Input.Changed, "#changelog-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Filter as you type."""
        self.filter_text = event.value
        self._apply()

    @on(Input.Submitted, "#changelog-filter")
    def filter_submitted(self) -> None:
        """Enter in the filter goes to the change log."""
        self.query_one("#changelog").focus()

    def action_focus_filter(self) -> None:
        """Focus the change log filter."""
        self.query_one("#changelog-filter").focus()

    def action_cycle_sort(self) -> None:
        """Next change log order."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._show_sort()
        self._apply()

    def action_go_back(self) -> None:
        """Escape in the filter returns to the change log; otherwise back."""
        if isinstance(self.focused, Input):
            self.query_one("#changelog").focus()
        else:
            super().action_go_back()

    @on(WindowTable.RowHighlighted, "#changelog")
    def row_highlighted(self, event: WindowTable.RowHighlighted) -> None:
        """Show the highlighted version's qualification matrix."""
        row = event.row
        if isinstance(row, ChangelogEntry):
            self.load_matrix(row.provider, row.version)

    def _highlighted(self) -> ChangelogEntry | None:
        """The change log entry under the cursor."""
        row = self.query_one("#changelog", WindowTable).cursor_value
        return row if isinstance(row, ChangelogEntry) else None

    @work(thread=True, exclusive=True, group="providers-matrix", exit_on_error=False)
    def load_matrix(self, provider: str, version: str) -> None:
        """One version's four checks (in a thread)."""
        cells = provider_reads.qualification_matrix(self.regtui.service, provider, version)
        self.post_message(self.MatrixLoaded((provider, version), clean_deep(cells)))

    def on_providers_screen_matrix_loaded(self, message: MatrixLoaded) -> None:
        """Render the matrix: one line per check with its latest result, evidence, who and when."""
        entry = self._highlighted()
        if entry is not None and (entry.provider, entry.version) != message.key:
            return
        self.matrix_key = message.key
        provider, version = message.key
        report = self.query_one("#matrix", Report)
        lines: list[Text] = [report.heading(f"QUALIFICATION {provider} {version}")]
        for number, cell in enumerate(message.cells, start=1):
            parts: list[Toned] = [Toned(f"{number} {cell.check.label:<24}")]
            latest = cell.latest
            if latest is None:
                parts.append(Toned("not recorded", Tone.MUTED))
            else:
                parts += [
                    Toned("PASS", Tone.GOOD) if latest.passed else Toned("FAIL", Tone.BAD),
                    Toned(f" {latest.recorded_by} {utc_iso(latest.recorded_at)[:10]} · "),
                    Toned(clean_single_line(latest.evidence.describe()), Tone.MUTED),
                ]
            lines.append(report.text(tuple(parts)))
        report.show(*lines)

    def action_fetch_now(self) -> None:
        """Fetch every feed now, in the app's worker (not in a read-only session or offline)."""
        if self.regtui.require_writable():
            self.regtui.fetch_provider_feeds(asked=True)

    def action_mark_check(self, number: int) -> None:
        """Ask for the result and evidence of check NUMBER of the highlighted version, then record it."""
        if not self.regtui.require_writable():
            return
        entry = self._highlighted()
        if entry is None:
            self.notify("no provider version highlighted", title="Qualification", severity="warning")
            return
        check = CHECKS[number - 1]
        title = f"{check.label} · {entry.provider} {entry.version}"

        def recorded(answer: tuple[bool, str] | None) -> None:
            if answer is not None:
                self.record_check(entry.provider, entry.version, check, *answer)

        self.app.push_screen(CheckScreen(title), recorded)

    @work(thread=True, exclusive=True, group="providers-check", exit_on_error=False)
    def record_check(self, provider: str, version: str, check: CheckName, passed: bool, evidence: str) -> None:
        """Record the check (in a thread); a refusal is reported with its rule by the screen's error handler."""
        status = provider_services.qualify(
            self.regtui.service, provider, version, check, passed, provider_services.evidence_of(evidence)
        )
        verdict = "pass" if passed else "fail"
        self.post_message(
            self.Done(f"{check.label} {verdict} recorded for {provider} {version}: now {status.value}", "Qualification")
        )

    def on_providers_screen_done(self, message: Done) -> None:
        """Say what happened and read the cache again."""
        self.notify(
            clean_single_line(message.text),
            title=message.title,
            severity=message.severity,  # type: ignore[arg-type]
            markup=False,
            timeout=8,
        )
        self.matrix_key = None
        self.load()
        entry = self._highlighted()
        if entry is not None:
            self.load_matrix(entry.provider, entry.version)
