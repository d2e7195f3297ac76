"""The model screen's reads of the cache with plain SQL: a model with every version and its overall metrics, and
one version in full.

No ORM session: the statements run on the dashboard's CacheReader (a model of 500 versions and one of them read
with less CPU than through the ORM). They read through the cache's indexes: a model's versions through
ix_version_listing, one version through ix_cache_version_newest, its artifacts through their version_id index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from regtui.errors import NotFoundError
from regtui.domain.listing import VersionSummary, VersionDetail
from regtui.store.cache_reader import Snapshot
from regtui.store.mapping import row_to_manifest
from regtui.store.model_list import stored_time


@dataclass(frozen=True)
class ModelVersions:
    """A model's owner and description, its versions (newest semver first) and each one's overall metrics."""

    owner: str
    description: str
    versions: list[VersionSummary]
    metrics: dict[str, dict[str, Any]]
    """Overall metrics by stored version."""


@dataclass
class CachedVersion:
    """A version's columns as the cache stores them, decoded (JSON, timestamps): a mapping.StoredVersion."""

    id: int
    model: str
    version: str
    change_kind: str
    parent: str | None
    framework: str
    training_data: str
    owner: str
    created_at: datetime
    description: str
    hyperparameters: dict[str, Any]
    metrics: dict[str, Any]
    model_card: dict[str, Any]
    provider: dict[str, Any] | None
    content_hash: str
    registered_by: str
    registered_at: datetime
    stage: str
    canary_share: float | None
    stage_changed_by: str
    stage_changed_at: datetime


@dataclass
class CachedArtifact:
    """An artifact's columns as the cache stores them: a mapping.StoredArtifact."""

    name: str
    uri: str
    sha256: str
    size: int
    position: int


SUMMARY_COLUMNS = "model, version, stage, change_kind, parent, framework, owner, created_at, registered_by, canary_share"
SEMVER_DESC = "major DESC, minor DESC, patch DESC, prerelease DESC"
"""The order of ix_version_listing (queries.SEMVER_DESC)."""
SEMVER_ASC = "major, minor, patch, prerelease"
DETAIL_COLUMNS = tuple(f.name for f in fields(CachedVersion))
JSON_COLUMNS = ("hyperparameters", "metrics", "model_card", "provider")
TIME_COLUMNS = ("created_at", "registered_at", "stage_changed_at")


def require_model(snapshot: Snapshot, model: str) -> tuple[str, str]:
    """The model's owner and description, or a clear not-found error."""
    rows = snapshot.rows("SELECT owner, description FROM model WHERE name = ?", [model])
    if not rows:
        raise NotFoundError(f"no model named {model!r}")
    owner, description = rows[0]
    return owner, description


def model_versions(snapshot: Snapshot, model: str) -> ModelVersions:
    """A model and every version of it, newest semver first, with their overall metrics (not the segments)."""
    owner, description = require_model(snapshot, model)
    rows = snapshot.rows(
        f"SELECT {SUMMARY_COLUMNS}, json_quote(json_extract(metrics, '$.overall')) FROM model_version WHERE model = ?"
        f" ORDER BY {SEMVER_DESC}", [model])
    overall = json.loads(f"[{','.join(row[10] for row in rows)}]")  # JSON texts ('null': none); one parse, not 500
    return ModelVersions(
        owner=owner, description=description,
        versions=[VersionSummary(*row[:7], stored_time(row[7]), *row[8:10]) for row in rows],  # type: ignore[call-arg]
        metrics={row[1]: dict(values or {}) for row, values in zip(rows, overall)},
    )


def version_detail(snapshot: Snapshot, model: str, version: str) -> VersionDetail:
    """One version in full (entry, state, artifacts in order, child versions in semver order), or a clear not-found error."""
    rows = snapshot.rows(f"SELECT {', '.join(DETAIL_COLUMNS)} FROM model_version WHERE model = ? AND version = ?",
                         [model, version])
    if not rows:
        require_model(snapshot, model)
        raise NotFoundError(f"{model} has no version {version}")
    row = _cached_version(dict(zip(DETAIL_COLUMNS, rows[0])))
    artifacts = [CachedArtifact(*values) for values in snapshot.rows(
        "SELECT name, uri, sha256, size, position FROM artifact WHERE version_id = ? ORDER BY position", [row.id])]
    children = snapshot.rows(
        f"SELECT version FROM model_version WHERE model = ? AND parent = ? ORDER BY {SEMVER_ASC}", [model, version])
    return VersionDetail(manifest=row_to_manifest(row, artifacts), content_hash=row.content_hash,
                         children=tuple(child for child, in children))


def _cached_version(columns: dict[str, Any]) -> CachedVersion:
    """A version's stored columns with the JSON ones parsed and the timestamps as aware UTC datetimes."""
    for name in JSON_COLUMNS:
        columns[name] = json.loads(columns[name]) if columns[name] is not None else None
    for name in TIME_COLUMNS:
        columns[name] = stored_time(columns[name])
    return CachedVersion(**columns)
