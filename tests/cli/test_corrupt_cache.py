"""A corrupt cache file (not a database, or a malformed one) is moved aside, named in one warning line, and rebuilt
from the registry; with the registry unreachable the error names the file, where it went and what to do (exit 2).
Each run has a time bound."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_bad_input import assert_refused
from tests.factories import CLOSED_PORT_URL, CliResult, run_cli, version_manifest
from tests.time_bound import time_bound

BOUND_S = 60.0
PAGE = 4096


def not_a_database(path: Path) -> str:
    """Overwrite the whole file with bytes that are no SQLite header."""
    path.write_bytes(b"this is not an SQLite file " * 200)
    return "file is not a database"


def malformed(path: Path) -> str:
    """Keep the header page, overwrite every other page with garbage."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(PAGE)
        handle.write(b"\xa5" * (size - PAGE))
    return "database disk image is malformed"


def _settle(cache: Path) -> None:
    """No WAL left beside the cache (the last connection checkpointed it; a leftover would mask the damage)."""
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)


@pytest.mark.parametrize("damage", [not_a_database, malformed], ids=["not-a-database", "malformed"])
def test_a_corrupt_cache_is_moved_aside_and_rebuilt(
    registry_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[Path], str]
) -> None:
    """The next command warns in one line naming the file, its new name and the reason, and reads the registry."""
    cache = tmp_path / "cache.db"

    def cli(*args: str | Path) -> CliResult:
        """One run on the test's registry and cache, within the bound."""
        with time_bound(BOUND_S):
            return run_cli(capsys, "--registry", registry_url, "--cache", str(cache), *map(str, args))

    assert cli("init").code == 0
    assert cli("register", version_manifest(tmp_path / "m", "churn", "1.0.0")).code == 0
    _settle(cache)
    reason = damage(cache)
    result = cli("models", "--json")
    assert result.code == 0 and [m["name"] for m in result.json()["models"]] == ["churn"]
    (aside,) = tmp_path.glob("cache.db.corrupt-*[0-9]Z")
    assert result.err_lines == [
        f"regtui: the cache {cache} was corrupt ({reason}) and was moved to {aside}; rebuilt it from the registry"
    ]
    again = cli("models", "--json")
    assert again.code == 0 and again.err == "" and [m["name"] for m in again.json()["models"]] == ["churn"]


def test_a_corrupt_cache_with_the_registry_offline_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing to rebuild from: exit 2, one line naming the cache, where it was moved and what to do."""
    cache = tmp_path / "cache.db"
    not_a_database(cache)
    with time_bound(BOUND_S):
        result = run_cli(capsys, "--registry", CLOSED_PORT_URL, "--cache", str(cache), "models")
    (aside,) = tmp_path.glob("cache.db.corrupt-*[0-9]Z")
    assert_refused(
        result,
        f"regtui: the cache {cache} was corrupt (file is not a database) and was moved to {aside}; it cannot be "
        "rebuilt while the registry is unreachable (registry unreachable",
    )
    assert result.err.rstrip().endswith("run `regtui sync` once it answers")
    assert aside.read_bytes().startswith(b"this is not an SQLite file")


def test_a_damaged_page_met_by_a_later_read_is_moved_aside(
    registry_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cache opens and syncs, then a read meets a damaged table page: exit 2, one line naming the file, where it
    went and what to do; the next run rebuilds it."""
    cache = tmp_path / "cache.db"

    def cli(*args: str | Path) -> CliResult:
        """One run on the test's registry and cache, within the bound."""
        with time_bound(BOUND_S):
            return run_cli(capsys, "--registry", registry_url, "--cache", str(cache), *map(str, args))

    assert cli("init").code == 0 and cli("roles", "list").code == 0
    _settle(cache)
    with sqlite3.connect(cache) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'registry_user'").fetchone()[0]
    connection.close()
    with cache.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)
    result = cli("roles", "list")
    (aside,) = tmp_path.glob("cache.db.corrupt-*[0-9]Z")
    assert_refused(
        result,
        f"regtui: the cache {cache} was corrupt (database disk image is malformed) and was moved to {aside}; "
        "run the command again: its sync rebuilds the cache from the registry",
    )
    again = cli("roles", "list", "--json")
    assert again.code == 0 and len(again.json()) == 1
