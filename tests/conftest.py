"""Shared pytest configuration for regtui's tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.factories", "tests.pg_server")

from regtui.config import Locations  # noqa: E402 - after registering assertion rewriting
from regtui.services.registry import RegistryService  # noqa: E402
from tests.factories import ADMIN, CliResult, ServiceFactory, run_cli  # noqa: E402
from tests.pg_server import create_database, database_of, drop_database  # noqa: E402

# Database backends: pg_admin_url, pg_url, sqlite_url, registry_url (see tests/pg_server.py).
pytest_plugins = ["tests.pg_server"]


@pytest.fixture(autouse=True)
def _terminal_with_glyphs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs as on a terminal with drawing glyphs (ASCII mode off), whatever TERM the test run has."""
    monkeypatch.setenv("TERM", "xterm-256color")


@pytest.fixture
def make_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceFactory]:
    """Factory of RegistryServices on a URL, each with its own cache; `init=True` creates the registry.

    On SQLite the acting identity is REGTUI_USER=admin; on PostgreSQL it is the database user `postgres`.
    Whoever initialises a registry becomes its first admin.
    """
    monkeypatch.setenv("REGTUI_USER", ADMIN)
    created: list[RegistryService] = []

    def factory(url: str, *, init: bool = True, cache: Path | None = None) -> RegistryService:
        """A service on url with a fresh (or the given) cache file."""
        path = cache or tmp_path / "caches" / f"cache-{uuid.uuid4().hex[:8]}.db"
        service = RegistryService(Locations(registry_url=url, cache_path=path))
        created.append(service)
        if init:
            service.init()
        return service

    yield factory
    for service in created:
        service.close()


@pytest.fixture
def other_registry_url(registry_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh registry URL on the same backend as registry_url (for round trips)."""
    if not registry_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'other-registry.db'}"
        return
    admin_url = str(request.getfixturevalue("pg_admin_url"))
    url = create_database(admin_url)
    try:
        yield url
    finally:
        drop_database(admin_url, database_of(url))


@pytest.fixture
def cli(
    registry_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """Run `regtui --registry registry_url --cache CACHE ARGS...` in-process as the admin identity."""
    monkeypatch.setenv("REGTUI_USER", ADMIN)
    cache = tmp_path / "cli-cache.db"

    def run(*args: str | Path) -> CliResult:
        """One CLI invocation on the test's registry and cache."""
        return run_cli(capsys, "--registry", registry_url, "--cache", str(cache), *map(str, args))

    return run
