"""The rollback screen (on call): a model's Production history with retention windows; pick a target,
its checksums are re-hashed live with a progress bar, a typed confirmation, done."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState

from regtui.domain.checksums import VerifyResult
from regtui.domain.outcomes import RollbackOutcome
from regtui.domain.text import clean_single_line
from regtui.errors import ConflictError, RegtuiError
from regtui.services import promotion, review
from regtui.services.reads import clean_deep
from regtui.services.review import HistoryLine, RollbackView
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.screens.confirm_rollback import ConfirmRollbackScreen
from regtui.tui.tones import Cell, Tone, Toned
from regtui.tui.widgets.report import Report
from regtui.tui.widgets.version_details import (
    VERIFY_TONES,
    VERIFY_WORDS,
    human_size,
)
from regtui.tui.widgets.window_table import Column, WindowTable


def day(moment: datetime | None) -> str:
    """A timestamp as its UTC date ('-' for none)."""
    return "-" if moment is None else f"{moment:%Y-%m-%d}"


def rollback_cell(line: HistoryLine) -> Cell:
    """Whether the version is a rollback target, and why not."""
    if line.current:
        return Toned("serving now", Tone.GOOD)
    if line.eligible:
        return Toned(f"eligible until {day(line.retention_ends)}", Tone.GOOD)
    return Toned(f"retention ended {day(line.retention_ends)}", Tone.MUTED)


def dimmed(render: Callable[[HistoryLine], str]) -> Callable[[HistoryLine], Cell]:
    """A column renderer that mutes the cells of a version that can no longer be rolled back to."""

    def cell(line: HistoryLine) -> Cell:
        """The cell, muted when the row is not a target."""
        value = render(line)
        return value if line.current or line.eligible else Toned(value, Tone.MUTED)

    return cell


HISTORY_COLUMNS: tuple[Column[HistoryLine], ...] = (
    Column("VERSION", dimmed(lambda h: h.version), 12, min_width=8, priority=9),
    Column(
        "STAGE",
        lambda h: Toned("Production", Tone.GOOD) if h.current else Toned("Archived", Tone.MUTED),
        10,
        priority=7,
    ),
    Column("ARCHIVED", dimmed(lambda h: day(h.archived_at)), 10, priority=5),
    Column("ROLLBACK", rollback_cell, 28, min_width=16, flex=True, priority=8),
    Column("ARTIFACTS", dimmed(lambda h: f"{h.artifacts} · {human_size(h.size)}"), 14, priority=4),
)
"""The history's columns: the Production version first, then former ones, newest archive first."""


def window(lines: tuple[HistoryLine, ...], offset: int, limit: int) -> list[HistoryLine]:
    """One window of the loaded history."""
    return list(lines[offset : offset + limit])


def fitting_parts(parts: Sequence[str], width: int) -> str:
    """The parts joined by ' · ', leaving out the last ones that would not fit in one line of `width` cells
    (the first part is always kept: the title never wraps, CSS cuts what is left with an ellipsis)."""
    shown = parts[0]
    for part in parts[1:]:
        if width and cell_len(f"{shown} · {part}") > width:
            break
        shown = f"{shown} · {part}"
    return shown


class RollbackScreen(RegtuiScreen):
    """Roll a model back to an earlier Production version within retention: verify, confirm, done."""

    TITLE = "Rollback"
    AUTO_FOCUS = "#history"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("R", "roll_back", "Roll back", id="roll_back"),
        Binding("v", "verify_target", "Verify", id="verify_target"),
        Binding("d", "toggle_dry_run", "Dry run", id="toggle_dry_run"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter, R | Roll back to the highlighted version: checksums re-hashed, then a typed confirmation. |
    | v | Re-hash the highlighted version's artifacts only. |
    | d | Dry run on / off: the whole procedure, rolled back at the end. |
    """

    WRITE_ACTIONS = frozenset({"roll_back"})

    class HistoryLoaded(Message):
        """The model's Production history was read."""

        def __init__(self, view: RollbackView) -> None:
            super().__init__()
            self.view = view

    class VerifyProgress(Message):
        """Bytes hashed by a verification run (posted from its thread)."""

        def __init__(self, run: int, size: int) -> None:
            super().__init__()
            self.run = run
            self.size = size

    class Verified(Message):
        """A verification run finished (or could not read the version)."""

        def __init__(
            self,
            run: int,
            line: HistoryLine,
            results: tuple[VerifyResult, ...],
            confirm: bool,
            error: RegtuiError | None = None,
        ) -> None:
            super().__init__()
            self.run = run
            self.line = line
            self.results = results
            self.confirm = confirm
            self.error = error

    class RolledBack(Message):
        """The rollback ran (or, dry, ran and was rolled back)."""

        def __init__(self, outcome: RollbackOutcome, dry_run: bool) -> None:
            super().__init__()
            self.outcome = outcome
            self.dry_run = dry_run

    class RollbackRefused(Message):
        """The registry refused the rollback; nothing was changed."""

        def __init__(self, error: RegtuiError) -> None:
            super().__init__()
            self.error = error

    def __init__(self, model: str) -> None:
        super().__init__()
        self.model = model
        self.view: RollbackView | None = None
        self.dry_run = False
        self.run = 0
        self.busy = False
        self.done: str | None = None
        """The result of the last rollback, kept on screen until the cursor moves."""

    def compose_body(self) -> ComposeResult:
        """Title, the history, and the target pane: state, progress bar, verification and result."""
        yield Static(Content(f"Rollback {clean_single_line(self.model)} · loading…"), id="rollback-title")
        yield WindowTable(
            HISTORY_COLUMNS,
            partial(window, ()),
            partial(len, ()),
            id="history",
            empty_text="no Production history: nothing to roll back to",
        )
        with Vertical(id="target-pane"):
            yield Static(id="target-state")
            yield ProgressBar(show_eta=False, id="verify-progress")
            yield Report(id="target-report")

    def on_mount(self) -> None:
        """Read the history."""
        super().on_mount()
        self.load_history()

    def reload(self) -> None:
        """A sync brought changes: read the history again."""
        self.load_history()

    @work(thread=True, exclusive=True, group="rollback-history", exit_on_error=False)
    def load_history(self) -> None:
        """Read the Production history and retention windows (in a thread)."""
        self.post_message(self.HistoryLoaded(review.rollback_view(self.regtui.service, self.model)))

    def on_rollback_screen_history_loaded(self, message: HistoryLoaded) -> None:
        """Show the history, keeping the cursor where it is (on the new Production version after a rollback)."""
        view = self.view = message.view
        self._show_title()
        self.query_one("#history", WindowTable).set_source(
            partial(window, view.lines), partial(len, view.lines), reset_cursor=self.done is not None
        )

    def _show_title(self) -> None:
        """What serves now, how long archived versions stay targets, and whether this is a dry run."""
        if self.view is None:
            return
        production = self.view.production
        now = f"in Production: {clean_single_line(production)}" if production else "no Production version"
        dry = "DRY RUN on" if self.dry_run else "dry run off"
        parts = (f"Rollback {self.view.model}", now, dry, f"retention {self.view.retention_days} d")
        title = self.query_one("#rollback-title", Static)
        title.update(Content(fitting_parts(parts, title.content_region.width)))
        title.set_class(self.dry_run, "-dry-run")

    def on_resize(self) -> None:
        """Fit the title to the new width."""
        self._show_title()

    def _state(self, text: str, tone: str = "") -> None:
        """The one-line state over the progress bar."""
        state = self.query_one("#target-state", Static)
        state.update(Content(text))
        state.set_classes(tone)

    @on(WindowTable.RowHighlighted, "#history")
    def version_highlighted(self, event: WindowTable.RowHighlighted) -> None:
        """Say what choosing the highlighted version would do."""
        assert isinstance(event.row, HistoryLine)
        if self.busy:
            return
        if self.done is not None and event.index == 0:
            return
        self.done = None
        line = event.row
        report = self.query_one("#target-report", Report)
        self.query_one("#verify-progress", ProgressBar).update(total=max(1, line.size), progress=0)
        if line.current:
            self._state(f"{line.version} serves in Production now: pick an earlier version", "-muted")
            report.show(report.text(Toned("enter on an eligible version starts the rollback", Tone.MUTED)))
        elif line.eligible:
            self._state(
                f"{line.version}: archived {day(line.archived_at)}, rollback target until "
                f"{day(line.retention_ends)} · enter to roll back, v to verify only",
                "-good",
            )
            report.show(
                report.text(
                    Toned(
                        f"{line.artifacts} artifact(s), {human_size(line.size)}: re-hashed before "
                        "you confirm, and again by the rollback itself",
                        Tone.MUTED,
                    )
                )
            )
        else:
            self._state(
                f"{line.version}: retention ended {day(line.retention_ends)} — no longer a rollback target", "-muted"
            )
            report.show(
                report.text(
                    Toned(
                        f"archived {day(line.archived_at)}; the policy keeps archived versions "
                        "as rollback targets for its retention period only",
                        Tone.MUTED,
                    )
                )
            )

    @on(WindowTable.RowSelected, "#history")
    def version_selected(self) -> None:
        """Enter starts the rollback to the highlighted version."""
        self.action_roll_back()

    def _target(self) -> HistoryLine | None:
        """The highlighted version when it can be rolled back to (else say why not)."""
        line = self.query_one("#history", WindowTable).cursor_value
        if line is None:
            self.notify("no version selected", title="Rollback", severity="warning")
        elif line.current:
            self.notify(
                f"{line.version} is the Production version now: pick an earlier one",
                title="Rollback",
                severity="warning",
                markup=False,
            )
        elif not line.eligible:
            self.notify(
                f"retention rule: {line.version}'s retention ended {day(line.retention_ends)}; it is no "
                "longer a rollback target",
                title="Refused",
                severity="error",
                markup=False,
            )
        else:
            return line
        return None

    def action_roll_back(self) -> None:
        """Verify the highlighted target's checksums, then ask for the typed confirmation."""
        if self.busy or not self.regtui.require_writable():
            return
        line = self._target()
        if line is not None:
            self._verify(line, confirm=True)
            self.regtui.key_gate.pause()

    def action_verify_target(self) -> None:
        """Re-hash the highlighted version's artifacts only."""
        line = self.query_one("#history", WindowTable).cursor_value
        if line is not None and not self.busy:
            self._verify(line, confirm=False)

    def action_toggle_dry_run(self) -> None:
        """Dry run on or off."""
        self.dry_run = not self.dry_run
        self._show_title()

    def _verify(self, line: HistoryLine, *, confirm: bool) -> None:
        """Start a verification run with a fresh progress bar."""
        self.run += 1
        self.busy = True
        self.query_one("#verify-progress", ProgressBar).update(total=max(1, line.size), progress=0)
        self._state(f"verifying {line.artifacts} artifact(s) of {line.version} ({human_size(line.size)})…", "-busy")
        self.verify_target(self.run, line, confirm)

    @work(thread=True, exclusive=True, group="rollback-verify", exit_on_error=False)
    def verify_target(self, run: int, line: HistoryLine, confirm: bool) -> None:
        """Re-hash the version's artifacts from the registry's records, posting progress (in a thread)."""
        try:
            results = promotion.verify_version(self.regtui.service, self.model, line.key, on_bytes=self._progress(run))
        except RegtuiError as error:
            self.post_message(self.Verified(run, line, (), confirm, error))
            return
        self.post_message(self.Verified(run, line, clean_deep(results), confirm))

    def _progress(self, run: int) -> Callable[[int], None]:
        """The on_bytes callback of a run: posts progress from the hashing thread (post_message is thread-safe)."""

        def hashed(size: int) -> None:
            """Bytes hashed."""
            self.post_message(self.VerifyProgress(run, size))

        return hashed

    def on_rollback_screen_verify_progress(self, message: VerifyProgress) -> None:
        """Advance the bar of the current run."""
        if message.run == self.run:
            self.query_one("#verify-progress", ProgressBar).advance(message.size)

    def on_rollback_screen_verified(self, message: Verified) -> None:
        """Show each artifact's result; all good and rolling back: ask for the typed confirmation. Keys typed
        meanwhile were held for the confirmation: they go to it, or are dropped when it does not open."""
        if message.run != self.run:
            return
        self._show_verified(message)
        if message.confirm:
            self.regtui.key_gate.resume(drop=not isinstance(self.app.screen, ConfirmRollbackScreen))

    @on(Worker.StateChanged)
    def verify_ended_early(self, event: Worker.StateChanged) -> None:
        """A verification that failed or was cancelled opens no confirmation: drop the keys held for it."""
        if event.worker.group == "rollback-verify" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.regtui.key_gate.resume(drop=True)

    def _show_verified(self, message: Verified) -> None:
        """The verification's outcome; the typed confirmation when rolling back and every artifact matches."""
        self.busy = False
        line = message.line
        if message.error is not None:
            self._state(f"{line.version}: cannot verify", "-bad")
            self.regtui.report_error(message.error)
            return
        self.query_one("#verify-progress", ProgressBar).update(total=max(1, line.size), progress=max(1, line.size))
        failed = [r for r in message.results if not r.ok]
        self._show_results(line, message.results)
        if failed:
            problems = "; ".join(f"{r.name}: {VERIFY_WORDS[r.status]} ({r.message})" for r in failed)
            self._state(f"{line.version}: {len(failed)} of {len(message.results)} artifact(s) failed — refused", "-bad")
            self.notify(
                clean_single_line(f"checksum rule: {self.model}@{line.key} cannot go back to Production: {problems}"),
                title="Refused",
                severity="error",
                markup=False,
                timeout=10,
            )
            return
        self._state(f"{line.version}: {len(message.results)} artifact(s) verified just now", "-good")
        if message.confirm and self.view is not None:
            self._confirm(line, self.view)

    def _show_results(self, line: HistoryLine, results: tuple[VerifyResult, ...]) -> None:
        """One row per artifact: its name, the result in words, and the detail."""
        report = self.query_one("#target-report", Report)
        table = report.grid("artifact", "check", "detail", wrap=(0, 2))
        for result in results:
            table.add_row(
                report.text(result.name),
                report.text(Toned(VERIFY_WORDS[result.status], VERIFY_TONES[result.status])),
                report.text(Toned(result.message or f"sha256 {result.expected_sha256[:16]}…", Tone.MUTED)),
            )
        report.show(report.heading(f"Checksums of {line.version}"), table)

    def _confirm(self, line: HistoryLine, view: RollbackView) -> None:
        """The typed confirmation; on confirm, roll back with the Production version seen here as expected."""
        outgoing = (
            f"Production now: {clean_single_line(view.production)} → goes to Archived"
            if view.production
            else "no Production version now"
        )
        summary = (
            f"{outgoing}\nBack to: {line.version} (archived {day(line.archived_at)}, retention until "
            f"{day(line.retention_ends)})\nChecksums: {line.artifacts} artifact(s) verified just now, "
            "and again by the rollback"
        )
        if self.dry_run:
            summary += "\nDry run: the whole procedure runs, then is rolled back; nothing changes"
        self.app.clear_notifications()
        self.app.push_screen(
            ConfirmRollbackScreen(view.model, summary, dry_run=self.dry_run),
            partial(self._confirmed, line, view.production, self.dry_run),
        )

    def _confirmed(self, line: HistoryLine, production: str | None, dry_run: bool, reason: str | None) -> None:
        """Run the rollback unless cancelled."""
        if reason is None:
            self._state("cancelled: nothing changed", "-muted")
            return
        self.run += 1
        self.busy = True
        self.query_one("#verify-progress", ProgressBar).update(total=max(1, line.size), progress=0)
        self._state(f"{'dry run: ' if dry_run else ''}rolling back to {line.version} (re-hashing)…", "-busy")
        self.roll_back(self.run, line, production, reason, dry_run)

    @work(thread=True, exclusive=True, group="rollback-write", exit_on_error=False)
    def roll_back(self, run: int, line: HistoryLine, production: str | None, reason: str, dry_run: bool) -> None:
        """The rollback through the shared write path (in a thread); after a conflict, sync before saying so."""
        service = self.regtui.service
        try:
            outcome = promotion.rollback(
                service,
                self.model,
                line.key,
                reason,
                dry_run=dry_run,
                expected_production=production,
                on_bytes=self._progress(run),
            )
        except RegtuiError as error:
            if isinstance(error, ConflictError):
                service.refresh()
            self.post_message(self.RollbackRefused(error))
            return
        self.post_message(self.RolledBack(outcome, dry_run))

    def on_rollback_screen_rolled_back(self, message: RolledBack) -> None:
        """Done: say what happened in the state line and the report (no toast over them), show the history as it is
        now."""
        self.busy = False
        outcome = message.outcome
        before = outcome.from_version or "-"
        verb = "dry run: would roll back" if message.dry_run else "rolled back"
        text = clean_single_line(
            f"{verb} {outcome.model} from {before} to {outcome.to_version} "
            f"({len(outcome.verified)} artifact(s) verified); {before} → Archived"
        )
        self.done = text
        self._state(f"done: {text}", "-good")
        report = self.query_one("#target-report", Report)
        report.show(
            report.heading("Done" if not message.dry_run else "Dry run passed"),
            Text(text),
            report.text(
                Toned(
                    f"reason: {clean_single_line(outcome.reason)} · logged in the promotion log (L)"
                    if not message.dry_run
                    else "nothing was changed",
                    Tone.MUTED,
                )
            ),
        )
        self.load_history()
        self.regtui.sync_registry()

    def on_rollback_screen_rollback_refused(self, message: RollbackRefused) -> None:
        """Say which rule refused it; read the history again (it may have moved)."""
        self.busy = False
        self._state(clean_single_line(message.error.message), "-bad")
        self.regtui.report_error(message.error)
        self.load_history()
        self.regtui.sync_registry()
