"""The read commands' queries of the cache, plain SQL through a CacheReader (no ORM): versions by stage, one
version by number or by stage (`resolve`, `show MODEL@STAGE`), and the promotion log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from regtui.domain.approvals import artifact_digest
from regtui.domain.checksums import ArtifactScheme, classify_uri
from regtui.domain.entry import Artifact, Stage
from regtui.domain.listing import VersionDetail, VersionSummary
from regtui.errors import InputError, NotFoundError
from regtui.services.views import LogRecord
from regtui.store import log_reads
from regtui.store import model_versions as store_versions
from regtui.store.cache_reader import CacheReader


def stage_named(text: str) -> Stage | None:
    """The stage a MODEL@STAGE reference names (any case), or None for a version number."""
    return next((stage for stage in Stage if stage.value.lower() == text.lower()), None)


def split_ref(text: str) -> tuple[str, str]:
    """MODEL@VERSION (or MODEL@STAGE) into its two parts, refusing anything else clearly."""
    model, sep, version = text.partition("@")
    if not sep or not model or not version:
        raise InputError(f"expected MODEL@VERSION or MODEL@STAGE, got {text!r}")
    return model, version


def version_list(reader: CacheReader, model: str, stage: Stage | None = None) -> list[VersionSummary]:
    """A model's versions (all, or those in one stage), newest first (NotFoundError for an unknown model)."""
    with reader.snapshot() as snapshot:
        store_versions.require_model(snapshot, model)
        return store_versions.list_versions(snapshot, model, limit=None, stage=stage and stage.value)


def resolve_version(reader: CacheReader, model: str, ref: str) -> str:
    """The version a reference names: itself, or for a stage the newest version in it (NotFoundError if none)."""
    stage = stage_named(ref)
    if stage is None:
        return ref
    with reader.snapshot() as snapshot:
        version = store_versions.newest_in_stage(snapshot, model, stage.value)
        if version is None:
            store_versions.require_model(snapshot, model)
            raise NotFoundError(f"{model} has no version in {stage.value}")
    return version


def version_detail(reader: CacheReader, model: str, ref: str) -> VersionDetail:
    """One version in full, named by its number or by a stage."""
    version = resolve_version(reader, model, ref)
    with reader.snapshot() as snapshot:
        return store_versions.version_detail(snapshot, model, version)


@dataclass(frozen=True)
class Resolution:
    """What a deploy job needs of one version: which it is, its stage, its digests and where its artifacts are."""

    model: str
    version: str
    stage: str
    canary_share: float | None
    content_hash: str
    artifact_digest: str
    """SHA-256 over the artifact list (name, SHA-256, size): what approvals are bound to."""
    artifacts: tuple[dict[str, Any], ...]


def resolve(reader: CacheReader, model: str, ref: str) -> Resolution:
    """MODEL@VERSION or MODEL@STAGE resolved to one version's identity, digests and artifact locations."""
    detail = version_detail(reader, model, ref)
    entry = detail.manifest.entry
    return Resolution(
        model=entry.model,
        version=entry.version,
        stage=detail.manifest.stage.value,
        canary_share=detail.manifest.canary_share,
        content_hash=detail.content_hash,
        artifact_digest=artifact_digest(entry),
        artifacts=tuple(_artifact_location(a) for a in entry.artifacts),
    )


def _artifact_location(artifact: Artifact) -> dict[str, Any]:
    """An artifact as a deploy job reads it: name, URI, SHA-256 and size, and in an object store the pinned object
    version and ETag (empty when the bucket keeps no versions)."""
    location: dict[str, Any] = {
        "name": artifact.name,
        "uri": artifact.uri,
        "sha256": artifact.sha256,
        "size": artifact.size,
    }
    if classify_uri(artifact.uri) is ArtifactScheme.OBJECT:
        location.update(object_version=artifact.object_version, etag=artifact.etag)
    return location


def log_records(
    reader: CacheReader,
    *,
    model: str | None = None,
    actor: str | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> list[LogRecord]:
    """Promotion-log entries from the cache: newest first, or the ones after a position, oldest first."""
    with reader.snapshot() as snapshot:
        rows = log_reads.log_rows(snapshot, model=model, actor=actor, after=after, limit=limit)
    return [LogRecord(*row) for row in rows]


def last_log_position(reader: CacheReader) -> int:
    """The newest log entry's position in the cache (0: none)."""
    with reader.snapshot() as snapshot:
        return log_reads.last_position(snapshot)
