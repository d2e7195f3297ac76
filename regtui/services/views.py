"""What the screens show: plain, cleaned rows and details, built from the cache by regtui.services.reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from regtui.domain.anchor import LogAnchor
from regtui.domain.details import DetailLine
from regtui.domain.hashchain import GENESIS_HASH, ChainBreak
from regtui.domain.listing import ModelSort

if TYPE_CHECKING:
    from regtui.domain.entry import Artifact
    from regtui.domain.manifest import VersionManifest
    from regtui.domain.retention import Retention


@dataclass(frozen=True)
class ModelQuery:
    """Which models the registry screen lists, and in what order."""

    text: str = ""
    stage: str | None = None
    sort: ModelSort = ModelSort.NAME


@dataclass(frozen=True)
class ModelLine:
    """One row of the registry screen; a new column is a new field here plus a Column there."""

    key: str
    """The stored name, for opening the model (never shown)."""
    name: str
    owner: str
    description: str
    production: str | None
    canary: tuple[str, ...]
    staging: tuple[str, ...]
    versions: int
    latest: str | None
    open_requests: int = 0
    drill_age: str | None = None
    """How long ago the model's rollback was last drilled successfully ('12d'); None when never."""
    drill_overdue: bool = False
    drill_failed: bool = False
    """The model's most recent drill failed."""
    past_retention: int = 0
    """How many of its versions are past retention."""


@dataclass(frozen=True)
class VersionLine:
    """One version as a node of the lineage tree."""

    key: str
    """The stored version string, for loading its details (never shown)."""
    version: str
    stage: str
    canary_share: float | None
    parent: str | None
    change_kind: str
    created_at: datetime
    registered_by: str
    major: int | None = None
    minor: int | None = None
    retention: Retention | None = None
    """An Archived former Production version's retention (None for any other version)."""


@dataclass(frozen=True)
class ModelOverview:
    """A model with every version (semver order) and each version's overall metrics."""

    name: str
    owner: str
    description: str
    versions: tuple[VersionLine, ...]
    metrics: Mapping[str, Mapping[str, float]]
    """Overall metrics by stored version."""

    def metric_names(self) -> list[str]:
        """Every overall metric any version reports, sorted."""
        return sorted({name for values in self.metrics.values() for name in values})

    def series(self, metric: str) -> list[tuple[str, float]]:
        """(version, value) of one metric across the versions that report it, in semver order."""
        points = []
        for line in self.versions:
            value = self.metrics.get(line.key, {}).get(metric)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                points.append((line.version, float(value)))
        return points


@dataclass(frozen=True)
class VersionView:
    """One version in full: cleaned for display, plus the raw artifacts for verification."""

    manifest: VersionManifest
    children: tuple[str, ...]
    content_hash: str
    artifacts: tuple[Artifact, ...] = field(default_factory=tuple)
    retention: Retention | None = None
    """An Archived former Production version's retention (None for any other version)."""


@dataclass(frozen=True)
class EventQuery:
    """Which promotion-log entries the audit screen lists (substring filters)."""

    model: str = ""
    actor: str = ""


@dataclass(frozen=True)
class EventLine:
    """One promotion-log entry as a row of the audit screen."""

    position: int
    at: datetime
    kind: str
    model: str
    version: str
    from_stage: str
    to_stage: str
    actor: str
    summary: str


@dataclass(frozen=True)
class AuditEntry:
    """One promotion-log entry in full, cleaned, for the entry view: what, when, by whom, every detail, its links."""

    position: int
    at: datetime
    kind: str
    actor: str
    model: str
    version: str
    from_stage: str
    to_stage: str
    details: tuple[DetailLine, ...]
    hash: str
    prev_hash: str


@dataclass(frozen=True)
class ChainState:
    """The result of walking the promotion log's hash chain."""

    entries: int
    broken_at: int | None = None
    reason: str = ""
    last_hash: str = GENESIS_HASH
    """The stored hash of the last entry verified, so the next walk continues from there."""

    def describe(self) -> str:
        """'chain intact (N entries)' or 'BROKEN at entry N: reason'."""
        if self.broken_at is None:
            return f"chain intact ({self.entries} entries)"
        return f"BROKEN at entry {self.broken_at}: {self.reason}"


@dataclass(frozen=True)
class LogRecord:
    """One stored promotion-log entry as `regtui audit` shows it: what happened, to what, by whom, and its hash."""

    position: int
    kind: str
    actor: str
    at: datetime
    model: str | None
    version: str | None
    from_stage: str | None
    to_stage: str | None
    details: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class LogVerdict:
    """What `audit verify` found: the hash chain, the anchors it was checked against, and the stages it implies."""

    entries: int
    broken: ChainBreak | None
    head: LogAnchor | None
    witness_break: str | None = None
    expected_break: str | None = None
    stage_differences: tuple[str, ...] = ()

    @property
    def problems(self) -> list[str]:
        """Every problem found, one line each: the chain's first break, the anchors, then each stage difference."""
        found = []
        if self.broken is not None:
            found.append(f"promotion log broken at entry {self.broken.position}: {self.broken.reason}")
        found += [reason for reason in (self.witness_break, self.expected_break) if reason]
        found += [f"stage changed outside the log: {line}" for line in self.stage_differences]
        return found
