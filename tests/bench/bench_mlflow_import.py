"""Benchmark: `regtui import-mlflow` of 1,000 versions from a local MLflow server, beside MLflow's own client.

    source .ci/servers/mlflow.sh       # a local server; exports REGTUI_TEST_MLFLOW_URL and REGTUI_TEST_MLFLOW_PYTHON
    python tests/bench/bench_mlflow_import.py [--versions 1000] [--runs 3] [--registry-dir DIR]

Seeds `bench-model` with N versions through MLflow's client (.ci/servers/mlflow_seed.py --bench, run with the MLflow
virtualenv's python; skipped when the model already holds them): each version a run of 20 metrics (4 of them per
segment) and 10 params and one 111-byte MLmodel artifact. Then, each run into a new SQLite registry, in this
process (the CLI's path: MLflowImportOptions through import_mlflow):

- a dry run: every REST read (models, versions, runs, artifact listings, the MLmodel file) and the planning, with
  no hashing and no write;
- the full import: the same, the artifacts hashed, and the one registry transaction.

Target: the import of 1,000 versions within 60 s, not counting artifact hashing (the dry run plus the write; the
full import is printed too). For comparison, MLflow's own client in the MLflow virtualenv: a fresh process's
`MlflowClient().get_model_version_by_alias("bench-model", "champion")` and `get_latest_versions(..., ["Production"])`,
as whole processes and as calls in one warm process. Prints `uptime` load at start and end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from regtui.config import Locations
from regtui.services.mlflow_import import MlflowImportOptions, import_mlflow
from regtui.services.registry import RegistryService

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / ".ci" / "servers" / "mlflow_seed.py"
MODEL = "bench-model"
TARGET_SECONDS = 60.0
CLIENT_LOOKUPS = """
import sys, time, statistics
t0 = time.perf_counter()
from mlflow import MlflowClient
client = MlflowClient(sys.argv[1])
first = client.get_model_version_by_alias("bench-model", "champion")
t1 = time.perf_counter()
alias, latest = [], []
for _ in range(20):
    a = time.perf_counter()
    client.get_model_version_by_alias("bench-model", "champion")
    b = time.perf_counter()
    client.get_latest_versions("bench-model", ["Production"])
    alias.append(b - a)
    latest.append(time.perf_counter() - b)
print(f"{t1 - t0:.3f} {statistics.median(alias):.4f} {statistics.median(latest):.4f} {first.version}")
"""


def uptime() -> str:
    """The load average line of `uptime`."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def seed(url: str, python: str, count: int) -> None:
    """Seed bench-model with COUNT versions unless it exists."""
    probe = subprocess.run(
        [
            python,
            "-c",
            f"from mlflow import MlflowClient; print(len(MlflowClient({url!r}).search_model_versions("
            f"\"name='{MODEL}'\", max_results=100000)))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    have = int(probe.stdout.strip() or 0) if probe.returncode == 0 else 0
    if have >= count:
        print(f"{MODEL} already holds {have} versions")
        return
    started = time.perf_counter()
    subprocess.run([python, str(SEED), url, "--bench", str(count)], check=True, capture_output=True)
    print(f"seeded {count} versions through MLflow's client in {time.perf_counter() - started:.1f} s")


def timed_import(url: str, folder: Path, *, dry_run: bool) -> tuple[float, float, int]:
    """Wall and CPU seconds of one import into a new SQLite registry, and the versions it planned."""
    registry = folder / f"registry-{time.monotonic_ns()}.db"
    service = RegistryService(
        Locations(registry_url=f"sqlite:///{registry}", cache_path=registry.with_suffix(".cache"))
    )
    service.init()
    wall, cpu = time.perf_counter(), time.process_time()
    report = import_mlflow(service, MlflowImportOptions(tracking_uri=url, models=(MODEL,), dry_run=dry_run))
    elapsed = time.perf_counter() - wall, time.process_time() - cpu
    service.close()
    return elapsed[0], elapsed[1], len(report.versions)


def client_lookups(url: str, python: str) -> tuple[float, float, float, float]:
    """MLflow's client: whole process (import + first lookup), then warm alias and latest-versions lookups."""
    started = time.perf_counter()
    out = subprocess.run([python, "-c", CLIENT_LOOKUPS, url], capture_output=True, text=True, check=True).stdout
    whole = time.perf_counter() - started
    first, alias, latest, _version = out.split()
    return whole, float(first), float(alias), float(latest)


def main() -> None:
    """Seed, run the imports, print the figures against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--registry-dir", type=Path)
    args = parser.parse_args()
    url = os.environ.get("REGTUI_TEST_MLFLOW_URL")
    python = os.environ.get("REGTUI_TEST_MLFLOW_PYTHON")
    if not url or not python:
        sys.exit("set REGTUI_TEST_MLFLOW_URL and REGTUI_TEST_MLFLOW_PYTHON (source .ci/servers/mlflow.sh)")
    print(f"start: {uptime()}")
    seed(url, python, args.versions)
    folder = args.registry_dir or Path(tempfile.mkdtemp(prefix="bench-mlflow-"))
    dry, full = [], []
    try:
        for _ in range(args.runs):
            dry.append(timed_import(url, folder, dry_run=True))
            full.append(timed_import(url, folder, dry_run=False))
    finally:
        if args.registry_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    whole, first, alias, latest = client_lookups(url, python)
    print(f"end: {uptime()}")
    for name, runs in (("dry run (reads + planning, no hashing)", dry), ("full import (hashing + write)", full)):
        walls = [r[0] for r in runs]
        print(
            f"{name}: {runs[0][2]} versions, median {statistics.median(walls):.2f} s "
            f"(range {min(walls):.2f}-{max(walls):.2f}), CPU {statistics.median(r[1] for r in runs):.2f} s"
        )
    print(
        f"MLflow client: process with import and first alias lookup {whole:.2f} s (in-process {first:.2f} s); "
        f"warm get_model_version_by_alias {alias * 1000:.1f} ms, get_latest_versions {latest * 1000:.1f} ms"
    )
    best = statistics.median(r[0] for r in full)
    verdict = "PASS" if best <= TARGET_SECONDS else "MISS"
    print(
        f"target: import of {args.versions} versions <= {TARGET_SECONDS:.0f} s (full import, hashing included): "
        f"{best:.2f} s {verdict}"
    )


if __name__ == "__main__":
    main()
