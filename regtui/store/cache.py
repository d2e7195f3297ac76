"""The local cache (SQLite, one per registry URL) and the pull that keeps it current.

A pull reads, in one snapshot of the shared registry, the change counter's committed value and every
row whose `change_seq` lies above the cache's last seen value and at or below that one. Writers take
counter values in commit order (they serialize on the counter row), so nothing is ever skipped, and
the cost of a pull grows with the changes, not with the registry.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Index, Table, event
from sqlmodel import SQLModel

from regtui.store import provider_tables, tables
from regtui.store.cache_sources import (
    ChangeSource,
    attachable,
    change_source,
    sqlite_driver,
)
from regtui.store.engine import BUSY_TIMEOUT_S, create_registry_engine, writer

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
LAST_SEEN = "last_seen"
REGISTRY_ID = "registry_id"
REGISTRY_URL = "registry_url"
SYNCED_AT = "synced_at"
OFFLINE_SINCE = "offline_since"
LAST_ERROR = "last_error"
META_UPSERT = "INSERT INTO main.regtui_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
LOCK_CACHE = f"UPDATE main.regtui_meta SET value = value WHERE key = '{LAST_SEEN}'"
"""A pull's first statement: a write, so its plain BEGIN holds the cache's write lock from the start (a
BEGIN IMMEDIATE would also lock an attached registry file and keep its writers out for the whole pull)."""
REGISTRY_ONLY_INDEXES = frozenset({"uq_one_production", "ix_version_model_order"})
"""Registry indexes the cache leaves out: rows are upserted one by one, so a swap of Production versions can meet
two mid-pull (uq_one_production); no cache read orders by (model, major, minor, patch) that ix_version_listing
and ix_cache_version_live do not serve (ix_version_model_order)."""
CACHE_PAGES_KIB = 65536
"""Page cache of each cache connection (64 MiB): the indexes a pull updates at 100k versions stay in memory."""
CACHE_MMAP_BYTES = 1 << 30
"""Cache connections read the cache file (main only: never a registry attached from a share) through a memory
map of up to 1 GiB: pages outside the page cache cost no read call and copy (a deep window of the version list
at 100k versions: ~13 ms -> ~7.5 ms)."""
CACHE_WAL_PAGES = 10_000
"""Checkpoint the cache's WAL every ~40 MB, not every 4 MB: at 100k versions one pull dirties ~600-1,000 pages
spread over the indexes, so the default checkpointed (and fsynced) on almost every pull; most pulls now only append."""


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
    """Open (creating when needed) a cache database with the registry's tables and indexes, without triggers."""
    engine = create_registry_engine(f"sqlite:///{path}", create=True)
    event.listen(engine, "connect", _tune_cache_connection)
    SQLModel.metadata.create_all(engine, tables=[tables.SchemaMeta.__table__, *PULLED_TABLES])
    with engine.begin() as connection:
        for table in PULLED_TABLES:
            for index in table.indexes:
                if _in_cache(index):
                    index.create(connection, checkfirst=True)
                else:
                    connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{index.name}"')
        for statement in CACHE_INDEXES:
            connection.exec_driver_sql(statement)
    return engine


def _in_cache(index: Index) -> bool:
    """Whether the cache keeps this registry index: not the registry-only ones, nor those on `change_seq`.

    Pulls filter the registry's `change_seq`, never the cache's, and no cache read uses it; each such index
    only cost a pull more pages to write (a promotion moves its version's entry from a random page).
    """
    return index.name not in REGISTRY_ONLY_INDEXES and [c.name for c in index.columns] != ["change_seq"]


def _tune_cache_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """A page cache large enough that a pull's upserts and the listings stay in memory, a memory-mapped cache file;
    checkpoints less often."""
    dbapi_connection.execute(f"PRAGMA cache_size=-{CACHE_PAGES_KIB}")
    dbapi_connection.execute(f"PRAGMA main.mmap_size={CACHE_MMAP_BYTES}")
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={CACHE_WAL_PAGES}")


def read_state(cache: Engine) -> CacheState:
    """The cache's sync bookkeeping."""
    with cache.connect() as connection:
        meta = _read_meta(connection)
    return CacheState(
        last_seen=int(meta.get(LAST_SEEN, "0")),
        synced_at=_parse_time(meta.get(SYNCED_AT)),
        offline_since=_parse_time(meta.get(OFFLINE_SINCE)),
        last_error=meta.get(LAST_ERROR) or None,
    )


def record_failure(cache: Engine, message: str, now: datetime) -> None:
    """Remember that the registry was unreachable (keeping the first time it became so)."""
    with writer(cache).begin() as connection:
        values = {LAST_ERROR: message}
        if not _read_meta(connection).get(OFFLINE_SINCE):
            values[OFFLINE_SINCE] = now.isoformat()
        _write_meta(connection, values)


def pull(registry: Engine, cache: Engine, *, registry_id: str, registry_url: str, now: datetime) -> SyncReport:
    """Bring every change above the cache's counter into it, in one registry snapshot and one cache write."""
    started = time.perf_counter()
    from_zero = _starts_from_zero(cache, registry_id)
    first = attachable(registry) and from_zero
    if first:
        cache.dispose()  # idle pooled connections would keep the first pull from changing the journal mode
    with (
        cache.connect() as target,
        _first_pull_mode(target, first),
        _unmapped(target, from_zero),
        change_source(registry, target, PULLED_TABLES) as source,
        target.begin(),
    ):
        report = _pull_into(target, source, registry_id)
        _write_meta(target, {
            LAST_SEEN: str(report.to_seq), REGISTRY_ID: registry_id, REGISTRY_URL: registry_url,
            SYNCED_AT: now.isoformat(), OFFLINE_SINCE: "", LAST_ERROR: "",
        })
    report.seconds = time.perf_counter() - started
    return report


def _pull_into(target: Connection, source: ChangeSource, registry_id: str) -> SyncReport:
    """Inside the cache transaction: reset for a re-created registry, then copy each changed table."""
    target.exec_driver_sql(LOCK_CACHE)
    meta = _read_meta(target)
    reset = meta.get(REGISTRY_ID) not in (None, registry_id)
    last_seen = 0 if reset else int(meta.get(LAST_SEEN, "0"))
    if last_seen == 0:
        _clear(target)  # a first pull starts from empty tables (SQLite transfers whole tables only into those)
    top = source.top()
    report = SyncReport(from_seq=last_seen, to_seq=max(top, last_seen), reset=reset)
    if top > last_seen:
        changed = source.changed(last_seen, top)
        for table in PULLED_TABLES:
            report.counts[table.name] = source.copy(table, last_seen, top, report.versions) if table.name in changed else 0
        report.events = report.counts["event"]
    return report


def _starts_from_zero(cache: Engine, registry_id: str) -> bool:
    """Whether the next pull copies the whole registry (a cache never synced, or one of a re-created registry)."""
    with cache.connect() as connection:
        meta = _read_meta(connection)
    return int(meta.get(LAST_SEEN, "0")) == 0 or meta.get(REGISTRY_ID) != registry_id


@contextmanager
def _first_pull_mode(target: Connection, first: bool) -> Iterator[None]:
    """A first pull from a SQLite file, when no other connection has the cache open: a rollback journal
    instead of WAL and no foreign-key checks.

    The new pages of an empty file are written once (in WAL mode: to the WAL, then again at the
    checkpoint), the journal stays small and a failed pull still rolls back; SQLite transfers whole
    tables only with foreign keys off. Readers opening the cache meanwhile wait for the commit (a few
    seconds at 100k versions), which is why the much longer first pull from PostgreSQL keeps WAL.
    """
    driver = sqlite_driver(target)
    if not first or not _use_rollback_journal(driver):
        yield
        return
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        try:
            driver.execute("PRAGMA foreign_keys=ON")
            driver.execute("PRAGMA main.journal_mode=WAL")
        except sqlite3.Error:
            target.invalidate()  # a reader holds the file: the next connection sets both when it opens


@contextmanager
def _unmapped(target: Connection, from_zero: bool) -> Iterator[None]:
    """A pull from zero reads the cache file without the memory map.

    It reads each page of the new file about once (the index builds), so the map saves nothing, and
    every mapped page would count in the process's resident memory (~150 MB more at 100k versions).
    """
    if not from_zero:
        yield
        return
    driver = sqlite_driver(target)
    driver.execute("PRAGMA main.mmap_size=0")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA main.mmap_size={CACHE_MMAP_BYTES}")


def _use_rollback_journal(driver: sqlite3.Connection) -> bool:
    """Switch the cache (only: an attached registry keeps WAL) to a rollback journal; False when others have it open."""
    driver.execute("PRAGMA busy_timeout=0")
    try:
        return driver.execute("PRAGMA main.journal_mode=DELETE").fetchone()[0] == "delete"
    except sqlite3.OperationalError:
        return False
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")


def _clear(target: Connection) -> None:
    """Empty the cache (the registry at this URL was re-created)."""
    for table in reversed(PULLED_TABLES):
        target.exec_driver_sql(f'DELETE FROM main."{table.name}"')


def _read_meta(connection: Connection) -> dict[str, str]:
    """All cache bookkeeping keys."""
    return dict(connection.exec_driver_sql("SELECT key, value FROM main.regtui_meta").all())


def _write_meta(connection: Connection, values: dict[str, str]) -> None:
    """Set bookkeeping keys in one statement."""
    connection.exec_driver_sql(META_UPSERT, list(values.items()))


def _parse_time(value: str | None) -> datetime | None:
    """A stored ISO timestamp, or None."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
