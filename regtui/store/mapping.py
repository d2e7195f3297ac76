"""Stored version rows as domain entries, for the registry's ORM rows and the cache's plain records alike (no ORM
import: the plain reader uses it; regtui.store.version_rows makes new rows)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from regtui.domain.entry import (
    Artifact,
    ChangeKind,
    FairnessAssessment,
    Metrics,
    ModelCard,
    ProviderPin,
    Responsible,
    Stage,
    TrainingDataSummary,
    VersionEntry,
    VersionManifest,
)
from regtui.domain.provenance import source_from_stored
from regtui.store.records import ArtifactRecord, VersionRecord


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite hands back naive values)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


if TYPE_CHECKING:
    from regtui.store.tables import ArtifactRow, VersionRow

    StoredVersion = VersionRow | VersionRecord
    """A version's stored columns: an ORM row of the registry, or a cache row of the plain reader."""
    StoredArtifact = ArtifactRow | ArtifactRecord


class VersionDocuments(NamedTuple):
    """A version's JSON columns, decoded apart from its row (a query that repeats the row per artifact reads them
    as text, so they are decoded once, not once per artifact)."""

    hyperparameters: Any
    metrics: Any
    model_card: Any
    provider: Any
    source: Any
    tags: Any


VERSION_DOCUMENTS = VersionDocuments._fields
"""The names of a version's JSON columns."""


def decoded_documents(row: Any) -> VersionDocuments:
    """The JSON columns of a row that read them as text (None for SQL NULL), decoded."""
    texts = (getattr(row, name) for name in VERSION_DOCUMENTS)
    return VersionDocuments(*(None if text is None else json.loads(text) for text in texts))


def row_to_entry(
    row: StoredVersion, artifacts: Iterable[StoredArtifact], documents: VersionDocuments | None = None
) -> VersionEntry:
    """The domain entry a version row and its artifact rows describe (`documents`: its JSON columns decoded apart,
    when the row holds them as text)."""
    data: Any = row if documents is None else documents
    return VersionEntry(
        model=row.model,
        version=row.version,
        change_kind=ChangeKind(row.change_kind),
        parent=row.parent,
        framework=row.framework,
        training_data=row.training_data,
        owner=row.owner,
        created_at=as_utc(row.created_at),
        description=row.description,
        hyperparameters=dict(data.hyperparameters or {}),
        metrics=_metrics(data.metrics or {}),
        model_card=_card(data.model_card or {}),
        artifacts=tuple(
            Artifact(name=a.name, uri=a.uri, sha256=a.sha256, size=a.size, object_version=a.object_version, etag=a.etag)
            for a in sorted(artifacts, key=lambda a: a.position)
        ),
        provider=ProviderPin(**data.provider) if data.provider else None,
        source=source_from_stored(data.source),
        tags=dict(data.tags or {}),
    )


def row_to_manifest(row: StoredVersion, artifacts: Iterable[StoredArtifact]) -> VersionManifest:
    """The manifest (entry plus state) that exports a version row exactly."""
    return VersionManifest(
        entry=row_to_entry(row, artifacts),
        stage=Stage(row.stage),
        canary_share=row.canary_share,
        registered_by=row.registered_by,
        registered_at=as_utc(row.registered_at),
        stage_changed_by=row.stage_changed_by,
        stage_changed_at=as_utc(row.stage_changed_at),
    )


def _metrics(data: dict[str, Any]) -> Metrics:
    """Metrics from their stored JSON form."""
    return Metrics(
        overall=dict(data.get("overall") or {}), segments={k: dict(v) for k, v in (data.get("segments") or {}).items()}
    )


def _card(data: dict[str, Any]) -> ModelCard:
    """A model card from its stored JSON form."""
    fairness = data.get("fairness") or {}
    attested_at = fairness.get("attested_at")
    return ModelCard(
        intended_use=data.get("intended_use", ""),
        limitations=data.get("limitations", ""),
        evaluation=data.get("evaluation", ""),
        fairness=FairnessAssessment(
            summary=fairness.get("summary", ""),
            attested_by=fairness.get("attested_by"),
            attested_at=datetime.fromisoformat(attested_at.replace("Z", "+00:00")) if attested_at else None,
        ),
        training_data=TrainingDataSummary(**(data.get("training_data") or {})),
        responsible=Responsible(**(data.get("responsible") or {})),
    )
