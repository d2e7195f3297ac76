"""The promote dialog: choose a target stage among the allowed moves, add reason / canary share / evidence,
and see the gate checklist before submitting.

How the checklist is evaluated before submitting: `promotion.promote` itself cannot be used to look, since it
opens (and logs) a request; and the gate of an already open request alone would ignore what is typed in
the form. So the dialog asks `regtui.store.previews.preview_promotion` (through regtui.services.review, in a
worker, on the local cache): it runs promote's own plan (the request promote would reuse or open, the typed
evidence and canary share merged in, the gate evaluated) and stops before promote's write. Artifacts are
re-hashed only by promote itself, so the artifact check reads '… on apply'. Submitting runs
`promotion.promote(expected_stage=<the stage shown>)` in a worker: applied, pending (what is missing, like exit
status 3), or refused; a conflict (someone moved the version meanwhile) syncs the cache, refreshes the dialog and
says who moved it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from regtui.domain.entry import Stage
from regtui.domain.evidence import CONDITIONS, parse_evidence, split_conditions
from regtui.domain.outcomes import PromotionOutcome, PromotionPreview
from regtui.domain.text import clean_single_line
from regtui.domain.transitions import GATED_MOVES, MoveKind
from regtui.errors import ConflictError, InputError, RegtuiError
from regtui.services import promotion, review
from regtui.tui.debounce import Debounce
from regtui.tui.tones import Tone, Toned
from regtui.tui.widgets.key_bar import KeyBar
from regtui.tui.widgets.report import Report, gate_checklist, missing_summary
from regtui.tui.widgets.version_details import when

if TYPE_CHECKING:
    from regtui.tui.app import RegtuiApp

PREVIEW_DEBOUNCE_S = 0.3
MOVE_LABELS: dict[MoveKind, str] = {
    MoveKind.PROMOTE: "promote, behind its gate",
    MoveKind.ABANDON: "abandon, with a reason",
    MoveKind.CANARY_FAILED: "failed canary, with a reason",
    MoveKind.RETIRE: "retire, with a reason and two approvals",
}
"""The moves the dialog offers (rollbacks have their own screen)."""
FIELDS_FOR: dict[Stage, tuple[str, ...]] = {
    Stage.STAGING: ("reason",),
    Stage.CANARY: ("reason", "share", "review", "conditions"),
    Stage.PRODUCTION: ("reason", "review", "canary", "archival", "conditions"),
    Stage.ARCHIVED: ("reason",),
}
"""Which form fields a promotion to each stage uses (a failed canary back to Staging needs only a reason)."""
NO_MOVE: dict[Stage, str] = {
    Stage.ARCHIVED: "an Archived version returns only by rollback, when it served in Production and is "
    "within retention (R on the model screen)",
}


def parse_results(text: str) -> dict[str, float]:
    """Canary results typed as 'error_rate=0.004 latency_p95_ms=38' (commas or spaces between)."""
    results: dict[str, float] = {}
    for item in filter(None, re.split(r"[,\s]+", text)):
        metric, equals, value = item.partition("=")
        if not (metric and equals):
            raise InputError(f"canary results: {item!r} is not metric=value (e.g. error_rate=0.004)")
        try:
            results[metric] = float(value)
        except ValueError:
            raise InputError(f"canary results: {value!r} ({metric}) is not a number") from None
    return results


class PromoteScreen(ModalScreen[bool]):
    """Promote one version: target, reason, share, evidence and the gate; dismissed True when the registry changed."""

    TITLE = "Promote"
    AUTO_FOCUS = "#targets"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit_promotion", "Submit", id="submit_promotion"),
        Binding("escape", "cancel_promotion", "Cancel", id="cancel_promotion"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up / down | Choose the target stage (the checklist follows). |
    | tab | The next field: reason, canary share, review evidence, canary results, archival checklist, conditions. |
    | ctrl+s | Submit (the Submit button too). |
    | escape | Cancel: nothing is written. |
    """

    class PreviewLoaded(Message):
        """The gate promote would evaluate for the form as typed (or why it cannot be evaluated)."""

        def __init__(self, target: Stage | None, preview: PromotionPreview | None, error: RegtuiError | None) -> None:
            super().__init__()
            self.target = target
            self.preview = preview
            self.error = error

    class Promoted(Message):
        """promote ran: applied, or the request is pending."""

        def __init__(self, outcome: PromotionOutcome) -> None:
            super().__init__()
            self.outcome = outcome

    class PromotionRefused(Message):
        """promote refused (a rule, bad input, a conflict, offline); nothing was written."""

        def __init__(self, error: RegtuiError) -> None:
            super().__init__()
            self.error = error

    def __init__(self, model: str, version: str, seen_stage: Stage, target: Stage | None = None) -> None:
        super().__init__()
        self.model = model
        self.version = version
        self.seen_stage = seen_stage
        self.target = target
        self.submitting = False
        self._archival_for: Stage | None = None
        self.outgoing: str | None = None
        self._moves_shown = False
        self._debounce = Debounce(self, PREVIEW_DEBOUNCE_S, self.request_preview)

    @property
    def regtui(self) -> RegtuiApp:
        """The running dashboard app."""
        return cast("RegtuiApp", self.app)

    @property
    def ref(self) -> str:
        """MODEL@VERSION, cleaned for display."""
        return clean_single_line(f"{self.model}@{self.version}")

    def compose(self) -> ComposeResult:
        """Title and note; the form beside (or, when narrow, above) the gate; the buttons."""
        with Vertical(id="promote-dialog"):
            yield Static(id="promote-title")
            yield Static(id="promote-note")
            with VerticalScroll(id="promote-body"):
                with Vertical(id="promote-form"):
                    yield Static(Content("target stage"), classes="label")
                    yield OptionList(id="targets", compact=True)
                    yield from self._field("reason", "reason", "why: abandon, retire, failed canary")
                    yield from self._field("share", "canary %", "share of traffic, e.g. 5 (default: policy minimum)")
                    yield from self._field("review", "evidence", "what reviewers examine, e.g. eval report URL")
                    yield from self._field("canary", "canary", "SLO results, e.g. error_rate=0.004 latency_p95_ms=38")
                    with Vertical(id="field-archival", classes="field-block"):
                        yield Static(id="archival-label", classes="label")
                        yield SelectionList[str](id="archival", compact=True)
                    yield from self._field("conditions", "conditions", "approved under, separated by ; (optional)")
                yield Report(id="gate")
            with Horizontal(id="promote-buttons"):
                yield Button(Content("Cancel"), id="cancel", compact=True)
                yield Button(Content("Submit"), id="submit", variant="primary", compact=True)
        yield KeyBar()

    def _field(self, name: str, label: str, placeholder: str) -> ComposeResult:
        """A one-line labelled input."""
        with Horizontal(id=f"field-{name}", classes="field"):
            yield Static(Content(label), classes="label")
            yield Input(placeholder=placeholder, id=name, compact=True, type="number" if name == "share" else "text")

    def on_mount(self) -> None:
        """Say what is promoted, then read its moves and the gate."""
        self._show_title()
        self._note("tab next field · ctrl+s submit · escape cancel")
        self._show_fields()
        self.request_preview()

    def _show_title(self) -> None:
        """'Promote churn-classifier@2.7.0 · now Canary'."""
        self.query_one("#promote-title", Static).update(Content(f"Promote {self.ref} · now {self.seen_stage}"))

    def _note(self, text: str, *, error: bool = False) -> None:
        """The line under the title: hints, conflicts, progress."""
        note = self.query_one("#promote-note", Static)
        note.update(Content(text))
        note.set_class(error, "-error")

    def _show_fields(self) -> None:
        """Show the fields the chosen target uses."""
        wanted = FIELDS_FOR.get(self.target, ()) if self.target is not None else ()
        for name in ("reason", "share", "review", "canary", "archival", "conditions"):
            self.query_one(f"#field-{name}").display = name in wanted

    def _fill_targets(self, moves: dict[Stage, MoveKind]) -> None:
        """The allowed moves from the version's stage as options; keep or pick the target."""
        offered = {stage: kind for stage, kind in moves.items() if kind in MOVE_LABELS}
        targets = self.query_one("#targets", OptionList)
        targets.clear_options()
        targets.add_options(
            Option(Content(f"{stage} · {MOVE_LABELS[kind]}"), id=stage.value) for stage, kind in offered.items()
        )
        if self.target not in offered:
            promote = [stage for stage, kind in offered.items() if kind is MoveKind.PROMOTE]
            self.target = next(iter(promote or offered), None)
        if self.target is not None:
            targets.highlighted = list(offered).index(self.target)
        self.query_one("#submit", Button).disabled = self.target is None
        self._show_fields()

    @on(OptionList.OptionHighlighted, "#targets")
    def target_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Moving through the targets re-evaluates the gate for the highlighted one."""
        target = Stage(event.option.id) if event.option.id else None
        if target is not self.target:
            self.target = target
            self._show_fields()
            self.request_preview()

    @on(OptionList.OptionSelected, "#targets")
    def target_selected(self) -> None:
        """Enter on a target goes on to the fields."""
        self.focus_next()

    @on(Input.Changed)
    def form_changed(self) -> None:
        """Typing re-evaluates the gate (debounced)."""
        self._debounce()

    @on(SelectionList.SelectedChanged, "#archival")
    def archival_changed(self) -> None:
        """Ticking an item re-counts and re-evaluates the gate (debounced)."""
        self._count_archival()
        self._debounce()

    @on(Input.Submitted)
    def field_submitted(self) -> None:
        """Enter in a field goes to the next one (submit is ctrl+s or the Submit button)."""
        self.focus_next()

    def _form(self) -> tuple[dict[str, Any], float | None, str]:
        """Evidence, canary share and reason as typed for the target (InputError names a bad field)."""
        wanted = FIELDS_FOR.get(self.target, ()) if self.target is not None else ()
        document: dict[str, Any] = {}
        review_text = self.query_one("#review", Input).value.strip()
        if "review" in wanted and review_text:
            document["review"] = review_text
        results = parse_results(self.query_one("#canary", Input).value) if "canary" in wanted else {}
        if results:
            document["canary_results"] = results
        conditions = split_conditions(self.query_one("#conditions", Input).value) if "conditions" in wanted else []
        if conditions:
            document[CONDITIONS] = conditions
        if "archival" in wanted and self.query_one("#field-archival").display:
            document["archival_checklist"] = list(self.query_one("#archival", SelectionList).selected)
        share_text = self.query_one("#share", Input).value.strip() if "share" in wanted else ""
        try:
            share = float(share_text) if share_text else None
        except ValueError:
            raise InputError(f"canary share {share_text!r} is not a number") from None
        reason = self.query_one("#reason", Input).value.strip()
        return parse_evidence(document, "the promote form"), share, reason

    def request_preview(self) -> None:
        """Evaluate the gate for the form as it stands (in a worker)."""
        try:
            evidence, share, reason = self._form()
        except InputError as error:
            self._show_gate_error(error)
            return
        self.load_preview(self.target, evidence, share, reason)

    @work(thread=True, exclusive=True, group="promote-preview", exit_on_error=False)
    def load_preview(
        self, target: Stage | None, evidence: dict[str, Any], share: float | None, reason: str = ""
    ) -> None:
        """Read the version and evaluate what promote would check (in a thread; writes nothing)."""
        try:
            preview = review.promotion_preview(
                self.regtui.service, self.model, self.version, target, evidence, share, reason or None
            )
        except RegtuiError as error:
            self.post_message(self.PreviewLoaded(target, None, error))
            return
        self.post_message(self.PreviewLoaded(target, preview, None))

    def on_promote_screen_preview_loaded(self, message: PreviewLoaded) -> None:
        """Show the gate; the first time, and whenever the version moved meanwhile, show its moves."""
        preview = message.preview
        if preview is None:
            if message.target is self.target and message.error is not None:
                self._show_gate_error(message.error)
            return
        if not self._moves_shown or preview.stage is not self.seen_stage:
            if self._moves_shown:
                self._note(
                    f"now in {preview.stage}: moved by {preview.stage_changed_by or '?'} at "
                    f"{when(preview.stage_changed_at)} — refreshed",
                    error=True,
                )
            self._moves_shown = True
            self.seen_stage = preview.stage
            self._show_title()
            self._fill_targets(preview.moves)
        if message.target is not self.target:
            self.request_preview()
            return
        self._show_archival(preview)
        self._show_gate(preview)

    def _show_archival(self, preview: PromotionPreview) -> None:
        """The outgoing Production version's archival checklist, ticked as the request records it."""
        block = self.query_one("#field-archival")
        wanted = self.target is Stage.PRODUCTION and preview.outgoing is not None and bool(preview.archival_checklist)
        block.display = wanted
        if not wanted or self._archival_for is self.target:
            return
        self._archival_for = self.target
        done = set((preview.evidence or {}).get("archival_checklist") or ())
        self.outgoing = preview.outgoing
        selection = self.query_one("#archival", SelectionList)
        selection.clear_options()
        selection.add_options((Content(item), item, item in done) for item in preview.archival_checklist)
        selection.highlighted = 0
        self._count_archival()

    def _count_archival(self) -> None:
        """'archival checklist of 2.5.0: 2 of 4 ticked' (in words: the ticks alone are colour)."""
        selection = self.query_one("#archival", SelectionList)
        self.query_one("#archival-label", Static).update(
            Content(
                f"archival checklist of {self.outgoing}: {len(selection.selected)} of {selection.option_count} "
                "ticked (space ticks)"
            )
        )

    def _show_gate(self, preview: PromotionPreview) -> None:
        """The gate as promote would evaluate it, and what submitting would do."""
        report = self.query_one("#gate", Report)
        gate = preview.gate
        if gate is None or preview.kind is None:
            report.show(
                report.heading(f"No move from {preview.stage} here"),
                report.text(Toned(NO_MOVE.get(preview.stage, "choose a target stage"), Tone.MUTED)),
            )
            return
        if preview.kind not in GATED_MOVES:
            report.show(
                report.heading(f"{self.seen_stage} → {self.target}: no gate"),
                report.text(
                    Toned("moves at once with a reason; open requests of this version are withdrawn", Tone.MUTED)
                ),
            )
            return
        request = (
            f"reuses open request #{preview.request_id} by {preview.requested_by}"
            if preview.request_id is not None
            else "opens a new request"
        )
        if not preview.may_apply:
            outcome = Toned("you may not apply it: it stays pending for a releaser", Tone.WARN)
        elif missing_summary(gate, verified_on_apply=True).tone is Tone.GOOD:
            outcome = Toned("submitting applies it now", Tone.GOOD)
        else:
            outcome = Toned("submitting leaves it pending until the gate passes", Tone.WARN)
        share = f" · canary share {preview.canary_share:g}%" if preview.canary_share is not None else ""
        report.show(
            report.heading(f"Gate {self.seen_stage} → {self.target}"),
            report.text(missing_summary(gate, verified_on_apply=True)),
            report.text(Toned(f"submitting {request}{share}", Tone.MUTED)),
            report.text(outcome),
            Text(),
            gate_checklist(report, gate, verified_on_apply=True),
        )

    def _show_gate_error(self, error: RegtuiError) -> None:
        """Why the gate cannot be evaluated for the form as typed."""
        report = self.query_one("#gate", Report)
        report.show(report.heading(error.title), report.text(Toned(clean_single_line(error.message), Tone.BAD)))

    @on(Button.Pressed, "#submit")
    def action_submit_promotion(self) -> None:
        """Run promote with the stage shown as the expected one (in a worker)."""
        if self.submitting or self.target is None or not self.regtui.require_writable():
            return
        try:
            evidence, share, reason = self._form()
        except InputError as error:
            self.regtui.report_error(error)
            return
        self.submitting = True
        self.query_one("#submit", Button).disabled = True
        rehash = " (re-hashing every artifact)" if self.target in (Stage.CANARY, Stage.PRODUCTION) else ""
        self._note(f"submitting {self.ref} → {self.target}{rehash}…")
        self.submit_promotion(self.target, self.seen_stage, evidence, share, reason)

    @work(thread=True, exclusive=True, group="promote-submit", exit_on_error=False)
    def submit_promotion(
        self, target: Stage, seen: Stage, evidence: dict[str, Any], share: float | None, reason: str
    ) -> None:
        """promote through the shared write path; after a conflict, sync the cache before saying so."""
        service = self.regtui.service
        try:
            outcome = promotion.promote(
                service,
                self.model,
                self.version,
                target,
                evidence=evidence or None,
                reason=reason or None,
                canary_share=share,
                expected_stage=seen,
            )
        except RegtuiError as error:
            if isinstance(error, ConflictError):
                service.refresh()
            self.post_message(self.PromotionRefused(error))
            return
        self.post_message(self.Promoted(outcome))

    def on_promote_screen_promoted(self, message: Promoted) -> None:
        """Applied: say so; pending: say what is missing (like exit status 3). Either way the registry changed."""
        outcome = message.outcome
        if outcome.applied:
            replaced = f"; {self.model}@{outcome.replaced} archived" if outcome.replaced else ""
            self.notify(
                clean_single_line(f"{outcome.ref}: {outcome.from_stage} → {outcome.to_stage}{replaced}"),
                title="Promoted",
                markup=False,
            )
        else:
            self.notify(
                clean_single_line(
                    f"request #{outcome.request_id} for {outcome.ref} → {outcome.to_stage} is "
                    f"pending; missing: {', '.join(outcome.missing)}"
                ),
                title="Pending",
                severity="warning",
                markup=False,
                timeout=10,
            )
        self.regtui.sync_registry()
        self.dismiss(True)

    def on_promote_screen_promotion_refused(self, message: PromotionRefused) -> None:
        """Say which rule refused it; after a conflict, show the version as it is now."""
        self.submitting = False
        self.query_one("#submit", Button).disabled = False
        self.regtui.report_error(message.error)
        self._note(clean_single_line(message.error.message), error=True)
        if isinstance(message.error, ConflictError):
            self.regtui.sync_registry()
            self.request_preview()

    @on(Button.Pressed, "#cancel")
    def action_cancel_promotion(self) -> None:
        """Close without writing anything."""
        self.dismiss(False)
