"""The local cache (SQLite, one per registry URL) and the pull that keeps it current.

A pull reads, in one snapshot of the shared registry, the change counter's committed value and every
row whose `change_seq` lies above the cache's last seen value and at or below that one. Writers take
counter values in commit order (they serialize on the counter row), so nothing is ever skipped, and
the cost of a pull grows with the changes, not with the registry.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Engine, Index, MetaData, Table, event

from regtui.domain.reports import CacheState, SyncReport
from regtui.store import provider_tables, tables
from regtui.store.cache_reader import CACHE_LAYOUT_KEY, CACHE_LAYOUT_VERSION
from regtui.store.cache_sources import (
    ChangeSource,
    attachable,
    change_source,
    sqlite_driver,
)
from regtui.store.engine import BUSY_TIMEOUT_S, create_registry_engine, writer
from regtui.store.queries import DRILL, LIVE_STAGE_SQL, PRODUCTION, sql_literal

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
META_UPSERT = (
    "INSERT INTO main.regtui_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
LOCK_CACHE = f"UPDATE main.regtui_meta SET value = value WHERE key = '{LAST_SEEN}'"
"""A pull's first statement: a write, so its plain BEGIN holds the cache's write lock from the start (a
BEGIN IMMEDIATE would also lock an attached registry file and keep its writers out for the whole pull)."""
REGISTRY_ONLY_INDEXES = frozenset(
    {
        "uq_one_production",
        "ix_version_model_order",
        "ix_model_version_stage",
        "ix_event_model",
    }
)
"""Registry indexes the cache leaves out. Rows are upserted one by one, so a swap of Production versions can meet
two mid-pull (uq_one_production). The others hold an entry for every version or log entry, keyed by model (or
stage), so each pull wrote a page of each per changed model (at 100k versions: distinct pages); the partial
indexes of CACHE_INDEXES serve their cache reads with only the few live versions and log entries."""
REGISTRY_ONLY_CONSTRAINTS = frozenset({"uq_model_version"})
"""Registry constraints the cache's tables go without (the registry enforces them): the (model, version) index
of uq_model_version was one more page per registered model; ix_cache_version_newest serves those lookups."""
PLACEHOLDER_SEMVER_KEY = "~"
"""Above every precedence key (they start with a digit)."""
PLACEHOLDER_CREATED_AT = "9999-12-31 23:59:59.999999"
PLACEHOLDER_STAGE = "(placeholder)"
CACHE_PAGES_KIB = 65536
"""Page cache of each cache connection (64 MiB): the indexes a pull updates at 100k versions stay in memory."""
CACHE_MMAP_BYTES = 1 << 30
"""Cache connections read the cache file (main only: never a registry attached from a share) through a memory
map of up to 1 GiB: pages outside the page cache cost no read call and copy (a deep window of the version list
at 100k versions reads mostly such pages)."""
CACHE_WAL_PAGES = 10_000
"""Checkpoint the cache's WAL every ~40 MB, not every 4 MB: at 100k versions one pull dirties ~600-1,000 pages
spread over the indexes, so the default checkpointed (and fsynced) on almost every pull; most pulls now only append."""
CACHE_SYNCHRONOUS = "NORMAL"
"""The cache's `synchronous`: a commit lost to a power cut is pulled again from the registry."""


CACHE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_cache_version_newest ON model_version (model, created_at, version)",
    "CREATE INDEX IF NOT EXISTS ix_cache_version_live ON model_version (model, stage, semver_key, version)"
    f" WHERE {LIVE_STAGE_SQL}",
    f"CREATE INDEX IF NOT EXISTS ix_cache_event_drill ON event (model, position) WHERE kind = {sql_literal(DRILL)}",
    "CREATE INDEX IF NOT EXISTS ix_cache_event_production ON event (model, version) "
    f"WHERE to_stage = {sql_literal(PRODUCTION)}",
)
"""Read-side indexes only the cache has. The model list's latest version, count and sort by latest, and
(model, version) lookups read ix_cache_version_newest instead of the wide version rows. The others are partial
(the queries repeat their conditions with the same literals), so they hold only the live versions and the few
log entries their reads need, and a pull writes their pages only when a version goes live: the model list's
live versions and stage filters, a model's Production version and pinned provider versions; a model's last
drill; the versions that were in Production (rollback targets)."""


def open_cache(path: Path) -> Engine:
    """Open (creating when needed) a cache database with the registry's tables and the cache's indexes, no triggers.

    A cache file of another layout version is emptied first (its next pull copies the whole registry again).
    """
    engine = create_registry_engine(f"sqlite:///{path}", create=True)
    event.listen(engine, "connect", _tune_cache_connection)
    with engine.connect() as connection:
        current = _stored_layout(connection) == CACHE_LAYOUT_VERSION
    if not current:
        with writer(engine).begin() as connection:
            _set_layout(connection)
    with engine.begin() as connection:  # writes nothing when the file is up to date (a pull may hold its write lock)
        metadata = _cache_metadata()
        metadata.create_all(connection)
        for table in metadata.sorted_tables:
            for index in table.indexes:
                index.create(connection, checkfirst=True)  # tables of an older cache file miss the newer indexes
        unused = {index.name for table in PULLED_TABLES for index in table.indexes if not _in_cache(index)}
        for name in sorted(unused | REGISTRY_ONLY_INDEXES):  # declared ones, and those of older layouts
            connection.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')
        for statement in CACHE_INDEXES:
            connection.exec_driver_sql(statement)
    return engine


def _cache_metadata() -> MetaData:
    """The cache's tables: the pulled tables with the indexes the cache keeps, without the registry-only constraints."""
    metadata = MetaData()
    for table in (tables.SchemaMeta.__table__, *PULLED_TABLES):
        copy = table.to_metadata(metadata)
        copy.indexes = {index for index in copy.indexes if _in_cache(index)}
        copy.constraints = {c for c in copy.constraints if c.name not in REGISTRY_ONLY_CONSTRAINTS}
    return metadata


def _stored_layout(connection: Connection) -> str | None:
    """The layout version recorded in the cache file, or None (a new file, or one from before layout versions)."""
    if not connection.dialect.has_table(connection, tables.SchemaMeta.__tablename__):
        return None
    return connection.exec_driver_sql(
        "SELECT value FROM main.regtui_meta WHERE key = ?", (CACHE_LAYOUT_KEY,)
    ).scalar_one_or_none()


def _set_layout(connection: Connection) -> None:
    """In a write transaction: empty a cache of another layout (unless another process just did), record this one."""
    if _stored_layout(connection) == CACHE_LAYOUT_VERSION:
        return
    tables.SchemaMeta.__table__.create(connection, checkfirst=True)
    _drop_pulled_tables(connection)
    _write_meta(connection, {CACHE_LAYOUT_KEY: CACHE_LAYOUT_VERSION})


def _drop_pulled_tables(connection: Connection) -> None:
    """Drop the cache tables (their indexes go with them) and forget the sync state: the next pull starts from zero."""
    for table in reversed(PULLED_TABLES):
        connection.exec_driver_sql(f'DROP TABLE IF EXISTS main."{table.name}"')
    connection.exec_driver_sql("DELETE FROM main.regtui_meta WHERE key IN (?, ?)", (LAST_SEEN, REGISTRY_ID))


def _in_cache(index: Index) -> bool:
    """Whether the cache keeps this registry index: not the registry-only ones, nor those on `change_seq`.

    Pulls filter the registry's `change_seq`, never the cache's, and no cache read uses it; each such index
    only cost a pull more pages to write (a promotion moves its version's entry from a random page).
    """
    return index.name not in REGISTRY_ONLY_INDEXES and [c.name for c in index.columns] != ["change_seq"]


def _tune_cache_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """A page cache large enough that a pull's upserts and the listings stay in memory, a memory-mapped cache file;
    checkpoints less often; synchronous=NORMAL, not the registry's FULL: a cache is rebuilt from the registry, so
    a commit lost to a power cut is pulled again."""
    dbapi_connection.execute(f"PRAGMA main.synchronous={CACHE_SYNCHRONOUS}")
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
        registry_url=meta.get(REGISTRY_URL) or None,
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
        _write_meta(
            target,
            {
                LAST_SEEN: str(report.to_seq),
                REGISTRY_ID: registry_id,
                REGISTRY_URL: registry_url,
                SYNCED_AT: now.isoformat(),
                OFFLINE_SINCE: "",
                LAST_ERROR: "",
            },
        )
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
            report.counts[table.name] = (
                source.copy(table, last_seen, top, report.versions) if table.name in changed else 0
            )
        report.events = report.counts["event"]
        if last_seen == 0:
            _make_room_for_new_versions(target)
    return report


def _make_room_for_new_versions(target: Connection) -> None:
    """After a pull from zero: leave room where each model's next version goes in its per-model indexes.

    CREATE INDEX (and SQLite's transfer) packs index leaves full, so for a long while after a full copy the
    first new version of each model would split a full leaf of ix_version_listing and of ix_cache_version_newest
    (five pages written instead of one: a pull of 100 changes at 100k versions wrote ~190 pages of one such
    index instead of ~65). One placeholder row per model, sorting where its next version will (above every
    version number, after every creation time), is inserted and deleted again in the same transaction: those
    leaves split once, up front, and no reader ever sees a placeholder.
    """
    version = tables.VersionRow.__table__
    names = ", ".join(f'"{c.name}"' for c in version.columns)
    values = ", ".join(_placeholder_value(c) for c in version.columns)
    last_id = target.exec_driver_sql("SELECT coalesce(max(id), 0) FROM main.model_version").scalar_one()
    target.exec_driver_sql(f"INSERT INTO main.model_version ({names}) SELECT {values} FROM main.model")
    target.exec_driver_sql("DELETE FROM main.model_version WHERE id > ?", (last_id,))


def _placeholder_value(column: Column[Any]) -> str:
    """A placeholder version's value of a column (SQL): its model's name, a fresh id, the sort keys of a model's
    next version, a stage outside the partial indexes, and NULL, 0 or '' elsewhere."""
    special = {
        "id": "NULL",
        "model": "name",
        "semver_key": sql_literal(PLACEHOLDER_SEMVER_KEY),
        "created_at": sql_literal(PLACEHOLDER_CREATED_AT),
        "stage": sql_literal(PLACEHOLDER_STAGE),
    }
    if column.name in special:
        return special[column.name]
    if column.nullable:
        return "NULL"
    return "0" if column.type.python_type in (int, float) else "''"


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


def is_corruption(exc: BaseException) -> bool:
    """Whether a database error says a file is not a sound SQLite database (SQLITE_CORRUPT, SQLITE_NOTADB), by the
    driver's error code, never by message text."""
    error = getattr(exc, "orig", None) or exc
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def cache_is_sound(path: Path) -> bool:
    """Whether a cache file passes SQLite's quick check (for telling a corrupt cache from a corrupt registry)."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return False
    try:
        return connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.Error:
        return False
    finally:
        connection.close()


def move_aside(path: Path, now: datetime) -> Path:
    """Rename a corrupt cache file, with its -wal and -shm files, to PATH.corrupt-YYYYMMDDTHHMMSSZ; the new name."""
    aside = path.with_name(f"{path.name}.corrupt-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            os.replace(source, f"{aside}{suffix}")
    return aside
