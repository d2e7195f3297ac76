"""Promotion write latency: a gated Canary -> Production apply against a bare single-row update plus hashing.

    python tests/bench/bench_promotion.py [--backend sqlite|postgresql|both] [--runs 15] [--artifact-kib 256 ...]
                                          [--phases]
                                          [--no-governance]

For each run a fresh Canary candidate has every approval, SLO result and checklist item in place; the
timed part is what an operator waits for: re-verifying every artifact now (reading their records from
the registry, or on PostgreSQL from the releaser's cache, then streaming SHA-256), then one transaction that
takes the change counter, locks the model, evaluates the gate, archives the outgoing version, applies the
promotion and appends the log entries, then commits (as `promotion.promote` does). The baseline, on the same engine
(same connection pool and settings: on SQLite WAL and BEGIN IMMEDIATE), is one bare single-row UPDATE
that really changes a version's stage (a spare version moved between Development and Staging, the other
stage each time) in its own committed transaction, plus streaming SHA-256 of the same artifact files.
Target: median apply <= 1.5 x baseline. The former baseline, an UPDATE setting the candidate's stage to
the stage it has (SQLite writes nothing for it), is timed too and printed beside it: the two run on
alternate runs, each right before the apply as the baseline always did (a second baseline in the same
run would find the files' bytes in the CPU caches). Medians of wall time are the figures; the client
process's CPU time is printed beside them (on a loaded machine it is the steadier comparison on SQLite,
where all the work is in-process). The cache pull that follows a write is reported separately (it is not
part of the write). Each artifact size gets its own registry and baseline. `--phases` adds the median of
every phase of the apply: each statement's time in the driver, the Python and SQLAlchemy work before it,
the hashing, gate evaluation and log hashing. `--no-governance` measures the floor: the same applies with the
gate facts, the gate and the log entries' hashing replaced by constants (the same statements; log rows with
empty details).

PostgreSQL: statements are not prepared (regtui's default, what PgBouncer in transaction mode needs) unless
REGTUI_PREPARE_THRESHOLD is set, as for regtui itself. Each identity connects as its own login role (identity is the
authenticated database user).
The throwaway server runs with tests/pg_server.py's settings (fsync and synchronous_commit off), so
commit cost is not disk-bound on either side of the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine, event, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from regtui.config import Locations, env_prepare_threshold  # noqa: E402
from regtui.domain import checksums, hashchain  # noqa: E402
from regtui.domain.approvals import Decision  # noqa: E402
from regtui.domain.checksums import sha256_file  # noqa: E402
from regtui.domain.entry import Stage  # noqa: E402
from regtui.domain.gates import GateResult  # noqa: E402
from regtui.domain.manifest import load_paths  # noqa: E402
from regtui.domain.roles import Role  # noqa: E402
from regtui.services import admin, promotion  # noqa: E402
from regtui.services.registry import RegistryService  # noqa: E402
from regtui.store import log, promotions  # noqa: E402
from regtui.store.engine import writer  # noqa: E402
from regtui.store.facts import single_read  # noqa: E402

MODEL = "bench-model"
RELEASER, OWNER, REVIEWER, STAKEHOLDER = "bench_rel", "bench_owner", "bench_rev", "bench_pm"
IDENTITIES = (RELEASER, OWNER, REVIEWER, STAKEHOLDER)
ENROLLED: dict[str, tuple[list[Role], list[str]]] = {
    RELEASER: ([Role.RELEASER], ["team-a"]),
    OWNER: ([Role.CONTRIBUTOR], ["team-a"]),
    REVIEWER: ([Role.REVIEWER], []),
    STAKEHOLDER: ([Role.VIEWER], ["product"]),
}
"""--enforced: the registry users of REGISTRY, enrolled with `users add` so they write through the checked API."""
ARTIFACTS = ("model", "config")
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
  - {identity: ADMIN, roles: [admin]}
  - {identity: bench_rel, roles: [releaser], teams: [team-a]}
  - {identity: bench_owner, roles: [contributor], teams: [team-a]}
  - {identity: bench_rev, roles: [reviewer]}
  - {identity: bench_pm, roles: [viewer], teams: [product]}
models:
  - {name: bench-model, owner: team-a}
"""
EVIDENCE = {"canary_results": {"error_rate": 0.001}, "archival_checklist": ["traffic drained"]}
SPARE_STAGES = (Stage.DEVELOPMENT.value, Stage.STAGING.value)  # the baseline's version moves between these


def _manifest(folder: Path, version: str, parent: str | None, stage: str, artifact_kib: int) -> None:
    """One version manifest with two real artifact files of the given size."""
    artifacts = []
    for name in ARTIFACTS:
        path = folder / "artifacts" / version / f"{name}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = hashlib.sha256(f"{version}/{name}".encode()).digest() * (artifact_kib * 32)
        path.write_bytes(data)
        artifacts.append(
            f"  - {{name: {name}, uri: {path.as_uri()}, sha256: {hashlib.sha256(data).hexdigest()}, size: {len(data)}}}"
        )
    card = (
        "model_card: {intended_use: x, limitations: x, evaluation: x, fairness: {summary: x, attested_by: rev},"
        " training_data: {source: x}, responsible: {team: team-a, escalation_contact: a@example.com}}"
    )
    kind = "configuration" if parent else "initial"
    (folder / f"{version}.yaml").write_text(
        "\n".join(
            [
                "kind: model-version",
                f"model: {MODEL}",
                f"version: {version}",
                f"change_kind: {kind}",
                f"parent: {parent}" if parent else "parent: null",
                "framework: sklearn",
                "owner: team-a",
                'created_at: "2026-01-01T00:00:00Z"',
                "training_data: d@1",
                "metrics: {overall: {auc: 0.9}}",
                card,
                f"stage: {stage}",
                f"canary_share: {5 if stage == 'Canary' else 'null'}",
                "artifacts:",
                *artifacts,
                "",
            ]
        )
    )


def _setup(url: str, folder: Path, runs: int, artifact_kib: int) -> tuple[list[str], str]:
    """A registry with one Production version, `runs` Canary candidates and a spare Development version for the
    baseline; returns the candidates and the spare."""
    admin = RegistryService(Locations(url, folder / "cache.db"), identity="admin")
    admin.init()
    (folder / "registry.yaml").write_text(REGISTRY.replace("ADMIN", admin.identity()))
    (folder / "policy.yaml").write_text(POLICY)
    versions = [f"1.0.{i}" for i in range(runs + 2)]
    stages = ["Production", *["Canary"] * runs, SPARE_STAGES[0]]
    for i, (version, stage) in enumerate(zip(versions, stages)):
        _manifest(folder, version, versions[i - 1] if i else None, stage, artifact_kib)
    admin.apply(load_paths([folder]), restore=True)
    admin.close()
    return versions[1:-1], versions[-1]


def _prepare(service_for: Callable[[str], RegistryService], version: str) -> None:
    """Open the Production request with evidence and collect the three approvals it needs."""
    request = promotion.promote(service_for(OWNER), MODEL, version, Stage.PRODUCTION, evidence=EVIDENCE).request_id
    for identity in (OWNER, REVIEWER, STAKEHOLDER):
        promotion.decide(service_for(identity), request, Decision.APPROVE, "checked the canary results")


@dataclass(frozen=True)
class Timing:
    """Wall seconds and this process's CPU seconds of one timed step (CPU is the load-robust figure on SQLite)."""

    wall: float
    cpu: float


def _clock() -> tuple[float, float]:
    """The wall and process CPU clocks now."""
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> Timing:
    """The time elapsed since a _clock() reading."""
    wall, cpu = _clock()
    return Timing(wall - started[0], cpu - started[1])


class Phases:
    """Marks taken during one timed apply; a phase is the time from one mark to the next, named by the later one."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []
        self.active = False

    def mark(self, label: str) -> None:
        """Record that a phase named `label` ends now (ignored outside a timed apply)."""
        if self.active:
            self.marks.append((label, time.perf_counter()))

    def durations(self) -> list[tuple[str, float]]:
        """The phases of the last apply in order, numbered so repeated statements stay apart."""
        return [
            (f"{i:2d} {label}", end - start)
            for i, ((_, start), (label, end)) in enumerate(zip(self.marks, self.marks[1:]), 1)
        ]

    def watch(self, engine: Engine) -> None:
        """Mark each statement's start (the Python before it ends) and end (its time in the driver)."""
        event.listen(engine, "before_cursor_execute", lambda *a: self.mark(f"py+SQLAlchemy before {_verb(a[2])}"))
        event.listen(engine, "after_cursor_execute", lambda *a: self.mark(f"driver: {_verb(a[2])}"))
        event.listen(engine, "checkout", lambda *a: self.mark("pool checkout (PostgreSQL: + pre-ping)"))
        event.listen(engine, "commit", lambda *a: self.mark("py before COMMIT"))

    def wrap(self, owner: object, name: str, label: str) -> None:
        """Mark the start and the end of every call of owner.name."""
        inner = getattr(owner, name)

        def traced(*args: object, **kwargs: object) -> object:
            """The wrapped call between two marks."""
            self.mark(f"py before {label}")
            try:
                return inner(*args, **kwargs)
            finally:
                self.mark(label)

        setattr(owner, name, traced)


def _verb(statement: str) -> str:
    """A statement's first words and table, short enough for one table row."""
    words = statement.split()
    table = next((w for w in words[1:] if w.islower() and w.isidentifier() and w not in ("value", "id")), "")
    return " ".join([*words[:2], table])[:44] if words[0] != "BEGIN" else " ".join(words[:2])


PHASES = Phases()


def _timed_apply(service: RegistryService, version: str, governed: bool = True) -> tuple[Timing, float]:
    """Time of verify + gated apply transaction, and seconds for the cache pull after it (not governed: see
    _without_governance)."""
    PHASES.marks.clear()
    PHASES.active = True
    started = _clock()
    PHASES.mark("start")
    with (
        writer(service.registry()).connect() as connection,  # as RegistryService.write_connection, without its refresh
        contextlib.nullcontext() if governed else _without_governance(),
    ):
        outcome = promotion.promote_on(
            connection,
            actor=RELEASER,
            model=MODEL,
            version=version,
            to_stage=Stage.PRODUCTION,
            clock=service.clock,
            cached=promotion.cached_records(service),
        )
    PHASES.mark("COMMIT and close")
    applied = _since(started)
    PHASES.active = False
    if not outcome.applied:
        raise SystemExit(f"benchmark setup error: {version} not applied; missing {outcome.missing}")
    started = time.perf_counter()
    service.sync()
    return applied, time.perf_counter() - started


CONSTANT_FACTS = SimpleNamespace(approvals=(), current_artifact_digest="0" * 64)


def _constant_event_rows(
    connection: Any, events: Any, *, seq: int, actor: str, at: Any, tail: tuple[int, str] | None = None
) -> list[dict[str, Any]]:
    """The log rows of the events with empty details and constant hashes (positions after the tail read in the
    transaction, as the apply passes it)."""
    position = tail[0] if tail else 0
    return [
        {
            "position": position + i,
            "kind": e.kind,
            "model": e.model,
            "version": e.version,
            "actor": actor,
            "at": at,
            "from_stage": e.from_stage,
            "to_stage": e.to_stage,
            "details": {},
            "prev_hash": "0" * 64,
            "hash": "1" * 64,
            "change_seq": seq,
        }
        for i, e in enumerate(events, 1)
    ]


@contextlib.contextmanager
def _without_governance() -> Iterator[None]:
    """For the floor analysis (--no-governance): the gate facts, the gate and the log entries' canonical JSON and
    hashes replaced by constants, so the apply runs the same statements (its log rows with empty details) with none
    of the Python that decides whether it may (its log entries then break the chain: a throwaway registry only)."""
    stubs = {
        (promotions, "subject_facts"): lambda *a, **k: CONSTANT_FACTS,
        (promotions, "facts_of_approvals"): lambda *a, **k: (),
        (promotions, "evaluate_gate"): lambda *a, **k: GateResult(()),
        (log, "event_rows"): _constant_event_rows,
    }
    real = {key: getattr(*key) for key in stubs}
    for (owner, name), stub in stubs.items():
        setattr(owner, name, stub)
    try:
        yield
    finally:
        for (owner, name), function in real.items():
            setattr(owner, name, function)


def _baseline(service: RegistryService, version: str, stage: str, files: list[Path]) -> Timing:
    """Time for hashing the artifact files plus one bare single-row UPDATE setting a version's stage, committed."""
    with service.registry().connect() as connection:  # autocommit on PostgreSQL, as the apply's own reads
        version_id = (
            single_read(connection)
            .execute(
                text("SELECT id FROM model_version WHERE model = :model AND version = :version"),
                {"model": MODEL, "version": version},
            )
            .scalar_one()
        )
    engine = writer(service.registry())
    started = _clock()
    for path in files:
        sha256_file(path)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE model_version SET stage = :stage WHERE id = :id"), {"stage": stage, "id": version_id}
        )
    return _since(started)


def _artifact_files(folder: Path, version: str) -> list[Path]:
    """The artifact files of a version, as the manifests reference them."""
    return [folder / "artifacts" / version / f"{name}.bin" for name in ARTIFACTS]


def bench(
    url: str,
    label: str,
    runs: int,
    artifact_kib: int,
    url_for: Callable[[str], str] | None = None,
    phases: bool = False,
    governed: bool = True,
    enforced: bool = False,
) -> None:
    """Measure and print the figures for one backend and artifact size (url_for: the URL an identity connects with).

    `enforced` (PostgreSQL): the logins are enrolled (`users add`), so every write goes through the database's
    checking API. On PostgreSQL the bare-update baseline runs as the superuser: a registry login may not change a
    stage without its log entry (the database's commit-time check)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        candidates, spare = _setup(url, folder, runs, artifact_kib)
        base = RegistryService(Locations(url, folder / "cache-base.db"), identity="admin")
        if enforced:
            for identity, (roles, teams) in ENROLLED.items():
                admin.add_user(base, identity, roles, teams, create_login=False)
        os.sync()  # the artifact files just written reach the disk now, not during the timed runs
        services: dict[str, RegistryService] = {}

        def service_for(identity: str) -> RegistryService:
            """One service (and engine) per identity, each with its own cache file."""
            if identity not in services:
                identity_url = url_for(identity) if url_for is not None else url
                locations = Locations(
                    identity_url, folder / f"cache-{identity}.db", prepare_threshold=env_prepare_threshold()
                )
                services[identity] = RegistryService(locations, identity=identity)
            return services[identity]

        baseline_service = base if url_for is not None else service_for(RELEASER)
        if phases:
            PHASES.watch(service_for(RELEASER).registry())
        applies: list[Timing] = []
        baselines: list[Timing] = []
        no_ops: list[Timing] = []
        pulls: list[float] = []
        traces: list[list[tuple[str, float]]] = []
        total = sum(path.stat().st_size for path in _artifact_files(folder, candidates[0]))
        for run, version in enumerate(candidates, 1):
            _prepare(service_for, version)
            files = _artifact_files(folder, version)
            if run % 2:  # the two baselines on alternate runs, each where the baseline always ran (caches alike)
                baselines.append(_baseline(baseline_service, spare, SPARE_STAGES[(run // 2 + 1) % 2], files))
            else:
                no_ops.append(_baseline(baseline_service, version, Stage.CANARY.value, files))
            applied, pulled = _timed_apply(service_for(RELEASER), version, governed)
            applies.append(applied)
            pulls.append(pulled)
            traces.append(PHASES.durations())
        for service in [*services.values(), base]:
            service.close()
    _print_figures(label, applies, baselines, no_ops, pulls, total)
    if phases:
        _print_phases(traces)


def _print_figures(
    label: str, applies: list[Timing], baselines: list[Timing], no_ops: list[Timing], pulls: list[float], total: int
) -> None:
    """One line: medians of apply and baseline (wall and CPU), their ratio against the target, the former no-op
    baseline, the pull after."""
    apply_ms, base_ms = _median_ms(t.wall for t in applies), _median_ms(t.wall for t in baselines)
    ratio = apply_ms / base_ms
    verdict = "PASS" if ratio <= 1.5 else "MISS"
    apply_cpu, base_cpu = _median_ms(t.cpu for t in applies), _median_ms(t.cpu for t in baselines)
    no_op_ms = _median_ms(t.wall for t in no_ops) if no_ops else float("nan")  # none in a single run
    print(
        f"{label:<11} {len(ARTIFACTS)}x{total / len(ARTIFACTS) / 1024:>6.0f} KiB | apply median {apply_ms:7.2f} ms | "
        f"bare update + hashing {base_ms:7.2f} ms | ratio {ratio:4.2f} (target <= 1.5: {verdict}) | client CPU "
        f"{apply_cpu:.2f} vs {base_cpu:.2f} ms (ratio {apply_cpu / base_cpu:.2f}) | former no-op update + hashing "
        f"{no_op_ms:.2f} ms (ratio {apply_ms / no_op_ms:.2f}) | cache pull after {_median_ms(pulls):6.2f} ms",
        flush=True,
    )


def _print_phases(traces: list[list[tuple[str, float]]]) -> None:
    """The median duration of every phase of the apply, over the runs of the most common sequence of phases (the first
    run reads the artifact records from the registry: the cache has not synced them yet)."""
    shapes = Counter(tuple(name for name, _ in trace) for trace in traces)
    names = list(shapes.most_common(1)[0][0])
    same = [trace for trace in traces if [name for name, _ in trace] == names]
    medians = [(name, statistics.median(trace[i][1] for trace in same) * 1e6) for i, name in enumerate(names)]
    print(
        f"    phases of the apply (median of {len(same)} runs, microseconds; a 'driver:' phase is "
        "a statement's time in the driver):"
    )
    for name, micros in medians:
        print(f"    {micros:8.0f}  {name}")
    totals: dict[str, float] = {}
    for name, micros in medians:
        totals[_category(name)] = totals.get(_category(name), 0.0) + micros
    print("    by kind: " + ", ".join(f"{kind} {micros:.0f}" for kind, micros in totals.items()))


def _category(phase: str) -> str:
    """What a phase's time is spent on: the database driver, hashing artifacts, or Python (regtui and SQLAlchemy)."""
    if " before " in phase:
        return "Python (regtui, SQLAlchemy, pool)"
    if "driver:" in phase or "COMMIT and close" in phase:
        return "database (driver calls, commit and close)"
    if "SHA-256" in phase:
        return "artifact hashing"
    return "Python (regtui, SQLAlchemy, pool)"


def _median_ms(seconds: Iterable[float]) -> float:
    """The median of some durations, in milliseconds."""
    return statistics.median(seconds) * 1000


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen backends, once per artifact size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--artifact-kib",
        type=int,
        nargs="+",
        default=[256, 4096, 32768],
        help="sizes to run, each the size of each of the two artifacts",
    )
    parser.add_argument("--phases", action="store_true", help="print the median time of every phase of the apply")
    parser.add_argument("--pg-url", help="an existing PostgreSQL admin URL (default: start a throwaway server)")
    parser.add_argument(
        "--no-governance",
        action="store_true",
        help="floor analysis: time the apply with its gate facts, gate and log hashing as constants",
    )
    parser.add_argument(
        "--enforced",
        action="store_true",
        help="PostgreSQL: enroll the logins (users add), so writes go through the database-enforced API",
    )
    args = parser.parse_args(argv)
    if args.phases:
        _trace_steps()
    print(
        f"promotion write latency, {args.runs} runs per size, {len(ARTIFACTS)} artifacts per version"
        + (
            " (--no-governance: the apply's gate facts, gate and log hashing replaced by constants)"
            if args.no_governance
            else ""
        )
    )
    if args.backend in ("sqlite", "postgresql"):
        print(f"(backend {args.backend} only)")
    if args.backend in ("sqlite", "both"):
        for kib in args.artifact_kib:
            with tempfile.TemporaryDirectory() as tmp:
                bench(
                    f"sqlite:///{tmp}/registry.db",
                    "SQLite",
                    args.runs,
                    kib,
                    phases=args.phases,
                    governed=not args.no_governance,
                )
    if args.backend in ("postgresql", "both"):
        _bench_postgres(args)
    return 0


def _trace_steps() -> None:
    """Mark the start and end of the hashing, the gate evaluation and each log entry's hash (statements: watch)."""
    PHASES.wrap(checksums, "sha256_stream", "SHA-256 of one artifact (streamed)")
    PHASES.wrap(promotions, "evaluate_gate", "gate evaluation")
    PHASES.wrap(hashchain.LogEntry, "digest", "hash of one log entry")


def _bench_postgres(args: argparse.Namespace) -> None:
    """Run on PostgreSQL: a given server, or a throwaway one; a fresh database per artifact size."""
    from tests.pg_server import (
        PostgresUnavailable,
        create_database,
        create_pg_role,
        database_of,
        drop_database,
        start_server,
    )

    server = None
    try:
        admin_url = args.pg_url
        if admin_url is None:
            server = start_server()
            admin_url = server.url
        for kib in args.artifact_kib:
            db_url = create_database(admin_url)
            try:
                urls = {identity: create_pg_role(db_url, identity) for identity in IDENTITIES}
                bench(
                    db_url,
                    "PostgreSQL",
                    args.runs,
                    kib,
                    urls.__getitem__,
                    phases=args.phases,
                    governed=not args.no_governance,
                    enforced=args.enforced,
                )
            finally:
                drop_database(admin_url, database_of(db_url))
    except PostgresUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}")
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
