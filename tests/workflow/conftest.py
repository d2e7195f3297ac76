"""Fixtures for the promotion-workflow tests: one seeded registry per backend, cloned for every test.

The seed is built once per session through the real write path: `init` as `admin`, a `kind: registry`
manifest (people, roles, teams, the model and its owning team), version manifests with real artifact
files, the policy set with set_registry_policy, and one gated Canary -> Production promotion.
Every test then works on its own copy: this folder's `registry_url` (same backends and ids as the one in
tests/pg_server.py) is a file copy on SQLite and CREATE DATABASE ... TEMPLATE on PostgreSQL. On
PostgreSQL every person is a real database role and acts through its own URL, because there the
identity is the session user; on SQLite the identity is passed to RegistryService.

State of model `churn` (owner team-risk) in every copy:
    1.0.0 Archived     former Production (replaced by 1.1.0 when the seed was built): the rollback target
    1.1.0 Production
    1.2.0 Canary       the next Production candidate
    1.3.0 Staging      complete model card, fairness attested (by carol, the seed's last log entry)
    1.4.0 Development  passes every offline threshold
    1.4.1 Development  fails the offline thresholds (overall and in segment region=EU)
    1.5.0 Staging      model card without limitations, fairness not attested (no attestation recorded)
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from regtui.config import Locations
from regtui.domain.approvals import Decision
from regtui.domain.checksums import file_uri_to_path
from regtui.domain.entry import Stage
from regtui.domain.policy import load_policy_text
from regtui.services import promotion
from regtui.services.admin import set_registry_policy
from regtui.services.registry import ReadStatus, RegistryService, utc_now
from regtui.store import promotions
from regtui.store.cache import read_state
from regtui.store.engine import create_registry_engine
from regtui.store.mapping import as_utc
from regtui.store.tables import EventRow, VersionRow
from tests.factories import (
    CliResult,
    dump_rows,
    run_cli,
    version_manifest,
    write_manifest,
)
from tests.pg_server import (
    DATABASE_PREFIX,
    connect_admin,
    create_database,
    create_pg_role,
    database_of,
    drop_database,
    grant_all_on_tables,
    replace_url_part,
    with_database,
)

MODEL = "churn"
ADMIN = "admin"
PEOPLE: dict[str, tuple[list[str], list[str]]] = {
    ADMIN: (["admin"], []),
    "alice": (["contributor"], ["team-risk"]),  # owning team; requests promotions
    "gina": (["reviewer"], ["team-risk"]),  # owning team and reviewer: may fill only one capacity
    "hank": (["contributor", "reviewer"], []),  # may request and review, never his own request
    "bob": (["reviewer"], []),
    "carol": (["reviewer"], []),
    "dave": (["releaser"], []),
    "erin": (["viewer"], ["product"]),  # the stakeholder sign-off (team product)
    "frank": (["viewer"], []),
}
POLICY_YAML = """
kind: policy
default:
  thresholds:
    - {metric: auc, min: 0.85}
    - {metric: latency_p95_ms, max: 40}
    - {metric: auc, min: 0.85, segments: all}
  canary_slos:
    - {metric: error_rate, max: 0.01}
  signoff_roles: [product]
  archival_checklist: [traffic drained, dashboards updated]
  retention_days: 30
  drill_cadence_days: 7
  min_canary_share: 1
"""
PRODUCTION_EVIDENCE: dict[str, Any] = {
    "canary_results": {"error_rate": 0.002},
    "archival_checklist": ["traffic drained", "dashboards updated"],
}
REVIEW_EVIDENCE: dict[str, Any] = {"review": "offline evaluation report r1"}
FAILING_METRICS = {
    "overall": {"auc": 0.8, "latency_p95_ms": 55.0},
    "segments": {"region=EU": {"auc": 0.79}, "region=US": {"auc": 0.86}},
}
INCOMPLETE_CARD = {
    "intended_use": "Scoring churn risk",
    "evaluation": "AUC 0.9",
    "fairness": {"summary": "gap of 3 points between regions"},
    "training_data": {"source": "warehouse.customers"},
    "responsible": {"team": "team-risk", "escalation_contact": "risk-oncall@example.com"},
}
VERSIONS: list[tuple[str, str | None, str, str, dict[str, Any]]] = [
    ("1.0.0", None, "initial", "Production", {}),
    ("1.1.0", "1.0.0", "retraining", "Canary", {"canary_share": 5}),
    ("1.2.0", "1.1.0", "retraining", "Canary", {"canary_share": 5}),
    ("1.3.0", "1.2.0", "retraining", "Staging", {}),
    ("1.4.0", "1.3.0", "retraining", "Development", {}),
    ("1.4.1", "1.4.0", "threshold", "Development", {"metrics": FAILING_METRICS}),
    ("1.5.0", "1.4.1", "retraining", "Staging", {"model_card": INCOMPLETE_CARD}),
]
CACHE_FILE = "cache.db"
Snapshot = tuple[dict[str, list[tuple[Any, ...]]], int]


class LocalService(RegistryService):
    """A RegistryService that does not pull into its cache after each write.

    These tests check the registry itself, and a pull after every write would dominate their runtime;
    tests of what reads the cache (the approval queue, drill ages) call sync() first, and the CLI and
    race tests use RegistryService unchanged.
    """

    def refresh(self) -> ReadStatus:
        """The cache's state, without pulling."""
        return ReadStatus(fresh=False, state=read_state(self.cache()), error="not pulled after the write")


class World:
    """One registry copy and its people: a service per identity, raw inspection, and workflow shortcuts."""

    def __init__(self, url: str, cache_path: Path) -> None:
        self.url = url
        self.cache_path = cache_path
        self._services: dict[str, RegistryService] = {}
        self._extra: list[RegistryService] = []
        self._engine: Engine | None = None

    @property
    def is_pg(self) -> bool:
        """Whether this registry is on PostgreSQL."""
        return self.url.startswith("postgresql")

    def url_for(self, identity: str) -> str:
        """The URL a person connects with: their own database role on PostgreSQL, the file on SQLite."""
        return replace_url_part(self.url, user=identity) if self.is_pg else self.url

    def service(self, identity: str = ADMIN, *, clock: Callable[[], datetime] | None = None) -> RegistryService:
        """A service acting as the identity (one per identity; a new one when a clock is given).

        All services of a world share one cache file (it mirrors the registry, whoever reads it), so each
        pull after a write copies only that write's rows.
        """
        if clock is None and identity in self._services:
            return self._services[identity]
        locations = Locations(registry_url=self.url_for(identity), cache_path=self.cache_path)
        service = LocalService(locations, clock=clock or utc_now, identity=identity)
        if clock is None:
            self._services[identity] = service
        else:
            self._extra.append(service)
        return service

    def promote(self, identity: str, version: str, to_stage: Stage, **options: Any) -> promotions.PromotionOutcome:
        """promotion.promote of churn@version as the identity."""
        return promotion.promote(self.service(identity), MODEL, version, to_stage, **options)

    def decide(
        self,
        identity: str,
        request_id: int,
        decision: Decision = Decision.APPROVE,
        comment: str = "reviewed the evaluation report and canary results",
    ) -> promotions.DecisionOutcome:
        """promotion.decide on a request as the identity."""
        return promotion.decide(self.service(identity), request_id, decision, comment)

    def production_request(self, version: str = "1.2.0", requester: str = "alice") -> int:
        """A Canary -> Production request whose gate passes (evidence, owner, stakeholder, reviewer) but not applied."""
        outcome = self.promote(requester, version, Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE)
        assert not outcome.applied and outcome.request_id is not None
        for identity in ("alice", "erin", "bob"):
            self.decide(identity, outcome.request_id)
        return outcome.request_id

    def engine(self) -> Engine:
        """An engine with full rights (the PostgreSQL superuser, or the SQLite file) for inspection."""
        if self._engine is None:
            self._engine = create_registry_engine(self.url)
        return self._engine

    def rows(self, statement: str, **params: Any) -> list[Any]:
        """Rows of a raw query."""
        with self.engine().connect() as connection:
            return list(connection.execute(text(statement), params))

    def execute(self, statement: str, **params: Any) -> None:
        """Run one raw statement in its own transaction (as an attacker with database access would)."""
        with self.engine().begin() as connection:
            connection.execute(text(statement), params)

    def stages(self) -> dict[str, str]:
        """Every churn version's stage."""
        return dict(self.rows("SELECT version, stage FROM model_version WHERE model = :m", m=MODEL))

    def changed_at(self, version: str) -> datetime:
        """When a churn version last changed stage (UTC)."""
        table = VersionRow.__table__
        query = select(table.c.stage_changed_at).where(table.c.model == MODEL, table.c.version == version)
        with self.engine().connect() as connection:
            return as_utc(connection.execute(query).scalar_one())

    def stage(self, version: str) -> str:
        """One churn version's stage."""
        return self.stages()[version]

    def events(self, after: int = 0) -> list[Any]:
        """Log entries after a position, in chain order."""
        table = EventRow.__table__
        query = select(table).where(table.c.position > after).order_by(table.c.position)
        with self.engine().connect() as connection:
            return list(connection.execute(query))

    def log_length(self) -> int:
        """How many entries the promotion log holds."""
        return int(self.rows("SELECT count(*) FROM event")[0][0])

    def snapshot(self) -> Snapshot:
        """Every row of every table plus the change counter: equal snapshots mean nothing was written."""
        counter = int(self.rows("SELECT value FROM change_counter WHERE id = 1")[0][0])
        return dump_rows(self.engine()), counter

    def artifact_path(self, version: str) -> Path:
        """The local file of a version's (single) artifact."""
        (uri,) = self.rows(
            "SELECT a.uri FROM artifact a JOIN model_version v ON v.id = a.version_id "
            "WHERE v.model = :m AND v.version = :v",
            m=MODEL,
            v=version,
        )[0]
        return file_uri_to_path(uri)

    def drop_append_only_triggers(self, table: str) -> None:
        """Remove a table's append-only protection (event, artifact), as an attacker with database access would."""
        if self.is_pg:
            self.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            self.execute(f"DROP TRIGGER trg_{table}_no_update")
            self.execute(f"DROP TRIGGER trg_{table}_no_delete")

    def close(self) -> None:
        """Release every connection."""
        for service in [*self._services.values(), *self._extra]:
            service.close()
        if self._engine is not None:
            self._engine.dispose()


@contextmanager
def tampered(path: Path) -> Iterator[None]:
    """An artifact file with different bytes for the duration (restored after: the seed's files are shared)."""
    original = path.read_bytes()
    path.write_bytes(original + b" tampered")
    try:
        yield
    finally:
        path.write_bytes(original)


def _seed(world: World, folder: Path) -> None:
    """Fill an initialised registry: people, model, versions, policy, then one gated Production promotion."""
    admin = world.service(ADMIN)
    write_manifest(
        folder / "manifests",
        {
            "kind": "registry",
            "users": [
                {"identity": who, "name": who.title(), "roles": roles, "teams": teams}
                for who, (roles, teams) in PEOPLE.items()
            ],
            "models": [{"name": MODEL, "owner": "team-risk", "description": "Churn within 30 days"}],
        },
        "registry.yaml",
    )
    for version, parent, kind, stage, fields in VERSIONS:
        version_manifest(folder / "manifests", MODEL, version, parent=parent, change_kind=kind, stage=stage, **fields)
    admin.import_paths([folder / "manifests"])
    set_registry_policy(admin, load_policy_text(POLICY_YAML, "workflow test policy"))
    world.production_request("1.1.0")
    assert world.promote("dave", "1.1.0", Stage.PRODUCTION).applied
    promotion.attest(world.service("carol"), MODEL, "1.3.0", "fairness", "checked the regional gap table")


class SeedBank:
    """The seeded registries of this session (with their warm caches), built on first use, one per backend."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._pg: tuple[str, str] | None = None

    def clone_sqlite(self, url: str, cache: Path) -> None:
        """Copy the seeded SQLite file to the URL's path, and its cache to `cache`."""
        if self._sqlite is None:
            self._sqlite = self._build_sqlite()
        shutil.copyfile(self._sqlite, str(make_url(url).database))
        shutil.copyfile(self.folder / "sqlite" / CACHE_FILE, cache)

    def clone_postgres(self, admin_url: str, cache: Path) -> str:
        """A new database copied from the seeded one (CREATE DATABASE ... TEMPLATE), its cache to `cache`; its URL."""
        if self._pg is None:
            self._pg = (admin_url, self._build_postgres(admin_url))
        url = with_database(admin_url, f"{DATABASE_PREFIX}{uuid.uuid4().hex}")
        with connect_admin(admin_url) as connection:
            # FILE_COPY (PostgreSQL 15+; older servers only have it) copies files instead of WAL-logging every page.
            strategy = sql.SQL(" STRATEGY FILE_COPY" if connection.info.server_version >= 150000 else "")
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(
                    sql.Identifier(database_of(url)), sql.Identifier(self._pg[1]), strategy
                )
            )
        shutil.copyfile(self.folder / "pg" / CACHE_FILE, cache)
        return url

    def _build_sqlite(self) -> Path:
        """Seed an SQLite registry; checkpoint the WAL of it and its cache so each file alone is whole."""
        path = self.folder / "sqlite" / "seed.db"
        world = World(f"sqlite:///{path}", self.folder / "sqlite" / CACHE_FILE)
        try:
            world.service(ADMIN).init()
            _seed(world, self.folder / "sqlite")
        finally:
            world.close()
        _checkpoint(path)
        return path

    def _build_postgres(self, admin_url: str) -> str:
        """Seed a PostgreSQL database in which every person is a login role; returns its name."""
        url = create_database(admin_url)
        for identity in PEOPLE:
            create_pg_role(url, identity)
        world = World(url, self.folder / "pg" / CACHE_FILE)
        try:
            world.service(ADMIN).init()
            for identity in PEOPLE:
                grant_all_on_tables(url, identity)
            _seed(world, self.folder / "pg")
        finally:
            world.close()
        return database_of(url)

    def close(self) -> None:
        """Drop the seeded PostgreSQL database."""
        if self._pg is not None:
            try:
                drop_database(*self._pg)
            except psycopg.Error:
                pass  # the server may already be gone at session end


def _checkpoint(path: Path) -> None:
    """Fold an SQLite file's write-ahead log into the file, so copying the file copies everything."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def seed_bank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeedBank]:
    """The session's seeded registries (built lazily per backend)."""
    bank = SeedBank(tmp_path_factory.mktemp("workflow-seed"))
    yield bank
    bank.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request: pytest.FixtureRequest, seed_bank: SeedBank, tmp_path: Path) -> Iterator[str]:
    """A registry URL on each backend in turn, holding a fresh copy of the seeded workflow registry.

    Overrides tests/pg_server.py's fixture of the same name for this folder: same backends and ids, but
    seeded, so each test starts from the state in this module's docstring instead of an empty database.
    The seed's cache is copied next to it (tmp_path / CACHE_FILE), already synced.
    """
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registry.db'}"
        seed_bank.clone_sqlite(url, tmp_path / CACHE_FILE)
        yield url
        return
    admin_url = str(request.getfixturevalue("pg_admin_url"))
    url = seed_bank.clone_postgres(admin_url, tmp_path / CACHE_FILE)
    try:
        yield url
    finally:
        drop_database(admin_url, database_of(url))


@pytest.fixture
def world(registry_url: str, tmp_path: Path) -> Iterator[World]:
    """The seeded registry copy with a service per person."""
    world = World(registry_url, tmp_path / CACHE_FILE)
    yield world
    world.close()


WorldCli = Callable[..., CliResult]


@pytest.fixture
def cli_as(world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> WorldCli:
    """Run `regtui ARGS...` in-process as a person: their role's URL on PostgreSQL, REGTUI_USER on SQLite.

    The CLI shares the world's cache file, like two terminals of one operator."""

    def run(identity: str, *args: str | Path) -> CliResult:
        """One CLI invocation as the identity."""
        monkeypatch.setenv("REGTUI_USER", identity)
        return run_cli(capsys, "--registry", world.url_for(identity), "--cache", str(world.cache_path), *map(str, args))

    return run
