"""One version's details in tabs: overview and hyperparameters, metrics by segment, model card, artifacts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from regtui.domain.checksums import VerifyResult, VerifyStatus, pin_text
from regtui.domain.entry import Bump, ChangeKind, utc_iso
from regtui.glyphs import PAST_RETENTION
from regtui.services.views import VersionView
from regtui.tui.decimals import column_places, fixed
from regtui.tui.tones import (
    TONE_CLASSES,
    Cell,
    Tone,
    Toned,
    foreground_style,
    stage_badge,
    to_text,
)
from regtui.tui.widgets.scroll_pane import ScrollPane

TABS = ("overview", "metrics", "card", "artifacts")
TAB_TITLES = ("1 Overview", "2 Metrics", "3 Card", "4 Artifacts")
MISSING = Toned("missing", Tone.WARN)
VERIFY_TONES: dict[VerifyStatus, Tone] = {
    VerifyStatus.OK: Tone.GOOD,
    VerifyStatus.MISMATCH: Tone.BAD,
    VerifyStatus.MISSING: Tone.BAD,
    VerifyStatus.ERROR: Tone.BAD,
    VerifyStatus.UNVERIFIABLE: Tone.MUTED,
}
VERIFY_WORDS: dict[VerifyStatus, str] = {
    VerifyStatus.OK: "ok",
    VerifyStatus.MISMATCH: "MISMATCH",
    VerifyStatus.MISSING: "missing",
    VerifyStatus.ERROR: "error",
    VerifyStatus.UNVERIFIABLE: "unverifiable",
}


def human_size(size: int) -> str:
    """Bytes in B, KiB, MiB, GiB."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def when(moment: datetime | None) -> str:
    """A timestamp as UTC minutes."""
    return "-" if moment is None else utc_iso(moment)[:16].replace("T", " ") + " UTC"


def plain_value(value: Any) -> str:
    """A hyperparameter or metric value on one line, JSON for structures."""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:.6g}"
    return json.dumps(value, ensure_ascii=False, default=str)


def change_text(kind: ChangeKind) -> str:
    """'retraining (minor)'."""
    bump: Bump | None = kind.bump
    return f"{kind.value} ({bump.value})" if bump else kind.value


class RenderedOnce:
    """A tab's rich renderable that keeps its segments for the options it was last rendered with: the details pane
    renders it to measure its height, then again to paint it, and laying out its tables is most of the cost.

    The options are compared without the heights: tables and text (all a tab holds) render the same for any."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._rendered: tuple[ConsoleOptions, list[Segment]] | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The segments, rendered now unless the options (but the heights) are those of the last rendering."""
        key = replace(options, height=None, max_height=0)
        if self._rendered is None or self._rendered[0] != key:
            self._rendered = (key, list(console.render(self.renderable, options)))
        return self._rendered[1]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        """The renderable's own measurement."""
        return Measurement.get(console, options, self.renderable)


class TabStrip(Widget, can_focus=False):
    """The tab titles on one line, the active one highlighted; a click picks a tab (keys 1-4 do too)."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {"tab-strip--active", "tab-strip--inactive"}
    """
    | Class | Description |
    | :- | :- |
    | `tab-strip--active` | The title of the tab shown. |
    | `tab-strip--inactive` | The other titles. |
    """

    DEFAULT_CSS = """
    TabStrip {
        height: 1;
        & > .tab-strip--active {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: bold underline;
        }
        & > .tab-strip--inactive { color: $text-muted; }
    }
    """

    active: reactive[str] = reactive(TABS[0])
    """The tab shown."""

    class Picked(Message):
        """A tab title was clicked."""

        def __init__(self, tab: str) -> None:
            super().__init__()
            self.tab = tab

    def render(self) -> Text:
        """' 1 Overview  2 Metrics  3 Card  4 Artifacts ' with the active title highlighted."""
        active = self.get_component_rich_style("tab-strip--active")
        inactive = self.get_component_rich_style("tab-strip--inactive")
        strip = Text(no_wrap=True, overflow="crop")
        for tab, title in zip(TABS, TAB_TITLES):
            strip.append(f" {title} ", active if tab == self.active else inactive)
            strip.append(" ")
        return strip

    def on_click(self, event: events.Click) -> None:
        """Pick the tab under the pointer."""
        start = 0
        for tab, title in zip(TABS, TAB_TITLES):
            end = start + len(title) + 2
            if start <= event.x < end:
                self.post_message(self.Picked(tab))
                return
            start = end + 1


class VersionDetails(Vertical):
    """Tabs for the selected version (one pane shows the active tab); the screen feeds it views and verify results."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"version-details--heading", *TONE_CLASSES.values()}
    """
    | Class | Description |
    | :- | :- |
    | `version-details--heading` | Field names and section headings. |
    | `tone--good`, `tone--warn`, `tone--bad`, `tone--info`, `tone--muted` | Toned values. |
    """

    DEFAULT_CSS = """
    VersionDetails {
        & > .version-details--heading { color: $text-accent; text-style: bold; }
        & > .tone--good { color: $text-success; }
        & > .tone--warn { color: $text-warning; }
        & > .tone--bad { color: $text-error; text-style: bold; }
        & > .tone--info { color: $text-primary; }
        & > .tone--muted { color: $text-muted; }
        & > .tone--plain { }
        ScrollPane { height: 1fr; padding: 0 1; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: VersionView | None = None
        self.results: list[VerifyResult] | None = None
        self.verifying = False
        self.progress = ""

    @property
    def active(self) -> str:
        """The tab shown."""
        return self.query_one(TabStrip).active

    def compose(self) -> ComposeResult:
        """The tab titles over one scrolling pane."""
        yield TabStrip()
        with ScrollPane(id="details-pane"):
            yield Static(Text("loading…"), id="details-body")

    def show_tab(self, tab: str) -> None:
        """Switch to a tab, from its top."""
        self.query_one(TabStrip).active = tab
        self.query_one(ScrollPane).scroll_home(animate=False)
        self._render_active()

    def clear(self) -> None:
        """Forget the version shown (another model is coming), back on the first tab at its top."""
        self.view, self.results, self.verifying = None, None, False
        self.query_one(TabStrip).active = TABS[0]
        self.query_one(ScrollPane).scroll_home(animate=False)
        self.query_one("#details-body", Static).update(Text("loading…"))

    def on_tab_strip_picked(self, message: TabStrip.Picked) -> None:
        """A clicked tab title."""
        self.show_tab(message.tab)

    def show(self, view: VersionView) -> None:
        """Show another version (verification results belong to the previous one)."""
        self.view, self.results, self.verifying = view, None, False
        self._render_active()

    def show_verification(self, results: list[VerifyResult] | None, *, verifying: bool) -> None:
        """Show verification in progress, or its results."""
        self.results, self.verifying, self.progress = results, verifying, ""
        self._render_active()

    def show_progress(self, progress: str) -> None:
        """While verifying, say how far the hashing has got (artifacts done, bytes)."""
        if self.verifying:
            self.progress = progress
            self._render_active()

    def _render_active(self) -> None:
        """Fill the pane with the active tab of the view."""
        if self.view is None:
            return
        renderers = {
            "overview": self._overview,
            "metrics": self._metrics,
            "card": self._card,
            "artifacts": self._artifacts,
        }
        self.query_one("#details-body", Static).update(RenderedOnce(renderers[self.active]()))

    def _style(self, tone: Tone) -> Style:
        """Foreground style of a tone."""
        return foreground_style(self, TONE_CLASSES[tone])

    def _text(self, cell: Cell) -> Text:
        """A cell as literal text in its tones."""
        return to_text(cell, self._style)

    def _heading(self, text: str) -> Text:
        """A field name or section heading."""
        return Text(text, foreground_style(self, "version-details--heading"))

    def _fields(self, rows: list[tuple[str, Cell]]) -> Table:
        """Name/value rows in two columns."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for name, value in rows:
            grid.add_row(self._heading(name), self._text(value))
        return grid

    def _overview(self) -> RenderableType:
        """Registered fields, state, provider pin, hyperparameters."""
        assert self.view is not None
        manifest, entry = self.view.manifest, self.view.manifest.entry
        pin = entry.provider
        rows: list[tuple[str, Cell]] = [
            ("version", entry.version),
            ("stage", stage_badge(manifest.stage, manifest.canary_share)),
            *self._retention(),
            ("change", change_text(entry.change_kind)),
            ("parent", entry.parent or Toned("none (first version)", Tone.MUTED)),
            ("children", ", ".join(self.view.children) or Toned("none", Tone.MUTED)),
            ("framework", entry.framework),
            ("training data", entry.training_data),
            ("owner", entry.owner),
            ("created", when(entry.created_at)),
            ("registered", f"{manifest.registered_by or '-'} at {when(manifest.registered_at)}"),
            ("stage changed", f"{manifest.stage_changed_by or '-'} at {when(manifest.stage_changed_at)}"),
            ("provider pin", f"{pin.provider} {pin.model} {pin.version}" if pin else Toned("none", Tone.MUTED)),
            ("content hash", self.view.content_hash[:16] + "…"),
            ("description", entry.description or Toned("none", Tone.MUTED)),
        ]
        hyper = [(name, plain_value(value)) for name, value in sorted(entry.hyperparameters.items())]
        parts: list[RenderableType] = [self._fields(rows), Text(), self._heading("Hyperparameters")]
        parts.append(self._fields(hyper) if hyper else self._text(Toned("none recorded", Tone.MUTED)))
        return Group(*parts, *self._provenance())

    def _retention(self) -> list[tuple[str, Cell]]:
        """An Archived former Production version's retention (none for any other version): past it, marked, with its
        age against the policy's retention; within it, until when it stays a rollback target."""
        assert self.view is not None
        retention = self.view.retention
        if retention is None:
            return []
        if retention.past:
            return [("retention", Toned(f"{PAST_RETENTION} {retention.describe()}", Tone.WARN))]
        return [("retention", Toned(retention.describe(), Tone.MUTED))]

    def _provenance(self) -> list[RenderableType]:
        """The version's source and tags, when it records them (nothing otherwise)."""
        assert self.view is not None
        entry = self.view.manifest.entry
        parts: list[RenderableType] = []
        if entry.source is not None:
            shown = [(name.replace("_", " "), value) for name, value in entry.source.to_dict().items() if value]
            parts += [Text(), self._heading("Source"), self._fields(list(shown))]
        if entry.tags:
            parts += [Text(), self._heading("Tags"), self._fields(list(entry.tags.items()))]
        return parts

    def _metrics(self) -> RenderableType:
        """Metrics overall and per segment: one row per segment (overall first), one column per metric."""
        assert self.view is not None
        metrics = self.view.manifest.entry.metrics
        names = sorted({*metrics.overall, *(m for values in metrics.segments.values() for m in values)})
        if not names:
            return self._text(Toned("no metrics recorded", Tone.MUTED))
        table = Table(box=None, padding=(0, 1), header_style=foreground_style(self, "version-details--heading"))
        table.add_column(Text("segment"), no_wrap=True)
        for name in names:
            table.add_column(Text(name), justify="right", no_wrap=True)
        scopes = [metrics.overall, *(metrics.segments[segment] for segment in sorted(metrics.segments))]
        places = {name: column_places(numbers(scope.get(name) for scope in scopes)) for name in names}
        for label, values in zip(["overall", *sorted(metrics.segments)], scopes):
            table.add_row(Text(label), *(Text(_metric(values, name, places[name])) for name in names))
        return table

    def _card(self) -> RenderableType:
        """The model card's six sections (missing ones say so in words)."""
        assert self.view is not None
        card = self.view.manifest.entry.model_card
        fairness = card.fairness
        attested: Cell = Toned(
            f"the manifest names {fairness.attested_by} as attester; only a reviewer's `regtui attest` counts"
            if fairness.attested_by
            else "attested by a reviewer's `regtui attest` (see the Canary gate)",
            Tone.MUTED,
        )
        sections: list[tuple[str, list[tuple[str, Cell]]]] = [
            ("Intended use", [("", card.intended_use or MISSING)]),
            ("Limitations", [("", card.limitations or MISSING)]),
            ("Evaluation", [("", card.evaluation or MISSING)]),
            ("Fairness", [("", fairness.summary or MISSING), ("", attested)]),
            (
                "Training data",
                [
                    ("source", card.training_data.source or MISSING),
                    ("size", card.training_data.size or MISSING),
                    ("date range", card.training_data.date_range or MISSING),
                ],
            ),
            (
                "Responsible",
                [
                    ("team", card.responsible.team or MISSING),
                    ("escalation", card.responsible.escalation_contact or MISSING),
                ],
            ),
        ]
        parts: list[RenderableType] = []
        for title, rows in sections:
            parts.append(self._heading(title))
            for name, value in rows:
                parts.append(self._fields([(name, value)]) if name else self._text(value))
            parts.append(Text())
        return Group(*parts)

    def _artifacts(self) -> RenderableType:
        """Artifacts with recorded checksum and size, and the verification state of each."""
        assert self.view is not None
        artifacts = self.view.manifest.entry.artifacts
        if not artifacts:
            return self._text(Toned("no artifacts recorded", Tone.MUTED))
        table = Table(box=None, padding=(0, 1), header_style=foreground_style(self, "version-details--heading"))
        for title in ("artifact", "sha256", "size", "check", "detail"):
            table.add_column(Text(title), overflow="fold", no_wrap=title in ("sha256", "size", "check"))
        results = self.results or []
        for index, artifact in enumerate(artifacts):
            result = results[index] if index < len(results) else None
            table.add_row(
                Text(artifact.name),
                Text(artifact.sha256[:12]),
                Text(human_size(artifact.size)),
                self._text(self._check(result)),
                Text(result.message if result else " · ".join(filter(None, (artifact.uri, pin_text(artifact))))),
            )
        return Group(table, Text(), self._text(self._verification_summary()))

    def _verification_summary(self) -> Toned:
        """Under the artifacts: verifying, how the last verification went, or how to start one."""
        if self.verifying:
            return Toned(f"verifying… {self.progress}".strip(), Tone.INFO)
        if not self.results:
            return Toned("v: re-hash every artifact now", Tone.MUTED)
        checked = len(self.results)
        failed = sum(VERIFY_TONES[result.status] is Tone.BAD for result in self.results)
        if failed:
            return Toned(f"{failed} of {checked} artifact(s) failed verification · v: again", Tone.BAD)
        return Toned(f"{checked} artifact(s) checked, none failed · v: again", Tone.GOOD)

    def _check(self, result: VerifyResult | None) -> Toned:
        """The check column: verifying, not verified, or the result in words."""
        if result is None:
            return Toned("verifying…", Tone.INFO) if self.verifying else Toned("not verified", Tone.MUTED)
        return Toned(VERIFY_WORDS[result.status], VERIFY_TONES[result.status])


def numbers(values: Iterable[object]) -> list[float]:
    """The numeric values among a column's (not booleans, text or missing ones)."""
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def _metric(values: Mapping[str, float], name: str, places: int) -> str:
    """A metric value with its column's decimal places, or '-' when the segment does not report it."""
    value = values.get(name)
    if value is None:
        return "-"
    return fixed(value, places) if numbers([value]) else plain_value(value)
