"""The diff screen: two versions side by side, metrics with deltas, verdicts and gate thresholds, and
every field, hyperparameter and model-card difference."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import groupby
from typing import ClassVar, Literal

from rich.console import RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from regtui.domain.diff import OVERALL, FieldChange, MetricDelta, VersionDiff, tally
from regtui.domain.policy import format_number
from regtui.domain.text import clean_single_line
from regtui.services import review
from regtui.services.review import DiffSide, DiffView
from regtui.tui.decimals import column_places, fixed
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.screens.version_picker import VersionPickerScreen
from regtui.tui.tones import Cell, Tone, Toned
from regtui.tui.widgets.report import Report
from regtui.tui.widgets.version_details import plain_value

Side = Literal["a", "b"]
NONE = Toned("-", Tone.MUTED)
ABSENT = Toned("absent", Tone.MUTED)
VERDICTS: dict[str, Toned] = {
    "better": Toned("✓ better", Tone.GOOD),
    "worse": Toned("✗ WORSE", Tone.BAD),
    "same": Toned("= same", Tone.MUTED),
    "n/a": Toned("n/a", Tone.MUTED),
}
DELTA_TONES: dict[str, Tone] = {"better": Tone.GOOD, "worse": Tone.BAD, "same": Tone.MUTED, "n/a": Tone.PLAIN}
ARROWS = {"higher": " ↑", "lower": " ↓"}
METRIC_WIDTHS = (7, 7, 8, 7, 8, 11)
"""Widths of A, B, Δ, Δ%, verdict and gate (the metric name takes what is left, up to MAX_NAME)."""
MAX_NAME = 28
LEGEND = (
    "A baseline · B candidate · Δ = B − A · ↑ higher is better, ↓ lower is better · "
    "gate: B against the policy threshold"
)


def side_label(letter: str, side: DiffSide) -> str:
    """'A 2.5.0 (Production)', with the canary share when there is one."""
    share = f" {side.canary_share:g}%" if side.canary_share is not None else ""
    return f"{letter} {side.version} ({side.stage}{share})"


def number(value: float | None, places: int) -> Cell:
    """A metric value with its metric's decimal places, '-' when the version does not record it."""
    return NONE if value is None else fixed(value, places)


def metric_places(rows: Iterable[MetricDelta]) -> dict[str, int]:
    """One number of decimal places per metric, over its values and deltas in every scope."""
    values: dict[str, list[float | None]] = {}
    for row in rows:
        values.setdefault(row.metric, []).extend((row.a, row.b, row.abs_delta))
    return {metric: column_places(found) for metric, found in values.items()}


def metric_row(row: MetricDelta, places: int) -> list[Cell]:
    """One metric: name and direction, both values, deltas toned by the verdict, verdict in words, gate; the
    values and the delta with the metric's decimal places."""
    tone = DELTA_TONES[row.verdict]
    gate: Cell = NONE
    if row.threshold is not None:
        bound = f"{'≥' if row.threshold.direction == 'higher' else '≤'}{format_number(row.threshold.bound)}"
        gate = Toned(f"pass {bound}", Tone.GOOD) if row.passes_threshold else Toned(f"FAIL {bound}", Tone.BAD)
    return [
        (Toned(f"  {row.metric}"), Toned(ARROWS.get(row.direction or "", ""), Tone.MUTED)),
        number(row.a, places),
        number(row.b, places),
        NONE
        if row.abs_delta is None
        else Toned(fixed(row.abs_delta, places, sign=True) if row.abs_delta else "0", tone),
        NONE if row.rel_delta is None else Toned(f"{row.rel_delta:+.1%}" if row.rel_delta else "0%", tone),
        VERDICTS[row.verdict],
        gate,
    ]


def summary(diff: VersionDiff) -> Toned:
    """'4 better, 1 worse · 1 gate threshold fails' over every scope."""
    counts = tally(diff)
    fails = counts.threshold_failures
    text = f"{counts.better} better, {counts.worse} worse, {counts.same} same"
    if fails:
        return Toned(f"{text} · {fails} gate threshold{'s' if fails != 1 else ''} FAIL on B", Tone.BAD)
    return Toned(f"{text} · every gate threshold passes on B", Tone.GOOD)


def words(key: str) -> str:
    """'training_data' as 'training data'."""
    return key.replace("_", " ")


def field_value(change: FieldChange, side: Side) -> Cell:
    """One side of a field change; 'absent' when only the other side has it."""
    value = change.a if side == "a" else change.b
    if change.change == ("added" if side == "a" else "removed"):
        return ABSENT
    return plain_value(value)


class DiffScreen(RegtuiScreen):
    """Baseline A against candidate B (default: B against the current Production version)."""

    TITLE = "Diff"
    AUTO_FOCUS = "#diff-report"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "pick_version('a')", "Baseline", id="pick_baseline"),
        Binding("c", "pick_version('b')", "Candidate", id="pick_candidate"),
        Binding("s", "swap_versions", "Swap A/B", id="swap_versions"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | b | Pick the baseline (A) from the model's versions. |
    | c | Pick the candidate (B) from the model's versions. |
    | s | Swap baseline and candidate. |
    """

    class DiffLoaded(Message):
        """Both versions were read and compared."""

        def __init__(self, view: DiffView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, model: str, version: str | None = None, baseline: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.candidate = version
        self.baseline = baseline
        self.view: DiffView | None = None

    def compose_body(self) -> ComposeResult:
        """What is compared, how the baseline was chosen, then the report."""
        yield Static(Content(f"{clean_single_line(self.model)} · comparing…"), id="diff-title")
        yield Static(id="diff-note")
        yield Report(id="diff-report")

    def on_mount(self) -> None:
        """Compare once the screen is up."""
        super().on_mount()
        self.load_diff()

    def reload(self) -> None:
        """A sync brought changes (stages may have moved): compare again."""
        self.load_diff()

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def load_diff(self) -> None:
        """Read both versions and the policy, and compare them (in a thread)."""
        self.post_message(
            self.DiffLoaded(review.version_diff(self.regtui.service, self.model, self.candidate, self.baseline))
        )

    def on_diff_screen_diff_loaded(self, message: DiffLoaded) -> None:
        """Show the comparison; the versions shown become the ones kept for the next pick or swap."""
        view = self.view = message.view
        self.candidate = view.b.key
        self.baseline = view.a.key if view.a is not None else None
        versus = f"{side_label('A', view.a)}  ⇄  " if view.a is not None else ""
        self.query_one("#diff-title", Static).update(Content(f"{view.model} · {versus}{side_label('B', view.b)}"))
        self.query_one("#diff-note", Static).update(Content(view.note))
        report = self.query_one(Report)
        if view.diff is None:
            report.show(report.text(Toned("press b to pick a baseline version", Tone.MUTED)))
        else:
            report.show(*self._sections(report, view.diff))

    def _sections(self, report: Report, diff: VersionDiff) -> list[RenderableType]:
        """Metrics, registry fields, hyperparameters, model card."""
        parts: list[RenderableType] = [report.heading("Metrics"), report.text(summary(diff))]
        parts += (
            self._metrics(report, diff) if diff.metrics else [report.text(Toned("no metrics recorded", Tone.MUTED))]
        )
        parts.append(report.text(Toned(LEGEND, Tone.MUTED)))
        sections: tuple[tuple[str, tuple[FieldChange, ...], Callable[[str], str]], ...] = (
            ("Registry fields", diff.fields, words),
            ("Hyperparameters", diff.hyperparameters, str),
            ("Model card", diff.model_card, words),
        )
        for title, changes, label in sections:
            parts += [Text(), report.heading(title), self._changes(report, changes, label)]
        return parts

    def _metrics(self, report: Report, diff: VersionDiff) -> list[RenderableType]:
        """Column headers, then overall rows and each segment's under its name, all in the same column widths."""
        widths = (min(MAX_NAME, max(len(row.metric) for row in diff.metrics) + 4), *METRIC_WIDTHS)
        parts: list[RenderableType] = [
            report.grid("metric", "A", "B", "Δ", "Δ%", "verdict", "gate", right=(1, 2, 3, 4), widths=widths)
        ]
        places = metric_places(diff.metrics)
        for scope, rows in groupby(diff.metrics, key=lambda row: row.scope):
            parts.append(report.heading("overall" if scope == OVERALL else f"segment {scope}"))
            table = report.grid(*[""] * 7, right=(1, 2, 3, 4), widths=widths, show_header=False)
            for row in rows:
                table.add_row(*(report.text(cell) for cell in metric_row(row, places[row.metric])))
            parts.append(table)
        return parts

    def _changes(self, report: Report, changes: tuple[FieldChange, ...], label: Callable[[str], str]) -> RenderableType:
        """A field per row with both sides, or 'no differences'."""
        if not changes:
            return report.text(Toned("no differences", Tone.MUTED))
        table = report.grid("", "A", "B", wrap=(1, 2))
        for change in changes:
            table.add_row(
                report.text(label(change.key)),
                report.text(field_value(change, "a")),
                report.text(field_value(change, "b")),
            )
        return table

    def action_pick_version(self, side: Side) -> None:
        """Choose the baseline or candidate from the model's versions (a windowed list over this screen)."""
        current = self.baseline if side == "a" else self.candidate
        what = "baseline (A)" if side == "a" else "candidate (B)"
        prompt = clean_single_line(f"Pick the {what} of {self.model}" + (f" · now {current}" if current else ""))

        def picked(version: str | None) -> None:
            """Compare again with the picked version."""
            if version is None:
                return
            if side == "a":
                self.baseline = version
            else:
                self.candidate = version
            self.load_diff()

        self.app.push_screen(VersionPickerScreen(self.model, prompt, current), picked)

    def action_swap_versions(self) -> None:
        """Swap baseline and candidate."""
        if self.baseline is not None and self.candidate is not None:
            self.baseline, self.candidate = self.candidate, self.baseline
            self.load_diff()
