"""The plain reader of the cache: empty before the first sync, one-line errors, shared between threads."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from regtui.services.registry import RegistryService
from regtui.store import model_list
from regtui.store.cache_reader import CACHE_LAYOUT_KEY, CacheReader, CacheReadError


def test_a_missing_cache_reads_as_empty_and_is_not_created(tmp_path: Path) -> None:
    """No cache file yet (before the first sync): no models, and the read creates no file."""
    path = tmp_path / "cache.db"
    with CacheReader(path) as reader, reader.snapshot() as snapshot:
        assert model_list.count_models(snapshot) == 0
        assert model_list.list_models(snapshot) == []
    assert not path.exists()


def test_a_cache_without_tables_yet_reads_as_empty(tmp_path: Path) -> None:
    """A file the first sync has only just created (no tables yet) reads as empty too."""
    path = tmp_path / "cache.db"
    path.touch()
    with CacheReader(path) as reader, reader.snapshot() as snapshot:
        assert model_list.count_models(snapshot) == 0
        models = model_list.list_models(snapshot)
        assert models == [] and model_list.model_states(snapshot, models, datetime.now(UTC)) == {}


def test_an_unreadable_cache_is_a_one_line_error(tmp_path: Path) -> None:
    """A file that is not a database: CacheReadError naming the file, in one line."""
    path = tmp_path / "cache.db"
    path.write_bytes(b"not a database\n" * 512)
    with CacheReader(path) as reader, pytest.raises(CacheReadError) as raised, reader.snapshot() as snapshot:
        model_list.count_models(snapshot)
    assert str(path) in raised.value.message and "\n" not in raised.value.message


def test_threads_share_one_reader(writer_service: RegistryService) -> None:
    """The table's workers read through one reader from several threads at once."""
    writer_service.sync()
    with CacheReader(writer_service.locations.cache_path) as reader:

        def count(_: int) -> int:
            """One read in a worker thread."""
            with reader.snapshot() as snapshot:
                return model_list.count_models(snapshot)

        with ThreadPoolExecutor(max_workers=4) as pool:
            counts = list(pool.map(count, range(40)))
    assert len(set(counts)) == 1 and counts[0] > 0


def test_a_cache_of_another_layout_reads_as_empty_until_it_is_rebuilt(writer_service: RegistryService) -> None:
    """A cache file an older regtui wrote (other columns) shows no rows, not an error, until the next open rebuilds
    it and a sync fills it."""
    writer_service.sync()
    path = writer_service.locations.cache_path
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE regtui_meta SET value = '2' WHERE key = ?", (CACHE_LAYOUT_KEY,))
    with CacheReader(path) as reader:
        with reader.snapshot() as snapshot:
            assert model_list.list_models(snapshot) == [] and model_list.count_models(snapshot) == 0
        rebuilt = RegistryService(writer_service.locations)
        try:
            rebuilt.sync()
        finally:
            rebuilt.close()
        with reader.snapshot() as snapshot:
            assert model_list.count_models(snapshot) > 0
