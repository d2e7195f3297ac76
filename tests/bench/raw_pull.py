"""Prototype pulls for the proposal in the benchmark report: same result as regtui.store.cache.pull, faster.

Not used by regtui; bench_sync.py --pull raw|attach swaps one of them in for RegistryService.sync.

Why the current pull is slow on a full sync: every value makes a round trip through SQLAlchemy's type
system on both sides (JSON text -> json.loads -> dict -> json.dumps -> JSON text for three to four columns
per version, SQLite datetime text -> datetime -> as_utc -> datetime text), plus a dict per row and
per-row parameter processing: about 100 us of Python per row, 342k rows for 100k versions. The bytes
that land in the cache are the same ones the registry holds.

- raw_pull: one SELECT per batch with JSON columns read as text (CAST AS TEXT) and timestamps read
  without result processing; PostgreSQL timestamps are converted with the cache dialect's own datetime
  bind processor after as_utc (exactly the current conversion); rows go to the cache through the
  driver's executemany with one prepared INSERT .. ON CONFLICT DO UPDATE per table. Works for both
  backends. The bytes written are the same as the current pull's (SQLite registry: byte-identical;
  PostgreSQL: json::text is the text SQLAlchemy wrote, and timestamps use the same conversion).
- attach_pull (SQLite registries only): the cache connection ATTACHes the registry file and copies
  with INSERT .. SELECT .. ON CONFLICT DO UPDATE inside one transaction: the registry snapshot is the
  one the transaction's first read of it takes (the counter), so nothing is missed; no Python per row.
  The transaction is a deferred one that writes the cache first (BEGIN IMMEDIATE would also take the
  write lock of the attached registry and block its writers during the pull); the registry is only read.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Engine,
    String,
    Table,
    Text,
    cast,
    select,
    type_coerce,
)
from sqlalchemy.engine import make_url
from sqlmodel import Session

from regtui.store.cache import (
    LAST_ERROR,
    LAST_SEEN,
    OFFLINE_SINCE,
    PULLED_TABLES,
    REGISTRY_ID,
    REGISTRY_URL,
    SYNCED_AT,
    SyncReport,
)
from regtui.store.engine import is_sqlite, writer
from regtui.store.mapping import as_utc
from regtui.store.schema import current_change

BATCH = 5000


META_UPSERT = "INSERT INTO regtui_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"


def _bookkeeping(report: SyncReport, registry_id: str, registry_url: str, now: datetime) -> list[tuple[str, str]]:
    """The same meta keys and values the real pull writes."""
    return [(LAST_SEEN, str(report.to_seq)), (REGISTRY_ID, registry_id), (REGISTRY_URL, registry_url),
            (SYNCED_AT, now.isoformat()), (OFFLINE_SINCE, ""), (LAST_ERROR, "")]


def _meta(target: Session) -> dict[str, str]:
    """The cache's bookkeeping keys."""
    return dict(target.connection().exec_driver_sql("SELECT key, value FROM regtui_meta").all())


def _clear(target: Session) -> None:
    """Empty the cache (the registry at this URL was re-created)."""
    for table in reversed(PULLED_TABLES):
        target.connection().exec_driver_sql(f'DELETE FROM "{table.name}"')


def _upsert_sql(table: Table) -> str:
    """INSERT INTO t (all columns) VALUES (?, ...) ON CONFLICT (pk) DO UPDATE SET every other column."""
    names = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    q = '"{}"'.format
    return (
        f"INSERT INTO {q(table.name)} ({', '.join(map(q, names))}) VALUES ({', '.join('?' * len(names))}) "
        f"ON CONFLICT ({', '.join(map(q, keys))}) DO UPDATE SET "
        + ", ".join(f"{q(n)} = excluded.{q(n)}" for n in names if n not in keys)
    )


def raw_pull(registry: Engine, cache: Engine, *, registry_id: str, registry_url: str, now: datetime) -> SyncReport:
    """cache.pull without per-value type processing (see the module docstring)."""
    started = time.perf_counter()
    source = registry if is_sqlite(registry) else registry.execution_options(isolation_level="REPEATABLE READ")
    from_sqlite = is_sqlite(registry)
    with Session(source) as reader, Session(writer(cache)) as target:
        meta = _meta(target)
        reset = meta.get(REGISTRY_ID) not in (None, registry_id)
        last_seen = 0 if reset else int(meta.get(LAST_SEEN, "0"))
        if reset:
            _clear(target)
        top = current_change(reader)
        report = SyncReport(from_seq=last_seen, to_seq=max(top, last_seen), reset=reset)
        if top > last_seen:
            time_format = DateTime().dialect_impl(cache.dialect).bind_processor(cache.dialect)
            for table in PULLED_TABLES:
                report.counts[table.name] = _copy_raw(reader, target, table, last_seen, top, report,
                                                      None if from_sqlite else time_format)
        target.connection().exec_driver_sql(META_UPSERT, _bookkeeping(report, registry_id, registry_url, now))
        target.commit()
    report.seconds = time.perf_counter() - started
    return report


def _copy_raw(reader: Session, target: Session, table: Table, low: int, high: int, report: SyncReport,
              time_format: Any) -> int:
    """Copy one table's changed rows in key-ordered batches, values passed through untouched."""
    columns = list(table.columns)
    # JSON as its stored text, timestamps as the driver returns them: no result processing on the way out
    selected = [
        cast(c, Text) if isinstance(c.type, JSON) else type_coerce(c, String) if isinstance(c.type, DateTime) else c
        for c in columns
    ]
    times = [i for i, c in enumerate(columns) if isinstance(c.type, DateTime)]
    names = [c.name for c in columns]
    key = next(iter(table.primary_key.columns))
    key_index = names.index(key.name)
    insert_sql = _upsert_sql(table)
    base = select(*selected).where(table.c.change_seq > low, table.c.change_seq <= high).order_by(key).limit(BATCH)
    after: Any = None
    copied = 0
    while True:
        query = base if after is None else base.where(key > after)
        rows: list[Any] = [tuple(row) for row in reader.connection().execute(query)]
        if not rows:
            break
        if time_format is not None:  # PostgreSQL: aware datetimes -> the cache's UTC text, as pull does
            converted = []
            for row in rows:
                values = list(row)
                for i in times:
                    if values[i] is not None:
                        values[i] = time_format(as_utc(values[i]))
                converted.append(tuple(values))
            rows = converted
        target.connection().exec_driver_sql(insert_sql, rows)
        copied += len(rows)
        if table.name == "model_version":
            m, v = names.index("model"), names.index("version")
            report.versions += [f"{row[m]}@{row[v]}" for row in rows]
        elif table.name == "event":
            report.events += len(rows)
        if len(rows) < BATCH:
            break
        after = rows[-1][key_index]
    return copied


def attach_pull(registry: Engine, cache: Engine, *, registry_id: str, registry_url: str, now: datetime) -> SyncReport:
    """SQLite registry: copy inside SQLite (ATTACH + INSERT .. SELECT); other backends: raw_pull."""
    if not is_sqlite(registry):
        return raw_pull(registry, cache, registry_id=registry_id, registry_url=registry_url, now=now)
    started = time.perf_counter()
    path = make_url(registry.url).database
    connection = cache.raw_connection()
    try:
        driver = connection.driver_connection
        driver.execute("ATTACH DATABASE ? AS registry", (path,))
        try:
            # Not BEGIN IMMEDIATE: that would take a write lock on every attached file, the shared
            # registry included, and block its writers for the whole pull. A deferred transaction whose
            # first statement writes to the cache locks the cache only; the registry is only read.
            driver.execute("BEGIN")
            driver.execute(f"UPDATE main.regtui_meta SET value = value WHERE key = '{LAST_SEEN}'")
            try:
                report = _attach_copy(driver, registry_id, registry_url, now)
                driver.execute("COMMIT")
            except BaseException:
                driver.execute("ROLLBACK")
                raise
        finally:
            driver.execute("DETACH DATABASE registry")
    finally:
        connection.close()
    report.seconds = time.perf_counter() - started
    return report


def _attach_copy(driver: Any, registry_id: str, registry_url: str, now: datetime) -> SyncReport:
    """Inside the cache transaction: read the counter (fixes the snapshot), copy each table, bookkeeping."""
    meta = dict(driver.execute("SELECT key, value FROM main.regtui_meta").fetchall())
    reset = meta.get(REGISTRY_ID) not in (None, registry_id)
    last_seen = 0 if reset else int(meta.get(LAST_SEEN, "0"))
    if reset:
        for table in reversed(PULLED_TABLES):
            driver.execute(f'DELETE FROM main."{table.name}"')
    top = int(driver.execute("SELECT value FROM registry.change_counter WHERE id = 1").fetchone()[0])
    report = SyncReport(from_seq=last_seen, to_seq=max(top, last_seen), reset=reset)
    if top > last_seen:
        for table in PULLED_TABLES:
            names = [c.name for c in table.columns]
            keys = [c.name for c in table.primary_key.columns]
            cols = ", ".join(f'"{n}"' for n in names)
            where = "WHERE change_seq > ? AND change_seq <= ?"
            cursor = driver.execute(
                f'INSERT INTO main."{table.name}" ({cols}) SELECT {cols} FROM registry."{table.name}" {where} '
                f'ORDER BY "{keys[0]}" ON CONFLICT ({", ".join(keys)}) DO UPDATE SET '
                + ", ".join(f'"{n}" = excluded."{n}"' for n in names if n not in keys),
                (last_seen, top),
            )
            report.counts[table.name] = cursor.rowcount
            if table.name == "model_version":
                report.versions = [f"{m}@{v}" for m, v in driver.execute(
                    f"SELECT model, version FROM registry.model_version {where} ORDER BY id", (last_seen, top))]
            elif table.name == "event":
                report.events = cursor.rowcount
    driver.executemany(META_UPSERT, _bookkeeping(report, registry_id, registry_url, now))
    return report


PULLS = {"raw": raw_pull, "attach": attach_pull}
