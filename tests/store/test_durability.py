"""Durable commits: every connection to a shared SQLite registry syncs each commit (synchronous=FULL, in WAL mode);
the local cache, rebuilt from the registry, stays at NORMAL."""

from __future__ import annotations

from contextlib import ExitStack

from sqlalchemy import Connection

from regtui.store.engine import writer
from tests.factories import ServiceFactory

FULL = 2
NORMAL = 1


def _settings(connection: Connection) -> tuple[int, str]:
    """The connection's (synchronous, journal_mode) on its main database."""
    synchronous = connection.exec_driver_sql("PRAGMA main.synchronous").scalar_one()
    journal = connection.exec_driver_sql("PRAGMA main.journal_mode").scalar_one()
    return int(synchronous), str(journal)


def test_every_registry_write_connection_is_full_and_wal(sqlite_url: str, make_service: ServiceFactory) -> None:
    """Every pooled connection (held at once, so each is a distinct one: the write engine shares the pool), a
    write transaction's connection, and the session and Core connection the services write through all report
    synchronous=FULL and WAL."""
    service = make_service(sqlite_url)
    with ExitStack() as stack:
        held = [stack.enter_context(service.registry().connect()) for _ in range(6)]
        assert [_settings(connection) for connection in held] == [(FULL, "wal")] * 6
    with writer(service.registry()).begin() as connection:
        assert _settings(connection) == (FULL, "wal")
    with service.writing() as session:
        assert _settings(session.connection()) == (FULL, "wal")
    with service.write_connection() as connection:
        assert _settings(connection) == (FULL, "wal")


def test_the_cache_stays_at_normal(sqlite_url: str, make_service: ServiceFactory) -> None:
    """Cache connections (reads and the pull's writes) keep synchronous=NORMAL in WAL mode."""
    service = make_service(sqlite_url)
    service.sync()
    with ExitStack() as stack:
        held = [stack.enter_context(service.cache().connect()) for _ in range(3)]
        assert [_settings(connection) for connection in held] == [(NORMAL, "wal")] * 3
    with writer(service.cache()).begin() as connection:
        assert _settings(connection) == (NORMAL, "wal")
