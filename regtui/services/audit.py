"""Audit services: the promotion log's entries (windows, counts) and the verification of its hash chain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.anchor import LogAnchor, anchor_break, implied_stages, stage_differences
from regtui.domain.details import detail_lines
from regtui.domain.hashchain import ChainBreak, LogEntry, verify_chain
from regtui.domain.text import one_line
from regtui.services.registry import RegistryService
from regtui.services.views import AuditEntry, ChainState, EventLine, EventQuery, LogRecord, LogVerdict
from regtui.store import log_anchor, queries
from regtui.store.cache import cache_witness
from regtui.store.log import iter_log, row_to_entry
from regtui.store.tables import EventRow


def audit_entries(
    service: RegistryService, *, model: str | None = None, actor: str | None = None, offset: int = 0, limit: int = 1000
) -> list[LogRecord]:
    """A window of the promotion log from the cache, newest first, filtered by model and actor."""
    with service.reading() as session:
        query = select(EventRow).order_by(EventRow.position.desc()).offset(offset).limit(limit)
        if model:
            query = query.where(EventRow.model == model)
        if actor:
            query = query.where(EventRow.actor == actor)
        return [_record(row) for row in session.execute(query).scalars()]


def _record(row: EventRow) -> LogRecord:
    """A stored log row as a plain record (no ORM object leaves the services)."""
    return LogRecord(
        row.position,
        row.kind,
        row.actor,
        row.at,
        row.model,
        row.version,
        row.from_stage,
        row.to_stage,
        row.details,
        row.hash,
    )


def verify_audit_chain(service: RegistryService) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain on the shared registry; returns the entry count and the first break, if any."""
    with service.reading_registry() as session:
        return _walk_chain(session)


def _walk_chain(session: Session) -> tuple[int, ChainBreak | None]:
    """The log's length and its first break (the entries after a break are counted too)."""
    counter = [0]
    pairs = _counted_pairs(session, counter)
    broken = verify_chain(pairs)
    for _rest in pairs:
        pass
    return counter[0], broken


def log_head(service: RegistryService) -> LogAnchor | None:
    """The registry's last log position and hash, to keep elsewhere (a ticket, a git tag) and check against later."""
    with service.reading_registry() as session:
        return log_anchor.log_head(session)


def verify_anchored_log(service: RegistryService, expect: LogAnchor | None = None) -> LogVerdict:
    """Walk the registry's whole chain, check it still holds this cache's witness and the expected anchor, and
    compare the stages its moves imply with the versions' stages now."""
    witness = cache_witness(service.cache())
    with service.reading_registry() as session:
        entries, broken = _walk_chain(session)
        witness_break = _anchor_problem(session, witness, "this cache")
        expected_break = _anchor_problem(session, expect, "the expected record")
        implied = implied_stages(log_anchor.logged_moves(session))
        differences = stage_differences(implied, log_anchor.version_stages(session))
        head = log_anchor.log_head(session)
    return LogVerdict(entries, broken, head, witness_break, expected_break, tuple(differences))


def _anchor_problem(session: Session, anchor: LogAnchor | None, witness: str) -> str | None:
    """Why the registry's log contradicts an anchor (None when it holds it, or there is no anchor)."""
    if anchor is None:
        return None
    probe = log_anchor.log_probe(session, anchor.position)
    return anchor_break(anchor, probe.found_hash, probe.log_end, witness)


def _counted_pairs(session: Session, counter: list[int]) -> Iterator[tuple[LogEntry, str]]:
    """(entry, stored hash) pairs in chain order, counting them as they stream by."""
    for row in iter_log(session):
        counter[0] += 1
        yield row_to_entry(row), row.hash


def count_events(service: RegistryService, query: EventQuery) -> int:
    """How many promotion-log entries the audit screen's filters match."""
    with service.reading() as session:
        return queries.count_events(session, query.model, query.actor)


def list_events(service: RegistryService, query: EventQuery, offset: int, limit: int) -> list[EventLine]:
    """One window of the promotion log, newest first."""
    with service.reading() as session:
        rows = queries.list_events(session, query.model, query.actor, offset, limit)
        return [_event_line(row) for row in rows]


def _event_line(row: EventRow) -> EventLine:
    """A log row as a cleaned audit line with a one-line summary of its details."""
    return EventLine(
        position=row.position,
        at=row.at,
        kind=one_line(row.kind),
        model=one_line(row.model),
        version=one_line(row.version),
        from_stage=one_line(row.from_stage),
        to_stage=one_line(row.to_stage),
        actor=one_line(row.actor),
        summary=one_line(summarize_details(row.details or {})),
    )


def read_entry(service: RegistryService, position: int) -> AuditEntry | None:
    """One log entry in full from the cache (None when it holds no entry at `position`), for the entry view."""
    with service.reading() as session:
        row = queries.event_at(session, position)
        if row is None:
            return None
        return AuditEntry(
            position=row.position,
            at=row.at,
            kind=one_line(row.kind),
            actor=one_line(row.actor),
            model=one_line(row.model),
            version=one_line(row.version),
            from_stage=one_line(row.from_stage),
            to_stage=one_line(row.to_stage),
            details=tuple(detail_lines(row.details or {})),
            hash=one_line(row.hash),
            prev_hash=one_line(row.prev_hash),
        )


def summarize_details(details: dict[str, Any]) -> str:
    """The notable details of a log entry (reason, approvers, comment, ...) on one line."""
    parts = []
    for key, value in details.items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, dict):
            continue
        parts.append(f"{key}: {value}")
    return "; ".join(parts)[:300]


def verify_log(service: RegistryService, since: ChainState | None = None) -> ChainState:
    """Walk the cached log's hash chain (slow on a long log: use a worker), continuing after `since`
    when it was intact, so a sync that appended entries only hashes the new ones."""
    with service.reading() as session:
        total = queries.count_events(session)
        resumable = since is not None and since.broken_at is None and since.entries <= total
        start = since if resumable and since is not None else ChainState(entries=0)
        pairs = ((row_to_entry(row), row.hash) for row in iter_log(session, after=start.entries))
        broken = verify_chain(pairs, after_position=start.entries, after_hash=start.last_hash)
        newest = queries.list_events(session, limit=1)
    if broken is not None:
        return ChainState(entries=total, broken_at=broken.position, reason=one_line(broken.reason))
    return ChainState(entries=total, last_hash=newest[0].hash if newest else start.last_hash)
