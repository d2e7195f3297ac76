"""Promotion write latency: a gated Canary -> Production apply against a bare single-row update plus hashing.

    python tests/bench/bench_promotion.py [--backend sqlite|postgresql|both] [--runs 15] [--artifact-kib 256]

For each run a fresh Canary candidate has every approval, SLO result and checklist item in place; the
timed part is what an operator waits for: re-verifying every artifact now, then one transaction that
takes the change counter, locks the model, evaluates the gate, archives the outgoing version, applies
the promotion and appends the log entries. The baseline on the same backend is one bare UPDATE of one
row in its own transaction plus the SHA-256 of the same artifacts. Target: median apply <= 1.5 x baseline.
The cache pull that follows a write is reported separately (it is not part of the write).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from regtui import workflow  # noqa: E402
from regtui.config import Locations  # noqa: E402
from regtui.domain.approvals import Decision  # noqa: E402
from regtui.domain.checksums import sha256_file  # noqa: E402
from regtui.domain.entry import Stage  # noqa: E402
from regtui.domain.manifest import load_paths  # noqa: E402
from regtui.service import RegistryService  # noqa: E402
from regtui.store import promotions  # noqa: E402
from regtui.store.engine import writer  # noqa: E402

MODEL = "bench-model"
POLICY = """
kind: policy
default:
  thresholds: [{metric: auc, min: 0.8}]
  canary_slos: [{metric: error_rate, max: 0.01}]
  signoff_roles: [product]
  archival_checklist: [traffic drained]
"""
REGISTRY = """
kind: registry
users:
  - {identity: admin, roles: [admin]}
  - {identity: rel, roles: [releaser], teams: [team-a]}
  - {identity: owner, roles: [contributor], teams: [team-a]}
  - {identity: rev, roles: [reviewer]}
  - {identity: pm, roles: [viewer], teams: [product]}
models:
  - {name: bench-model, owner: team-a}
"""
EVIDENCE = {"canary_results": {"error_rate": 0.001}, "archival_checklist": ["traffic drained"]}


def _manifest(folder: Path, version: str, parent: str | None, stage: str, artifact_kib: int) -> None:
    """One version manifest with two real artifact files of the given size."""
    artifacts = []
    for name in ("model", "config"):
        path = folder / "artifacts" / version / f"{name}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = hashlib.sha256(f"{version}/{name}".encode()).digest() * (artifact_kib * 32)
        path.write_bytes(data)
        artifacts.append(f"  - {{name: {name}, uri: {path.as_uri()}, sha256: {hashlib.sha256(data).hexdigest()}, size: {len(data)}}}")
    card = ("model_card: {intended_use: x, limitations: x, evaluation: x, fairness: {summary: x, attested_by: rev},"
            " training_data: {source: x}, responsible: {team: team-a, escalation_contact: a@example.com}}")
    kind = "configuration" if parent else "initial"
    (folder / f"{version}.yaml").write_text("\n".join([
        "kind: model-version", f"model: {MODEL}", f"version: {version}", f"change_kind: {kind}",
        f"parent: {parent}" if parent else "parent: null", "framework: sklearn", "owner: team-a",
        'created_at: "2026-01-01T00:00:00Z"', "training_data: d@1", "metrics: {overall: {auc: 0.9}}", card,
        f"stage: {stage}", f"canary_share: {5 if stage == 'Canary' else 'null'}", "artifacts:", *artifacts, "",
    ]))


def _setup(url: str, folder: Path, runs: int, artifact_kib: int) -> list[str]:
    """A registry with one Production version and `runs` Canary candidates; returns the candidates."""
    admin = RegistryService(Locations(url, folder / "cache.db"), identity="admin")
    admin.init()
    (folder / "registry.yaml").write_text(REGISTRY)
    (folder / "policy.yaml").write_text(POLICY)
    versions = [f"1.0.{i}" for i in range(runs + 1)]
    for i, version in enumerate(versions):
        _manifest(folder, version, versions[i - 1] if i else None, "Production" if i == 0 else "Canary", artifact_kib)
    admin.apply(load_paths([folder]), restore=True)
    admin.close()
    return versions[1:]


def _prepare(service_for: Callable[[str], RegistryService], version: str) -> None:
    """Open the Production request with evidence and collect the three approvals it needs."""
    request = workflow.promote(service_for("owner"), MODEL, version, Stage.PRODUCTION, evidence=EVIDENCE).request_id
    for identity in ("owner", "rev", "pm"):
        workflow.decide(service_for(identity), request, Decision.APPROVE, "checked the canary results")


def _timed_apply(service: RegistryService, version: str) -> tuple[float, float]:
    """Seconds for verify + gated apply transaction, and for the cache pull after it."""
    started = time.perf_counter()
    verification = workflow.verify_version(service, MODEL, version)
    with Session(writer(service.registry())) as session:
        outcome = promotions.promote(session, actor="rel", model=MODEL, version=version, to_stage=Stage.PRODUCTION,
                                     now=datetime.now(timezone.utc), verification=verification)
        session.commit()
    applied = time.perf_counter() - started
    if not outcome.applied:
        raise SystemExit(f"benchmark setup error: {version} not applied; missing {outcome.missing}")
    started = time.perf_counter()
    service.sync()
    return applied, time.perf_counter() - started


def _baseline(service: RegistryService, version: str) -> float:
    """Seconds for one bare single-row UPDATE transaction plus hashing the version's artifact files."""
    files = sorted((Path(service.locations.cache_path).parent / "artifacts" / version).glob("*.bin"))
    started = time.perf_counter()
    for path in files:
        sha256_file(path)
    with Session(writer(service.registry())) as session:
        session.execute(text("UPDATE regtui_meta SET value = value WHERE key = 'schema_version'"))
        session.commit()
    return time.perf_counter() - started


def bench(url: str, label: str, runs: int, artifact_kib: int) -> None:
    """Measure and print the figures for one backend."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        candidates = _setup(url, folder, runs, artifact_kib)
        services: dict[str, RegistryService] = {}

        def service_for(identity: str) -> RegistryService:
            """One service per identity, sharing the cache file."""
            if identity not in services:
                services[identity] = RegistryService(Locations(url, folder / f"cache-{identity}.db"), identity=identity)
            return services[identity]

        applies, pulls, baselines = [], [], []
        for version in candidates:
            _prepare(service_for, version)
            baselines.append(_baseline(service_for("rel"), version))
            applied, pulled = _timed_apply(service_for("rel"), version)
            applies.append(applied)
            pulls.append(pulled)
        for service in services.values():
            service.close()
    apply_ms, base_ms = statistics.median(applies) * 1000, statistics.median(baselines) * 1000
    ratio = apply_ms / base_ms
    verdict = "PASS" if ratio <= 1.5 else "MISS"
    print(f"{label:<11} gated Canary->Production apply median {apply_ms:7.2f} ms | bare update + hashing "
          f"{base_ms:6.2f} ms | ratio {ratio:4.2f} (target <= 1.5: {verdict}) | cache pull after {statistics.median(pulls) * 1000:6.2f} ms")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen backends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--artifact-kib", type=int, default=256, help="size of each of the two artifacts")
    parser.add_argument("--pg-url", help="an existing PostgreSQL admin URL (default: start a throwaway server)")
    args = parser.parse_args(argv)
    print(f"promotion write latency, {args.runs} runs, 2 artifacts x {args.artifact_kib} KiB")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            bench(f"sqlite:///{tmp}/registry.db", "SQLite", args.runs, args.artifact_kib)
    if args.backend in ("postgresql", "both"):
        _bench_postgres(args)
    return 0


def _bench_postgres(args: argparse.Namespace) -> None:
    """Run on PostgreSQL: a given server, or a throwaway one."""
    from tests.pg_server import PostgresUnavailable, create_database, drop_database, start_server, with_database

    server = None
    try:
        admin_url = args.pg_url
        if admin_url is None:
            server = start_server()
            admin_url = server.url
        name = create_database(admin_url)
        try:
            bench(with_database(admin_url, name), "PostgreSQL", args.runs, args.artifact_kib)
        finally:
            drop_database(admin_url, name)
    except PostgresUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
