"""Registration on both backends: idempotent, immutable, lineage-checked, Development only, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from regtui.errors import InputError, RegtuiError, RuleError
from tests.factories import (
    ServiceFactory,
    count_rows,
    raw_scalar,
    variant,
    version_manifest,
)


def test_registering_the_same_manifest_again_is_a_no_op(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """The identical manifest registers once; again it reports 'unchanged' and writes no row."""
    service = make_service(registry_url)
    manifest = version_manifest(tmp_path, "churn", "1.0.0")
    first = service.register(manifest)
    assert first.registered == ["churn@1.0.0"]
    before = count_rows(service.registry())
    again = service.register(manifest)
    assert (again.registered, again.unchanged, again.changed) == ([], ["churn@1.0.0"], False)
    assert count_rows(service.registry()) == before
    assert before["model_version"] == before["artifact"] == before["event"] == 1
    assert service.sync().total == 0


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"metrics": {"overall": {"auc": 0.95}}}, "metrics"),
        ({"framework": "pytorch", "owner": "team-x"}, "framework, owner"),
        ({"description": "re-described"}, "description"),
    ],
)
def test_same_version_with_different_content_is_refused_naming_the_fields(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path, changes: dict[str, object], named: str
) -> None:
    """A registered version is immutable: other content under its name is refused, naming what differs."""
    service = make_service(registry_url)
    first = version_manifest(tmp_path, "churn", "1.0.0")
    service.register(first)
    before = count_rows(service.registry())
    with pytest.raises(RuleError, match=f"churn@1.0.0 is already registered with different {named};"):
        service.register(variant(first, **changes))
    assert count_rows(service.registry()) == before


def test_changed_artifact_checksum_is_a_different_version(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """The same manifest whose artifact now holds other bytes (register hashes them) is refused as different
    'artifacts'."""
    service = make_service(registry_url)
    first = version_manifest(tmp_path, "churn", "1.0.0")
    service.register(first)
    artifact = yaml.safe_load(first.read_text())["artifacts"][0]
    (first.parent / artifact["uri"]).write_bytes(b"retrained weights")
    bare = {"name": artifact["name"], "uri": artifact["uri"]}
    with pytest.raises(RuleError, match="churn@1.0.0 is already registered with different artifacts;"):
        service.register(variant(first, artifacts=[bare]))


LINEAGE_REFUSALS: dict[str, tuple[str, str, str, str]] = {
    "not-above-parent": ("1.0.0", "0.9.0", "retraining", "is not above its parent"),
    "equal-to-parent-build": ("1.0.0", "1.0.0+build.7", "retraining", "differs only in build metadata"),
    "major-bump-for-retraining": ("1.0.0", "2.0.0", "retraining", "is a major bump"),
    "minor-bump-for-threshold": ("1.0.0", "1.1.0", "threshold", "is a minor bump"),
    "patch-not-reset": ("1.0.0", "1.1.1", "retraining", "does not reset the components below minor"),
    "parent-not-registered": ("1.0.5", "1.1.0", "retraining", "parent version 1.0.5 is not registered"),
    "initial-with-parent": ("1.0.0", "1.1.0", "initial", "an initial version has no parent"),
}


@pytest.mark.parametrize("case", list(LINEAGE_REFUSALS))
def test_versions_breaking_lineage_rules_are_refused(
    case: str, registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Not above the parent, a bump that does not match the change kind, or an unknown parent: refused."""
    parent, version, kind, message = LINEAGE_REFUSALS[case]
    service = make_service(registry_url)
    service.register(version_manifest(tmp_path, "churn", "1.0.0"))
    with pytest.raises(RuleError, match=message):
        service.register(version_manifest(tmp_path, "churn", version, parent=parent, change_kind=kind))
    assert raw_scalar(registry_url, "SELECT count(*) FROM model_version") == 1


def test_a_valid_child_registers_and_proposal_matches(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """A retraining of 1.0.0 as 1.1.0 and a threshold patch 1.1.1 of it register in Development."""
    service = make_service(registry_url)
    service.register(version_manifest(tmp_path, "churn", "1.0.0"))
    service.register(version_manifest(tmp_path, "churn", "1.1.0", parent="1.0.0"))
    service.register(version_manifest(tmp_path, "churn", "1.1.1", parent="1.1.0", change_kind="threshold"))
    stages = raw_scalar(registry_url, "SELECT count(*) FROM model_version WHERE stage = 'Development'")
    assert stages == 3


@pytest.mark.parametrize("stage", ["Production", "Canary", "Archived"])
def test_register_refuses_a_manifest_carrying_a_stage(
    stage: str, registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """`register` only adds Development versions; a stage in the manifest is refused, nothing written."""
    service = make_service(registry_url)
    with pytest.raises(RuleError, match=f"register adds versions in Development, not {stage}"):
        service.register(version_manifest(tmp_path, "churn", "1.0.0", stage=stage))
    assert raw_scalar(registry_url, "SELECT count(*) FROM model_version") == 0


def test_register_needs_the_contributor_role(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An identity without a role may not register (SQLite: the OS login / REGTUI_USER)."""
    make_service(sqlite_url)
    monkeypatch.setenv("REGTUI_USER", "mallory")
    with pytest.raises(RuleError, match="mallory may not register versions: needs the contributor or .*admin role"):
        make_service(sqlite_url, init=False).register(version_manifest(tmp_path, "churn", "1.0.0"))


def _ten_manifests(folder: Path, last_version: str, last_parent: str) -> Path:
    """Nine valid versions of one model plus a tenth built from the given version and parent."""
    version_manifest(folder, "batch", "1.0.0")
    for minor in range(1, 9):
        version_manifest(folder, "batch", f"1.{minor}.0", parent="1.0.0")
    version_manifest(folder, "batch", last_version, parent=last_parent)
    return folder


@pytest.mark.parametrize(
    ("last_version", "last_parent", "error", "message"),
    [
        ("9.0.0", "1.0.0", RuleError, "is a major bump"),
        ("1.9.0", "1.0.7", RuleError, "parent version 1.0.7 is not registered"),
        ("1.9", "1.0.0", InputError, "invalid version '1.9'"),
    ],
    ids=["wrong-bump", "unknown-parent", "invalid-semver"],
)
def test_import_is_all_or_nothing(
    registry_url: str,
    make_service: ServiceFactory,
    tmp_path: Path,
    last_version: str,
    last_parent: str,
    error: type[RegtuiError],
    message: str,
) -> None:
    """Ten manifests whose tenth is refused write none of them: no model, version, artifact, event or counter."""
    service = make_service(registry_url)
    before = count_rows(service.registry())
    counter = raw_scalar(registry_url, "SELECT value FROM change_counter")
    folder = _ten_manifests(tmp_path / "batch", last_version, last_parent)
    assert len(list(folder.rglob("*.yaml"))) == 10
    with pytest.raises(error, match=message):
        service.import_paths([folder])
    assert count_rows(service.registry()) == before
    assert raw_scalar(registry_url, "SELECT value FROM change_counter") == counter
    service.sync()
    with service.reading() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM model_version").scalar_one() == 0


def test_import_of_ten_valid_manifests_writes_all_in_one_change(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """The same ten manifests, all valid, are written in one transaction (one change counter value)."""
    service = make_service(registry_url)
    report = service.import_paths([_ten_manifests(tmp_path / "batch", "1.9.0", "1.0.0")])
    assert len(report.registered) == 10
    assert raw_scalar(registry_url, "SELECT count(DISTINCT change_seq) FROM model_version") == 1
    assert raw_scalar(registry_url, "SELECT count(*) FROM event WHERE kind = 'register'") == 10
