"""The one write transaction of the registry: every write (promote, decide, rollback, drill, register, roles,
policy, providers, init) runs in it.

On SQLite it opens with BEGIN IMMEDIATE (engine.py's `begin` event, so writers queue up front); on
PostgreSQL it is a plain transaction. It commits when its block ends and rolls back when the block raises
(or for a dry run); a database refusal (constraint, trigger, SQLSTATE) comes out as its typed error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from regtui.store.db_errors import refusal_error
from regtui.store.engine import WRITE_OPTION, writer


@contextmanager
def write_transaction(connection: Connection, *, commit: bool = True) -> Iterator[Connection]:
    """One write transaction on an open connection (which may have read before it): committed when the block ends,
    rolled back when it raises or `commit` is False; refusals raised as typed errors."""
    connection.execution_options(**{WRITE_OPTION: True})
    try:
        with connection.begin() as transaction:
            yield connection
            if not commit:
                transaction.rollback()
    except DBAPIError as exc:
        typed = refusal_error(exc)
        if typed is None:
            raise
        raise typed from None


@contextmanager
def writing(engine: Engine, *, commit: bool = True) -> Iterator[Connection]:
    """A pooled connection in one write transaction (see write_transaction)."""
    with writer(engine).connect() as connection, write_transaction(connection, commit=commit):
        yield connection


@contextmanager
def writing_session(engine: Engine, *, commit: bool = True) -> Iterator[Session]:
    """An ORM session whose work goes into one write transaction (see write_transaction), flushed at its end."""
    with writing(engine, commit=commit) as connection, Session(connection) as session:
        yield session
        session.flush()
