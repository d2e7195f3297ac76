"""Database engines: SQLite (WAL, busy timeout, BEGIN IMMEDIATE for writes) and PostgreSQL (psycopg 3).

SQLite's transactions follow SQLAlchemy's documented pysqlite recipe: the driver's own BEGIN is turned off
on connect, and the `begin` event sends ours (IMMEDIATE on a connection marked for writing). PostgreSQL
prepares no statement unless asked (`prepare_threshold`), so a pooler in transaction mode (PgBouncer) works."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError, NoSuchModuleError, OperationalError

from regtui.errors import ConflictError, InputError, RegistryUnavailableError
from regtui.store.db_errors import REFUSED, refusal_error
from regtui.urls import normalize_url, redact

BUSY_TIMEOUT_S = 15.0
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 30_000
PING_AFTER_IDLE_S = 1.0
REGISTRY_SYNCHRONOUS = "FULL"
"""SQLite's `synchronous` on the shared registry's connections: durable commits."""
SQLITE_BEGIN_WRITE = "BEGIN IMMEDIATE"
SQLITE_BEGIN_READ = "BEGIN DEFERRED"
WRITE_OPTION = "regtui_write"
SQLITE_AUTOCOMMIT_OPTION = "regtui_sqlite_autocommit"


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def create_registry_engine(url: str, *, create: bool = False, prepare_threshold: int | None = None) -> Engine:
    """An engine for the shared registry or a cache; `create` allows a new SQLite file and folder.

    `prepare_threshold` (PostgreSQL): prepare a statement once it has run that many times on a connection;
    None, the default, prepares none (what a pooler in transaction mode needs)."""
    url = normalize_url(url)
    parsed = make_url(url)
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(url, parsed.database, create)
        return _postgres_engine(url, prepare_threshold)
    except NoSuchModuleError:
        raise InputError(f"no driver for {redact(url)}: install regtui[postgres]") from None


PRIVATE_MODE = 0o600
SHARED_GROUP_MODE = 0o660


def create_registry_file(url: str, *, shared_group: bool = False) -> bool:
    """Create a new SQLite registry file readable and writable by its owner only (and its group when shared);
    SQLite gives its -wal and -shm files the same permissions. Returns whether a file was created.

    On SQLite the file's permissions are the registry's only boundary: whoever can write it can write anything."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return False
    path = Path(parsed.database).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = SHARED_GROUP_MODE if shared_group else PRIVATE_MODE
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    except FileExistsError:
        return False
    os.close(descriptor)
    os.chmod(path, mode)  # the umask may have taken bits the mode asked for
    return True


def _sqlite_engine(url: str, database: str | None, create: bool) -> Engine:
    """SQLite with WAL, a busy timeout, foreign keys, and our own BEGIN so writes can be IMMEDIATE."""
    if database and database != ":memory:":
        path = Path(database).expanduser()
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.is_file():  # gone, or its share unmounted: unreachable, so reads fall back to the cache
            raise RegistryUnavailableError(f"no registry at {path}: run `regtui init` to create one (or `regtui demo`)")
    # LIFO: the connection used last is used next, so a cache's pulls find their pages in its page cache
    engine = create_engine(
        url,
        pool_size=4,
        max_overflow=8,
        pool_use_lifo=True,
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """Per-connection pragmas; hand transaction control to SQLAlchemy's begin event.

    synchronous=FULL: in WAL mode every commit is synced to disk before it returns, so a power cut loses no
    promotion, approval or log entry regtui reported as done (NORMAL could lose the last commits). The cache,
    rebuilt from the registry, lowers it again (regtui/store/cache.py)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA synchronous={REGISTRY_SYNCHRONOUS}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    """BEGIN IMMEDIATE for write transactions (so writers queue up front), plain BEGIN for reads, none for a
    connection in autocommit (SQLITE_AUTOCOMMIT_OPTION: each statement is its own transaction, as with
    PostgreSQL's AUTOCOMMIT isolation level)."""
    options = connection.get_execution_options()
    if not options.get(SQLITE_AUTOCOMMIT_OPTION):
        connection.exec_driver_sql(SQLITE_BEGIN_WRITE if options.get(WRITE_OPTION) else SQLITE_BEGIN_READ)


def _postgres_engine(url: str, prepare_threshold: int | None) -> Engine:
    """PostgreSQL through psycopg 3 with connect and statement timeouts; pooled connections pinged after idling;
    statements prepared only from `prepare_threshold` runs on (never by default)."""
    timeouts = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={STATEMENT_TIMEOUT_MS}"
    engine = create_engine(
        url,
        pool_size=2,
        max_overflow=8,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": f"{timeouts} -c timezone=UTC",
            "application_name": "regtui",
            "prepare_threshold": prepare_threshold,
        },
    )
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", partial(_ping_if_idle, engine.dialect))
    return engine


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    """Remember when a connection went back to the pool (the entry's info goes with the DBAPI connection)."""
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dialect: Dialect, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that idled in the pool over PING_AFTER_IDLE_S (one round trip saved on a busy path).

    A dead connection raises DisconnectionError, so the pool replaces it and checks out again; a new one
    or one used within the last second is not pinged."""
    checked_in = record.info.get("checked_in")
    if checked_in is None or time.monotonic() - checked_in <= PING_AFTER_IDLE_S:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as exc:
        raise DisconnectionError(f"pooled connection is gone: {exc}") from exc


@lru_cache(maxsize=16)
def writer(engine: Engine) -> Engine:
    """The same engine marked for writing: SQLite opens its transactions with BEGIN IMMEDIATE (made once per engine)."""
    return engine.execution_options(**{WRITE_OPTION: True})


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Turn driver errors into one-line regtui errors: a refusal by constraint or SQLSTATE as its typed error,
    unreachable, or any other integrity failure as a conflict (others are raised as they are)."""
    try:
        yield
    except DBAPIError as exc:
        typed = refusal_error(exc)
        if typed is not None:
            raise typed from None
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            raise RegistryUnavailableError(f"registry unreachable ({redact(url)}): {_first_line(exc)}") from None
        if isinstance(exc, IntegrityError):
            raise ConflictError(f"{REFUSED}: {_first_line(exc)}") from None
        raise


def _first_line(exc: DBAPIError) -> str:
    """The driver's message, first line only, without SQLAlchemy's background link."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    return message.strip().splitlines()[0] if message.strip() else type(exc).__name__
