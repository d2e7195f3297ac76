"""The model screen: lineage tree, the selected version's details, card, artifacts, and a metric trend."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, Tree

from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Stage
from regtui.domain.text import clean_single_line
from regtui.services import reads
from regtui.services.handle import CacheReader
from regtui.services.views import ModelOverview, VersionView
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.screens.diff import DiffScreen
from regtui.tui.screens.promote import PromoteScreen
from regtui.tui.screens.rollback import RollbackScreen
from regtui.tui.widgets.lineage_tree import LineageTree, TreeItem, VersionItem
from regtui.tui.widgets.metric_trend import MetricTrend
from regtui.tui.widgets.version_details import VersionDetails

PROGRESS_EVERY_S = 0.25
"""The shortest time between two progress updates of a verification."""
MIB = 1024 * 1024

PREFERRED_METRICS = ("auc", "accuracy", "f1")


def default_version(overview: ModelOverview) -> str | None:
    """The version to show first: Production, else the newest."""
    for line in overview.versions:
        if line.stage == Stage.PRODUCTION:
            return line.key
    return overview.versions[-1].key if overview.versions else None


def choose_version(overview: ModelOverview, wanted: str | None) -> str | None:
    """The wanted version when the model has it, else the default one."""
    if wanted is None or all(line.key != wanted for line in overview.versions):
        return default_version(overview)
    return wanted


@dataclass(frozen=True)
class ModelRead:
    """What the model screen shows, read from the cache: the model, the version to show, and that version."""

    overview: ModelOverview
    key: str | None
    view: VersionView | None


def read_model(reader: CacheReader, model: str, wanted: str | None, now: datetime) -> ModelRead:
    """Read a model and its versions, and the wanted (or default) version in full, retention judged as of `now`
    (call it in a thread)."""
    overview = reads.model_overview(reader, model, now)
    key = choose_version(overview, wanted)
    return ModelRead(overview, key, reads.version_view(reader, model, key, now) if key is not None else None)


def default_metric(names: list[str]) -> str | None:
    """A well-known headline metric when there is one, else the first."""
    for name in PREFERRED_METRICS:
        if name in names:
            return name
    return names[0] if names else None


class ModelScreen(RegtuiScreen):
    """One model: lineage, version details, model card, artifacts with checksum state, metric trend."""

    TITLE = "Model"
    AUTO_FOCUS = "LineageTree"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "show_tab('overview')", "Overview", id="show_overview", show=False),
        Binding("2", "show_tab('metrics')", "Metrics", id="show_metrics", show=False),
        Binding("3", "show_tab('card')", "Card", id="show_card", show=False),
        Binding("4", "show_tab('artifacts')", "Artifacts", id="show_artifacts", show=False),
        Binding("v", "verify_artifacts", "Verify", id="verify_artifacts"),
        Binding("m", "cycle_metric", "Metric", id="cycle_metric"),
        Binding("L", "open_model_audit", "Audit log", id="open_model_audit"),
        Binding("d", "diff_version", "Diff", id="diff_version"),
        Binding("p", "promote_version", "Promote", id="promote_version"),
        Binding("R", "rollback_model", "Rollback", id="rollback_model"),
        Binding("y", "copy_reference", "Copy MODEL@VERSION", id="copy_reference", show=False),
        Binding("Y", "copy_content_hash", "Copy content hash", id="copy_content_hash", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | 1 2 3 4 | Overview, metrics, model card, artifacts of the selected version. |
    | v | Re-hash the selected version's artifacts against their recorded SHA-256. |
    | m | Next metric for the trend across versions. |
    | L | The promotion log of this model. |
    | d | Diff: the selected version against the current Production version. |
    | p | Promote the selected version (the gate checklist shows before you submit). |
    | R | Roll this model back to an earlier Production version. |
    | y | Copy the selected version's reference, MODEL@VERSION. |
    | Y | Copy the selected version's content hash (SHA-256 of its registered record, artifact digests included). |
    """

    WRITE_ACTIONS = frozenset({"promote_version"})

    class OverviewLoaded(Message):
        """The model and its versions were read from the cache again, with the version to show."""

        def __init__(self, model: str, read: ModelRead) -> None:
            super().__init__()
            self.model = model
            self.read = read

    class VersionLoaded(Message):
        """One version's details were read from the cache."""

        def __init__(self, model: str, key: str, view: VersionView) -> None:
            super().__init__()
            self.model = model
            self.key = key
            self.view = view

    class ArtifactsVerified(Message):
        """Re-hashing a version's artifacts finished."""

        def __init__(self, model: str, key: str, results: list[VerifyResult]) -> None:
            super().__init__()
            self.model = model
            self.key = key
            self.results = results

    class VerifyProgress(Message):
        """How far re-hashing a version's artifacts has got."""

        def __init__(self, model: str, key: str, progress: str) -> None:
            super().__init__()
            self.model = model
            self.key = key
            self.progress = progress

    def __init__(self, model: str | None = None, version: str | None = None, read: ModelRead | None = None) -> None:
        """`read`: the model as already read (the app reads before opening, so the first frame shows it).
        Without a model: built ahead of the first open, showing nothing until show_model."""
        super().__init__()
        self.model = model or ""
        self.selected = version
        self.first_read = read
        self.overview: ModelOverview | None = None
        self.view: VersionView | None = None
        self.metric: str | None = None
        self._styled_for: tuple[str, object, frozenset[str]] | None = None
        self._skip_restyle = False

    def compose_body(self) -> ComposeResult:
        """Title line; lineage and trend beside (or, when narrow, above) the version's tabs."""
        yield Static(Content(f"{clean_single_line(self.model)} · loading…" if self.model else ""), id="model-title")
        with Horizontal(id="model-body"):
            with Vertical(id="lineage-pane"):
                yield LineageTree(id="lineage")
                yield MetricTrend(id="trend")
            yield VersionDetails(id="details")

    def on_mount(self) -> None:
        """Show the model read before opening, or read it now (built ahead without one: nothing yet)."""
        super().on_mount()
        self._styled_for = self._style_inputs()
        if self.first_read is not None:
            self._show_read(self.first_read)
            self.first_read = None
        elif self.model:
            self.load_overview()

    @on(events.ScreenResume)
    def _plan_resume_restyle(self, event: events.ScreenResume) -> None:
        """Before Textual's own resume handler (Screen's, later in the MRO): have it skip restyling the whole screen
        when nothing the restyle reads changed since the screen was last styled whole.

        Its widgets restyle themselves when their classes or pseudo-classes change (shown or not); what only a whole
        restyle catches is a change of theme (or of the terminal's own colours) or of the app's own pseudo-classes
        (focus, dark, ansi, ...), which Textual applies to the screens on the stack only."""
        inputs = self._style_inputs()
        self._skip_restyle = event.refresh_styles and inputs == self._styled_for and not self.app.SUSPENDED_SCREEN_CLASS
        self._styled_for = inputs
        self.call_next(self._end_resume)

    def _end_resume(self) -> None:
        """The resume is handled: later style updates (a class change on the screen) run as usual."""
        self._skip_restyle = False

    def update_node_styles(self, animate: bool = True) -> None:
        """Restyle the screen, unless this is the restyle of a resume with nothing changed (see
        _plan_resume_restyle)."""
        if self._skip_restyle:
            self._skip_restyle = False
            return
        super().update_node_styles(animate)

    def _style_inputs(self) -> tuple[str, object, frozenset[str]]:
        """What a whole restyle of the screen depends on beyond its own nodes: the theme, the terminal colours it
        is drawn with, and the app's pseudo-classes."""
        return self.app.theme, self.app.ansi_theme, self.app.pseudo_classes

    def reload(self) -> None:
        """A sync brought changes: read the model again, keeping the selected version."""
        self.load_overview()

    @work(thread=True, exclusive=True, group="model-overview", exit_on_error=False)
    def load_overview(self) -> None:
        """Read the model, its versions and their metrics, and the version to show (in one thread, one repaint)."""
        model = self.model
        read = read_model(self.regtui.services.reader, model, self.selected, self.regtui.clock())
        self.post_message(self.OverviewLoaded(model, read))

    def on_model_screen_overview_loaded(self, message: OverviewLoaded) -> None:
        """Show the model as read again (unless the screen has moved on to another model)."""
        if message.model == self.model:
            self._show_read(message.read)

    def show_model(self, model: str, version: str | None, read: ModelRead) -> None:
        """Show another model on this screen (the app reuses it: no compose or styling, only a repaint);
        what belonged to the previous model (its reads in flight, tab, metric, scroll) is dropped."""
        self.workers.cancel_node(self)
        self.model, self.selected, self.metric, self.view, self.stale = model, version, None, None, False
        self.query_one(VersionDetails).clear()
        self._show_read(read)

    def _show_read(self, read: ModelRead) -> None:
        """Show the lineage (only the selected line expanded), the trend and the selected version."""
        overview = self.overview = read.overview
        count = len(overview.versions)
        self.query_one("#model-title", Static).update(
            Content(
                f"{overview.name} · owner {overview.owner} · {count} version{'s' if count != 1 else ''}"
                + (f" · {overview.description}" if overview.description else "")
            )
        )
        self.selected = choose_version(overview, self.selected)
        if read.view is not None and read.key == self.selected:
            self._show_version(read.view)
        elif self.selected is not None:
            self.load_version(self.selected)
        self.query_one(LineageTree).show_versions(overview.versions, self.selected)
        names = overview.metric_names()
        if self.metric not in names:
            self.metric = default_metric(names)
        self._show_trend()

    def _show_trend(self) -> None:
        """Show the chosen metric across versions."""
        assert self.overview is not None
        series = self.overview.series(self.metric) if self.metric else []
        self.query_one(MetricTrend).show(self.metric, series)

    @on(Tree.NodeHighlighted, "#lineage")
    def version_highlighted(self, event: Tree.NodeHighlighted[TreeItem]) -> None:
        """Moving through the lineage selects a version."""
        data = event.node.data
        if isinstance(data, VersionItem) and (self.view is None or data.line.key != self.selected):
            self.selected = data.line.key
            self.load_version(data.line.key)

    @work(thread=True, exclusive=True, group="model-version", exit_on_error=False)
    def load_version(self, key: str) -> None:
        """Read one version in full (in a thread)."""
        model = self.model
        view = reads.version_view(self.regtui.services.reader, model, key, self.regtui.clock())
        self.post_message(self.VersionLoaded(model, key, view))

    def on_model_screen_version_loaded(self, message: VersionLoaded) -> None:
        """Show the version unless another one (or another model) was selected meanwhile."""
        if (message.model, message.key) == (self.model, self.selected):
            self._show_version(message.view)

    def _show_version(self, view: VersionView) -> None:
        """Show a version's details."""
        self.view = view
        self.query_one(VersionDetails).show(view)

    def action_show_tab(self, tab: str) -> None:
        """Switch the details to a tab."""
        self.query_one(VersionDetails).show_tab(tab)

    def action_cycle_metric(self) -> None:
        """Next metric for the trend."""
        if self.overview is None:
            return
        names = self.overview.metric_names()
        if names:
            position = names.index(self.metric) + 1 if self.metric in names else 0
            self.metric = names[position % len(names)]
            self._show_trend()

    def action_verify_artifacts(self) -> None:
        """Re-hash the selected version's artifacts now."""
        if self.view is None or self.selected is None:
            return
        details = self.query_one(VersionDetails)
        details.show_tab("artifacts")
        details.show_verification(None, verifying=True)
        self.verify_artifacts(self.selected, self.view)

    @work(thread=True, exclusive=True, group="model-verify", exit_on_error=False)
    def verify_artifacts(self, key: str, view: VersionView) -> None:
        """Hash every artifact (files, HTTP, object stores) in a thread, posting its progress now and then."""
        model = self.model
        meter = VerifyMeter(lambda text: self.post_message(self.VerifyProgress(model, key, text)))
        results = reads.verify_artifacts(view.artifacts, on_bytes=meter.add, on_count=meter.count)
        self.post_message(self.ArtifactsVerified(model, key, results))

    def on_model_screen_verify_progress(self, message: VerifyProgress) -> None:
        """Show the hashing's progress for the version still selected."""
        if (message.model, message.key) == (self.model, self.selected):
            self.query_one(VersionDetails).show_progress(message.progress)

    def on_model_screen_artifacts_verified(self, message: ArtifactsVerified) -> None:
        """Show the results for the version still selected: each artifact's check and a summary line under them, in
        the artifacts tab itself (a toast would cover the rows it announces)."""
        if (message.model, message.key) != (self.model, self.selected):
            return
        self.query_one(VersionDetails).show_verification(message.results, verifying=False)

    def action_copy_reference(self) -> None:
        """Copy MODEL@VERSION of the version shown (what deploy tools and `regtui show` take)."""
        view = self.shown_view()
        if view is not None:
            self.copy_value("Copied reference", view.manifest.entry.ref)

    def action_copy_content_hash(self) -> None:
        """Copy the content hash of the version shown: it pins the exact registered record, every artifact's
        SHA-256 and size included, so it names what a deploy ticket deploys."""
        view = self.shown_view()
        if view is not None:
            self.copy_value(f"Copied content hash of {view.manifest.entry.ref}", view.content_hash)

    def shown_view(self) -> VersionView | None:
        """The selected version's details, once they are shown (None while they load)."""
        if self.view is None or self.selected is None:
            return None
        return self.view if self.view.manifest.entry.version == clean_single_line(self.selected) else None

    def copy_value(self, title: str, value: str) -> None:
        """Copy to the terminal's clipboard (OSC 52), and show the whole value, to select by hand where the
        terminal ignores OSC 52."""
        self.app.copy_to_clipboard(value)
        self.notify(value, title=title, markup=False)

    def action_open_model_audit(self) -> None:
        """The promotion log filtered to this model."""
        self.app.push_screen(AuditScreen(model=self.model))

    def action_diff_version(self) -> None:
        """The selected version against the current Production version."""
        self.app.push_screen(DiffScreen(self.model, self.selected))

    def action_promote_version(self) -> None:
        """Promote the selected version, from the stage shown in its details."""
        if self.view is None or self.selected is None or not self.regtui.require_writable():
            return
        if self.view.manifest.entry.version != clean_single_line(self.selected):
            return
        self.app.push_screen(PromoteScreen(self.model, self.selected, Stage(self.view.manifest.stage)), self._promoted)

    def _promoted(self, changed: bool | None) -> None:
        """After the promote dialog: read the model again when the registry changed."""
        if changed:
            self.load_overview()

    def action_rollback_model(self) -> None:
        """The rollback screen of this model."""
        self.app.push_screen(RollbackScreen(self.model))


class VerifyMeter:
    """Counts the bytes and artifacts hashed (from the hashing threads, which report under a lock) and passes a
    line of progress on at most every PROGRESS_EVERY_S."""

    def __init__(self, show: Callable[[str], None]) -> None:
        self.show = show
        self.total = 0
        self.artifacts = ""
        self.shown_at = time.monotonic()

    def add(self, count: int) -> None:
        """Take a chunk's size."""
        self.total += count
        now = time.monotonic()
        if now - self.shown_at >= PROGRESS_EVERY_S:
            self.shown_at = now
            self.show(f"{self.artifacts}{self.total / MIB:,.0f} MiB")

    def count(self, done: int, of: int) -> None:
        """Take how many artifacts are done."""
        self.artifacts = f"{done} of {of} artifact(s) done, "
