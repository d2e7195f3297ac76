"""Issue 17's whole story on the seeded MLflow server: a team's MLflow registry is imported, a pipeline registers a
new version through the Python API and takes it to Production through the gates, a deploy job gets its verified
bytes with resolve + pull, and on call the model is rolled back to the Production version MLflow had."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import regtui
from regtui.config import Locations
from regtui.domain.approvals import Decision
from regtui.services import promotion
from regtui.services.mlflow_import import MlflowImportOptions, import_mlflow
from regtui.services.registry import RegistryService

PEOPLE = """kind: registry
users:
  - {identity: alice, roles: [contributor, releaser]}
  - {identity: bob, roles: [reviewer]}
"""
POLICY = """kind: policy
default:
  thresholds:
    - {metric: auc, min: 0.85}
  canary_slos:
    - {metric: error_rate, max: 0.01}
  signoff_roles: []
  archival_checklist: [traffic drained]
"""
CARD = {
    "intended_use": "Scoring card transactions for fraud",
    "limitations": "Not for ACH transfers",
    "evaluation": "AUC 0.95 overall, 0.94 EU, 0.95 US",
    "fairness": {"summary": "No gap above 1 point between regions"},
    "training_data": {"source": "warehouse.transactions", "size": "40M rows", "date_range": "2026-01..2026-10"},
    "responsible": {"team": "team-risk", "escalation_contact": "risk-oncall@example.com"},
}
WEIGHTS = b"fraud-detector weights trained by the pipeline"


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, RegistryService]]:
    """An SQLite registry initialised by admin (the imported model's owner), with alice (contributor, releaser) and
    bob (reviewer), each with a service acting as them."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REGTUI_CONFIG", str(tmp_path / "no-config.yaml"))
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    people = {
        who: RegistryService(Locations(url, tmp_path / f"{who}.db"), identity=who) for who in ("admin", "alice", "bob")
    }
    people["admin"].init()
    for name, text in (("people.yaml", PEOPLE), ("policy.yaml", POLICY)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        people["admin"].import_paths([tmp_path / name])
    yield people
    for service in people.values():
        service.close()


def test_import_register_promote_deploy_and_roll_back(
    mlflow_url: str, team: dict[str, RegistryService], tmp_path: Path
) -> None:
    """MLflow's Production version arrives placed; the pipeline's 3.2.0 replaces it through every gate and is
    pulled verified; a rollback returns to the imported version, whose artifacts (folders kept) pull verified."""
    admin, bob = team["admin"], team["bob"]
    options = MlflowImportOptions(
        tracking_uri=mlflow_url, models=("fraud-detector",), aliases=("champion=Production",), place_stages=True
    )
    imported = import_mlflow(admin, options)
    assert {v.ref: v.stage.value for v in imported.versions}["fraud-detector@2.0.0"] == "Production"

    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "model.bin").write_bytes(WEIGHTS)
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    with regtui.connect(url, cache=tmp_path / "pipeline.db", identity="alice") as registry:
        registry.register(
            model="fraud-detector",
            version="3.2.0",
            parent="3.1.0",
            change_kind="retraining",
            framework="sklearn",
            owner="team-risk",
            training_data="transactions@d555555",
            metrics={"overall": {"auc": 0.95}, "segments": {"eu": {"auc": 0.94}, "us": {"auc": 0.95}}},
            model_card=CARD,
            source={"run_id": "run-9", "git_commit": "5555555", "builder": "ci"},
            artifacts={"model.bin": "train/model.bin"},
        )
        assert registry.promote("fraud-detector@3.2.0", "Staging").applied
        canary = registry.promote(
            "fraud-detector@3.2.0", "Canary", evidence={"review": "offline evaluation report r9"}, canary_share=5
        )
        assert not canary.applied and canary.request_id is not None
        promotion.decide(bob, canary.request_id, Decision.APPROVE, "read offline evaluation report r9")
        promotion.attest(bob, "fraud-detector", "3.2.0", "fairness", "regional gap table read")
        assert registry.promote("fraud-detector@3.2.0", "Canary").applied
        evidence = {"canary_results": {"error_rate": 0.001}, "archival_checklist": ["traffic drained"]}
        production = registry.promote("fraud-detector@3.2.0", "Production", evidence=evidence)
        assert list(production.missing) == ["owner approval", "second reviewer"]
        promotion.decide(admin, production.request_id, Decision.APPROVE, "owner: the canary ran clean")
        promotion.decide(bob, production.request_id, Decision.APPROVE, "canary results checked")
        assert registry.promote("fraud-detector@3.2.0", "Production").applied

        live = registry.resolve("fraud-detector@Production")
        pulled = registry.pull("fraud-detector@Production", tmp_path / "deploy")
        assert live.version == "3.2.0" and (tmp_path / "deploy" / "model.bin").read_bytes() == WEIGHTS

        back = promotion.rollback(team["alice"], "fraud-detector", "2.0.0", "INC-1: alerts doubled")
        assert back.to_version == "2.0.0" and back.verified
        restored = registry.resolve("fraud-detector@Production")
        pulled = registry.pull("fraud-detector@Production", tmp_path / "restored")
    assert restored.version == "2.0.0"
    written = {a.name: Path(a.path) for a in pulled.artifacts}
    assert set(written) == {a["name"] for a in restored.artifacts} and "extra/notes.txt" in written
    for artifact in restored.artifacts:
        assert hashlib.sha256(written[artifact["name"]].read_bytes()).hexdigest() == artifact["sha256"]
