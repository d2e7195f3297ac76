"""Hot-path statements straight through the SQLite driver: each compiled once, values converted by column type.

SQLAlchemy's per-execution work (cache key, parameter processing, result wrapping) costs more than SQLite
itself for a one-row UPDATE; these statements skip it. On PostgreSQL they go through SQLAlchemy as usual.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Connection, Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase

SQLITE = sqlite.dialect()
Params = Mapping[str, Any]


@dataclass(frozen=True)
class DriverForm:
    """A statement as the SQLite driver takes it: its text, parameter names in order, and each one's converter."""

    sql: str
    names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]

    def values(self, params: Params) -> list[Any]:
        """Positional driver values for one parameter set."""
        return [params[name] if convert is None else convert(params[name])
                for name, convert in zip(self.names, self.converters)]


@lru_cache(maxsize=32)
def driver_form(statement: UpdateBase | Select[Any], keys: tuple[str, ...]) -> DriverForm:
    """The SQLite form of a statement for parameter sets with these keys (an UPDATE sets what they name), compiled once."""
    compiled = statement.compile(dialect=SQLITE, column_keys=list(keys))
    names = tuple(compiled.positiontup or ())
    types = [compiled.binds[name].type for name in names]
    return DriverForm(str(compiled), names, tuple(t.dialect_impl(SQLITE).bind_processor(SQLITE) for t in types))


def write(connection: Connection, statement: UpdateBase, params: Params | Sequence[Params]) -> None:
    """Run an INSERT or UPDATE (one parameter set, or many alike) in the connection's transaction."""
    if connection.dialect.name != "sqlite":
        connection.execute(statement, params)
        return
    sets = [params] if isinstance(params, Mapping) else list(params)
    form = driver_form(statement, tuple(sets[0]))
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(form.sql, [form.values(p) for p in sets])
    except sqlite3.Error as exc:
        raise DBAPIError.instance(form.sql, None, exc, sqlite3.Error) from exc
    finally:
        cursor.close()


def read(connection: Connection, statement: Select[Any], params: Params) -> Sequence[Sequence[Any]]:
    """The rows of one read of plain (unconverted) columns; on SQLite in autocommit, so no BEGIN either."""
    if connection.dialect.name != "sqlite":
        return connection.execute(statement, params).all()
    form = driver_form(statement, tuple(params))
    cursor = connection.connection.driver_connection.cursor()
    try:
        return cursor.execute(form.sql, form.values(params)).fetchall()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(form.sql, None, exc, sqlite3.Error) from exc
    finally:
        cursor.close()
