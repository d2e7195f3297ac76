"""The model and version listings the screens and commands show: model lines, their state, version lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regtui.domain.entry import VersionEntry
    from regtui.domain.manifest import VersionManifest


class ModelSort(StrEnum):
    """Orders of the model list."""

    NAME = "name"
    OWNER = "owner"
    LATEST = "latest"


@dataclass(frozen=True)
class ModelSummary:
    """One line of the model list: who owns it and what runs where."""

    name: str
    owner: str
    description: str
    versions: int
    latest: str | None
    production: str | None
    canary: tuple[str, ...] = ()
    staging: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelState:
    """What needs attention on a model: open promotion requests, and when its rollback was last drilled."""

    open_requests: int
    last_drill: datetime | None
    """When the rollback was last drilled successfully: a failed drill does not count toward the cadence."""
    drill_overdue: bool
    """Older than the policy's drill cadence (or never drilled successfully) while a version is in Production."""
    drill_failed: bool = False
    """The model's most recent drill failed."""
    past_retention: int = 0
    """How many of its versions are past retention (regtui.domain.retention)."""


@dataclass(frozen=True)
class VersionSummary:
    """One line of a model's version list."""

    model: str
    version: str
    stage: str
    change_kind: str
    parent: str | None
    framework: str
    owner: str
    created_at: datetime
    registered_by: str
    canary_share: float | None


@dataclass(frozen=True)
class VersionDetail:
    """Everything about one version: the immutable entry and its current state."""

    manifest: VersionManifest
    content_hash: str
    children: tuple[str, ...] = field(default_factory=tuple)

    @property
    def entry(self) -> VersionEntry:
        """The registered entry."""
        return self.manifest.entry
