"""The cache's version reads, plain SQL on a CacheReader snapshot, for the CLI and the TUI alike: a model with
every version and its overall metrics, a window of its versions, the newest one, and one version in full.

No ORM session (the model screen reads them before SQLAlchemy is needed); the columns come from the generated
regtui.store.records, so the tables stay their one declaration. Every list orders by semver_key. They read
through the cache's indexes: a model's versions through ix_version_listing, one version through
ix_cache_version_newest, its artifacts through their version_id index.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from regtui.domain.listing import VersionDetail, VersionSummary
from regtui.errors import NotFoundError
from regtui.store.cache_reader import Snapshot
from regtui.store.cache_sql import LIVE_STAGE_SQL, LIVE_STAGES, stored_time
from regtui.store.mapping import row_to_manifest
from regtui.store.records import (
    ARTIFACT_COLUMNS,
    VERSION_COLUMNS,
    VERSION_JSON_COLUMNS,
    VERSION_TIME_COLUMNS,
    ArtifactRecord,
    VersionRecord,
)


@dataclass(frozen=True)
class ModelVersions:
    """A model's owner and description, its versions (newest semver first) and each one's overall metrics."""

    owner: str
    description: str
    versions: list[VersionSummary]
    metrics: dict[str, dict[str, Any]]
    """Overall metrics by stored version."""


SUMMARY_FIELDS = tuple(f.name for f in fields(VersionSummary))
"""The columns of a version list line: VersionSummary's fields are columns of model_version."""
SUMMARY_TIMES = tuple(i for i, name in enumerate(SUMMARY_FIELDS) if name in VERSION_TIME_COLUMNS)
SUMMARY_COLUMNS = ", ".join(SUMMARY_FIELDS)
NEWEST_FIRST = "semver_key DESC"
"""Newest semver first: the order of ix_version_listing (the precedence key, domain.versioning.precedence_key)."""
OLDEST_FIRST = "semver_key"
JSON_POSITIONS = tuple(VERSION_COLUMNS.index(name) for name in VERSION_JSON_COLUMNS)
TIME_POSITIONS = tuple(VERSION_COLUMNS.index(name) for name in VERSION_TIME_COLUMNS)


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
        f" ORDER BY {NEWEST_FIRST}",
        [model],
    )
    overall = json.loads(f"[{','.join(row[-1] for row in rows)}]")  # JSON texts ('null': none); one parse, not 500
    versions = [_summary(row) for row in rows]
    return ModelVersions(
        owner=owner,
        description=description,
        versions=versions,
        metrics={v.version: dict(values or {}) for v, values in zip(versions, overall)},
    )


def list_versions(
    snapshot: Snapshot, model: str | None = None, offset: int = 0, limit: int | None = 100, stage: str | None = None
) -> list[VersionSummary]:
    """A window of versions, newest semver first (of one model, or of all models by name; of one stage, or all);
    limit None: all."""
    where, parameters = ("WHERE model = ? ", [model]) if model is not None else ("", [])
    if stage is not None:
        live = f" AND {LIVE_STAGE_SQL}" if stage in LIVE_STAGES else ""
        where, parameters = f"{where}{'AND' if where else 'WHERE'} stage = ?{live} ", [*parameters, stage]
    rows = snapshot.rows(
        f"SELECT {SUMMARY_COLUMNS} FROM model_version {where}ORDER BY model, {NEWEST_FIRST} LIMIT ? OFFSET ?",
        [*parameters, -1 if limit is None else limit, offset],
    )
    return [_summary(row) for row in rows]


def count_versions(snapshot: Snapshot, model: str | None = None) -> int:
    """How many versions one model (or the whole registry) has."""
    if model is None:
        return int(snapshot.value("SELECT count(*) FROM model_version") or 0)
    return int(snapshot.value("SELECT count(*) FROM model_version WHERE model = ?", [model]) or 0)


def version_position(snapshot: Snapshot, model: str, version: str) -> int | None:
    """Where a version stands in its model's newest-first list (None: no such version)."""
    return snapshot.value(
        "SELECT (SELECT count(*) FROM model_version AS newer WHERE newer.model = this.model"
        " AND newer.semver_key > this.semver_key) FROM model_version AS this WHERE this.model = ? AND this.version = ?",
        [model, version],
    )


def latest_version(snapshot: Snapshot, model: str) -> str | None:
    """A model's newest version by semver precedence (None: it has none)."""
    return snapshot.value(f"SELECT version FROM model_version WHERE model = ? ORDER BY {NEWEST_FIRST} LIMIT 1", [model])


def newest_in_stage(snapshot: Snapshot, model: str, stage: str) -> str | None:
    """The newest version (by semver precedence) a model has in a stage; None when it has none there."""
    live = f" AND {LIVE_STAGE_SQL}" if stage in LIVE_STAGES else ""
    return snapshot.value(
        f"SELECT version FROM model_version WHERE model = ? AND stage = ?{live} ORDER BY {NEWEST_FIRST} LIMIT 1",
        [model, stage],
    )


def _summary(row: Sequence[Any]) -> VersionSummary:
    """A version list line from its columns (SUMMARY_FIELDS), timestamps as aware UTC datetimes."""
    values = list(row[: len(SUMMARY_FIELDS)])
    for i in SUMMARY_TIMES:
        values[i] = stored_time(values[i])
    return VersionSummary(*values)


def version_detail(snapshot: Snapshot, model: str, version: str) -> VersionDetail:
    """One version in full (entry, state, artifacts in order, child versions in semver order), or a clear not-found
    error."""
    rows = snapshot.rows(
        f"SELECT {', '.join(VERSION_COLUMNS)} FROM model_version WHERE model = ? AND version = ?", [model, version]
    )
    if not rows:
        require_model(snapshot, model)
        raise NotFoundError(f"{model} has no version {version}")
    row = _version_record(rows[0])
    artifacts = [
        ArtifactRecord(*values)
        for values in snapshot.rows(
            f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM artifact WHERE version_id = ? ORDER BY position", [row.id]
        )
    ]
    children = snapshot.rows(
        f"SELECT version FROM model_version WHERE model = ? AND parent = ? ORDER BY {OLDEST_FIRST}", [model, version]
    )
    return VersionDetail(
        manifest=row_to_manifest(row, artifacts),
        content_hash=row.content_hash,
        children=tuple(child for (child,) in children),
    )


def _version_record(stored: Sequence[Any]) -> VersionRecord:
    """A version's stored columns with the JSON ones parsed and the timestamps as aware UTC datetimes."""
    values = list(stored)
    for i in JSON_POSITIONS:
        values[i] = json.loads(values[i]) if values[i] is not None else None
    for i in TIME_POSITIONS:
        values[i] = stored_time(values[i])
    return VersionRecord(*values)
