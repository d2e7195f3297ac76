"""Whether a registry has changed since the cache last pulled it, read without the ORM: its registry id, schema
version and change counter, with plain sqlite3 from an SQLite file or psycopg from PostgreSQL (one connection, two
statements), so a read on a current cache needs no sync."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regtui.urls import RegistryUrl, parse_url

PROBED_SCHEMA_VERSION = "5"
"""The schema this regtui reads (regtui.store.schema.SCHEMA_VERSION; tests keep the two equal). A registry of
another version is left to the full path, which upgrades the check into a clear refusal."""
PROBE_TIMEOUT_S = 1.0
PG_CONNECT_TIMEOUT_S = 5
"""As the registry engine's (regtui.store.engine.CONNECT_TIMEOUT_S)."""
META_SQL = "SELECT key, value FROM regtui_meta WHERE key IN ('schema_version', 'registry_id')"
TOP_SQL = "SELECT value FROM change_counter WHERE id = 1"


@dataclass(frozen=True)
class RegistryMark:
    """A registry's identity and the change counter's committed value."""

    registry_id: str
    top: int


def sqlite_registry_path(url: str) -> Path | None:
    """The file of an sqlite:///PATH registry URL (None for any other URL, or an in-memory database)."""
    parsed = parse_url(url)
    if parsed is None or parsed.backend != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def probe_registry(url: str) -> RegistryMark | None:
    """The registry's id and counter, when it is an SQLite file or a PostgreSQL database of this schema that
    answers; None when it is not, or anything is unusual (the full path then syncs, or reports the problem)."""
    parsed = parse_url(url)
    if parsed is not None and parsed.backend == "postgresql":
        return probe_postgres_registry(parsed)
    return probe_sqlite_registry(url)


def probe_postgres_registry(url: RegistryUrl) -> RegistryMark | None:
    """The id and counter of a PostgreSQL registry, through psycopg alone (None: psycopg missing, or the server
    did not answer as a registry of this schema)."""
    try:
        import psycopg
    except ImportError:
        return None
    options: dict[str, Any] = {key: values[-1] for key, values in url.query if values}
    parts = {"host": url.host, "port": url.port, "user": url.username, "password": url.password, "dbname": url.database}
    options.update({key: value for key, value in parts.items() if value is not None})
    try:
        with psycopg.connect(connect_timeout=PG_CONNECT_TIMEOUT_S, autocommit=True, **options) as connection:
            meta = dict(connection.execute(META_SQL).fetchall())
            top = connection.execute(TOP_SQL).fetchone()
    except (psycopg.Error, TypeError, ValueError):
        return None
    return _mark(meta, top)


def probe_sqlite_registry(url: str) -> RegistryMark | None:
    """The registry's id and counter when it is an SQLite file of this schema that answers at once; None when it
    is not one, or anything is unusual (the full path then syncs, or reports the problem)."""
    path = sqlite_registry_path(url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=PROBE_TIMEOUT_S, isolation_level=None
        )
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")
        meta = dict(connection.execute(META_SQL).fetchall())
        top = connection.execute(TOP_SQL).fetchone()
        connection.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return _mark(meta, top)


def _mark(meta: dict[str, str], top: tuple[Any, ...] | None) -> RegistryMark | None:
    """The mark of a registry of this schema (None for another schema, or no registry id or counter)."""
    if meta.get("schema_version") != PROBED_SCHEMA_VERSION or not meta.get("registry_id") or top is None:
        return None
    return RegistryMark(registry_id=meta["registry_id"], top=int(top[0]))
