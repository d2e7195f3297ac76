"""Manifests round trip on both backends: import(export(r)) == r, and export is byte-for-byte stable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from regtui.errors import InputError
from regtui.services.registry import RegistryService
from tests.factories import (
    ServiceFactory,
    build_fixture_registry,
    chain_break,
    change_stage,
    dump_rows,
    version_manifest,
)

DEMO_FIXTURES = Path(__file__).resolve().parents[2] / "regtui" / "data" / "demo"


def _imported_fixtures(service: RegistryService, tmp_path: Path) -> None:
    """Fill a registry by importing the fixture registry (users, models, all stages, a restored log)."""
    service.import_paths([build_fixture_registry(tmp_path / "fixtures")])


def _registered_live(service: RegistryService, tmp_path: Path) -> None:
    """Fill a registry through `register` and stage changes, so its log holds live register entries."""
    folder = tmp_path / "live"
    service.register(version_manifest(folder, "ranker", "1.0.0", framework="pytorch"))
    service.register(version_manifest(folder, "ranker", "1.1.0", parent="1.0.0", framework="pytorch"))
    service.register(
        version_manifest(
            folder,
            "ranker",
            "2.0.0",
            parent="1.1.0",
            change_kind="approach",
            framework="lightgbm",
            created_at="2026-02-01T23:30:00-05:00",
        )
    )
    change_stage(service.locations.registry_url, "ranker", "1.1.0", "Production")
    change_stage(service.locations.registry_url, "ranker", "2.0.0", "Canary")


SOURCES: dict[str, Callable[[RegistryService, Path], None]] = {
    "imported": _imported_fixtures,
    "registered": _registered_live,
}


@pytest.mark.parametrize("source", list(SOURCES))
def test_import_of_an_export_reproduces_the_registry(
    source: str, registry_url: str, other_registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Export r, import into a fresh registry, export again: same files byte for byte, same rows, intact log."""
    original = make_service(registry_url)
    SOURCES[source](original, tmp_path)
    _assert_round_trip(original, make_service(other_registry_url), tmp_path)


@pytest.mark.slow
def test_the_demo_registry_round_trips(sqlite_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """The demo fixtures survive import, export, import, export unchanged (SQLite; its YAML is large)."""
    original = make_service(sqlite_url)
    original.import_paths([DEMO_FIXTURES])
    _assert_round_trip(original, make_service(f"sqlite:///{tmp_path / 'copy.db'}"), tmp_path)


def _assert_round_trip(original: RegistryService, copy: RegistryService, tmp_path: Path) -> None:
    """Export original, import into copy, export copy: identical files, identical rows, intact log."""
    first, second = tmp_path / "export-1", tmp_path / "export-2"
    files = original.export(first)
    copy.import_paths([first])
    assert copy.export(second) == files
    assert _files(first) == _files(second)
    assert dump_rows(copy.registry()) == dump_rows(original.registry())
    assert chain_break(copy.registry()) is None


def test_export_carries_every_field_and_state(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """The export holds state, provenance, provider pin, segments, card, checksums and the log verbatim."""
    service = make_service(registry_url)
    _imported_fixtures(service, tmp_path)
    service.export(tmp_path / "export")
    canary = yaml.safe_load((tmp_path / "export" / "models" / "churn" / "1.1.1.yaml").read_text())
    assert (canary["stage"], canary["canary_share"], canary["registered_by"]) == ("Canary", 12.5, "alice")
    assert canary["metrics"]["segments"]["region=EU"] == {"auc": 0.89}
    assert canary["model_card"]["fairness"]["attested_by"] == "carol"
    assert canary["created_at"] == "2026-01-07T11:30:00.123456Z"
    bot = yaml.safe_load((tmp_path / "export" / "models" / "support-bot" / "1.0.0.yaml").read_text())
    assert bot["provider"] == {"provider": "openai", "model": "gpt-4o", "version": "gpt-4o-2024-08-06"}
    assert bot["created_at"] == "2026-01-06T08:00:00Z"
    assert bot["hyperparameters"]["prompt"] == "You are helpful.\nBe brief."
    log = yaml.safe_load((tmp_path / "export" / "log.yaml").read_text())
    source_log = yaml.safe_load((tmp_path / "fixtures" / "log.yaml").read_text())
    assert log == source_log
    registry = yaml.safe_load((tmp_path / "export" / "registry.yaml").read_text())
    assert {u["identity"] for u in registry["users"]} >= {"alice", "bob"}


def test_export_refuses_a_non_empty_folder(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """Export never mixes with existing files: a non-empty target folder is refused and left alone."""
    service = make_service(registry_url)
    target = tmp_path / "target"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(InputError, match="export needs a new or empty folder"):
        service.export(target)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
