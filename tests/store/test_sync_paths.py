"""The pull's copy paths (SQLite transfer, INSERT .. SELECT from the attached file, driver batches) build the
same cache, byte for byte, as a copy of the registry through SQLAlchemy's types; failed pulls leave it as it was."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from regtui.services.registry import RegistryService
from regtui.store import cache_sources
from regtui.store.cache import PULLED_TABLES, open_cache, read_state
from regtui.store.cache_sources import AttachedSource, DriverSource
from regtui.store.mapping import as_utc
from tests.factories import (
    ServiceFactory,
    build_fixture_registry,
    change_stage,
    version_manifest,
)


def typed_copy(registry: Engine, path: Path) -> Engine:
    """The reference cache: every registry row read and written through SQLAlchemy's column types, timestamps as UTC."""
    cache = open_cache(path)
    with registry.connect() as source, cache.begin() as target:
        for table in PULLED_TABLES:
            rows = [
                {k: as_utc(v) if isinstance(v, datetime) else v for k, v in row.items()}
                for row in source.execute(select(table)).mappings()
            ]
            if rows:
                target.execute(insert(table), rows)
    return cache


def stored(cache: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every cached row as SQLite stores it: each value with its storage class, in key order."""
    with cache.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.exec_driver_sql(
                    f'SELECT {", ".join(f"typeof({c.name!r}), {c.name}" for c in table.columns)} FROM "{table.name}" '
                    f"ORDER BY {', '.join(c.name for c in table.primary_key.columns)}"
                )
            ]
            for table in PULLED_TABLES
        }


def change_registry(service: RegistryService, url: str, folder: Path) -> None:
    """New versions (inserted rows) and a stage change (an updated row)."""
    for version in ("2.1.0", "2.2.0"):
        service.register(version_manifest(folder, "churn", version, parent="2.0.0"))
    change_stage(url, "churn", "2.0.0", "Staging")


def journal_mode(path: Path) -> str:
    """The cache file's journal mode, read by a plain connection."""
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def test_first_and_incremental_pulls_store_what_a_typed_copy_stores(
    registry_url: str, writer_service: RegistryService, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """On either backend: a first pull, then one of inserts and an update, leave the bytes a typed copy writes."""
    reader = make_service(registry_url, init=False, cache=tmp_path / "reader.db")
    reader.sync()
    assert journal_mode(tmp_path / "reader.db") == "wal"
    change_registry(writer_service, registry_url, tmp_path / "new")
    assert reader.sync().counts["model_version"] == 3
    reference = typed_copy(writer_service.registry(), tmp_path / "reference.db")
    assert stored(reader.cache()) == stored(reference)
    reference.dispose()


@pytest.mark.parametrize("path", ["driver", "no-transfer"])
def test_every_path_from_a_sqlite_registry_builds_the_same_cache(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """The driver's batches, and INSERT .. SELECT without SQLite's transfer, give the bytes of the default pull."""
    writer = make_service(sqlite_url)
    writer.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    default = make_service(sqlite_url, init=False)
    default.sync()
    if path == "driver":
        monkeypatch.setattr(cache_sources, "attachable", lambda registry: False)
    else:
        monkeypatch.setattr(AttachedSource, "_transfer", lambda self, table: None)
    other = make_service(sqlite_url, init=False)
    other.sync()
    assert stored(other.cache()) == stored(default.cache())
    change_registry(writer, sqlite_url, tmp_path / "new")
    assert other.sync().versions == default.sync().versions == ["churn@2.0.0", "churn@2.1.0", "churn@2.2.0"]
    assert stored(other.cache()) == stored(default.cache())


def test_a_first_pull_while_another_connection_reads_the_cache_keeps_wal(
    registry_url: str, writer_service: RegistryService, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Another process holding the cache open: the first pull stays in WAL mode (and still gets every row)."""
    cache = tmp_path / "shared.db"
    reader = make_service(registry_url, init=False, cache=cache)
    reader.cache()
    with sqlite3.connect(cache) as other:
        other.execute("SELECT count(*) FROM model_version").fetchone()
        report = reader.sync()
        assert journal_mode(cache) == "wal"
        assert other.execute("SELECT count(*) FROM model_version").fetchone()[0] == len(report.versions) == 7


@pytest.mark.parametrize("first", [True, False], ids=["first-pull", "incremental"])
def test_a_pull_failing_midway_leaves_the_cache_as_it_was(
    registry_url: str,
    writer_service: RegistryService,
    make_service: ServiceFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    first: bool,
) -> None:
    """A pull interrupted after copying some tables rolls back: rows and counter unchanged, next pull completes."""
    cache = tmp_path / "cache.db"
    reader = make_service(registry_url, init=False, cache=cache)
    if not first:
        reader.sync()
        change_registry(writer_service, registry_url, tmp_path / "new")
    before, state = stored(reader.cache()), read_state(reader.cache())
    copy = {AttachedSource: AttachedSource.copy, DriverSource: DriverSource.copy}

    def failing(self: Any, table: Any, *args: Any) -> int:
        """Copy until the event table, then fail as a lost connection would."""
        if table.name == "event":
            raise OSError("connection lost")
        return copy[type(self)](self, table, *args)

    for kind in copy:
        monkeypatch.setattr(kind, "copy", failing)
    with pytest.raises(OSError):
        reader.sync()
    assert stored(reader.cache()) == before and read_state(reader.cache()) == state
    assert journal_mode(cache) == "wal"
    for kind, original in copy.items():
        monkeypatch.setattr(kind, "copy", original)
    reader.sync()
    assert stored(reader.cache()) == stored(typed_copy(writer_service.registry(), tmp_path / "reference.db"))


def index_names(path: Path) -> set[str]:
    """Names of the indexes in a cache file (SQLite's automatic ones included)."""
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def test_open_cache_creates_missing_indexes(tmp_path: Path) -> None:
    """An index missing from an existing cache file (an older regtui, a dropped one) is created when it opens."""
    path = tmp_path / "cache.db"
    open_cache(path).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("DROP INDEX ix_cache_version_newest")
        connection.execute("DROP INDEX ix_event_kind")
    open_cache(path).dispose()
    names = index_names(path)
    assert {
        "ix_cache_version_newest",
        "ix_event_kind",
        "ix_cache_version_live",
    } <= names and "uq_one_production" not in names


def test_open_cache_drops_indexes_no_read_uses(tmp_path: Path) -> None:
    """A cache file with the indexes an older regtui kept (on change_seq, the registry's per-model ones) loses them."""
    path = tmp_path / "cache.db"
    open_cache(path).dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE INDEX ix_model_version_change_seq ON model_version (change_seq)")
        for name, columns in [("ix_version_model_order", "model, semver_key"), ("ix_model_version_stage", "stage")]:
            connection.execute(f"CREATE INDEX {name} ON model_version ({columns})")
        connection.execute("CREATE INDEX ix_event_model ON event (model)")
    open_cache(path).dispose()
    names = index_names(path)
    assert not {name for name in names if name.endswith("_change_seq")}
    assert not {"ix_version_model_order", "ix_model_version_stage", "ix_event_model"} & names
    assert {"ix_version_listing", "ix_cache_version_newest", "ix_cache_version_live", "ix_cache_event_drill"} <= names


def test_driver_batches_after_the_first_bring_the_rest(
    registry_url: str,
    writer_service: RegistryService,
    make_service: ServiceFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Through the driver, 2 rows of each table up front then batches of 3 (each after the last key of the one
    before) copy every row."""
    monkeypatch.setattr(cache_sources, "attachable", lambda registry: False)
    monkeypatch.setattr(cache_sources, "PREFETCH", 2)
    monkeypatch.setattr(cache_sources, "BATCH", 3)
    reader = make_service(registry_url, init=False, cache=tmp_path / "reader.db")
    assert reader.sync().counts["model_version"] == 7
    change_registry(writer_service, registry_url, tmp_path / "new")
    assert reader.sync().versions == ["churn@2.0.0", "churn@2.1.0", "churn@2.2.0"]
    assert stored(reader.cache()) == stored(typed_copy(writer_service.registry(), tmp_path / "reference.db"))
