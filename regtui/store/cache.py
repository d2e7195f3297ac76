"""The local cache (SQLite, one per registry URL) and the pull that keeps it current.

A pull reads, in one snapshot of the shared registry, the change counter's committed value and every
row whose `change_seq` lies above the cache's last seen value and at or below that one. Writers take
counter values in commit order (they serialize on the counter row), so nothing is ever skipped, and
the cost of a pull grows with the changes, not with the registry.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Engine, Table, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel

from regtui.store import provider_tables, tables
from regtui.store.engine import create_registry_engine, is_sqlite, writer
from regtui.store.mapping import as_utc
from regtui.store.schema import current_change

PULLED_TABLES: tuple[Table, ...] = (
    tables.ModelRow.__table__,
    tables.UserRow.__table__,
    tables.VersionRow.__table__,
    tables.ArtifactRow.__table__,
    tables.EventRow.__table__,
    tables.PolicyRow.__table__,
    tables.RequestRow.__table__,
    tables.ApprovalRow.__table__,
    provider_tables.ProviderFeedRow.__table__,
    provider_tables.ProviderVersionRow.__table__,
    provider_tables.QualificationRow.__table__,
)
BATCH = 5000
LAST_SEEN = "last_seen"
REGISTRY_ID = "registry_id"
REGISTRY_URL = "registry_url"
SYNCED_AT = "synced_at"
OFFLINE_SINCE = "offline_since"
LAST_ERROR = "last_error"


@dataclass
class SyncReport:
    """What one pull brought into the cache."""

    from_seq: int
    to_seq: int
    counts: dict[str, int] = field(default_factory=dict)
    versions: list[str] = field(default_factory=list)
    events: int = 0
    reset: bool = False
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Rows pulled across all tables."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class CacheState:
    """How fresh the cache is: last successful pull, and since when the registry is unreachable."""

    last_seen: int
    synced_at: datetime | None
    offline_since: datetime | None
    last_error: str | None

    def age_seconds(self, now: datetime) -> float | None:
        """Seconds since the last successful pull, or None when it never synced."""
        return None if self.synced_at is None else max(0.0, (now - self.synced_at).total_seconds())


def default_cache_path(cache_dir: Path, registry_url: str) -> Path:
    """One cache file per registry URL, named by a hash of the URL."""
    digest = hashlib.sha256(registry_url.encode()).hexdigest()[:16]
    return cache_dir / f"cache-{digest}.db"


CACHE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_cache_version_newest ON model_version (model, created_at, version)",
    "CREATE INDEX IF NOT EXISTS ix_cache_version_live ON model_version (model, stage, version, major, minor, patch, prerelease)",
)
"""Read-side indexes only the cache needs: the dashboard's model list (latest version, live stages, stage
filters, sort by latest) reads them instead of the wide version rows (100k versions: ~85 ms -> ~17 ms a window)."""


def open_cache(path: Path) -> Engine:
    """Open (creating when needed) a cache database with the registry's tables, without triggers."""
    engine = create_registry_engine(f"sqlite:///{path}", create=True)
    SQLModel.metadata.create_all(engine, tables=[tables.SchemaMeta.__table__, *PULLED_TABLES])
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX IF EXISTS uq_one_production")
        for statement in CACHE_INDEXES:
            connection.exec_driver_sql(statement)
    return engine


def read_state(cache: Engine) -> CacheState:
    """The cache's sync bookkeeping."""
    with Session(cache) as session:
        meta = _meta(session)
    return CacheState(
        last_seen=int(meta.get(LAST_SEEN, "0")),
        synced_at=_parse_time(meta.get(SYNCED_AT)),
        offline_since=_parse_time(meta.get(OFFLINE_SINCE)),
        last_error=meta.get(LAST_ERROR) or None,
    )


def record_failure(cache: Engine, message: str, now: datetime) -> None:
    """Remember that the registry was unreachable (keeping the first time it became so)."""
    with Session(writer(cache)) as session:
        meta = _meta(session)
        values = {LAST_ERROR: message}
        if not meta.get(OFFLINE_SINCE):
            values[OFFLINE_SINCE] = now.isoformat()
        _set(session, values)
        session.commit()


def pull(registry: Engine, cache: Engine, *, registry_id: str, registry_url: str, now: datetime) -> SyncReport:
    """Bring every change above the cache's counter into it, in one registry snapshot and one cache write."""
    started = time.perf_counter()
    source = registry if is_sqlite(registry) else registry.execution_options(isolation_level="REPEATABLE READ")
    with Session(source) as reader, Session(writer(cache)) as target:
        meta = _meta(target)
        reset = meta.get(REGISTRY_ID) not in (None, registry_id)
        last_seen = 0 if reset else int(meta.get(LAST_SEEN, "0"))
        if reset:
            _clear(target)
        top = current_change(reader)
        report = SyncReport(from_seq=last_seen, to_seq=max(top, last_seen), reset=reset)
        if top > last_seen:
            for table in PULLED_TABLES:
                report.counts[table.name] = _copy_changes(reader, target, table, last_seen, top, report)
        _set(target, {
            LAST_SEEN: str(report.to_seq), REGISTRY_ID: registry_id, REGISTRY_URL: registry_url,
            SYNCED_AT: now.isoformat(), OFFLINE_SINCE: "", LAST_ERROR: "",
        })
        target.commit()
    report.seconds = time.perf_counter() - started
    return report


def _copy_changes(reader: Session, target: Session, table: Table, low: int, high: int, report: SyncReport) -> int:
    """Upsert the table's rows with low < change_seq <= high into the cache, in batches."""
    copied = 0
    statement = _upsert(table)
    for batch in _changed_rows(reader, table, low, high):
        target.connection().execute(statement, batch)
        copied += len(batch)
        if table.name == "model_version":
            report.versions += [f"{row['model']}@{row['version']}" for row in batch]
        elif table.name == "event":
            report.events += len(batch)
    return copied


@functools.cache
def _upsert(table: Table) -> Any:
    """INSERT ... ON CONFLICT(primary key) DO UPDATE of every other column (rows change in place).

    Built once per table: constructing it (the `excluded` column collection) cost more than the
    upsert of a small pull.
    """
    statement = sqlite_insert(table)
    keys = [c.name for c in table.primary_key.columns]
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )


def _changed_rows(reader: Session, table: Table, low: int, high: int) -> Iterator[list[dict[str, Any]]]:
    """Changed rows as plain dicts, key-ordered batches so memory stays bounded."""
    key = list(table.primary_key.columns)[0]
    after: Any = None
    while True:
        query = select(table).where(table.c.change_seq > low, table.c.change_seq <= high)
        if after is not None:
            query = query.where(key > after)
        rows = reader.connection().execute(query.order_by(key).limit(BATCH)).mappings().all()
        if not rows:
            return
        yield [_normalise(dict(row)) for row in rows]
        if len(rows) < BATCH:
            return  # a short batch is the last one: no extra empty query per changed table
        after = rows[-1][key.name]


def _normalise(row: dict[str, Any]) -> dict[str, Any]:
    """Store every timestamp in the cache as UTC."""
    return {k: as_utc(v) if isinstance(v, datetime) else v for k, v in row.items()}


def _clear(session: Session) -> None:
    """Empty the cache (the registry at this URL was re-created)."""
    for table in reversed(PULLED_TABLES):
        session.connection().execute(delete(table))


def _meta(session: Session) -> dict[str, str]:
    """All cache bookkeeping keys."""
    return {row.key: row.value for row in session.execute(select(tables.SchemaMeta)).scalars()}


def _set(session: Session, values: dict[str, str]) -> None:
    """Set bookkeeping keys in one statement."""
    session.connection().execute(_upsert(tables.SchemaMeta.__table__), [{"key": k, "value": v} for k, v in values.items()])


def _parse_time(value: str | None) -> datetime | None:
    """A stored ISO timestamp, or None."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
