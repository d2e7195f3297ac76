"""The provider registry on both backends: schema upgrade, append-only checks, qualification, pins, round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from regtui.domain.entry import Stage
from regtui.domain.providers import CheckName, Evidence, EvidenceKind, FeedConfig, FeedFormat, Qualification
from regtui.errors import NotARegistryError, NotFoundError, RuleError
from regtui.services import providers as provider_services
from regtui.services.registry import RegistryService
from regtui.store import provider_queries
from regtui.store.schema import SCHEMA_VERSION
from tests.factories import (
    ServiceFactory,
    build_fixture_registry,
    chain_break,
    dump_rows,
    raw_execute,
    raw_scalar,
)
from tests.providers.feed_server import PROVIDERS_MANIFEST

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LINK = Evidence(EvidenceKind.LINK, "https://ci.example.com/evals/1")


@pytest.fixture
def filled(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> RegistryService:
    """The fixture registry (support-bot@1.0.0 in Production pins gpt-4o-2024-08-06) plus the demo providers."""
    service = make_service(registry_url)
    service.clock = lambda: NOW
    service.import_paths([build_fixture_registry(tmp_path / "fixtures"), PROVIDERS_MANIFEST])
    return service


def test_a_version_1_registry_is_refused_until_init_upgrades_it(
    registry_url: str, make_service: ServiceFactory
) -> None:
    """Without the provider tables and at version 1, the registry asks for `init`, which adds them."""
    make_service(registry_url)
    if registry_url.startswith("postgresql"):  # version 1 had no API views (and they depend on these tables)
        raw_execute(registry_url, "DROP SCHEMA regtui_api CASCADE")
    for table in ("qualification_check", "provider_version", "provider_feed"):
        raw_execute(registry_url, f"DROP TABLE {table}")
    raw_execute(registry_url, "UPDATE regtui_meta SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(NotARegistryError, match=f"schema version 1 is older than {SCHEMA_VERSION}: run `regtui init`"):
        make_service(registry_url, init=False).registry()
    message = make_service(registry_url, init=False).init()
    assert message == f"upgraded registry schema from version 1 to {SCHEMA_VERSION}"
    assert raw_scalar(registry_url, "SELECT count(*) FROM provider_version") == 0


def test_qualification_checks_are_append_only(filled: RegistryService) -> None:
    """The database refuses updating or deleting a recorded check."""
    url = filled.locations.registry_url
    for statement in ("UPDATE qualification_check SET passed = NOT passed", "DELETE FROM qualification_check"):
        with pytest.raises(DBAPIError, match="append-only"):
            raw_execute(url, statement)


def test_qualification_status_follows_the_recorded_checks(filled: RegistryService) -> None:
    """Unqualified -> under evaluation -> rejected -> qualified once a re-run passes; each check logged."""
    statuses = [
        provider_services.qualify(filled, "openai", "gpt-5.1-2025-11-13", check, passed, LINK)
        for check, passed in [
            (CheckName.REGRESSION, True),
            (CheckName.SAFETY, False),
            (CheckName.COST_LATENCY, True),
            (CheckName.API_COMPAT, True),
            (CheckName.SAFETY, True),
        ]
    ]
    assert statuses == [
        Qualification.UNDER_EVALUATION,
        Qualification.REJECTED,
        Qualification.REJECTED,
        Qualification.REJECTED,
        Qualification.QUALIFIED,
    ]
    logged = raw_scalar(filled.locations.registry_url, "SELECT count(*) FROM event WHERE kind = 'qualification'")
    assert logged == 5
    with filled.reading() as session:
        matrix = provider_queries.qualification_matrix(session, "openai", "gpt-5.1-2025-11-13")
    safety = next(cell for cell in matrix if cell.check is CheckName.SAFETY)
    assert safety.latest is not None and safety.latest.passed and len(safety.history) == 2


def test_aliases_and_unknown_versions_cannot_be_qualified(filled: RegistryService) -> None:
    """An alias is refused; a version the registry does not know is not found."""
    with pytest.raises(RuleError, match="gpt-4o is an alias, not an exact version"):
        provider_services.qualify(filled, "openai", "gpt-4o", CheckName.SAFETY, True, LINK)
    with pytest.raises(NotFoundError, match="provider 'openai' has no version 'gpt-9'"):
        provider_services.qualify(filled, "openai", "gpt-9", CheckName.SAFETY, True, LINK)


def test_only_reviewers_qualify_and_only_admins_configure_feeds(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Roles: a contributor may not record checks, a reviewer may not configure feeds (SQLite identities)."""
    admin = make_service(sqlite_url)
    admin.import_paths([build_fixture_registry(tmp_path / "fixtures"), PROVIDERS_MANIFEST])
    bob = RegistryService(admin.locations, identity="bob")
    alice = RegistryService(admin.locations, identity="alice")
    try:
        with pytest.raises(RuleError, match="bob may not record qualification checks: needs the reviewer or admin"):
            provider_services.qualify(bob, "openai", "gpt-5.1-2025-11-13", CheckName.SAFETY, True, LINK)
        assert (
            provider_services.qualify(alice, "openai", "gpt-5.1-2025-11-13", CheckName.SAFETY, True, LINK)
            is Qualification.UNDER_EVALUATION
        )
        feed = FeedConfig("x", "https://x.example/feed.json", FeedFormat.REGTUI)
        with pytest.raises(RuleError, match="alice may not configure provider feeds: needs the admin role"):
            provider_services.add_feed(alice, feed)
    finally:
        bob.close()
        alice.close()


def test_pin_registers_a_dependency_version_pinning_the_new_provider_version(filled: RegistryService) -> None:
    """`pin` derives the next patch version with change kind dependency; aliases and other models are refused."""
    outcome = provider_services.pin(filled, "support-bot", "1.0.0", "gpt-4o-2024-11-20")
    assert (outcome.ref, outcome.status) == ("support-bot@1.0.1", Qualification.QUALIFIED)
    with filled.reading() as session:
        entry = provider_queries.pinned_versions(session, NOW, tuple(Stage))
    pinned = {f"{v.model}@{v.version}": v for v in entry}["support-bot@1.0.1"]
    assert pinned.stage.value == "Development" and pinned.pin.version == "gpt-4o-2024-11-20"
    assert (
        raw_scalar(filled.locations.registry_url, "SELECT change_kind FROM model_version WHERE version = '1.0.1'")
        == "dependency"
    )
    assert provider_services.pin(filled, "support-bot", "1.0.0", "gpt-4o-2024-05-13").ref == "support-bot@1.0.2"
    with pytest.raises(RuleError, match="gpt-4o is an alias"):
        provider_services.pin(filled, "support-bot", "1.0.0", "gpt-4o")
    with pytest.raises(RuleError, match="is model gpt-4.1, not gpt-4o: another model is a model-type change"):
        provider_services.pin(filled, "support-bot", "1.0.0", "gpt-4.1-2025-04-14")
    with pytest.raises(NotFoundError, match="no version 'gpt-4o-2099-01-01'"):
        provider_services.pin(filled, "support-bot", "1.0.0", "gpt-4o-2099-01-01")


def test_deprecated_production_pins_are_listed_with_days_left(filled: RegistryService) -> None:
    """A Production version pinning a deprecated provider version is flagged with its countdown."""
    with filled.reading() as session:
        flagged = provider_queries.deprecated_pins(session, NOW)
    assert [(d.model, d.version, d.provider_version, d.days_left) for d in flagged] == [
        ("support-bot", "1.0.0", "gpt-4o-2024-08-06", -151)
    ]


def test_export_and_import_round_trip_the_provider_registry(
    filled: RegistryService,
    other_registry_url: str,
    make_service: ServiceFactory,
    tmp_path: Path,
) -> None:
    """Feeds, versions, checks and the log entries of live changes come back identical; export is stable."""
    provider_services.qualify(filled, "openai", "gpt-5-2025-08-07", CheckName.SAFETY, True, LINK)
    provider_services.assess_version(filled, "openai", "gpt-5.1-2025-11-13", "New reasoning tier", None)
    first, second = tmp_path / "export-1", tmp_path / "export-2"
    filled.export(first)
    assert (first / "providers.yaml").is_file()
    copy = make_service(other_registry_url)
    copy.import_paths([first])
    copy.export(second)
    assert (first / "providers.yaml").read_text() == (second / "providers.yaml").read_text()
    assert dump_rows(copy.registry()) == dump_rows(filled.registry())
    assert chain_break(copy.registry()) is None
    again = copy.import_paths([first / "providers.yaml"])
    assert again.providers == 0


def test_the_cache_pulls_the_provider_tables(filled: RegistryService) -> None:
    """Provider versions read from the cache equal those read from the registry."""
    filled.sync()
    with filled.reading() as cached, filled.reading_registry() as live:
        assert provider_queries.provider_versions(cached) == provider_queries.provider_versions(live)
        assert len(provider_queries.list_feeds(cached)) == 2
