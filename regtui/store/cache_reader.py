"""Plain sqlite3 reads of the local cache, for what the dashboard shows before the ORM is loaded.

One connection shared by the table's worker threads (a lock lets one read run at a time), opened only when the
cache file exists: a missing file, or one whose tables the first sync has not created yet, reads as empty.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from regtui.errors import RegtuiError

CACHE_LAYOUT_KEY = "cache_layout"
CACHE_LAYOUT_VERSION = "4"
"""Version of the cache's tables and indexes (regtui.store.cache rebuilds a file of another one at its next open;
version 1: the registry's constraints and the per-model indexes on every version; version 2: the major/minor/patch/
prerelease columns semver_key replaced; version 3: without the provenance columns of schema 5 and the artifacts'
object_version and etag). Until then a cache of another layout reads as empty."""
LAYOUT_SQL = f"SELECT value FROM regtui_meta WHERE key = '{CACHE_LAYOUT_KEY}'"
READ_BUSY_TIMEOUT_S = 5.0
"""How long a read waits for a lock (WAL readers wait only while a checkpoint or recovery runs)."""
READ_MMAP_BYTES = 1 << 30
"""Read the cache file through a memory map, as the cache's own connections do (deep windows copy no pages)."""


class CacheReadError(RegtuiError):
    """The local cache could not be read."""

    title = "Cache"


class CacheCorruptError(CacheReadError):
    """The local cache file is not a sound SQLite database (SQLITE_CORRUPT, SQLITE_NOTADB): a sync sets it aside and
    rebuilds it from the registry."""


class Snapshot:
    """Statements run in one read transaction of the cache (on a missing cache: no rows)."""

    def __init__(self, connection: sqlite3.Connection | None) -> None:
        self.connection = connection

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row a query returns; none when the cache has no such table yet."""
        if self.connection is None:
            return []
        try:
            return self.connection.execute(sql, parameters).fetchall()
        except sqlite3.OperationalError as exc:
            if str(exc).startswith("no such table"):
                return []
            raise

    def value(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        rows = self.rows(sql, parameters)
        return rows[0][0] if rows else None


def _current_layout(snapshot: Snapshot) -> bool:
    """Whether the file has this regtui's cache layout (or none recorded: a file the first sync has not set up yet,
    or a registry file read the same way)."""
    return snapshot.value(LAYOUT_SQL) in (None, CACHE_LAYOUT_VERSION)


class CacheReader:
    """Reads of one cache file through one lazily opened sqlite3 connection, safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._opened_id: tuple[int, int] | None = None

    def __enter__(self) -> CacheReader:
        """The reader itself, closed when the block ends."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close the connection."""
        self.close()

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """One consistent read (a transaction), other threads' reads waiting; sqlite3 errors as CacheReadError."""
        with self._lock:
            try:
                connection = self._connect()
                if connection is None:
                    yield Snapshot(None)
                    return
                connection.execute("BEGIN")
                try:
                    yield Snapshot(connection if _current_layout(Snapshot(connection)) else None)
                finally:
                    connection.execute("COMMIT")
            except sqlite3.Error as exc:
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                hint = _hint(exc)
                error = CacheCorruptError if hint else CacheReadError
                raise error(f"cannot read the cache {self.path}: {message}{hint}") from None

    def _connect(self) -> sqlite3.Connection | None:
        """The connection, opened once the cache file exists (never creating it), and again when the file was
        replaced (a corrupt cache moved aside and rebuilt: the old connection would read the old file)."""
        if self._connection is not None and self._file_id() != self._opened_id:
            self._connection.close()
            self._connection = None
        if self._connection is None and self.path.is_file():
            self._opened_id = self._file_id()
            uri = f"{self.path.resolve().as_uri()}?mode=rw"
            connection = sqlite3.connect(
                uri, uri=True, timeout=READ_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA query_only=ON")
            connection.execute(f"PRAGMA mmap_size={READ_MMAP_BYTES}")
            self._connection = connection
        return self._connection

    def _file_id(self) -> tuple[int, int] | None:
        """The cache file's device and inode (None when it is gone)."""
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def close(self) -> None:
        """Close the connection (a later read opens it again)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _hint(exc: sqlite3.Error) -> str:
    """What to do about a corrupt cache file (SQLITE_CORRUPT, SQLITE_NOTADB), by the driver's error code."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return ""
    return "; the file is corrupt: move it away (or delete it) and the next sync rebuilds it from the registry"
