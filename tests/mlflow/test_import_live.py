"""import-mlflow against a real MLflow server seeded by .ci/servers/mlflow_seed.py (.ci/servers/mlflow.sh)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.factories import CliResult

SEEDED = ("--model", "fraud-detector", "--model", "Churn Model")


@pytest.fixture
def regtui(cli: Callable[..., CliResult]) -> Callable[..., CliResult]:
    """The CLI on a registry created for the test."""
    assert cli("init").code == 0
    return cli


def mlflow_post(url: str, path: str, body: dict) -> dict:
    """One write through MLflow's REST API (test set-up only)."""
    response = httpx.post(f"{url}/api/2.0/mlflow/{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def mlflow_get(url: str, path: str, **params: str) -> dict:
    """One read through MLflow's REST API."""
    response = httpx.get(f"{url}/api/2.0/mlflow/{path}", params=params, timeout=30)
    response.raise_for_status()
    return response.json()


POLICY = "kind: policy\ndefault:\n  thresholds:\n  - metric: auc\n    min: 0.88\n    segments: all\n"


def test_the_seeded_registry_is_imported_hashed_and_verifiable(
    regtui: Callable[..., CliResult], mlflow_url: str, tmp_path: Path
):
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    assert regtui("policy", "set", tmp_path / "policy.yaml").code == 0
    result = regtui("--json", "import-mlflow", "--tracking-uri", mlflow_url, *SEEDED, "--alias", "champion=Production")
    assert result.code == 0, result.err
    report = result.json()
    refs = [v["ref"] for v in report["imported"]]
    assert refs == [
        "churn-model@1.0.0",
        "fraud-detector@1.0.0",
        "fraud-detector@2.0.0",
        "fraud-detector@3.0.0",
        "fraud-detector@3.1.0",
    ]
    production = report["imported"][2]
    assert (production["mlflow_stage"], production["mapped_stage"], production["stage"]) == (
        "Production",
        "Production",
        "Development",
    )
    assert production["git_commit"] == "2222222" and production["artifacts"] == 3
    churn = report["imported"][0]
    assert churn["gate_gaps"] == [
        {"gate": "Development -> Staging", "missing": ["threshold auc >= 0.88 in every segment"]}
    ]
    shown = regtui("--json", "show", "fraud-detector@3.1.0").json()
    assert shown["metrics"]["segments"]["eu"] == {"auc": 0.92}
    assert shown["training_data"] == "transactions@d444444"
    assert regtui("verify", "fraud-detector@2.0.0").code == 0
    again = regtui("--json", "import-mlflow", "--tracking-uri", mlflow_url, *SEEDED).json()
    assert again["imported"] == [] and again["already_imported"] == 5


@pytest.fixture
def fresh_model(mlflow_url: str) -> str:
    """A model of its own on the live server (two versions, the first in Production), so tests can move things."""
    name = f"live-{uuid.uuid4().hex[:8]}"
    mlflow_post(mlflow_url, "registered-models/create", {"name": name})
    seeded = mlflow_get(mlflow_url, "model-versions/get", name="fraud-detector", version="2")["model_version"]
    for _ in range(2):
        mlflow_post(
            mlflow_url,
            "model-versions/create",
            {"name": name, "source": seeded["source"], "run_id": seeded["run_id"]},
        )
    mlflow_post(
        mlflow_url,
        "model-versions/transition-stage",
        {"name": name, "version": "1", "stage": "Production", "archive_existing_versions": False},
    )
    return name


def test_a_rerun_reports_moves_and_imports_new_versions(
    regtui: Callable[..., CliResult], mlflow_url: str, fresh_model: str
):
    first = regtui("--json", "import-mlflow", "--tracking-uri", mlflow_url, "--model", fresh_model).json()
    assert [v["ref"] for v in first["imported"]] == [f"{fresh_model}@1.0.0", f"{fresh_model}@2.0.0"]
    mlflow_post(mlflow_url, "registered-models/alias", {"name": fresh_model, "alias": "champion", "version": "2"})
    mlflow_post(
        mlflow_url,
        "model-versions/transition-stage",
        {"name": fresh_model, "version": "2", "stage": "Staging", "archive_existing_versions": False},
    )
    seeded = mlflow_get(mlflow_url, "model-versions/get", name=fresh_model, version="2")["model_version"]
    mlflow_post(
        mlflow_url,
        "model-versions/create",
        {"name": fresh_model, "source": seeded["source"], "run_id": seeded["run_id"]},
    )
    result = regtui("import-mlflow", "--tracking-uri", mlflow_url, "--model", fresh_model)
    assert result.code == 0, result.err
    assert f"imported 1 version(s) from {mlflow_url}; 2 imported before" in result.out
    assert f"{fresh_model}@3.0.0" in result.out
    assert f"({fresh_model}@2.0.0): stage None -> Staging (not applied)" in result.out
    assert f"({fresh_model}@2.0.0): alias champion now points here (not applied)" in result.out
    versions = regtui("--json", "versions", fresh_model).json()
    assert {v["version"]: v["stage"] for v in versions} == {
        "3.0.0": "Development",
        "2.0.0": "Development",
        "1.0.0": "Development",
    }


def test_place_stages_puts_the_production_version_in_production(
    regtui: Callable[..., CliResult], mlflow_url: str, fresh_model: str
):
    result = regtui("import-mlflow", "--tracking-uri", mlflow_url, "--model", fresh_model, "--place-stages")
    assert result.code == 0, result.err
    versions = {v["version"]: v["stage"] for v in regtui("--json", "versions", fresh_model).json()}
    assert versions == {"2.0.0": "Development", "1.0.0": "Production"}
    entries = regtui("--json", "audit", fresh_model).json()
    placed = next(e for e in entries if e["version"] == "1.0.0")
    assert placed["kind"] == "mlflow-import" and placed["to_stage"] == "Production"
    assert placed["details"]["origin"]["tracking_uri"] == mlflow_url
