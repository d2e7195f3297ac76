"""The dashboard's reads: windowed queries on the cache, cleaned at this boundary. Run them in workers."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from enum import Enum
from functools import lru_cache
from typing import Any, TypeVar

import semver

from regtui.domain.checksums import VerifyResult, verify_artifact
from regtui.domain.entry import Artifact
from regtui.domain.listing import VersionDetail, VersionSummary
from regtui.domain.text import clean_text, one_line
from regtui.providers.http_artifacts import stream_http
from regtui.services.registry import RegistryService
from regtui.services.views import ModelOverview, VersionLine, VersionView
from regtui.store import queries
from regtui.store.cache_reader import CacheReader
from regtui.store.model_versions import model_versions, version_detail

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


@dataclass(frozen=True)
class SemverPlace:
    """Where a stored version string sits in semver order, and its major and minor (None: it does not parse)."""

    key: tuple[Any, ...]
    major: int | None
    minor: int | None


@lru_cache(maxsize=16384)
def semver_place(version: str) -> SemverPlace:
    """A version string's place in semver order (a release after its pre-releases; numeric identifiers below text
    ones; a hostile or legacy string that does not parse after every version, by text).

    Memoized: the same strings (1.0.0, 1.1.0, ...) recur across models and every re-read of one."""
    try:
        parsed = semver.Version.parse(version)
    except (TypeError, ValueError):
        return SemverPlace((1, version), None, None)
    return SemverPlace((0, _precedence(parsed)), parsed.major, parsed.minor)


def _version_line(summary: VersionSummary, place: SemverPlace) -> VersionLine:
    """A version summary (and its semver place) as a cleaned lineage node."""
    return VersionLine(
        key=summary.version, version=one_line(summary.version), stage=one_line(summary.stage),
        canary_share=summary.canary_share, parent=one_line(summary.parent) or None, change_kind=one_line(summary.change_kind),
        created_at=summary.created_at, registered_by=one_line(summary.registered_by),
        major=place.major, minor=place.minor,
    )


def _precedence(version: semver.Version) -> tuple[Any, ...]:
    """A sort key with semver precedence (a release after its pre-releases; numeric identifiers below text ones)."""
    if not version.prerelease:
        return (version.major, version.minor, version.patch, 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in version.prerelease.split("."))
    return (version.major, version.minor, version.patch, 0, parts)


def _semver_lines(summaries: list[VersionSummary]) -> list[VersionLine]:
    """Lineage nodes in semantic-version order; unparsable versions last, by text."""
    placed = [(semver_place(s.version), s) for s in summaries]
    placed.sort(key=lambda pair: pair[0].key)
    return [_version_line(summary, place) for place, summary in placed]


def model_overview(reader: CacheReader, name: str) -> ModelOverview:
    """A model, all its versions in semver order (for the lineage tree) and their overall metrics."""
    with reader.snapshot() as snapshot:
        model = model_versions(snapshot, name)
    metrics = {version: {one_line(k): v for k, v in values.items()} for version, values in model.metrics.items()}
    return ModelOverview(name=one_line(name), owner=one_line(model.owner), description=clean_text(model.description),
                         versions=tuple(_semver_lines(model.versions)), metrics=metrics)


def version_view(reader: CacheReader, model: str, version: str) -> VersionView:
    """One version in full, cleaned for display, with its raw artifacts kept for verification."""
    with reader.snapshot() as snapshot:
        detail = version_detail(snapshot, model, version)
    return VersionView(
        manifest=clean_deep(detail.manifest), children=tuple(map(one_line, detail.children)),
        content_hash=detail.content_hash, artifacts=detail.entry.artifacts,
    )


def verify_artifacts(artifacts: tuple[Artifact, ...]) -> list[VerifyResult]:
    """Re-hash each artifact against its recorded checksum (slow: files and HTTP), messages cleaned."""
    return [clean_deep(verify_artifact(artifact, fetch_http=stream_http)) for artifact in artifacts]


def count_versions(service: RegistryService) -> int:
    """How many versions the cache holds, over every model."""
    with service.reading() as session:
        return queries.count_versions(session)


def model_version_list(service: RegistryService, model: str) -> list[VersionSummary]:
    """Every version of a model, newest first (NotFoundError for an unknown model)."""
    with service.reading() as session:
        queries.require_model(session, model)
        return queries.list_versions(session, model, limit=1_000_000)


def get_version(service: RegistryService, model: str, version: str) -> VersionDetail:
    """One version in full from the cache (NotFoundError when it is not registered)."""
    with service.reading() as session:
        return queries.get_version(session, model, version)
