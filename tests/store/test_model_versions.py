"""The model screen's plain-SQL reads of the cache give what the ORM reads of the same cache give."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.services import demo
from regtui.errors import NotFoundError
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
def synced(request: pytest.FixtureRequest, sqlite_url: str, make_service: ServiceFactory, tmp_path: Path) -> RegistryService:
    """A service whose cache holds the fixture registry, or the demo."""
    if request.param == "demo":
        service: RegistryService = request.getfixturevalue("demo_service")
        return service
    writer = make_service(sqlite_url)
    writer.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    reader = make_service(sqlite_url, init=False)
    reader.sync()
    return reader


def test_a_models_versions_and_metrics_are_the_orm_answers(synced: RegistryService) -> None:
    """Every model: owner, description, versions (newest semver first) and overall metrics as the ORM reads them."""
    with synced.reading() as session:
        specs = queries.list_model_specs(session)
        expected = {
            spec.name: (spec.owner, spec.description, queries.list_versions(session, spec.name, 0, None),
                        {m.entry.version: m.entry.metrics.overall for m in queries.iter_manifests(session, spec.name)})
            for spec in specs
        }
    with CacheReader(synced.locations.cache_path) as reader, reader.snapshot() as snapshot:
        read = {name: model_versions(snapshot, name) for name in expected}
    assert {name: (m.owner, m.description, m.versions, m.metrics) for name, m in read.items()} == expected
    assert any(m.versions for m in read.values()) and any(m.metrics.values() for m in read.values())


def test_every_version_in_full_is_the_orm_answer(synced: RegistryService) -> None:
    """Every version's manifest, content hash, artifacts and children as queries.get_version reads them."""
    with synced.reading() as session:
        refs = [(m.entry.model, m.entry.version) for m in queries.iter_manifests(session)]
        expected = [queries.get_version(session, model, version) for model, version in refs]
    with CacheReader(synced.locations.cache_path) as reader, reader.snapshot() as snapshot:
        read = [version_detail(snapshot, model, version) for model, version in refs]
    assert read == expected
    assert any(d.entry.artifacts for d in read) and any(d.children for d in read) and any(d.entry.provider for d in read)


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
