"""Hot-path statements straight through the driver: each compiled once per dialect, values converted by column type.

SQLAlchemy's per-execution work (cache key, parameter processing, result wrapping) costs more than SQLite
itself for a one-row UPDATE; these statements skip it. Several statements can go out together (`batch`):
on PostgreSQL in one pipeline, one round trip for all of them; on SQLite one after the other on the
driver. Rows come back as named tuples with the same attribute names and values as SQLAlchemy's rows.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from contextlib import nullcontext
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import TextClause

DIALECTS: dict[str, Dialect] = {"sqlite": sqlite.dialect(), "postgresql": postgresql.psycopg.dialect()}
Params = Mapping[str, Any]
Statement = UpdateBase | Select[Any] | TextClause
Converter = Callable[[Any], Any] | None


@dataclass(frozen=True)
class DriverForm:
    """A statement as the driver takes it: its text, parameters in order with converters, and its row shape."""

    sql: str
    names: tuple[str, ...]
    converters: tuple[Converter, ...]
    constants: Mapping[str, Any]
    row_type: Callable[..., Any] | None
    conversions: tuple[tuple[int, Callable[[Any], Any]], ...]

    def values(self, params: Params) -> list[Any]:
        """Driver values for one parameter set, in the statement's order (literal values where it has them)."""
        merged = {**self.constants, **params} if self.constants else params
        return [merged[name] if convert is None else convert(merged[name])
                for name, convert in zip(self.names, self.converters)]

    def named(self, params: Params) -> dict[str, Any]:
        """Driver values for one parameter set by name (PostgreSQL's pyformat)."""
        return dict(zip(self.names, self.values(params)))

    def rows(self, raws: Sequence[Sequence[Any]]) -> list[Any]:
        """Driver rows as named rows with converted values (plain tuples for a statement without columns).

        Rows of a join repeat the parent's columns: a value equal to the one above it is converted once, so
        those rows share its converted value (a decoded JSON document, say)."""
        if self.row_type is None:
            return [tuple(raw) for raw in raws]
        rows: list[Any] = []
        above: Sequence[Any] = ()
        for raw in raws:
            values = list(raw)
            for i, process in self.conversions:
                value = values[i]
                if value is not None:
                    values[i] = rows[-1][i] if above and value == above[i] else process(value)
            rows.append(self.row_type(*values))
            above = raw
        return rows


@lru_cache(maxsize=64)
def driver_form(statement: Statement, keys: tuple[str, ...], dialect_name: str = "sqlite") -> DriverForm:
    """The driver form of a statement for parameter sets with these keys (an UPDATE sets what they name), compiled once."""
    dialect = DIALECTS[dialect_name]
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    by_name = {name: bind for bind, name in compiled.bind_names.items()}
    names = tuple(by_name) if compiled.positiontup is None else tuple(compiled.positiontup)
    binds = [by_name[name] for name in names]
    constants = {name: bind.effective_value for name, bind in zip(names, binds)
                 if name not in keys and bind.value is not None}  # literal values the statement binds itself
    converters = tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds)
    row_type, conversions = _row_shape(statement, dialect)
    return DriverForm(str(compiled), names, converters, constants, row_type, conversions)


def _row_shape(statement: Statement, dialect: Dialect) -> tuple[Callable[..., Any] | None,
                                                                 tuple[tuple[int, Callable[[Any], Any]], ...]]:
    """A named-tuple type for a SELECT's rows and the columns whose values need converting, with their converters.

    PostgreSQL's driver converts its values itself."""
    if not isinstance(statement, Select):
        return None, ()
    columns = list(statement.selected_columns)
    row_type = namedtuple("DriverRow", [column.key for column in columns])  # type: ignore[misc]
    if dialect.name != "sqlite":
        return row_type, ()
    processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
    return row_type, tuple((i, process) for i, process in enumerate(processors) if process is not None)


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
    """The rows of one read of plain (unconverted) columns, straight on the driver (PostgreSQL: prepared).

    In autocommit, so no BEGIN either (on PostgreSQL, a connection from facts.single_read)."""
    if connection.dialect.name != "sqlite":
        return _pipelined(connection, [(statement, params)])[0]
    form = driver_form(statement, tuple(params))
    cursor = connection.connection.driver_connection.cursor()
    try:
        return cursor.execute(form.sql, form.values(params)).fetchall()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(form.sql, None, exc, sqlite3.Error) from exc
    finally:
        cursor.close()


def batch(connection: Connection, statements: Sequence[tuple[Statement, Params]]) -> list[list[Any]]:
    """Run statements in order in the connection's transaction; the rows of each (PostgreSQL: one round trip)."""
    if connection.dialect.name == "postgresql":
        return _pipelined(connection, statements)
    driver = connection.connection.driver_connection
    results = []
    for statement, params in statements:
        form = driver_form(statement, tuple(params))
        try:
            results.append(form.rows(driver.execute(form.sql, form.values(params)).fetchall()))
        except sqlite3.Error as exc:
            raise DBAPIError.instance(form.sql, None, exc, sqlite3.Error) from exc
    return results


def _pipelined(connection: Connection, statements: Sequence[tuple[Statement, Params]]) -> list[list[Any]]:
    """Statements sent in one psycopg pipeline (one round trip; one statement without one); the rows of each, errors
    as SQLAlchemy's."""
    driver = connection.connection.driver_connection
    forms = [(driver_form(statement, tuple(params), "postgresql"), params) for statement, params in statements]
    try:
        # a pipeline only for several statements: for one, its Sync costs more than it saves; prepared at first
        # use, so later runs on the connection skip parsing and planning
        with driver.pipeline() if len(forms) > 1 else nullcontext():
            cursors = [driver.execute(form.sql, form.named(params), prepare=True) for form, params in forms]
        # rownumber is None for a statement without rows (cheaper to ask than description)
        return [form.rows(cursor.fetchall()) if cursor.rownumber is not None else []
                for (form, _), cursor in zip(forms, cursors)]
    except connection.dialect.loaded_dbapi.Error as exc:
        if connection.dialect.is_disconnect(exc, driver, None):
            connection.invalidate(exc)
        raise DBAPIError.instance(forms[0][0].sql, None, exc, connection.dialect.loaded_dbapi.Error,
                                  connection_invalidated=connection.invalidated) from exc
