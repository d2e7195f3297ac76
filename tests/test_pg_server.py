"""Tests of the database fixtures: throwaway PostgreSQL databases and the per-backend registry URL."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from tests.pg_server import (
    DATABASE_PREFIX,
    create_database,
    create_pg_role,
    database_of,
    drop_database,
    grant_all_on_tables,
    libpq_url,
    skip_or_fail,
)


def query_one(url: str, query: str) -> tuple[Any, ...]:
    """Run one query on a database URL and return its single row."""
    with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return tuple(row)


def test_pg_url_accepts_connections_on_postgresql_15_or_later(pg_url: str) -> None:
    """The per-test database is reachable and runs a supported PostgreSQL."""
    version, version_num, database = query_one(
        pg_url, "SELECT version(), current_setting('server_version_num')::int, current_database()"
    )
    assert pg_url.startswith("postgresql+psycopg://")
    assert version.startswith("PostgreSQL ")
    assert version_num >= 150000
    assert database == database_of(pg_url) and database.startswith(DATABASE_PREFIX)


def test_each_database_is_distinct_and_isolated(pg_url: str, pg_admin_url: str) -> None:
    """A second database made the way pg_url makes one is different and does not see the first's tables."""
    with psycopg.connect(libpq_url(pg_url)) as conn:
        conn.execute("CREATE TABLE only_here (id int)")
    other_url = create_database(pg_admin_url)
    try:
        assert database_of(other_url) != database_of(pg_url)
        assert query_one(other_url, "SELECT to_regclass('only_here') IS NULL") == (True,)
    finally:
        drop_database(pg_admin_url, database_of(other_url))
    assert query_one(pg_admin_url, f"SELECT count(*) FROM pg_database WHERE datname = '{database_of(other_url)}'") == (
        0,
    )


def test_created_role_is_the_session_user_and_can_use_later_tables(pg_url: str) -> None:
    """A role from create_pg_role logs in without a password and may use tables created afterwards."""
    role = f"regtui_alice_{uuid.uuid4().hex[:8]}"
    role_url = create_pg_role(pg_url, role)
    with psycopg.connect(libpq_url(pg_url)) as conn:
        conn.execute("CREATE TABLE later (id serial PRIMARY KEY, note text)")
    grant_all_on_tables(pg_url, role)
    with psycopg.connect(libpq_url(role_url)) as conn:
        conn.execute("INSERT INTO later (note) VALUES ('hi')")
        assert conn.execute("SELECT session_user, count(*) FROM later").fetchone() == (role, 1)


def test_registry_url_yields_each_backends_url(registry_url: str, request: pytest.FixtureRequest) -> None:
    """registry_url runs a test once per backend with that backend's SQLAlchemy URL."""
    backend = request.node.callspec.params["registry_url"]
    expected_prefix = {"sqlite": "sqlite:///", "postgresql": "postgresql+psycopg://"}[backend]
    assert registry_url.startswith(expected_prefix)
    if backend == "sqlite":
        assert registry_url.endswith("/registry.db")


def test_missing_postgresql_fails_under_ci_and_skips_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without PostgreSQL, tests are skipped locally but fail under CI=true."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL not available: gone"):
        skip_or_fail("gone")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL not available: gone"):
        skip_or_fail("gone")
