"""The approvals screen: the caller's queue of open promotion requests, each request's gate checklist
(what passed, what is missing), approve / reject with a comment, and Enter for the evidence (the diff)."""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.domain.outcomes import DecisionOutcome
from regtui.domain.text import clean_single_line
from regtui.errors import RegtuiError
from regtui.services import promotion, review
from regtui.services.review import QueueLine
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.screens.comment import CommentScreen
from regtui.tui.screens.diff import DiffScreen
from regtui.tui.screens.promote import PromoteScreen
from regtui.tui.tones import Cell, Tone, Toned, stage_badge
from regtui.tui.widgets.report import (
    Report,
    gate_checklist,
    missing_checks,
    missing_summary,
)
from regtui.tui.widgets.version_details import when
from regtui.tui.widgets.window_table import Column, WindowTable


def move_cell(line: QueueLine) -> Cell:
    """'Canary → Production' in words, each stage in its tone."""
    return (stage_badge(line.view.from_stage), Toned(" → "), stage_badge(line.view.to_stage))


def gate_cell(line: QueueLine) -> Cell:
    """'rejected', 'N missing' or 'ready' (artifacts are re-hashed when the promotion is applied)."""
    gate = line.view.gate
    if gate.rejected:
        return Toned("rejected", Tone.BAD)
    missing = missing_checks(gate, verified_on_apply=True)
    return Toned(f"{len(missing)} missing", Tone.WARN) if missing else Toned("ready", Tone.GOOD)


def you_cell(line: QueueLine) -> Cell:
    """What the caller can do: approve in a capacity, apply, or nothing."""
    if line.view.can_approve:
        return Toned(f"approve as {line.view.can_approve}", Tone.INFO)
    return Toned("apply", Tone.GOOD) if line.view.can_apply else Toned("-", Tone.MUTED)


QUEUE_COLUMNS: tuple[Column[QueueLine], ...] = (
    Column("#", lambda q: f"#{q.view.id}", 5, min_width=4, priority=2, align="right"),
    Column("VERSION", lambda q: q.view.ref, 26, min_width=20, flex=True, priority=9),
    Column("MOVE", move_cell, 19, priority=7),
    Column("BY", lambda q: q.view.requested_by, 10, min_width=5, priority=1),
    Column("GATE", gate_cell, 9, priority=8),
    Column("YOU", you_cell, 24, min_width=19, priority=6),
)
"""The queue's columns."""


def window(lines: list[QueueLine], offset: int, limit: int) -> list[QueueLine]:
    """One window of the loaded queue."""
    return lines[offset : offset + limit]


class ApprovalsScreen(RegtuiScreen):
    """Open promotion requests (yours by default), their gates, and your decision on the highlighted one."""

    TITLE = "Approvals"
    AUTO_FOCUS = "#requests"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve_request", "Approve", id="approve_request"),
        Binding("x", "reject_request", "Reject", id="reject_request"),
        Binding("d", "open_evidence", "Evidence diff", id="open_evidence"),
        Binding("p", "promote_request", "Apply / promote", id="promote_request"),
        Binding("m", "toggle_mine", "Mine / all", id="toggle_mine"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | a | Approve the highlighted request, with a comment. |
    | x | Reject the highlighted request (a comment saying why is required). |
    | enter, d | The evidence: the requested version against the current Production version. |
    | p | Promote the requested version (applies the request when its gate passes). |
    | m | Only requests you can act on, or every open request. |
    """

    WRITE_ACTIONS = frozenset({"approve_request", "reject_request", "promote_request"})

    class QueueLoaded(Message):
        """The open requests were read and their gates evaluated."""

        def __init__(self, lines: list[QueueLine]) -> None:
            super().__init__()
            self.lines = lines

    class Decided(Message):
        """An approval or rejection was recorded."""

        def __init__(self, outcome: DecisionOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    class DecisionRefused(Message):
        """The registry refused a decision (a rule, a conflict, offline); nothing was recorded."""

        def __init__(self, error: RegtuiError) -> None:
            super().__init__()
            self.error = error

    def __init__(self, *, mine: bool = True) -> None:
        super().__init__()
        self.mine = mine
        self.lines: list[QueueLine] | None = None
        self.shown: list[QueueLine] = []

    def compose_body(self) -> ComposeResult:
        """Queue summary, the queue, and the highlighted request's checklist."""
        yield Static(Content("approval queue · loading…"), id="queue-bar")
        yield Static(id="decision-note")
        yield WindowTable(
            QUEUE_COLUMNS,
            partial(window, self.shown),
            partial(len, self.shown),
            id="requests",
            empty_text="no open requests here (m: every open request)",
        )
        yield Report(id="checklist")

    def on_mount(self) -> None:
        """Read the queue."""
        super().on_mount()
        self.load_queue()

    def reload(self) -> None:
        """A sync brought changes: read the queue again, keeping the cursor."""
        self.load_queue()

    @work(thread=True, exclusive=True, group="approvals-queue", exit_on_error=False)
    def load_queue(self) -> None:
        """Read the open requests and evaluate their gates (in a thread)."""
        self.post_message(self.QueueLoaded(review.approval_queue(self.regtui.service)))

    def on_approvals_screen_queue_loaded(self, message: QueueLoaded) -> None:
        """Keep the queue and show it."""
        self.lines = message.lines
        self._show_queue()

    def _show_queue(self) -> None:
        """Point the table at yours or all, and say which."""
        if self.lines is None:
            return
        self.shown = [line for line in self.lines if line.actionable] if self.mine else list(self.lines)
        total = len(self.lines)
        which = (
            f"yours: {len(self.shown)} of {total} open request{'s' if total != 1 else ''} · m: all"
            if self.mine
            else f"all {total} open request{'s' if total != 1 else ''} · m: only yours"
        )
        self.query_one("#queue-bar", Static).update(Content(f"approval queue · {which}"))
        shown = self.shown
        self.query_one("#requests", WindowTable).set_source(
            partial(window, shown), partial(len, shown), reset_cursor=False
        )

    @on(WindowTable.Counted, "#requests")
    def queue_counted(self, event: WindowTable.Counted) -> None:
        """An empty queue says so in the checklist pane."""
        if event.total == 0:
            report = self.query_one(Report)
            hint = "nothing waits for you · m shows every open request" if self.mine else "no open requests"
            report.show(report.text(Toned(hint, Tone.MUTED)))

    @on(WindowTable.RowHighlighted, "#requests")
    def request_highlighted(self, event: WindowTable.RowHighlighted) -> None:
        """Show the highlighted request's checklist."""
        assert isinstance(event.row, QueueLine)
        self._show_checklist(event.row)

    def _show_checklist(self, line: QueueLine) -> None:
        """What is asked, by whom, what the gate still needs, what you can do, then every check."""
        view = line.view
        report = self.query_one(Report)
        asked = Text.assemble(
            report.heading(f"#{view.id} {view.ref}"),
            " ",
            report.text((stage_badge(view.from_stage), Toned(" → "), stage_badge(view.to_stage))),
        )
        by = f"requested by {view.requested_by} at {when(view.requested_at)}"
        reason = f" · reason: {view.reason}" if view.reason.strip() else ""
        if self.regtui.readonly and (view.can_approve or view.can_apply):
            you = Toned("read-only session: no decisions here · enter evidence", Tone.MUTED)
        elif view.can_approve:
            you = Toned(f"you can approve as {view.can_approve}: a approve · x reject · enter evidence", Tone.INFO)
        elif view.can_apply:
            you = Toned("you can apply it: p promotes (re-hashing every artifact)", Tone.GOOD)
        else:
            you = Toned("nothing for you to sign here (a says which rule)", Tone.MUTED)
        report.show(
            asked,
            report.text(Toned(by + reason, Tone.MUTED)),
            report.text(missing_summary(view.gate, verified_on_apply=True)),
            report.text(you),
            Text(),
            gate_checklist(report, view.gate, verified_on_apply=True),
        )

    def _current(self) -> QueueLine | None:
        """The request under the cursor (saying so when there is none)."""
        line = self.query_one("#requests", WindowTable).cursor_value
        if line is None:
            self.notify("no request selected", title="Approvals", severity="warning")
        return line

    @on(WindowTable.RowSelected, "#requests")
    def request_selected(self) -> None:
        """Enter opens the evidence."""
        self.action_open_evidence()

    def action_open_evidence(self) -> None:
        """The requested version against the current Production version."""
        line = self._current()
        if line is not None:
            self.app.push_screen(DiffScreen(line.model, line.version))

    def action_toggle_mine(self) -> None:
        """Yours only, or every open request."""
        self.mine = not self.mine
        self._show_queue()

    def action_approve_request(self) -> None:
        """Approve the highlighted request, with a comment."""
        self._ask_comment(Decision.APPROVE)

    def action_reject_request(self) -> None:
        """Reject the highlighted request, with a comment saying why."""
        self._ask_comment(Decision.REJECT)

    def _ask_comment(self, decision: Decision) -> None:
        """Open the comment modal for a decision on the highlighted request."""
        if not self.regtui.require_writable():
            return
        line = self._current()
        if line is None:
            return
        view = line.view
        approve = decision is Decision.APPROVE
        capacity = f" as {view.can_approve}" if approve and view.can_approve else ""
        move = f"({view.from_stage} → {view.to_stage})"
        title = f"{'Approve' if approve else 'Reject'} #{view.id} {view.ref} {move}{capacity}"
        if not approve:
            hint = "Say why: the request is closed and your comment is logged with the rejection."
        elif view.to_stage == Stage.CANARY:
            hint = "Name the evidence you reviewed (the human review of this gate records it)."
        else:
            hint = "What you checked (logged with your approval)."
        required = not approve or view.to_stage == Stage.CANARY
        self.app.push_screen(CommentScreen(title, hint, required=required), partial(self._commented, view.id, decision))

    def _commented(self, request_id: int, decision: Decision, comment: str | None) -> None:
        """Record the decision unless the comment was cancelled."""
        if comment is not None:
            self.decide_request(request_id, decision, comment)

    @work(thread=True, group="approvals-decide", exit_on_error=False)
    def decide_request(self, request_id: int, decision: Decision, comment: str) -> None:
        """Record the decision through the shared write path (in a thread)."""
        try:
            outcome = promotion.decide(self.regtui.service, request_id, decision, comment)
        except RegtuiError as error:
            self.post_message(self.DecisionRefused(error))
            return
        self.post_message(self.Decided(outcome))

    def on_approvals_screen_decided(self, message: Decided) -> None:
        """Say what was recorded and what the request still needs, on a line over the queue (a toast would cover the
        checklist it speaks of); refresh the queue."""
        outcome = message.outcome
        approved = outcome.decision is Decision.APPROVE
        verb = "approved" if approved else "rejected"
        text = f"{verb} request #{outcome.request_id} ({outcome.ref}) as {outcome.capacity}"
        if approved:
            text += f"; still missing: {', '.join(missing_checks(outcome.gate, verified_on_apply=True)) or 'nothing'}"
        note = self.query_one("#decision-note", Static)
        note.update(Content(clean_single_line(text)))
        note.set_class(True, "-shown")
        note.set_class(not approved, "-rejected")
        self._after_write()

    def on_approvals_screen_decision_refused(self, message: DecisionRefused) -> None:
        """Say which rule refused it; the queue is read again (it may have moved)."""
        self.regtui.report_error(message.error)
        self._after_write()

    def _after_write(self) -> None:
        """Read the queue again and let the app sync (headers, other screens)."""
        self.load_queue()
        self.regtui.sync_registry()

    def action_promote_request(self) -> None:
        """Promote the requested version to the requested stage (applied when the gate passes)."""
        if not self.regtui.require_writable():
            return
        line = self._current()
        if line is not None:
            view = line.view
            self.app.push_screen(
                PromoteScreen(line.model, line.version, Stage(view.from_stage), Stage(view.to_stage)), self._promoted
            )

    def _promoted(self, changed: bool | None) -> None:
        """After the promote dialog: read the queue again when the registry changed."""
        if changed:
            self.load_queue()
