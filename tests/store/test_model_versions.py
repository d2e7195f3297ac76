"""The cache's version reads (plain SQL, the CLI's and the TUI's one reader) give the registry's versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.domain.versioning import precedence_key
from regtui.errors import NotFoundError
from regtui.services import demo
from regtui.services.registry import RegistryService
from regtui.store import queries
from regtui.store.cache_reader import CacheReader
from regtui.store.model_versions import model_versions, version_detail
from tests.factories import ServiceFactory, build_fixture_registry


@pytest.fixture(scope="module")
def demo_service(tmp_path_factory: pytest.TempPathFactory) -> RegistryService:
    """The demo registry (segments, cards, provider pins, every stage) with its synced cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGTUI_USER", "admin")
        locations = demo.build(tmp_path_factory.mktemp("demo") / "demo")
    return RegistryService(locations)


@pytest.fixture(params=["fixtures", "demo"])
def synced(
    request: pytest.FixtureRequest, sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> RegistryService:
    """A service whose cache holds the fixture registry, or the demo."""
    if request.param == "demo":
        service: RegistryService = request.getfixturevalue("demo_service")
        return service
    writer = make_service(sqlite_url)
    writer.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    reader = make_service(sqlite_url, init=False)
    reader.sync()
    return reader


def test_a_models_versions_and_metrics_are_the_registrys(synced: RegistryService) -> None:
    """Every model: owner, description, versions (newest semver first) and overall metrics as registered."""
    with synced.reading_registry() as session:
        specs = queries.list_model_specs(session)
        manifests = queries.iter_manifests(session)
    with CacheReader(synced.locations.cache_path) as reader, reader.snapshot() as snapshot:
        read = {spec.name: model_versions(snapshot, spec.name) for spec in specs}
    for spec in specs:
        mine = sorted(
            (m for m in manifests if m.entry.model == spec.name),
            key=lambda m: precedence_key(m.entry.version),
            reverse=True,
        )
        model = read[spec.name]
        assert (model.owner, model.description) == (spec.owner, spec.description)
        assert [v.version for v in model.versions] == [m.entry.version for m in mine]
        assert [(v.stage, v.created_at, v.canary_share) for v in model.versions] == [
            (m.stage.value, m.entry.created_at, m.canary_share) for m in mine
        ]
        assert model.metrics == {m.entry.version: m.entry.metrics.overall for m in mine}
    assert any(m.versions for m in read.values()) and any(m.metrics.values() for m in read.values())


def test_every_version_in_full_is_the_registered_manifest(synced: RegistryService) -> None:
    """Every version's manifest (JSON fields, timestamps, artifacts in order) and children, as registered."""
    with synced.reading_registry() as session:
        manifests = queries.iter_manifests(session)
    with CacheReader(synced.locations.cache_path) as reader, reader.snapshot() as snapshot:
        read = [version_detail(snapshot, m.entry.model, m.entry.version) for m in manifests]
    assert [d.manifest for d in read] == manifests
    assert [d.content_hash for d in read] == [m.entry.content_hash() for m in manifests]
    for detail in read:
        children = sorted(
            (
                m.entry.version
                for m in manifests
                if m.entry.model == detail.entry.model and m.entry.parent == detail.entry.version
            ),
            key=precedence_key,
        )
        assert list(detail.children) == children
    assert (
        any(d.entry.artifacts for d in read) and any(d.children for d in read) and any(d.entry.provider for d in read)
    )


def test_a_missing_model_or_version_is_a_clear_not_found(synced: RegistryService) -> None:
    """The messages the ORM reads give."""
    with CacheReader(synced.locations.cache_path) as reader, reader.snapshot() as snapshot:
        with pytest.raises(NotFoundError, match="no model named 'nope'"):
            model_versions(snapshot, "nope")
        with pytest.raises(NotFoundError, match="no model named 'nope'"):
            version_detail(snapshot, "nope", "1.0.0")
        name = next(iter(snapshot.rows("SELECT name FROM model")))[0]
        with pytest.raises(NotFoundError, match=f"{name} has no version 9.9.9"):
            version_detail(snapshot, name, "9.9.9")
