"""A scrolling pane of literal, toned report text (diffs, gate checklists), styled from the theme."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from regtui.domain.gates import GateCheck, GateResult, awaits_verification
from regtui.tui.tones import TONE_CLASSES, Cell, Tone, Toned, foreground_style, to_text
from regtui.tui.widgets.scroll_pane import ScrollPane

PASSED = Toned("✓ pass", Tone.GOOD)
MISSING = Toned("✗ MISSING", Tone.BAD)
ON_APPLY = Toned("… on apply", Tone.INFO)


class Report(ScrollPane):
    """Screens build Rich renderables from `text`, `heading` and `grid`, and `show` them here."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"report--heading", *TONE_CLASSES.values()}
    """
    | Class | Description |
    | :- | :- |
    | `report--heading` | Section headings and column headers. |
    | `tone--good`, `tone--warn`, `tone--bad`, `tone--info`, `tone--muted` | Toned text. |
    """

    DEFAULT_CSS = """
    Report {
        padding: 0 1;
        & > .report--heading { color: $text-accent; text-style: bold; }
        & > .tone--good { color: $text-success; }
        & > .tone--warn { color: $text-warning; }
        & > .tone--bad { color: $text-error; text-style: bold; }
        & > .tone--info { color: $text-primary; }
        & > .tone--muted { color: $text-muted; }
        & > .tone--plain { }
        & > Static { width: 1fr; }
    }
    """

    def compose(self) -> ComposeResult:
        """One Static holds the report."""
        yield Static(Text("loading…"))

    def show(self, *parts: RenderableType) -> None:
        """Replace the report."""
        self.query_one(Static).update(Group(*parts))

    def _style(self, tone: Tone) -> Style:
        """Foreground style of a tone."""
        return foreground_style(self, TONE_CLASSES[tone])

    def text(self, cell: Cell) -> Text:
        """A cell as literal text in its tones."""
        return to_text(cell, self._style)

    def heading(self, text: str) -> Text:
        """A section heading."""
        return Text(text, foreground_style(self, "report--heading"))

    def grid(
        self,
        *headers: str,
        wrap: tuple[int, ...] = (),
        right: tuple[int, ...] = (),
        widths: tuple[int | None, ...] = (),
        show_header: bool = True,
    ) -> Table:
        """A borderless table: `wrap` columns fold, the others end in an ellipsis; `right` aligns, `widths` fixes."""
        table = Table(
            box=None,
            padding=(0, 1, 0, 0),
            show_header=show_header,
            expand=False,
            header_style=foreground_style(self, "report--heading"),
        )
        for index, header in enumerate(headers):
            folds = index in wrap
            table.add_column(
                Text(header),
                no_wrap=not folds,
                overflow="fold" if folds else "ellipsis",
                justify="right" if index in right else "left",
                width=widths[index] if index < len(widths) else None,
            )
        return table


def gate_checklist(report: Report, gate: GateResult, *, verified_on_apply: bool = False) -> RenderableType:
    """Each check, missing first, as words and colour; `verified_on_apply`: unhashed artifacts read '… on apply'."""
    if not gate.checks:
        return report.text(Toned("no gate for this move", Tone.MUTED))
    table = report.grid("", "check", "detail", wrap=(1, 2), show_header=False)
    table.expand = True
    table.columns[1].ratio = table.columns[2].ratio = 1
    for check in sorted(gate.checks, key=lambda c: 2 if c.passed else 1 if verified_on_apply and _unverified(c) else 0):
        pending = verified_on_apply and _unverified(check)
        state = ON_APPLY if pending else PASSED if check.passed else MISSING
        detail = "every artifact is re-hashed when the promotion is applied" if pending else check.detail
        table.add_row(report.text(state), report.text(check.name), report.text(Toned(detail, Tone.MUTED)))
    return table


def missing_checks(gate: GateResult, *, verified_on_apply: bool = False) -> list[str]:
    """The names of the failed checks (leaving out artifacts that are re-hashed on apply, when told)."""
    return [c.name for c in gate.checks if not c.passed and not (verified_on_apply and _unverified(c))]


def missing_summary(gate: GateResult, *, verified_on_apply: bool = False) -> Toned:
    """'gate passes' or '3 of 9 checks missing' as one toned line (the checklist names them)."""
    missing = missing_checks(gate, verified_on_apply=verified_on_apply)
    if not missing:
        return Toned("gate passes" if gate.checks else "no gate for this move", Tone.GOOD)
    return Toned(f"{len(missing)} of {len(gate.checks)} checks missing", Tone.BAD)


def _unverified(check: GateCheck) -> bool:
    """A failed artifacts check where nothing was re-hashed yet."""
    return awaits_verification(check)
