"""Rows of the cache as the plain reader decodes them, one record per table, in the tables' column order.

GENERATED from regtui.store.tables by `python -m regtui.store.records_gen`: do not edit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple


class VersionRecord(NamedTuple):
    """One model_version row (tables.VersionRow)."""

    id: int
    model: str
    version: str
    semver_key: str
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
    stage_changed_at: datetime
    stage_changed_by: str
    change_seq: int
    source: dict[str, Any] | None
    tags: dict[str, Any] | None


VERSION_COLUMNS = (
    "id", "model", "version", "semver_key", "change_kind", "parent", "framework", "training_data", "owner",
    "created_at", "description", "hyperparameters", "metrics", "model_card", "provider", "content_hash",
    "registered_by", "registered_at", "stage", "canary_share", "stage_changed_at", "stage_changed_by", "change_seq",
    "source", "tags",
)
VERSION_JSON_COLUMNS = ("hyperparameters", "metrics", "model_card", "provider", "source", "tags")
VERSION_TIME_COLUMNS = ("created_at", "registered_at", "stage_changed_at")


class ArtifactRecord(NamedTuple):
    """One artifact row (tables.ArtifactRow)."""

    id: int
    version_id: int
    name: str
    uri: str
    sha256: str
    size: int
    position: int
    change_seq: int
    object_version: str
    etag: str


ARTIFACT_COLUMNS = (
    "id", "version_id", "name", "uri", "sha256", "size", "position", "change_seq", "object_version", "etag",
)
ARTIFACT_JSON_COLUMNS = ()
ARTIFACT_TIME_COLUMNS = ()
