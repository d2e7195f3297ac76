"""Where a pull reads the registry's changed rows: an attached SQLite file, or a driver connection.

Both copy column values as the registry stores them (JSON as its text, no ORM objects), so the cache
holds the same bytes whichever way the rows came; only PostgreSQL timestamps are converted, to the
UTC text SQLAlchemy's SQLite dialect writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol
from typing import cast as cast_type

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Table,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from regtui.errors import RegistryUnavailableError
from regtui.store.engine import is_sqlite
from regtui.store.schema import MUTABLE_VERSION_COLUMNS

BATCH = 5000
PG_CACHE_TIME_FORMAT = "YYYY-MM-DD HH24:MI:SS.US"
"""to_char format of the text SQLAlchemy's SQLite dialect stores for a datetime (microseconds always written)."""
PREFETCH = 1000
"""Rows of each table a driver pull asks for up front, every table in one round trip (the rest follows in batches)."""
TOP_SQL = "SELECT value FROM change_counter WHERE id = 1"
ATTACHED = "registry"


def probe_sql(prefix: str, mark: str) -> str:
    """The hash the registry's log holds at a position (`mark`) and the log's last position, in one row."""
    return (
        f"SELECT (SELECT hash FROM {prefix}event WHERE position = {mark}), "
        f"(SELECT coalesce(max(position), 0) FROM {prefix}event)"
    )


@dataclass(frozen=True)
class LogProbe:
    """What the registry's log holds at a witnessed position: that entry's hash (None: no such entry), its end."""

    found_hash: str | None
    log_end: int


class ChangeSource(Protocol):
    """The registry side of a pull, read in one snapshot."""

    def top(self, anchor_position: int | None = None) -> tuple[int, LogProbe | None]:
        """The registry's committed change counter, and the log probed at a witnessed position (when given)."""

    def changed(self, low: int, high: int) -> set[str]:
        """Names of the tables with rows in low < change_seq <= high."""

    def copy(self, table: Table, low: int, high: int, versions: list[str]) -> int:
        """Upsert the table's rows in that range into the cache; appends pulled versions as model@version."""


@contextmanager
def change_source(registry: Engine, target: Connection, tables: tuple[Table, ...]) -> Iterator[ChangeSource]:
    """A SQLite registry attached to the cache connection, otherwise a registry connection in one snapshot."""
    if attachable(registry):
        with _attached(registry, target):
            yield AttachedSource(target, tables)
        return
    source = registry if is_sqlite(registry) else registry.execution_options(isolation_level="REPEATABLE READ")
    with source.connect() as reader, reader.begin():
        yield DriverSource(reader, target, tables)


def sqlite_driver(connection: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under a SQLAlchemy one (ATTACH and some pragmas work only outside a transaction)."""
    return cast_type(sqlite3.Connection, connection.connection.driver_connection)


def attachable(registry: Engine) -> bool:
    """Whether the cache can read the registry inside SQLite (ATTACH): a SQLite registry file."""
    return is_sqlite(registry) and make_url(registry.url).database not in (None, "", ":memory:")


@contextmanager
def _attached(registry: Engine, target: Connection) -> Iterator[None]:
    """ATTACH the registry file to the cache connection (outside a transaction, as SQLite requires)."""
    path = Path(make_url(registry.url).database or "")
    if not path.is_file():  # ATTACH would create an empty file: the registry is gone or its share unmounted
        raise RegistryUnavailableError(f"no registry at {path}")
    driver = sqlite_driver(target)
    driver.execute(f"ATTACH DATABASE ? AS {ATTACHED}", (str(path),))
    try:
        yield
    finally:
        driver.execute(f"DETACH DATABASE {ATTACHED}")


def changed_sql(tables: tuple[Table, ...], prefix: str = "") -> str:
    """One query naming the tables with changes in (:low, :high] (each an index probe on change_seq)."""
    return " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS "
        f'(SELECT 1 FROM {prefix}"{t.name}" WHERE change_seq > :low AND change_seq <= :high)'
        for t in tables
    )


def upsert_sql(table: Table, select_from: str | None = None) -> str:
    """INSERT into the cache's table, from VALUES (?, ...) or a SELECT, updating the changeable columns on conflict.

    A version's registered fields never change (the registry's triggers refuse it), so a stage change
    rewrites only the indexes over its mutable columns, not every index of the version table.
    """
    names = [f'"{c.name}"' for c in table.columns]
    keys = [f'"{c.name}"' for c in table.primary_key.columns]
    rows = (
        f"VALUES ({', '.join('?' * len(names))})"
        if select_from is None
        else select_from.format(columns=", ".join(names))
    )
    mutable = MUTABLE_VERSION_COLUMNS if table.name == "model_version" else {c.name for c in table.columns}
    updates = ", ".join(
        f'"{c.name}" = excluded."{c.name}"' for c in table.columns if c.name in mutable and not c.primary_key
    )
    return (
        f'INSERT INTO main."{table.name}" ({", ".join(names)}) {rows} '
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


class AttachedSource:
    """A SQLite registry attached to the cache connection: INSERT .. SELECT inside SQLite, no Python per row."""

    def __init__(self, target: Connection, tables: tuple[Table, ...]) -> None:
        self.target = target
        self.changed_query = text(changed_sql(tables, f"{ATTACHED}."))

    def top(self, anchor_position: int | None = None) -> tuple[int, LogProbe | None]:
        """The counter; the first read of the registry, so it fixes the snapshot the copies and the probe read."""
        top = int(self.target.exec_driver_sql(f"SELECT value FROM {ATTACHED}.change_counter WHERE id = 1").scalar_one())
        if anchor_position is None:
            return top, None
        found, end = self.target.exec_driver_sql(probe_sql(f"{ATTACHED}.", "?"), (anchor_position,)).one()
        return top, LogProbe(found, int(end))

    def changed(self, low: int, high: int) -> set[str]:
        """Tables with changes in the range."""
        return set(self.target.execute(self.changed_query, {"low": low, "high": high}).scalars())

    def copy(self, table: Table, low: int, high: int, versions: list[str]) -> int:
        """A first pull transfers whole tables; later ones INSERT .. SELECT .. ON CONFLICT DO UPDATE changed rows."""
        # a first pull reads whole tables in key order, not row by row through the change_seq index
        rows = f'{ATTACHED}."{table.name}" {"NOT INDEXED" if low == 0 else ""} WHERE change_seq > ? AND change_seq <= ?'
        copied = self._transfer(table) if low == 0 else None
        if copied is None:
            copied = self.target.exec_driver_sql(
                upsert_sql(table, f"SELECT {{columns}} FROM {rows}"), (low, high)
            ).rowcount
        if table.name == "model_version":
            versions += [f"{model}@{version}" for _, model, version in self._pulled_versions(rows, low, high)]
        return copied

    def _pulled_versions(self, rows: str, low: int, high: int) -> list[tuple[int, str, str]]:
        """(id, model, version) of the pulled versions, in id order.

        After a first pull the cache holds exactly those: they are read through the covering
        (model, created_at, version) index (`model >= ''` holds for every row), not by scanning the wide rows.
        """
        if low == 0:
            pulled = self.target.exec_driver_sql("SELECT id, model, version FROM main.model_version WHERE model >= ''")
            return sorted(map(tuple, pulled), key=itemgetter(0))
        return list(
            map(tuple, self.target.exec_driver_sql(f"SELECT id, model, version FROM {rows} ORDER BY id", (low, high)))
        )

    def _transfer(self, table: Table) -> int | None:
        """Copy a whole table into the (empty) cache table with SQLite's transfer optimisation; None when it cannot.

        `INSERT INTO t SELECT * FROM registry.t` copies records and matching indexes without decoding a
        row. In the snapshot no row lies above the counter, so the whole table is the first pull's range.
        SQLite transfers only when the column lists agree, foreign keys are off (a first pull's journal
        mode) and every cache index has a twin in the registry: the cache-only ones are built afterwards.
        """
        if self._columns("main", table) != self._columns(ATTACHED, table):
            return None
        twins = set(self._index_sql(ATTACHED, table).values())
        own = {name: sql for name, sql in self._index_sql("main", table).items() if sql not in twins}
        for name in own:
            self.target.exec_driver_sql(f'DROP INDEX main."{name}"')
        copied = self.target.exec_driver_sql(
            f'INSERT INTO main."{table.name}" SELECT * FROM {ATTACHED}."{table.name}"'
        ).rowcount
        for sql in own.values():
            self.target.exec_driver_sql(sql)
        return copied

    def _columns(self, schema: str, table: Table) -> list[tuple[Any, ...]]:
        """The table's column definitions in that database (name, type, not null, default, key), in order."""
        return [tuple(row) for row in self.target.exec_driver_sql(f'PRAGMA {schema}.table_info("{table.name}")')]

    def _index_sql(self, schema: str, table: Table) -> dict[str, str]:
        """The table's declared indexes in that database, by name."""
        return dict(
            self.target.exec_driver_sql(
                f"SELECT name, sql FROM {schema}.sqlite_master "
                "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (table.name,),
            ).all()
        )


class DriverSource:
    """Any registry through its driver: the first rows of every table in one round trip, then key-ordered
    batches; written with one prepared upsert per table (executemany)."""

    def __init__(self, reader: Connection, target: Connection, tables: tuple[Table, ...]) -> None:
        self.reader = reader
        self.target = target
        self.tables = tables
        self.prefetched: dict[str, list[tuple[Any, ...]]] = {}

    def top(self, anchor_position: int | None = None) -> tuple[int, LogProbe | None]:
        """The counter, the snapshot's first read, and the probe (PostgreSQL sends its BEGIN and both queries in
        one round trip)."""
        statements = [(TOP_SQL, {})]
        if anchor_position is not None:
            mark = "%(position)s" if self.reader.dialect.name == "postgresql" else ":position"
            statements.append((probe_sql("", mark), {"position": anchor_position}))
        results = run_driver_sql(self.reader, statements)
        probe = LogProbe(results[1][0][0], int(results[1][0][1])) if anchor_position is not None else None
        return int(results[0][0][0]), probe

    def changed(self, low: int, high: int) -> set[str]:
        """Tables with changes in the range: the first PREFETCH rows of every table, kept for `copy`.

        One round trip for all tables (a PostgreSQL pipeline) instead of one query naming the changed
        tables and one per changed table: on a busy machine each round trip waits for the server process
        to be scheduled, which cost a pull more than the queries themselves.
        """
        params = {"low": low, "high": high}
        statements = [(batch_sql(table, self.reader.dialect, PREFETCH)[0], params) for table in self.tables]
        self.prefetched = dict(zip((table.name for table in self.tables), run_driver_sql(self.reader, statements)))
        return {name for name, rows in self.prefetched.items() if rows}

    def copy(self, table: Table, low: int, high: int, versions: list[str]) -> int:
        """Batches of the values as the cache stores them (JSON and timestamps as text) into the cache."""
        statement = upsert_sql(table)
        copied = 0
        for rows in self._batches(table, low, high):
            self.target.exec_driver_sql(statement, rows)
            copied += len(rows)
            if table.name == "model_version":
                m, v = table.columns.keys().index("model"), table.columns.keys().index("version")
                versions += [f"{row[m]}@{row[v]}" for row in rows]
        return copied

    def _batches(self, table: Table, low: int, high: int) -> Iterator[list[tuple[Any, ...]]]:
        """The changed rows in primary-key order: the prefetched ones, then BATCH at a time after the last key."""
        rows, size = self.prefetched.pop(table.name), PREFETCH
        after_key = batch_sql(table, self.reader.dialect, BATCH)[1]
        position = list(table.columns).index(next(iter(table.primary_key.columns)))
        while True:
            if rows:
                yield rows
            if len(rows) < size:
                return  # a short batch is the last one: no extra empty query per changed table
            params = {"low": low, "high": high, "after": rows[-1][position]}
            rows, size = run_driver_sql(self.reader, [(after_key, params)])[0], BATCH


def run_driver_sql(connection: Connection, statements: list[tuple[str, dict[str, Any]]]) -> list[list[tuple[Any, ...]]]:
    """Driver SQL in the connection's transaction; the rows of each. PostgreSQL: one pipeline (one round trip),
    its errors raised as SQLAlchemy's (a lost connection invalidated), as any statement's would be."""
    if connection.dialect.name != "postgresql":
        return [list(map(tuple, connection.exec_driver_sql(sql, params).all())) for sql, params in statements]
    driver: Any = connection.connection.driver_connection
    error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.pipeline():
            cursors = [driver.execute(sql, params) for sql, params in statements]
        return [cursor.fetchall() for cursor in cursors]
    except error as exc:
        if connection.dialect.is_disconnect(exc, driver, None):
            connection.invalidate(exc)
        raise DBAPIError.instance(
            statements[0][0], None, exc, error, connection_invalidated=connection.invalidated
        ) from exc


@lru_cache(maxsize=64)
def batch_sql(table: Table, dialect: Dialect, size: int) -> tuple[str, str]:
    """The driver SQL of a table's first batch of `size` changed rows and of the batches after a key (built once).

    Parameters by name (:low, :high, :after, in the driver's style). Values come as the cache stores
    them: JSON as its text and, on PostgreSQL, timestamps formatted by the server as the UTC text
    SQLAlchemy's SQLite dialect writes (no datetime built and formatted per row in Python); a SQLite
    registry hands back its stored text as it is.
    """
    quote = dialect.identifier_preparer.quote
    mark = (lambda name: f"%({name})s") if dialect.name == "postgresql" else (lambda name: f":{name}")
    columns = ", ".join(_as_cache_text(quote(c.name), c, dialect) for c in table.columns)
    key = quote(next(iter(table.primary_key.columns)).name)
    rows = (
        f"SELECT {columns} FROM {quote(table.name)} WHERE change_seq > {mark('low')} AND change_seq <= {mark('high')}"
    )
    order = f" ORDER BY {key} LIMIT {size}"
    return rows + order, f"{rows} AND {key} > {mark('after')}{order}"


def _as_cache_text(name: str, column: Column[Any], dialect: Dialect) -> str:
    """A column's select expression: its value as the cache stores it (see batch_sql)."""
    if isinstance(column.type, JSON):
        return f"CAST({name} AS TEXT)"
    if isinstance(column.type, DateTime) and dialect.name == "postgresql":
        return f"to_char({name} AT TIME ZONE 'UTC', '{PG_CACHE_TIME_FORMAT}')"
    return name
