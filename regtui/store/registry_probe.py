"""Whether an SQLite registry file has changed since the cache last pulled it, read with plain sqlite3 (no ORM):
its registry id, schema version and change counter, so a read on a current cache needs no sync."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from regtui.urls import parse_url

PROBED_SCHEMA_VERSION = "5"
"""The schema this regtui reads (regtui.store.schema.SCHEMA_VERSION; tests keep the two equal). A registry of
another version is left to the full path, which upgrades the check into a clear refusal."""
PROBE_TIMEOUT_S = 1.0


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
        meta = dict(connection.execute("SELECT key, value FROM regtui_meta").fetchall())
        top = connection.execute("SELECT value FROM change_counter WHERE id = 1").fetchone()
        connection.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if meta.get("schema_version") != PROBED_SCHEMA_VERSION or not meta.get("registry_id") or top is None:
        return None
    return RegistryMark(registry_id=meta["registry_id"], top=int(top[0]))
