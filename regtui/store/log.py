"""Appending to and reading the hash-chained promotion log inside a write transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlmodel import Session

from regtui.domain.hashchain import GENESIS_HASH, LogEntry
from regtui.store.tables import EventRow

EVENT = EventRow.__table__
CHAIN_TAIL = select(EVENT.c.position, EVENT.c.hash).order_by(EVENT.c.position.desc()).limit(1)
INSERT_EVENT = insert(EVENT)
EVENT_COLUMNS = "position, kind, model, version, actor, at, from_stage, to_stage, details, prev_hash, hash, change_seq"
# PostgreSQL: event rows from one JSON array parameter (:events, see rows_json), to end a statement with CTEs before it
EVENTS_FROM_JSON = (
    f"INSERT INTO {EVENT.name} ({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} "
    f"FROM json_populate_recordset(NULL::{EVENT.name}, CAST(:events AS json))"
)


@dataclass(frozen=True)
class NewEvent:
    """One log entry to append: what happened, to what, and its details (position and hashes come from the chain)."""

    kind: str
    model: str | None = None
    version: str | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


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
) -> None:
    """Append one entry linked to the last one; callers hold the change-counter lock, so the chain is total."""
    event = NewEvent(kind, model, version, from_stage, to_stage, dict(details or {}))
    append_events(session, [event], seq=seq, actor=actor, at=at)


def append_events(
    session: Session,
    events: Sequence[NewEvent],
    *,
    seq: int,
    actor: str,
    at: datetime,
    tail: tuple[int, str] | None = None,
) -> None:
    """Append entries in order with one insert (Core, no ORM flush per row) after the chain's tail.

    `tail` (last position and hash) is the caller's read of it, taken after the change counter with nothing
    appended since; without it (or for an empty log) the tail is read here."""
    if not events:
        return
    session.flush()  # pending ORM rows (a restored log, say) reach the database before the tail is read
    append_event_rows(session.connection(), events, seq=seq, actor=actor, at=at, tail=tail)


def append_event_rows(
    connection: Connection,
    events: Sequence[NewEvent],
    *,
    seq: int,
    actor: str,
    at: datetime,
    tail: tuple[int, str] | None = None,
) -> None:
    """Append entries in order with one insert on a connection with no ORM rows pending (see append_events)."""
    if events:
        connection.execute(INSERT_EVENT, event_rows(connection, events, seq=seq, actor=actor, at=at, tail=tail))


def event_rows(
    connection: Connection,
    events: Sequence[NewEvent],
    *,
    seq: int,
    actor: str,
    at: datetime,
    tail: tuple[int, str] | None = None,
) -> list[dict[str, Any]]:
    """The event table rows of entries appended after the tail (read here when not given), each hash-linked."""
    if tail is None:
        tail = connection.execute(CHAIN_TAIL).first()
    position, prev_hash = (tail[0], tail[1]) if tail else (0, GENESIS_HASH)
    rows = []
    for event in events:
        position += 1
        details = dict(event.details)  # one copy, hashed and stored alike
        entry = LogEntry(
            position=position,
            kind=event.kind,
            actor=actor,
            at=at,
            model=event.model,
            version=event.version,
            from_stage=event.from_stage,
            to_stage=event.to_stage,
            details=details,
            prev_hash=prev_hash,
        )
        digest = entry.digest()
        rows.append(
            {
                "position": position,
                "kind": event.kind,
                "model": event.model,
                "version": event.version,
                "actor": actor,
                "at": at,
                "from_stage": event.from_stage,
                "to_stage": event.to_stage,
                "details": details,
                "prev_hash": prev_hash,
                "hash": digest,
                "change_seq": seq,
            }
        )
        prev_hash = digest
    return rows


def rows_json(rows: Sequence[Mapping[str, Any]]) -> str:
    """Event rows as one JSON array for EVENTS_FROM_JSON (times in ISO 8601 with their UTC offset)."""
    return json.dumps([{**row, "at": row["at"].isoformat()} for row in rows])


def restore_event(session: Session, *, seq: int, entry: LogEntry, stored_hash: str) -> EventRow:
    """Write an exported log entry back verbatim (import), keeping its position and hashes."""
    row = EventRow(
        position=entry.position,
        kind=entry.kind,
        model=entry.model,
        version=entry.version,
        actor=entry.actor,
        at=entry.at,
        from_stage=entry.from_stage,
        to_stage=entry.to_stage,
        details=dict(entry.details),
        prev_hash=entry.prev_hash,
        hash=stored_hash,
        change_seq=seq,
    )
    session.add(row)
    return row


def row_to_entry(row: EventRow) -> LogEntry:
    """The hashed form of a stored row."""
    return LogEntry(
        position=row.position,
        kind=row.kind,
        actor=row.actor,
        at=row.at,
        model=row.model,
        version=row.version,
        from_stage=row.from_stage,
        to_stage=row.to_stage,
        details=row.details or {},
        prev_hash=row.prev_hash,
    )


def iter_log(session: Session, batch: int = 1000, after: int = 0) -> Iterator[EventRow]:
    """Every log row (above position `after`) in chain order, fetched in batches so memory stays flat."""
    while True:
        rows = (
            session.execute(select(EventRow).where(EventRow.position > after).order_by(EventRow.position).limit(batch))
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        after = rows[-1].position
