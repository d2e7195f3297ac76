"""The dashboard's reads: windowed queries on the cache, cleaned at this boundary. Run them in workers."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import TypeVar

import semver

from regtui.domain.checksums import ProgressCallback, VerifyResult
from regtui.domain.entry import Artifact
from regtui.domain.listing import VersionSummary
from regtui.domain.retention import Retention
from regtui.domain.text import clean_text, one_line
from regtui.services.artifact_io import ArtifactCount, verify_all
from regtui.services.registry import RegistryService
from regtui.services.views import ModelOverview, VersionLine, VersionView
from regtui.store import model_versions as store_versions
from regtui.store import queries
from regtui.store.cache_reader import CacheReader
from regtui.store.model_versions import model_versions, version_detail
from regtui.store.retention_reads import retentions, stored_policy

T = TypeVar("T")


def clean_deep(value: T) -> T:
    """Clean every string inside a value (dataclasses, mappings, sequences), keeping enums and other types."""
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: clean_deep(getattr(value, f.name)) for f in fields(value) if f.init})  # type: ignore[return-value]
    if isinstance(value, dict):
        return {clean_deep(k): clean_deep(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, (list, tuple)):
        return type(value)(clean_deep(item) for item in value)  # type: ignore[return-value]
    return value


def model_names(service: RegistryService) -> list[str]:
    """Every model name (raw, for opening), for the command palette."""
    with service.reading() as session:
        return [spec.name for spec in queries.list_model_specs(session)]


@lru_cache(maxsize=16384)
def major_minor(version: str) -> tuple[int | None, int | None]:
    """A stored version's major and minor, for the lineage tree's lines (None: it does not parse).

    Memoized: the same strings (1.0.0, 1.1.0, ...) recur across models and every re-read of one."""
    try:
        parsed = semver.Version.parse(version)
    except (TypeError, ValueError):
        return None, None
    return parsed.major, parsed.minor


def _version_line(summary: VersionSummary, retention: Retention | None) -> VersionLine:
    """A version summary (and its retention, for an Archived former Production version) as a cleaned lineage node."""
    major, minor = major_minor(summary.version)
    return VersionLine(
        key=summary.version,
        version=one_line(summary.version),
        stage=one_line(summary.stage),
        canary_share=summary.canary_share,
        parent=one_line(summary.parent) or None,
        change_kind=one_line(summary.change_kind),
        created_at=summary.created_at,
        registered_by=one_line(summary.registered_by),
        major=major,
        minor=minor,
        retention=retention,
    )


def model_overview(reader: CacheReader, name: str, now: datetime) -> ModelOverview:
    """A model, all its versions in semver order (for the lineage tree: the reverse of the cache's newest-first
    order), the retention of its former Production versions as of `now`, and their overall metrics."""
    with reader.snapshot() as snapshot:
        model = model_versions(snapshot, name)
        retained = retentions(snapshot, name, stored_policy(snapshot), now)
    metrics = {version: {one_line(k): v for k, v in values.items()} for version, values in model.metrics.items()}
    return ModelOverview(
        name=one_line(name),
        owner=one_line(model.owner),
        description=clean_text(model.description),
        versions=tuple(_version_line(v, retained.get(v.version)) for v in reversed(model.versions)),
        metrics=metrics,
    )


def version_view(reader: CacheReader, model: str, version: str, now: datetime) -> VersionView:
    """One version in full, cleaned for display, with its raw artifacts kept for verification and, for an Archived
    former Production version, its retention as of `now`."""
    with reader.snapshot() as snapshot:
        detail = version_detail(snapshot, model, version)
        retained = retentions(snapshot, model, stored_policy(snapshot), now)
    return VersionView(
        manifest=clean_deep(detail.manifest),
        children=tuple(map(one_line, detail.children)),
        content_hash=detail.content_hash,
        artifacts=detail.entry.artifacts,
        retention=retained.get(version),
    )


def verify_artifacts(
    artifacts: tuple[Artifact, ...],
    on_bytes: ProgressCallback | None = None,
    on_count: ArtifactCount | None = None,
) -> list[VerifyResult]:
    """Re-hash each artifact against its recorded checksum (slow: files, HTTP, object stores), messages cleaned;
    progress in bytes and in artifacts done, from the hashing threads."""
    return [clean_deep(result) for result in verify_all(artifacts, on_bytes, on_count=on_count)]


def count_versions(service: RegistryService) -> int:
    """How many versions the cache holds, over every model."""
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        return store_versions.count_versions(snapshot)
