"""Appending to and reading the hash-chained promotion log inside a write transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator, Mapping

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.hashchain import GENESIS_HASH, LogEntry
from regtui.store.tables import EventRow


def append_event(
    session: Session,
    *,
    seq: int,
    kind: str,
    actor: str,
    at: datetime,
    model: str | None = None,
    version: str | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> EventRow:
    """Append one entry linked to the last one; callers hold the change-counter lock, so the chain is total."""
    last = session.execute(select(EventRow.position, EventRow.hash).order_by(EventRow.position.desc()).limit(1)).first()
    position, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    entry = LogEntry(
        position=position, kind=kind, actor=actor, at=at, model=model, version=version,
        from_stage=from_stage, to_stage=to_stage, details=dict(details or {}), prev_hash=prev_hash,
    )
    row = EventRow(
        position=position, kind=kind, model=model, version=version, actor=actor, at=at,
        from_stage=from_stage, to_stage=to_stage, details=dict(entry.details), prev_hash=prev_hash,
        hash=entry.digest(), change_seq=seq,
    )
    session.add(row)
    session.flush()
    return row


def restore_event(session: Session, *, seq: int, entry: LogEntry, stored_hash: str) -> EventRow:
    """Write an exported log entry back verbatim (import), keeping its position and hashes."""
    row = EventRow(
        position=entry.position, kind=entry.kind, model=entry.model, version=entry.version, actor=entry.actor,
        at=entry.at, from_stage=entry.from_stage, to_stage=entry.to_stage, details=dict(entry.details),
        prev_hash=entry.prev_hash, hash=stored_hash, change_seq=seq,
    )
    session.add(row)
    return row


def row_to_entry(row: EventRow) -> LogEntry:
    """The hashed form of a stored row."""
    return LogEntry(
        position=row.position, kind=row.kind, actor=row.actor, at=row.at, model=row.model, version=row.version,
        from_stage=row.from_stage, to_stage=row.to_stage, details=row.details or {}, prev_hash=row.prev_hash,
    )


def iter_log(session: Session, batch: int = 1000, after: int = 0) -> Iterator[EventRow]:
    """Every log row (above position `after`) in chain order, fetched in batches so memory stays flat."""
    while True:
        rows = session.execute(
            select(EventRow).where(EventRow.position > after).order_by(EventRow.position).limit(batch)
        ).scalars().all()
        if not rows:
            return
        yield from rows
        after = rows[-1].position
