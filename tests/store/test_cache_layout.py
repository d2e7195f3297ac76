"""The cache's own layout: its indexes serve the reads (and give the registry's answers), an older layout is rebuilt."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from regtui.domain.entry import Stage
from regtui.services.registry import RegistryService
from regtui.store import facts, model_list, model_versions, provider_queries, queries, retention_reads, rollbacks
from regtui.store.cache import LAST_SEEN, PULLED_TABLES, read_state
from regtui.store.cache_reader import CacheReader, Snapshot
from regtui.store.engine import create_registry_engine, writer
from regtui.store.log import append_event
from regtui.store.policies import get_policy
from regtui.store.schema import next_change
from regtui.store.tables import SchemaMeta
from tests.factories import BASE_TIME, ServiceFactory, build_fixture_registry, cache_read, dump_rows

NOW = BASE_TIME + timedelta(days=30)

Read = Callable[[Session], Any]
READS: dict[str, tuple[Read, str]] = {
    "Production version": (lambda s: facts.production_row(s, "churn"), "ix_cache_version_live"),
    "was in Production": (lambda s: facts.was_in_production(s, "churn", "1.0.0"), "ix_cache_event_production"),
    "rollback targets": (
        lambda s: rollbacks.rollback_targets(s, "churn", get_policy(s).for_model("churn"), NOW),
        "ix_cache_event_production",
    ),
    "pinned versions": (lambda s: provider_queries.pinned_versions(s, NOW), "ix_cache_version_live"),
    "deprecated pins": (lambda s: provider_queries.deprecated_pins(s, NOW), "ix_cache_version_live"),
}

PlainRead = Callable[[Snapshot], Any]
PLAIN_READS: dict[str, tuple[PlainRead, str]] = {
    "model list, live versions": (lambda s: model_list.list_models(s), "ix_cache_version_live"),
    "model list, latest versions": (lambda s: model_list.list_models(s), "ix_version_listing"),
    "model list, has Canary": (lambda s: model_list.list_models(s, stage=Stage.CANARY.value), "ix_cache_version_live"),
    "model list, by latest": (
        lambda s: model_list.list_models(s, sort=model_list.ModelSort.LATEST),
        "ix_cache_version_newest",
    ),
    "model count, has Staging": (
        lambda s: model_list.count_models(s, stage=Stage.STAGING.value),
        "ix_cache_version_live",
    ),
    "last drills": (lambda s: model_list.last_drills(s, ["churn"]), "ix_cache_event_drill"),
    "one model's retention": (
        lambda s: retention_reads.retentions(s, "churn", retention_reads.stored_policy(s), NOW),
        "ix_cache_event_production",
    ),
    "versions past retention, a window's models": (
        lambda s: retention_reads.past_retention_counts(
            s, ["churn", "support-bot"], retention_reads.stored_policy(s), NOW + timedelta(days=400)
        ),
        "ix_cache_event_production",
    ),
    "a model's versions and metrics": (lambda s: model_versions.model_versions(s, "churn"), "ix_version_listing"),
    "version list": (lambda s: model_versions.list_versions(s, offset=2, limit=3), "ix_version_listing"),
    "one model's versions": (lambda s: model_versions.list_versions(s, "churn"), "ix_version_listing"),
    "latest version": (lambda s: model_versions.latest_version(s, "churn"), "ix_version_listing"),
    "one version in full": (lambda s: model_versions.version_detail(s, "churn", "1.1.0"), "ix_cache_version_newest"),
    "one version's artifacts": (lambda s: model_versions.version_detail(s, "churn", "1.1.0"), "ix_artifact_version_id"),
}
"""The model list's and the model screen's plain-SQL reads (regtui.store.model_list, model_versions), read with a
CacheReader."""


def record_drill(service: RegistryService, model: str) -> None:
    """A rollback drill entry in the registry's log."""
    with Session(writer(service.registry())) as session:
        append_event(
            session,
            seq=next_change(session),
            kind=queries.DRILL,
            actor="bob",
            at=NOW,
            model=model,
            version="1.1.0",
            details={"outcome": "ok"},
        )
        session.commit()


@contextmanager
def plans(cache: Any) -> Iterator[list[str]]:
    """EXPLAIN QUERY PLAN of every statement run on the cache meanwhile, with its own parameters."""
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        """Keep a statement and its parameters."""
        statements.append((statement, parameters))

    found: list[str] = []
    event.listen(cache, "before_cursor_execute", remember)
    try:
        yield found
    finally:
        event.remove(cache, "before_cursor_execute", remember)
    found += explained(Path(cache.url.database), statements)


def explained(path: Path, statements: list[tuple[str, Any]]) -> list[str]:
    """The steps of EXPLAIN QUERY PLAN of each statement, with its own parameters, on a database file."""
    with sqlite3.connect(path) as connection:
        return [
            row[3]
            for sql, parameters in statements
            for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters)
        ]


@contextmanager
def plain_plans(monkeypatch: pytest.MonkeyPatch, path: Path) -> Iterator[list[str]]:
    """EXPLAIN QUERY PLAN of every statement CacheReader snapshots run meanwhile (on the file at `path`)."""
    statements: list[tuple[str, Any]] = []
    rows = Snapshot.rows

    def remember(snapshot: Snapshot, sql: str, parameters: Any = ()) -> list[tuple[Any, ...]]:
        """Keep a statement and its parameters, then run it."""
        statements.append((sql, parameters))
        return rows(snapshot, sql, parameters)

    found: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(Snapshot, "rows", remember)
        yield found
    found += explained(path, statements)


def record_former_production(service: RegistryService, model: str, version: str) -> None:
    """A move to Production in the registry's log for a version imported as Archived (a former Production version)."""
    with Session(writer(service.registry())) as session:
        append_event(
            session,
            seq=next_change(session),
            kind="promote",
            actor="bob",
            at=BASE_TIME,
            model=model,
            version=version,
            from_stage=Stage.CANARY.value,
            to_stage=Stage.PRODUCTION.value,
            details={},
        )
        session.commit()


def synced_fixtures(url: str, make_service: ServiceFactory, tmp_path: Path) -> tuple[RegistryService, RegistryService]:
    """The fixture registry (churn drilled once, its Archived 1.0.0 once in Production) and a second operator's service
    whose cache has pulled it."""
    writer_service = make_service(url)
    writer_service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    record_drill(writer_service, "churn")
    record_former_production(writer_service, "churn", "1.0.0")
    reader = make_service(url, init=False)
    reader.sync()
    return writer_service, reader


@pytest.mark.parametrize("name", list(PLAIN_READS))
def test_plain_cache_reads_use_the_cache_indexes_and_give_the_registry_answers(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The plain SQL reads the cache through its (partial) indexes and answers as it does on the registry file."""
    writer_service, reader = synced_fixtures(sqlite_url, make_service, tmp_path)
    read, index = PLAIN_READS[name]
    cache_path = reader.locations.cache_path
    with CacheReader(cache_path) as cache, plain_plans(monkeypatch, cache_path) as found, cache.snapshot() as snapshot:
        cached = read(snapshot)
    registry_path = Path(make_url(writer_service.locations.registry_url).database or "")
    with CacheReader(registry_path) as registry, registry.snapshot() as snapshot:
        assert cached == read(snapshot) and cached
    assert any(index in step for step in found), found


@pytest.mark.parametrize("name", list(READS))
def test_cache_reads_use_the_cache_indexes_and_give_the_registry_answers(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path, name: str
) -> None:
    """Each read through the cache's (partial) indexes returns what the same read returns on the registry."""
    writer_service, reader = synced_fixtures(sqlite_url, make_service, tmp_path)
    read, index = READS[name]
    with plans(reader.cache()) as found, reader.reading() as session:
        cached = read(session)
    with writer_service.reading_registry() as session:
        assert cached == read(session)
    assert any(index in step for step in found), found


def test_a_cache_of_an_older_layout_is_emptied_and_pulled_again(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """A cache file an older regtui wrote (registry constraints on its tables, no layout version) is rebuilt."""
    writer_service = make_service(sqlite_url)
    writer_service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    path = tmp_path / "old-cache.db"
    reference = make_service(sqlite_url, init=False, cache=tmp_path / "reference.db")
    reference.sync()
    old_layout(reference, path)
    reader = make_service(sqlite_url, init=False, cache=path)
    assert read_state(reader.cache()).last_seen == 0
    with sqlite3.connect(path) as connection:
        assert not connection.execute("SELECT count(*) FROM model_version").fetchone()[0]
        assert not connection.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_model_version%'"
        ).fetchall()
    report = reader.sync()
    assert report.from_seq == 0 and len(report.versions) == 7
    assert dump_rows(reader.cache()) == dump_rows(reference.cache())


def old_layout(reference: RegistryService, path: Path) -> None:
    """Write the registry's tables (with their constraints) and a synced state into `path`, as an older regtui did."""
    engine = create_registry_engine(f"sqlite:///{path}", create=True)
    try:
        SQLModel.metadata.create_all(engine, tables=[SchemaMeta.__table__, *PULLED_TABLES])
        with engine.begin() as connection:
            connection.exec_driver_sql(f"ATTACH DATABASE '{reference.locations.cache_path}' AS reference")
            for table in PULLED_TABLES:
                names = ", ".join(f'"{c.name}"' for c in table.columns)
                connection.exec_driver_sql(
                    f'INSERT INTO main."{table.name}" ({names}) SELECT {names} FROM reference."{table.name}"'
                )
            connection.exec_driver_sql(
                "INSERT INTO main.regtui_meta SELECT * FROM reference.regtui_meta WHERE key != 'cache_layout'"
            )
        with engine.connect() as connection:
            assert (
                connection.exec_driver_sql(f"SELECT value FROM regtui_meta WHERE key = '{LAST_SEEN}'").scalar_one()
                != "0"
            )
    finally:
        engine.dispose()


def test_reads_never_see_the_placeholders_of_a_first_pull(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """The rows that leave room in the version order index after a pull from zero are gone when it commits."""
    writer_service = make_service(sqlite_url)
    writer_service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    reader = make_service(sqlite_url, init=False)
    reader.sync()
    assert dump_rows(reader.cache()) == dump_rows(writer_service.registry())
    assert cache_read(reader, model_versions.count_versions) == 7
    assert cache_read(reader, lambda s: model_versions.latest_version(s, "churn")) == "2.0.0"
