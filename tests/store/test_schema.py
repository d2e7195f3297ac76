"""Registry schema on both backends: init, checks of foreign databases, and the rules the database enforces."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import semver
from sqlalchemy import JSON, bindparam, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from regtui.domain.versioning import precedence_key
from regtui.errors import NotARegistryError
from regtui.store import queries
from regtui.store.db_errors import APPEND_ONLY, IMMUTABLE, NEVER_DELETED, refusal_code
from regtui.store.engine import create_registry_engine, writer
from regtui.store.schema import (
    REGISTERED_COLUMNS,
    REGISTRY_UNUSED_INDEXES,
    SCHEMA_VERSION,
)
from tests.factories import (
    CliResult,
    ServiceFactory,
    build_fixture_registry,
    identity_for,
    raw_execute,
    raw_scalar,
    version_manifest,
)


def test_init_creates_the_schema_and_makes_the_initialiser_admin(
    registry_url: str, make_service: ServiceFactory
) -> None:
    """`init` on an empty database creates the schema, records its version and makes the caller admin."""
    service = make_service(registry_url, init=False)
    message = service.init()
    assert f"created registry schema version {SCHEMA_VERSION}" in message
    assert f"{identity_for(registry_url)} is its first admin" in message
    assert raw_scalar(registry_url, "SELECT value FROM regtui_meta WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
    assert raw_scalar(registry_url, "SELECT roles FROM registry_user") in (["admin"], '["admin"]')


def test_init_twice_says_up_to_date_and_keeps_the_registry_id(registry_url: str, make_service: ServiceFactory) -> None:
    """A second `init` changes nothing: same registry id, no second admin grant, 'up to date'."""
    make_service(registry_url)
    registry_id = raw_scalar(registry_url, "SELECT value FROM regtui_meta WHERE key = 'registry_id'")
    message = make_service(registry_url, init=False).init()
    assert message == f"registry schema is up to date (version {SCHEMA_VERSION})"
    assert raw_scalar(registry_url, "SELECT value FROM regtui_meta WHERE key = 'registry_id'") == registry_id
    assert raw_scalar(registry_url, "SELECT count(*) FROM registry_user") == 1


def _empty(url: str) -> None:
    """Leave the database empty (an empty SQLite file exists; a PostgreSQL database has no tables)."""
    if url.startswith("sqlite"):
        sqlite3.connect(url.removeprefix("sqlite:///")).close()


def _foreign(url: str) -> None:
    """Put another application's table in the database."""
    _empty(url)
    raw_execute(url, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")


def _newer(url: str) -> None:
    """A registry whose schema version was written by a newer regtui."""
    raw_execute(url, "UPDATE regtui_meta SET value = '99' WHERE key = 'schema_version'")


BAD_DATABASES: dict[str, tuple[Callable[[str], None], bool, str]] = {
    "empty": (_empty, False, "empty database: run `regtui init`"),
    "other-tables": (_foreign, False, "not a regtui registry"),
    "newer-schema": (_newer, True, "registry schema version 99 is newer than this regtui knows"),
}


@pytest.mark.parametrize("case", list(BAD_DATABASES))
def test_opening_a_database_that_is_not_a_usable_registry_is_refused(
    case: str, registry_url: str, make_service: ServiceFactory, cli: Callable[..., CliResult]
) -> None:
    """The service refuses it with a clear NotARegistryError; the CLI exits 2 with that one line."""
    prepare, initialise, message = BAD_DATABASES[case]
    if initialise:
        make_service(registry_url)
    prepare(registry_url)
    with pytest.raises(NotARegistryError, match=message):
        make_service(registry_url, init=False).registry()
    result = cli("models")
    assert result.code == 2
    assert len(result.err_lines) == 1 and message in result.err
    assert "Traceback" not in result.out + result.err


def test_init_refuses_a_database_of_another_application(registry_url: str, make_service: ServiceFactory) -> None:
    """`init` never creates the registry next to another application's tables."""
    _foreign(registry_url)
    with pytest.raises(NotARegistryError, match=r"not a regtui registry: the database has other tables \(customers\)"):
        make_service(registry_url, init=False).init()
    assert raw_scalar(registry_url, "SELECT count(*) FROM customers") == 0
    with pytest.raises(DBAPIError):
        raw_scalar(registry_url, "SELECT count(*) FROM model_version")


def test_init_refuses_to_touch_a_newer_schema(registry_url: str, make_service: ServiceFactory) -> None:
    """`init` never downgrades: a registry of a newer regtui is refused and its version left alone."""
    make_service(registry_url)
    _newer(registry_url)
    with pytest.raises(NotARegistryError, match="newer than this regtui knows"):
        make_service(registry_url, init=False).init()
    assert raw_scalar(registry_url, "SELECT value FROM regtui_meta WHERE key = 'schema_version'") == "99"


def _registry_indexes(url: str) -> set[str]:
    """The names of the registry's indexes on the tables a promotion writes."""
    engine = create_registry_engine(url)
    try:
        inspector = inspect(engine)
        return {
            index["name"]
            for table in ("event", "model_version", "promotion_request")
            for index in inspector.get_indexes(table)
        }
    finally:
        engine.dispose()


def _version_trigger(url: str) -> str:
    """The definition of the registry's immutability trigger."""
    if url.startswith("sqlite"):
        return raw_scalar(url, "SELECT sql FROM sqlite_master WHERE name = 'trg_version_immutable'")
    return raw_scalar(url, "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'trg_version_immutable'")


def _as_schema_3(url: str) -> None:
    """Turn the registry back into schema 3: major/minor/patch/prerelease (the tag, "~" for a release) instead of
    semver_key, their listing index, and the immutability trigger over those columns."""
    on_table = "" if url.startswith("sqlite") else " ON model_version"
    trigger = _version_trigger(url)
    if not url.startswith("sqlite"):  # schema 3 had no API views (and they depend on semver_key)
        raw_execute(url, "DROP SCHEMA regtui_api CASCADE")
    raw_execute(url, "DROP TRIGGER trg_version_immutable" + on_table)
    raw_execute(url, "ALTER TABLE model_version DROP COLUMN semver_key")
    for column, definition in (
        ("major", "INTEGER NOT NULL DEFAULT 0"),
        ("minor", "INTEGER NOT NULL DEFAULT 0"),
        ("patch", "INTEGER NOT NULL DEFAULT 0"),
        ("prerelease", "VARCHAR NOT NULL DEFAULT '~'"),
    ):
        raw_execute(url, f"ALTER TABLE model_version ADD COLUMN {column} {definition}")
    for version in set(_versions(url)):
        parsed = semver.Version.parse(version)
        raw_execute(
            url,
            "UPDATE model_version SET major = :major, minor = :minor, patch = :patch, prerelease = :pre"
            " WHERE version = :version",
            major=parsed.major,
            minor=parsed.minor,
            patch=parsed.patch,
            pre=parsed.prerelease or "~",
            version=version,
        )
    old_columns = REGISTERED_COLUMNS.replace("semver_key", "major, minor, patch, prerelease")
    raw_execute(
        url,
        trigger.replace(REGISTERED_COLUMNS, old_columns).replace(
            "NEW.semver_key IS NOT OLD.semver_key", "NEW.major IS NOT OLD.major"
        ),
    )
    raw_execute(url, "UPDATE regtui_meta SET value = '3' WHERE key = 'schema_version'")


def _versions(url: str) -> list[str]:
    """Every stored version string."""
    engine = create_registry_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.exec_driver_sql("SELECT version FROM model_version").scalars())
    finally:
        engine.dispose()


def test_a_version_3_registry_gets_its_semver_keys_from_init(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Schema 4 orders by semver_key: `init` upgrades a schema 3 registry (pre-release tags ordered as text), filling
    each version's key, dropping the columns it replaces and keeping the immutability rule; the data stays."""
    service = make_service(registry_url)
    fixtures = build_fixture_registry(tmp_path / "fixtures")
    service.import_paths([fixtures])
    before = _versions(registry_url)
    _as_schema_3(registry_url)
    with pytest.raises(NotARegistryError, match=f"schema version 3 is older than {SCHEMA_VERSION}: run `regtui init`"):
        make_service(registry_url, init=False).registry()
    upgraded = make_service(registry_url, init=False)
    assert upgraded.init() == f"upgraded registry schema from version 3 to {SCHEMA_VERSION}"
    columns = {c["name"] for c in inspect(upgraded.registry()).get_columns("model_version")}
    assert "semver_key" in columns and not {"major", "minor", "patch", "prerelease"} & columns
    assert sorted(_versions(registry_url)) == sorted(before)
    for version in before:
        key = raw_scalar(registry_url, "SELECT DISTINCT semver_key FROM model_version WHERE version = :v", v=version)
        assert key == precedence_key(version)
    assert "semver_key" in _version_trigger(registry_url)
    with pytest.raises(DBAPIError, match="immutable"):
        raw_execute(registry_url, "UPDATE model_version SET semver_key = 'x'")
    upgraded.register(
        version_manifest(tmp_path / "new", "churn", "2.0.0-rc.10", parent="2.0.0-rc.1", change_kind="retraining")
    )
    upgraded.sync()
    with upgraded.reading_registry() as session:
        churn = [m.entry.version for m in queries.iter_manifests(session, "churn")]
    assert churn.index("2.0.0-rc.1") < churn.index("2.0.0-rc.10") < churn.index("2.0.0")


def test_a_version_2_registry_is_refused_until_init_upgrades_it(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Version 3 drops read indexes only the cache uses and narrows the immutability trigger to updates that set a
    registered column; `init` upgrades a version 2 registry, keeping its data."""
    service = make_service(registry_url)
    service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    assert not REGISTRY_UNUSED_INDEXES & _registry_indexes(registry_url)
    _as_schema_3(registry_url)
    version_2_trigger = _version_trigger(registry_url).replace(
        " OF " + REGISTERED_COLUMNS.replace("semver_key", "major, minor, patch, prerelease"), ""
    )
    raw_execute(
        registry_url,
        "DROP TRIGGER trg_version_immutable" + ("" if registry_url.startswith("sqlite") else " ON model_version"),
    )
    for statement in (
        version_2_trigger,
        "CREATE INDEX ix_event_kind ON event (kind)",
        "CREATE INDEX ix_event_actor ON event (actor)",
        (
            "CREATE INDEX ix_version_listing ON model_version (model, major DESC, minor DESC, patch DESC,"
            " prerelease DESC)"
        ),
        "CREATE INDEX ix_model_version_stage ON model_version (stage)",
        "CREATE INDEX ix_version_model_order ON model_version (model, major, minor, patch)",
        "UPDATE regtui_meta SET value = '2' WHERE key = 'schema_version'",
    ):
        raw_execute(registry_url, statement)
    with pytest.raises(NotARegistryError, match=f"schema version 2 is older than {SCHEMA_VERSION}: run `regtui init`"):
        make_service(registry_url, init=False).registry()
    message = make_service(registry_url, init=False).init()
    assert message == f"upgraded registry schema from version 2 to {SCHEMA_VERSION}"
    indexes = _registry_indexes(registry_url)
    assert not REGISTRY_UNUSED_INDEXES & indexes
    assert {"ix_event_model", "ix_event_change_seq", "uq_one_production", "ix_request_open"} <= indexes
    assert raw_scalar(registry_url, "SELECT count(*) FROM model_version WHERE model = 'churn'") > 0
    assert "UPDATE OF" in _version_trigger(registry_url)
    cache = service.cache()
    assert {"ix_event_kind", "ix_event_actor", "ix_version_listing"} <= {
        index["name"] for table in ("event", "model_version") for index in inspect(cache).get_indexes(table)
    }


@pytest.fixture
def filled_url(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> str:
    """A registry holding the fixture registry (churn@1.1.0 in Production, churn@2.0.0 in Development)."""
    make_service(registry_url).import_paths([build_fixture_registry(tmp_path / "fixtures")])
    return registry_url


VERSION = "WHERE model = 'churn' AND version = '2.0.0'"
REFUSED_STATEMENTS: dict[str, tuple[str, str]] = {
    "update-framework": (f"UPDATE model_version SET framework = 'pytorch' {VERSION}", IMMUTABLE),
    "update-owner": (f"UPDATE model_version SET owner = 'mallory' {VERSION}", IMMUTABLE),
    "update-content-hash": (f"UPDATE model_version SET content_hash = 'x' {VERSION}", IMMUTABLE),
    "update-source": (f'UPDATE model_version SET source = \'{{"run_id": "x"}}\' {VERSION}', IMMUTABLE),
    "update-tags": (f'UPDATE model_version SET tags = \'{{"a": "b"}}\' {VERSION}', IMMUTABLE),
    "delete-version": (f"DELETE FROM model_version {VERSION}", NEVER_DELETED),
    "update-artifact-sha": ("UPDATE artifact SET sha256 = 'f' || substr(sha256, 2)", APPEND_ONLY),
    "delete-artifact": ("DELETE FROM artifact", APPEND_ONLY),
    "update-event": ("UPDATE event SET actor = 'mallory' WHERE position = 2", APPEND_ONLY),
    "delete-event": ("DELETE FROM event WHERE position = 3", APPEND_ONLY),
}


def test_database_refuses_changes_to_registered_rows(filled_url: str) -> None:
    """Triggers refuse raw SQL that alters or deletes registered versions, artifacts or log entries, each with its
    rule's code (SQLite: the code its message starts with; PostgreSQL: the constraint name it reports)."""
    before = _snapshot(filled_url)
    accepted = {}
    for case, (statement, code) in REFUSED_STATEMENTS.items():
        try:
            raw_execute(filled_url, statement)
            accepted[case] = "executed"
        except DBAPIError as exc:
            if refusal_code(exc) != code:
                accepted[case] = str(exc.orig)
    assert accepted == {}, "statements the database did not refuse with the rule's code"
    assert _snapshot(filled_url) == before


def test_database_refuses_an_update_of_metrics(filled_url: str) -> None:
    """A JSON field (metrics) of a registered version cannot be rewritten either."""
    engine = create_registry_engine(filled_url)
    statement = text(f"UPDATE model_version SET metrics = :metrics {VERSION}")
    statement = statement.bindparams(bindparam("metrics", type_=JSON))
    try:
        with pytest.raises(DBAPIError, match="immutable"), writer(engine).begin() as connection:
            connection.execute(statement, {"metrics": {"overall": {"auc": 0.99}, "segments": {}}})
    finally:
        engine.dispose()
    assert "0.99" not in str(raw_scalar(filled_url, f"SELECT metrics FROM model_version {VERSION}"))


def test_database_allows_stage_changes(filled_url: str) -> None:
    """Stage, canary share and who/when changed it are the mutable columns of a version."""
    update = "UPDATE model_version SET stage = 'Canary', canary_share = 5, stage_changed_by = 'bob'"
    raw_execute(filled_url, f"{update} {VERSION}")
    assert raw_scalar(filled_url, f"SELECT stage FROM model_version {VERSION}") == "Canary"
    assert raw_scalar(filled_url, f"SELECT canary_share FROM model_version {VERSION}") == 5


def test_database_refuses_a_second_production_version(filled_url: str) -> None:
    """The partial unique index allows one Production version per model, whatever the writer."""
    with pytest.raises(IntegrityError):
        raw_execute(filled_url, f"UPDATE model_version SET stage = 'Production' {VERSION}")
    production = "SELECT count(*) FROM model_version WHERE model = 'churn' AND stage = 'Production'"
    assert raw_scalar(filled_url, production) == 1
    assert raw_scalar(filled_url, "SELECT count(*) FROM model_version WHERE stage = 'Production'") == 2, (
        "the index is per model: churn and support-bot each keep their Production version"
    )


def _snapshot(url: str) -> tuple[object, ...]:
    """The rows the refused statements target, to prove nothing changed."""
    return (
        raw_scalar(url, f"SELECT framework || owner || content_hash FROM model_version {VERSION}"),
        raw_scalar(url, "SELECT count(*) FROM model_version"),
        raw_scalar(url, "SELECT count(*) FROM artifact"),
        raw_scalar(url, "SELECT min(sha256) FROM artifact"),
        raw_scalar(url, "SELECT count(*) FROM event"),
        raw_scalar(url, "SELECT actor FROM event WHERE position = 2"),
    )


def test_a_version_4_registry_gets_the_artifact_pin_columns_from_init(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Schema 5 records object versions and ETags: `init` adds the two columns to a schema 4 registry, empty for the
    artifacts it holds, and running it again changes nothing."""
    service = make_service(registry_url)
    service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    before = raw_scalar(registry_url, "SELECT COUNT(*) FROM artifact")
    if not registry_url.startswith("sqlite"):  # the API views of init depend on every column
        raw_execute(registry_url, "DROP SCHEMA regtui_api CASCADE")
    for column in ("object_version", "etag"):
        raw_execute(registry_url, f"ALTER TABLE artifact DROP COLUMN {column}")
    raw_execute(registry_url, "UPDATE regtui_meta SET value = '4' WHERE key = 'schema_version'")
    upgraded = make_service(registry_url, init=False)
    assert upgraded.init() == f"upgraded registry schema from version 4 to {SCHEMA_VERSION}"
    assert upgraded.init() == f"registry schema is up to date (version {SCHEMA_VERSION})"
    columns = {c["name"] for c in inspect(upgraded.registry()).get_columns("artifact")}
    assert {"object_version", "etag"} <= columns
    assert raw_scalar(registry_url, "SELECT COUNT(*) FROM artifact WHERE object_version = '' AND etag = ''") == before
    upgraded.register(version_manifest(tmp_path / "new", "churn", "3.0.0", parent="2.0.0", change_kind="architecture"))
    assert raw_scalar(registry_url, "SELECT COUNT(*) FROM artifact") == before + 1
