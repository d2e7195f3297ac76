"""Seed an MLflow tracking server through MLflow's own client, for regtui's import tests and benchmark.

Run with the Python of MLflow's own virtualenv (never regtui's: the two must not share pins):

    python .ci/servers/mlflow_seed.py http://127.0.0.1:5000            # the test registry (SEED below)
    python .ci/servers/mlflow_seed.py http://127.0.0.1:5000 --bench 1000  # one model of N versions

The test registry: `fraud-detector` (4 versions: Archived, Production with alias champion, Staging with alias
challenger and a `semver`/`change_kind` tag on the next one, None), `Churn Model` (one version, a name regtui
normalizes). Every version has a run with overall and `segment/<name>/<metric>` metrics, params, a training
dataset input, a git commit tag and a few artifacts (an MLmodel file, a binary, a nested file).
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

from mlflow import MlflowClient
from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag

EXPERIMENT = "regtui-seed"
MLMODEL = (
    "artifact_path: model\nflavors:\n  python_function:\n    loader_module: seed\n"
    "  sklearn:\n    sklearn_version: 1.5.0\n"
)


def main() -> None:
    """Seed the test registry, or the benchmark's model of N versions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracking_uri")
    parser.add_argument("--bench", type=int, metavar="N", help="seed one model `bench-model` of N versions instead")
    args = parser.parse_args()
    client = MlflowClient(tracking_uri=args.tracking_uri)
    experiment = client.get_experiment_by_name(EXPERIMENT)
    experiment_id = experiment.experiment_id if experiment else client.create_experiment(EXPERIMENT)
    if args.bench:
        seed_bench(client, experiment_id, args.bench)
    else:
        seed_registry(client, experiment_id)


def seed_registry(client: MlflowClient, experiment_id: str) -> None:
    """The small registry every live import test reads."""
    client.create_registered_model(
        "fraud-detector", tags={"team": "risk"}, description="Scores card transactions for fraud."
    )
    plan = [
        ("Archived", {"auc": 0.86, "eu": 0.85, "us": 0.87}, {}, "1111111"),
        ("Production", {"auc": 0.90, "eu": 0.89, "us": 0.91}, {}, "2222222"),
        ("Staging", {"auc": 0.92, "eu": 0.90, "us": 0.93}, {}, "3333333"),
        ("None", {"auc": 0.93, "eu": 0.92, "us": 0.94}, {"semver": "3.1.0", "change_kind": "retraining"}, "4444444"),
    ]
    for number, (stage, auc, tags, commit) in enumerate(plan, start=1):
        run_id = log_run(client, experiment_id, auc, commit, lr=0.1 / number)
        version = register(client, "fraud-detector", run_id, tags, description=f"fraud model, run {number}")
        if stage != "None":
            client.transition_model_version_stage("fraud-detector", version, stage)
    client.set_registered_model_alias("fraud-detector", "champion", "2")
    client.set_registered_model_alias("fraud-detector", "challenger", "3")
    client.create_registered_model("Churn Model", description="Predicts churn.")
    run_id = log_run(client, experiment_id, {"auc": 0.8, "eu": 0.79, "us": 0.81}, "5555555", lr=0.05)
    register(client, "Churn Model", run_id, {}, description="first churn model")


def log_run(client: MlflowClient, experiment_id: str, auc: dict[str, float], commit: str, lr: float) -> str:
    """One finished training run: metrics (overall and per segment), params, a dataset input, a commit, artifacts."""
    run = client.create_run(experiment_id, tags={"mlflow.source.git.commit": commit})
    run_id = run.info.run_id
    now = int(time.time() * 1000)
    metrics = [Metric("auc", auc["auc"], now, 0), Metric("loss", round(1 - auc["auc"], 4), now, 0)]
    metrics += [Metric(f"segment/{name}/auc", auc[name], now, 0) for name in ("eu", "us")]
    params = [Param("learning_rate", str(lr)), Param("max_depth", "6"), Param("objective", "binary")]
    client.log_batch(run_id, metrics=metrics, params=params, tags=[RunTag("mlflow.user", "seed")])
    dataset = Dataset("transactions", digest=f"d{commit[:6]}", source_type="local", source="/data/transactions.parquet")
    client.log_inputs(run_id, [DatasetInput(dataset, [InputTag("mlflow.data.context", "training")])])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "MLmodel").write_text(MLMODEL)
        (root / "model.bin").write_bytes(hashlib.sha256(commit.encode()).digest() * 64)
        (root / "extra").mkdir()
        (root / "extra" / "notes.txt").write_text(f"trained at commit {commit}\n")
        client.log_artifacts(run_id, folder, artifact_path="model")
    client.set_terminated(run_id)
    return run_id


def register(client: MlflowClient, name: str, run_id: str, tags: dict[str, str], description: str) -> str:
    """A model version made from the run's `model` artifact folder; returns its version number."""
    source = f"{client.get_run(run_id).info.artifact_uri}/model"
    version = client.create_model_version(name, source, run_id=run_id, tags=tags, description=description)
    return str(version.version)


def seed_bench(client: MlflowClient, experiment_id: str, count: int) -> None:
    """One model `bench-model` of COUNT versions, each with a run of 20 metrics and 10 params and one artifact; the
    last one in Production with alias champion."""
    client.create_registered_model("bench-model")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "MLmodel").write_text(MLMODEL)
        for number in range(1, count + 1):
            run_id = client.create_run(experiment_id, tags={"mlflow.source.git.commit": f"{number:07x}"}).info.run_id
            now = int(time.time() * 1000)
            metrics = [Metric(f"m{i}", i + number / count, now, 0) for i in range(16)]
            metrics += [Metric(f"segment/s{i}/m0", number / count, now, 0) for i in range(4)]
            params = [Param(f"p{i}", str(number * i)) for i in range(10)]
            client.log_batch(run_id, metrics=metrics, params=params)
            client.log_artifacts(run_id, folder, artifact_path="model")
            source = f"{client.get_run(run_id).info.artifact_uri}/model"
            client.create_model_version("bench-model", source, run_id=run_id)
    client.set_registered_model_alias("bench-model", "champion", str(count))
    client.transition_model_version_stage("bench-model", str(count), "Production")


if __name__ == "__main__":
    main()
