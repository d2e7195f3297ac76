"""import-mlflow against answers recorded from a seeded MLflow server (tests/mlflow/record_responses.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from regtui.domain.entry import Stage
from regtui.domain.roles import Role
from regtui.errors import InputError, NotAllowedError, NotFoundError, RuleError
from regtui.services import admin, audit, reads
from regtui.services.mlflow_import import MlflowImportOptions, import_mlflow
from regtui.services.registry import RegistryService
from regtui.store.facts import was_in_production
from tests.factories import ServiceFactory, version_manifest
from tests.mlflow.replay import TRACKING_URI, Replay, load_recording

MODELS = ("fraud-detector", "Churn Model")


@pytest.fixture
def replay() -> Replay:
    """The seeded server's recorded answers, editable per test."""
    return Replay(load_recording())


@pytest.fixture
def service(make_service: ServiceFactory, sqlite_url: str) -> RegistryService:
    """A fresh SQLite registry acting as its admin."""
    return make_service(sqlite_url)


def run_import(service: RegistryService, replay: Replay, **options: object) -> object:
    """import_mlflow on the replayed server, for the two seeded models unless told otherwise."""
    chosen = {"tracking_uri": TRACKING_URI, "models": MODELS, **options}
    return import_mlflow(service, MlflowImportOptions(**chosen), open_reader=replay.opener())  # type: ignore[arg-type]


def stages(service: RegistryService, model: str) -> dict[str, str]:
    """version -> stage of a model, from the cache (empty for a model regtui does not know)."""
    try:
        return {v.version: v.stage for v in reads.model_version_list(service, model)}
    except NotFoundError:
        return {}


def test_first_import_registers_every_version_in_development_or_archived(service: RegistryService, replay: Replay):
    report = run_import(service, replay, aliases=("champion=Production",))
    assert [(v.ref, v.semver_rule) for v in report.versions] == [
        ("churn-model@1.0.0", "N -> N.0.0"),
        ("fraud-detector@1.0.0", "N -> N.0.0"),
        ("fraud-detector@2.0.0", "N -> N.0.0"),
        ("fraud-detector@3.0.0", "N -> N.0.0"),
        ("fraud-detector@3.1.0", "tag semver"),
    ]
    assert stages(service, "fraud-detector") == {
        "1.0.0": "Archived",
        "2.0.0": "Development",
        "3.0.0": "Development",
        "3.1.0": "Development",
    }
    production = next(v for v in report.versions if v.ref == "fraud-detector@2.0.0")
    assert (production.mlflow_stage, production.aliases, production.mapped_stage) == (
        "Production",
        ("champion",),
        Stage.PRODUCTION,
    )
    assert production.git_commit == "2222222"


def test_versions_carry_runs_metrics_params_data_and_hashed_artifacts(service: RegistryService, replay: Replay):
    run_import(service, replay)
    detail = reads.get_version(service, "fraud-detector", "3.1.0")
    entry = detail.entry
    assert (entry.parent, entry.change_kind.value, entry.framework) == ("3.0.0", "retraining", "sklearn")
    assert entry.training_data == "transactions@d444444"
    assert entry.metrics.overall["auc"] == 0.93
    assert entry.metrics.segments == {"eu": {"auc": 0.92}, "us": {"auc": 0.94}}
    assert entry.hyperparameters == {"learning_rate": "0.025", "max_depth": "6", "objective": "binary"}
    names = [a.name for a in entry.artifacts]
    assert names == ["MLmodel", "extra/notes.txt", "model.bin"]
    notes = next(a for a in entry.artifacts if a.name == "extra/notes.txt")
    body = b"trained at commit 4444444\n"
    assert (notes.sha256, notes.size) == (hashlib.sha256(body).hexdigest(), len(body))
    assert notes.uri.startswith(f"{TRACKING_URI}/api/2.0/mlflow-artifacts/artifacts/")


def test_runs_are_read_in_one_search_not_one_request_each(service: RegistryService, replay: Replay):
    run_import(service, replay)
    assert [key for key in replay.requests if key.startswith("/api/2.0/mlflow/runs/get")] == []
    assert len([key for key in replay.requests if key.startswith("/api/2.0/mlflow/runs/search")]) == 1


def test_each_version_gets_one_log_entry_naming_its_origin(service: RegistryService, replay: Replay):
    run_import(service, replay)
    entries = [e for e in audit.audit_entries(service, model=None, actor=None, limit=50) if e.kind == "mlflow-import"]
    assert len(entries) == 5
    entry = next(e for e in entries if e.version == "2.0.0")
    origin = entry.details["origin"]
    assert (origin["tracking_uri"], origin["model"], origin["version"]) == (TRACKING_URI, "fraud-detector", 2)
    assert entry.details["source"] == {"run_id": origin["run_id"], "git_commit": "2222222", "builder": "mlflow"}
    assert entry.details["placement"] == "MLflow stage Production not applied: promote through the gates"


def test_dry_run_shows_the_mapping_and_writes_nothing(service: RegistryService, replay: Replay):
    report = run_import(service, replay, dry_run=True)
    assert len(report.versions) == 5 and report.dry_run
    assert stages(service, "fraud-detector") == {}
    downloads = [key for key in replay.requests if key.startswith("/api/2.0/mlflow-artifacts/artifacts/")]
    listings = [key for key in replay.requests if key.startswith("/api/2.0/mlflow-artifacts/artifacts?")]
    assert downloads == [] and len(listings) == 10, "a dry run lists the artifacts and downloads none"


def test_a_rerun_imports_nothing_and_reports_moves_in_mlflow(service: RegistryService, replay: Replay):
    run_import(service, replay)
    replay.set_stage("fraud-detector", 3, "Production")
    replay.set_stage("fraud-detector", 2, "Archived")
    replay.set_alias("fraud-detector", "champion", 3)
    report = run_import(service, replay)
    assert report.versions == [] and report.already_imported == 5
    assert [(c.ref, c.what) for c in report.changes] == [
        ("fraud-detector@2.0.0", "stage Production -> Archived"),
        ("fraud-detector@2.0.0", "alias champion moved away"),
        ("fraud-detector@3.0.0", "stage Staging -> Production"),
        ("fraud-detector@3.0.0", "alias champion now points here"),
    ]
    assert stages(service, "fraud-detector")["3.0.0"] == "Development"


def test_a_rerun_imports_a_new_version_on_top_of_the_old_ones(service: RegistryService, replay: Replay):
    run_import(service, replay)
    versions = replay.versions("fraud-detector")
    newest = dict(max(versions, key=lambda v: int(v["version"])), version="5", current_stage="None", tags=[])
    versions.insert(0, newest)
    report = run_import(service, replay)
    assert [(v.ref, v.semver_rule) for v in report.versions] == [("fraud-detector@5.0.0", "N -> N.0.0")]
    assert reads.get_version(service, "fraud-detector", "5.0.0").entry.parent == "3.1.0"


def test_place_stages_is_an_admin_decision_logged_with_the_gates_not_met(service: RegistryService, replay: Replay):
    report = run_import(service, replay, place_stages=True)
    assert stages(service, "fraud-detector") == {
        "1.0.0": "Archived",
        "2.0.0": "Production",
        "3.0.0": "Staging",
        "3.1.0": "Development",
    }
    production = next(v for v in report.versions if v.ref == "fraud-detector@2.0.0")
    gates = [gap.gate for gap in production.gaps]
    assert gates == ["Development -> Staging", "Staging -> Canary", "Canary -> Production"]
    assert "model card complete" in production.gaps[1].missing
    entry = next(
        e for e in audit.audit_entries(service, model="fraud-detector", actor=None, limit=50) if e.version == "2.0.0"
    )
    assert (entry.kind, entry.to_stage) == ("mlflow-import", "Production")
    assert entry.details["gates_not_met_at_placement"][2]["gate"] == "Canary -> Production"
    with service.reading_registry() as session:
        assert was_in_production(session, "fraud-detector", "2.0.0"), "a later rollback may return to it"


def test_a_version_not_placed_never_counts_as_having_been_in_production(service: RegistryService, replay: Replay):
    run_import(service, replay)
    with service.reading_registry() as session:
        assert not was_in_production(session, "fraud-detector", "2.0.0")


def test_place_stages_needs_the_admin_role(
    service: RegistryService,
    replay: Replay,
    make_service: ServiceFactory,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
):
    admin.set_roles(service, "carol", [Role.CONTRIBUTOR], None)
    monkeypatch.setenv("REGTUI_USER", "carol")
    carol = make_service(sqlite_url, init=False)
    with pytest.raises(NotAllowedError):
        run_import(carol, replay, place_stages=True)
    assert stages(carol, "fraud-detector") == {}
    run_import(carol, replay)
    assert stages(carol, "fraud-detector")["1.0.0"] == "Archived"


def test_two_production_versions_in_mlflow_are_not_both_placed(service: RegistryService, replay: Replay):
    replay.set_stage("fraud-detector", 3, "Production")
    with pytest.raises(RuleError, match="would both be placed in Production"):
        run_import(service, replay, place_stages=True)
    assert stages(service, "fraud-detector") == {}


def test_two_versions_on_one_semver_are_refused(service: RegistryService, replay: Replay):
    replay.versions("fraud-detector")[0]["tags"] = [{"key": "semver", "value": "2.0.0"}]
    with pytest.raises(InputError, match="v4 and v2 both map to fraud-detector@2.0.0"):
        run_import(service, replay)
    assert stages(service, "fraud-detector") == {}


def test_a_semver_regtui_holds_from_elsewhere_is_refused(service: RegistryService, replay: Replay, tmp_path: Path):
    service.register(version_manifest(tmp_path, "fraud-detector", "1.0.0"))
    with pytest.raises(RuleError, match=r"v1 maps to fraud-detector@1.0.0 \(N -> N.0.0\), which regtui already holds"):
        run_import(service, replay)
    assert stages(service, "fraud-detector") == {"1.0.0": "Development"}


def test_an_unknown_model_is_not_found(service: RegistryService, replay: Replay):
    with pytest.raises(NotFoundError, match="no registered model 'nope'"):
        run_import(service, replay, models=("nope",))


def test_a_version_mlflow_has_not_finished_registering_waits(service: RegistryService, replay: Replay):
    replay.versions("fraud-detector")[0]["status"] = "PENDING_REGISTRATION"
    report = run_import(service, replay)
    assert "fraud-detector@3.1.0" not in [v.ref for v in report.versions]
    replay.versions("fraud-detector")[0]["status"] = "READY"
    assert [v.ref for v in run_import(service, replay).versions] == ["fraud-detector@3.1.0"]
