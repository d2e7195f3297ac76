"""What earlier MLflow imports recorded (their log entries), and the write of a new import in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.manifest import ModelSpec, VersionManifest
from regtui.domain.mlflow import IMPORT_EVENT, Origin
from regtui.store.log import NewEvent, append_events
from regtui.store.registry import register_version
from regtui.store.schema import next_change
from regtui.store.tables import EventRow, ModelRow, VersionRow


@dataclass(frozen=True)
class ImportedRecord:
    """One earlier import: the regtui version and the MLflow origin its log entry names."""

    model: str
    version: str
    stage: str
    origin: Origin


@dataclass(frozen=True)
class ImportWrite:
    """One version to register and the details of its one `mlflow-import` log entry."""

    manifest: VersionManifest
    details: Mapping[str, Any]


def imported_records(session: Session, tracking_uri: str) -> list[ImportedRecord]:
    """Every version imported from this tracking server so far, with its current regtui stage."""
    rows = session.execute(
        select(EventRow.model, EventRow.version, EventRow.details, VersionRow.stage)
        .join(VersionRow, (VersionRow.model == EventRow.model) & (VersionRow.version == EventRow.version))
        .where(EventRow.kind == IMPORT_EVENT)
        .order_by(EventRow.position)
    ).all()
    records = []
    for model, version, details, stage in rows:
        origin = (details or {}).get("origin") or {}
        if origin.get("tracking_uri") == tracking_uri:
            records.append(ImportedRecord(model, version, stage, Origin.from_dict(origin)))
    return records


def versions_of(session: Session, models: Sequence[str]) -> dict[str, list[str]]:
    """The registered versions of each named model."""
    found: dict[str, list[str]] = {name: [] for name in models}
    rows = session.execute(select(VersionRow.model, VersionRow.version).where(VersionRow.model.in_(list(models))))
    for model, version in rows:
        found[model].append(version)
    return found


def record_import(
    session: Session, models: Sequence[ModelSpec], writes: Sequence[ImportWrite], *, actor: str, now: datetime
) -> list[str]:
    """Create the models regtui lacks, register the versions (parents first, as given) and append one import entry
    each, in the caller's transaction; returns the refs registered."""
    seq = next_change(session)
    for spec in models:
        if session.get(ModelRow, spec.name) is None:
            session.add(ModelRow(name=spec.name, owner=spec.owner, description=spec.description, change_seq=seq))
    session.flush()
    registered, events = [], []
    for write in writes:
        entry = write.manifest.entry
        if register_version(session, write.manifest, seq=seq, actor=actor, now=now):
            registered.append(entry.ref)
            events.append(
                NewEvent(IMPORT_EVENT, entry.model, entry.version, None, write.manifest.stage.value, write.details)
            )
    append_events(session, events, seq=seq, actor=actor, at=now)
    return registered
