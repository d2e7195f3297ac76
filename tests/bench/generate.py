"""Write a synthetic registry of N models x M versions, fast, for the sync and listing benchmarks.

    python tests/bench/generate.py --registry sqlite:////tmp/bench.db --models 2000 --versions 50 [--seed N]

Rows go straight into the registry's tables with bulk core inserts (executemany in large batches),
one transaction per block of "rounds" (round r registers the r-th version of every model, so the log's
timestamps grow monotonically), each transaction taking its own value of the change counter exactly
like a real writer (`regtui.store.schema.next_change`). Every version gets one `register` event in the
hash chain, hashed with `regtui.domain.hashchain.LogEntry`, so the chain verifies. Content hashes are
the real `VersionEntry.content_hash()` values (computed from the same canonical plain form), so an
identical manifest re-registered is a no-op and a differing one is refused, as on a real registry.

What the rows look like: six model families (tabular classifier, ranker, forecaster, an LLM application
pinned to a third-party provider model, churn model, image moderation); lineage with major lines,
retrains and patches whose change kinds match their semver bump, occasional release candidates
(3.0.0-rc.1 -> 3.0.0), older-line hotfixes; stages with at most one Production version per model,
Canary/Staging/Development at the head, Archived behind; metrics overall and for 3 segments; a short
model card with its six sections; 1-2 artifacts with well-formed fake SHA-256 (s3:// URIs, so `verify`
reports them as not verifiable here); hyperparameters.

`generate(url, models, versions, seed)` is the same thing for the other bench scripts, and
`apply_changes(url, n)` makes n realistic changes through the real write paths, one transaction (and one
change-counter value) each: registrations through `regtui.store.registry.import_manifests` and
promotions Development -> Staging through `regtui.store.promotions.promote` (request, gate, stage
change, log entry; a promotion the gate refuses stays a pending request, still a change). The generated
registry stores a policy (first log entry) whose Staging threshold most versions pass, so most
promotions apply. Incremental sync is measured on these changes.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text
from sqlmodel import Session

from regtui.domain.entry import (
    Artifact,
    ChangeKind,
    FairnessAssessment,
    Metrics,
    ModelCard,
    ProviderPin,
    Responsible,
    Stage,
    TrainingDataSummary,
    VersionEntry,
    canonical_json,
    utc_iso,
)
from regtui.domain.hashchain import GENESIS_HASH, LogEntry
from regtui.domain.manifest import ManifestSet, VersionManifest
from regtui.domain.policy import load_policy_text
from regtui.domain.roles import Role
from regtui.domain.versioning import precedence_key, propose_next
from regtui.store.access import resolve_identity
from regtui.store.engine import create_registry_engine, is_sqlite, writer
from regtui.store.policies import set_policy
from regtui.store.promotions import promote
from regtui.store.registry import import_manifests
from regtui.store.schema import current_change, init_schema, next_change
from regtui.store.tables import (
    ArtifactRow,
    EventRow,
    ModelRow,
    RequestRow,
    UserRow,
    VersionRow,
)

VERSIONS_PER_TRANSACTION = 10_000
INSERT_BATCH = 5_000
EPOCH = datetime(2022, 1, 3, 9, 0, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)  # the registrations are spread over three years, whatever their number

MAJOR_KINDS = (ChangeKind.ARCHITECTURE, ChangeKind.MODEL_TYPE, ChangeKind.APPROACH)
MINOR_KINDS = (ChangeKind.RETRAINING, ChangeKind.RETRAINING, ChangeKind.HYPERPARAMETERS)
PATCH_KINDS = (ChangeKind.CONFIGURATION, ChangeKind.THRESHOLD, ChangeKind.DEPENDENCY)
LATENCY = "latency_p95_ms"  # recorded by every family; the generated policy's threshold uses it
POLICY_YAML = f"""kind: policy
default:
  thresholds:
    - {{metric: {LATENCY}, max: 240}}
  canary_slos:
    - {{metric: error_rate, max: 0.01}}
"""
PEOPLE = ("alice", "bob", "carol", "dmitri", "erin", "farah", "gus", "hana", "ivan", "jo")


@dataclass(frozen=True)
class Family:
    """A kind of model: naming, framework, metrics, segments, hyperparameters, artifacts."""

    prefix: str
    team: str
    framework: str
    dataset: str
    metrics: tuple[str, ...]
    segments: tuple[str, ...]
    hyper: Callable[[random.Random], dict[str, Any]]
    extra_artifact: str | None
    use: str
    provider: tuple[str, str] | None = None

    @property
    def limitations(self) -> str:
        """The model card's limitations line."""
        return f"Not validated outside {', '.join(self.segments)}; degrades on sparse history."

    @property
    def source(self) -> str:
        """Where the training data comes from."""
        return f"warehouse.{self.dataset}"

    @property
    def contact(self) -> str:
        """The escalation contact."""
        return f"{self.team}-oncall@example.com"


FAMILIES: tuple[Family, ...] = (
    Family(
        "fraud-classifier",
        "team-risk",
        "xgboost",
        "transactions",
        ("auc", "precision", "recall"),
        ("region=EU", "region=US", "region=APAC"),
        lambda r: {
            "max_depth": 3 + int(r.random() * 8),
            "learning_rate": round(0.01 + 0.29 * r.random(), 3),
            "n_estimators": 100 * (1 + int(r.random() * 8)),
        },
        "preprocessor.pkl",
        "Flags card transactions for manual fraud review",
    ),
    Family(
        "search-ranker",
        "team-search",
        "lightgbm",
        "clicklogs",
        ("ndcg_10", "mrr", "recall_50"),
        ("locale=en", "locale=de", "device=mobile"),
        lambda r: {
            "num_leaves": 31 + 32 * int(r.random() * 4),
            "learning_rate": round(0.02 + 0.18 * r.random(), 3),
            "objective": "lambdarank",
        },
        "features.json",
        "Orders catalogue search results for shoppers",
    ),
    Family(
        "demand-forecast",
        "team-supply",
        "pytorch",
        "sales",
        ("mape", "rmse", "coverage_90"),
        ("category=grocery", "category=electronics", "category=apparel"),
        lambda r: {
            "horizon_days": 7 * (1 + int(r.random() * 4)),
            "hidden_size": 64 * (1 + int(r.random() * 4)),
            "dropout": round(0.4 * r.random(), 2),
        },
        None,
        "Forecasts daily demand per store and product for replenishment",
    ),
    Family(
        "support-assistant",
        "team-care",
        "llm-app",
        "support-tickets",
        ("answer_accuracy", "groundedness", "refusal_rate"),
        ("lang=en", "lang=fr", "tier=enterprise"),
        lambda r: {
            "temperature": round(0.7 * r.random(), 2),
            "max_tokens": 512 * (1 + int(r.random() * 4)),
            "retrieval_k": 3 + int(r.random() * 10),
        },
        "prompt.yaml",
        "Drafts answers to customer support tickets for agents to review",
        ("openai", "gpt-4o"),
    ),
    Family(
        "churn-model",
        "team-growth",
        "scikit-learn",
        "customers",
        ("auc", "f1", "brier"),
        ("plan=free", "plan=pro", "plan=team"),
        lambda r: {
            "C": round(0.1 + 9.9 * r.random(), 3),
            "penalty": "l1" if r.random() < 0.5 else "l2",
            "class_weight": "balanced",
        },
        None,
        "Predicts churn in the next 30 days for subscription customers",
    ),
    Family(
        "image-moderation",
        "team-trust",
        "pytorch",
        "uploads",
        ("accuracy", "precision", "recall"),
        ("source=upload", "source=camera", "source=web"),
        lambda r: {
            "backbone": ("resnet50", "vit-b16", "convnext-t")[int(r.random() * 3)],
            "image_size": 224 if r.random() < 0.5 else 384,
            "epochs": 5 + int(r.random() * 36),
        },
        "labels.txt",
        "Screens user uploads for policy violations before publication",
    ),
)


@dataclass
class Planned:
    """One version of a model's planned lineage (cheap: the full rows are built per transaction)."""

    version: str
    major: int
    minor: int
    patch: int
    prerelease: str
    kind: ChangeKind
    parent: str | None
    stage: Stage = Stage.ARCHIVED


@dataclass
class Report:
    """What the generator wrote."""

    models: int = 0
    versions: int = 0
    artifacts: int = 0
    events: int = 0
    transactions: int = 0
    first_seq: int = 0
    last_seq: int = 0
    seconds: float = 0.0


@dataclass
class ChangeReport:
    """What apply_changes did."""

    registered: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)  # promotions left pending (gate failed)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Number of changes (each its own transaction and change-counter value)."""
        return len(self.registered) + len(self.moved) + len(self.requested)


# --- lineage planning --------------------------------------------------------------------------


def plan_lineage(rng: random.Random, count: int) -> list[Planned]:
    """A model's versions in registration order: major lines, retrains, patches, rcs, old-line hotfixes."""
    plan = [Planned("1.0.0", 1, 0, 0, "", ChangeKind.INITIAL, None)]
    heads: dict[int, Planned] = {1: plan[0]}  # highest version of each major line
    while len(plan) < count:
        last = plan[-1]
        if last.prerelease:  # a release candidate is followed by its release
            plan.append(_planned(last.major, last.minor, last.patch, "", rng.choice(MINOR_KINDS), last))
            heads[last.major] = plan[-1]
            continue
        top = max(heads)
        line = top if len(heads) == 1 or rng.random() > 0.08 else rng.choice(sorted(heads)[:-1])
        parent = heads[line]
        roll = rng.random()
        if roll < 0.06:  # a new major line, sometimes through a release candidate
            kind = rng.choice(MAJOR_KINDS)
            pre = "rc.1" if rng.random() < 0.3 and len(plan) + 1 < count else ""
            new = _planned(top + 1, 0, 0, pre, kind, parent)
        elif roll < 0.55:
            new = _planned(parent.major, parent.minor + 1, 0, "", rng.choice(MINOR_KINDS), parent)
        else:
            new = _planned(parent.major, parent.minor, parent.patch + 1, "", rng.choice(PATCH_KINDS), parent)
        plan.append(new)
        heads[new.major] = new
    _assign_stages(rng, plan)
    return plan


def _planned(major: int, minor: int, patch: int, pre: str, kind: ChangeKind, parent: Planned) -> Planned:
    """A planned version with its version string."""
    version = f"{major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
    return Planned(version, major, minor, patch, pre, kind, parent.version)


def _assign_stages(rng: random.Random, plan: list[Planned]) -> None:
    """Newest versions in Development, then Staging/Canary, one Production (most models), the rest Archived."""
    n = len(plan)
    for p in plan:
        p.stage = Stage.ARCHIVED
    head = plan[max(0, n - rng.randint(1, 3)) :]
    for p in head:
        p.stage = Stage.DEVELOPMENT
    rest = [p for p in plan[: n - len(head)] if not p.prerelease]
    if rest and rng.random() < 0.9:
        rest.pop().stage = Stage.CANARY if rng.random() < 0.25 else Stage.STAGING
    if rest and rng.random() < 0.9:
        rest.pop().stage = Stage.PRODUCTION
    if n == 1:
        plan[0].stage = Stage.DEVELOPMENT


# --- row building ------------------------------------------------------------------------------


def model_name(index: int) -> str:
    """The name of the index-th synthetic model (families interleaved)."""
    family = FAMILIES[index % len(FAMILIES)]
    return f"{family.prefix}-{index:05d}"


def family_of(index: int) -> Family:
    """The family of the index-th model."""
    return FAMILIES[index % len(FAMILIES)]


def fake_sha256(*parts: str) -> str:
    """A well-formed, deterministic SHA-256 hex digest."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def build_plain(
    rng: random.Random, family: Family, model: str, p: Planned, created: datetime, owner: str
) -> dict[str, Any]:
    """The canonical plain form of a VersionEntry (VersionEntry.to_dict()), built directly for speed."""
    rand = rng.random
    quality = 0.7 + 0.25 * rand()
    overall = {name: round(min(0.999, quality + 0.1 * rand() - 0.05), 4) for name in family.metrics}
    overall[LATENCY] = round(20 + 230 * rand(), 1)
    segments = {
        seg: {name: round(min(0.999, value + 0.07 * rand() - 0.04), 4) for name, value in overall.items()}
        for seg in family.segments
    }
    for seg in segments.values():
        seg[LATENCY] = round(overall[LATENCY] * (0.8 + 0.4 * rand()), 1)
    day = created.date()
    primary = family.metrics[0]
    card = {
        "intended_use": family.use + ".",
        "limitations": family.limitations,
        "evaluation": f"{primary} {overall[primary]} overall; see segments for the spread.",
        "fairness": {
            "summary": "No segment more than 5 points below overall on the primary metric.",
            "attested_by": PEOPLE[int(rand() * len(PEOPLE))],
            "attested_at": utc_iso(created + ONE_DAY),
        },
        "training_data": {
            "source": family.source,
            "size": f"{1 + int(rand() * 89) / 10:.1f}M rows",
            "date_range": f"{day - ONE_YEAR}..{day - ONE_DAY}",
        },
        "responsible": {"team": family.team, "escalation_contact": family.contact},
    }
    base = f"s3://ml-artifacts/{model}/{p.version}/"
    artifacts = [
        {
            "name": "model",
            "uri": base + "model.bin",
            "sha256": fake_sha256(base, "model"),
            "size": 200_000 + int(rand() * 900_000_000),
        }
    ]
    if family.extra_artifact is not None and rand() < 0.6:
        artifacts.append(
            {
                "name": family.extra_artifact.split(".")[0],
                "uri": base + family.extra_artifact,
                "sha256": fake_sha256(base, family.extra_artifact),
                "size": 500 + int(rand() * 5_000_000),
            }
        )
    provider = None
    if family.provider is not None:
        provider = {
            "provider": family.provider[0],
            "model": family.provider[1],
            "version": f"{family.provider[1]}-{PROVIDER_RELEASES[int(rand() * len(PROVIDER_RELEASES))]}",
        }
    return {
        "model": model,
        "version": p.version,
        "change_kind": p.kind.value,
        "framework": family.framework,
        "training_data": f"{family.dataset}@{day:%Y-%m}",
        "owner": owner,
        "created_at": utc_iso(created),
        "parent": p.parent,
        "description": DESCRIPTIONS[p.kind] + (f" (from {p.parent})" if p.parent else ""),
        "hyperparameters": dict(sorted(family.hyper(rng).items())),
        "metrics": {
            "overall": dict(sorted(overall.items())),
            "segments": {s: dict(sorted(m.items())) for s, m in sorted(segments.items())},
        },
        "model_card": card,
        "artifacts": artifacts,
        "provider": provider,
    }


DESCRIPTIONS: dict[ChangeKind, str] = {
    ChangeKind.INITIAL: "First version",
    ChangeKind.ARCHITECTURE: "New architecture",
    ChangeKind.MODEL_TYPE: "Switch of model type",
    ChangeKind.APPROACH: "New modelling approach",
    ChangeKind.RETRAINING: "Retrained on fresh data",
    ChangeKind.HYPERPARAMETERS: "Hyperparameter search",
    ChangeKind.PROMPT: "Prompt revision",
    ChangeKind.CONFIGURATION: "Serving configuration change",
    ChangeKind.THRESHOLD: "Decision threshold tuned",
    ChangeKind.DEPENDENCY: "Dependency upgrade",
}
PROVIDER_RELEASES = ("2024-05-13", "2024-08-06", "2024-11-20")
ONE_DAY = timedelta(days=1)
ONE_YEAR = timedelta(days=365)


def plain_to_entry(plain: dict[str, Any]) -> VersionEntry:
    """The domain entry of a plain form (used for the real write path and to check hashes)."""
    card = plain["model_card"]
    fairness = card["fairness"]
    return VersionEntry(
        model=plain["model"],
        version=plain["version"],
        change_kind=ChangeKind(plain["change_kind"]),
        framework=plain["framework"],
        training_data=plain["training_data"],
        owner=plain["owner"],
        created_at=datetime.fromisoformat(plain["created_at"].replace("Z", "+00:00")),
        parent=plain["parent"],
        description=plain["description"],
        hyperparameters=plain["hyperparameters"],
        metrics=Metrics(overall=plain["metrics"]["overall"], segments=plain["metrics"]["segments"]),
        model_card=ModelCard(
            intended_use=card["intended_use"],
            limitations=card["limitations"],
            evaluation=card["evaluation"],
            fairness=FairnessAssessment(
                summary=fairness["summary"],
                attested_by=fairness["attested_by"],
                attested_at=datetime.fromisoformat(fairness["attested_at"].replace("Z", "+00:00")),
            ),
            training_data=TrainingDataSummary(**card["training_data"]),
            responsible=Responsible(**card["responsible"]),
        ),
        artifacts=tuple(Artifact(**a) for a in plain["artifacts"]),
        provider=ProviderPin(**plain["provider"]) if plain["provider"] else None,
    )


# --- generation --------------------------------------------------------------------------------


def generate(
    url: str,
    models: int,
    versions: int,
    seed: int = 0,
    *,
    log: Callable[[str], None] | None = None,
    long_model: int = 0,
) -> Report:
    """Write models x versions synthetic versions into the registry at url (schema created if needed),
    plus one more model with long_model versions when it is positive."""
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    engine = create_registry_engine(url, create=True)
    try:
        init_schema(engine)
        report = _generate(engine, models, versions, seed, say, long_model)
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def _generate(
    engine: Engine, models: int, versions: int, seed: int, say: Callable[[str], None], long_model: int = 0
) -> Report:
    """Plan every lineage, then insert rounds of versions in a few large transactions."""
    rng = random.Random(seed)
    counts = [versions] * models + ([long_model] if long_model > 0 else [])
    names = [model_name(i) for i in range(len(counts))]
    plans = [plan_lineage(random.Random(f"{seed}:{name}"), n) for name, n in zip(names, counts)]
    owners = [rng.choice((family_of(i).team, rng.choice(PEOPLE))) for i in range(len(counts))]
    identity = resolve_identity(engine)
    report = Report(models=len(counts))
    with Session(writer(engine)) as session:
        if session.execute(select(func.count()).select_from(ModelRow)).scalar_one():
            raise SystemExit("generate: the registry already has models; use a new SQLite file or an empty database")
        seq = next_change(session)
        report.first_seq = seq
        _insert_people(session, identity, seq)
        set_policy(session, load_policy_text(POLICY_YAML, "generate.py"), actor=identity, now=EPOCH, seq=seq)
        bulk_insert(
            session.connection(),
            ModelRow.__table__,
            [
                {"name": name, "owner": owners[i], "description": family_of(i).use, "change_seq": seq}
                for i, name in enumerate(names)
            ],
        )
        session.commit()
        report.transactions += 1
    total_rounds = max(counts)
    for rounds in _round_blocks(counts):
        with Session(writer(engine)) as session:
            seq = next_change(session)
            written = _write_rounds(session, rng, names, plans, owners, rounds, seq, total_rounds, len(names))
            session.commit()
        report.versions += written[0]
        report.artifacts += written[1]
        report.events += written[2]
        report.transactions += 1
        report.last_seq = seq
        say(f"  rounds {rounds.start + 1}-{rounds.stop} of {total_rounds}: {report.versions} versions written")
    return report


def _round_blocks(counts: list[int]) -> list[range]:
    """Consecutive rounds, as many per transaction as fit in VERSIONS_PER_TRANSACTION versions (at least one)."""
    blocks: list[range] = []
    start, size = 0, 0
    for r in range(max(counts)):
        width = sum(1 for n in counts if n > r)
        if r > start and size + width > VERSIONS_PER_TRANSACTION:
            blocks.append(range(start, r))
            start, size = r, 0
        size += width
    blocks.append(range(start, max(counts)))
    return blocks


def _insert_people(session: Session, identity: str, seq: int) -> None:
    """The acting identity as admin (so apply_changes may write), plus the people the rows mention."""
    wanted = {identity: [Role.ADMIN.value], "bench-admin": [Role.ADMIN.value]}
    for i, person in enumerate(PEOPLE):
        wanted.setdefault(person, [Role.CONTRIBUTOR.value, Role.REVIEWER.value] if i % 2 else [Role.RELEASER.value])
    for person, roles in wanted.items():
        row = session.get(UserRow, person)
        if row is None:
            session.add(UserRow(identity=person, name=person.title(), roles=roles, teams=[], change_seq=seq))
        elif Role.ADMIN.value in roles and Role.ADMIN.value not in row.roles:
            row.roles, row.change_seq = sorted({*row.roles, Role.ADMIN.value}), seq
    session.flush()


def _write_rounds(
    session: Session,
    rng: random.Random,
    names: list[str],
    plans: list[list[Planned]],
    owners: list[str],
    rounds: range,
    seq: int,
    versions: int,
    models: int,
) -> tuple[int, int, int]:
    """Insert the given rounds' versions, artifacts and register events in the caller's transaction."""
    connection = session.connection()
    step = SPAN / (versions * models)
    next_id = int(connection.execute(select(func.coalesce(func.max(VersionRow.id), 0))).scalar_one()) + 1
    next_artifact = int(connection.execute(select(func.coalesce(func.max(ArtifactRow.id), 0))).scalar_one()) + 1
    next_event = int(connection.execute(select(func.coalesce(func.max(EventRow.id), 0))).scalar_one()) + 1
    last = connection.execute(
        select(EventRow.position, EventRow.hash).order_by(EventRow.position.desc()).limit(1)
    ).first()
    position, prev_hash = (last[0], last[1]) if last else (0, GENESIS_HASH)
    version_rows: list[dict[str, Any]] = []
    artifact_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    for r in rounds:
        for m, name in enumerate(names):
            if r >= len(plans[m]):
                continue
            p = plans[m][r]
            family = family_of(m)
            registered = (EPOCH + step * (r * models + m)).replace(microsecond=0)
            created = (registered - min(timedelta(hours=rng.randint(1, 48)), step * models / 2)).replace(microsecond=0)
            actor = rng.choice(PEOPLE)
            plain = build_plain(rng, family, name, p, created, owners[m])
            content_hash = hashlib.sha256(canonical_json(plain).encode()).hexdigest()
            changed = registered if p.stage in (Stage.DEVELOPMENT,) else registered + timedelta(days=rng.randint(1, 20))
            version_rows.append(
                {
                    "id": next_id,
                    "model": name,
                    "version": p.version,
                    "semver_key": precedence_key(p.version),
                    "change_kind": p.kind.value,
                    "parent": p.parent,
                    "framework": plain["framework"],
                    "training_data": plain["training_data"],
                    "owner": plain["owner"],
                    "created_at": created,
                    "description": plain["description"],
                    "hyperparameters": plain["hyperparameters"],
                    "metrics": plain["metrics"],
                    "model_card": plain["model_card"],
                    "provider": plain["provider"],
                    "content_hash": content_hash,
                    "registered_by": actor,
                    "registered_at": registered,
                    "stage": p.stage.value,
                    "canary_share": 10.0 if p.stage is Stage.CANARY else None,
                    "stage_changed_at": changed,
                    "stage_changed_by": actor if p.stage is Stage.DEVELOPMENT else rng.choice(PEOPLE),
                    "change_seq": seq,
                    "source": None,
                    "tags": None,
                }
            )
            for i, a in enumerate(plain["artifacts"]):
                artifact_rows.append(
                    {
                        "id": next_artifact,
                        "version_id": next_id,
                        "position": i,
                        "change_seq": seq,
                        "object_version": "",
                        "etag": "",
                        **a,
                    }
                )
                next_artifact += 1
            position += 1
            details = {"content_hash": content_hash, "artifacts": {a["name"]: a["sha256"] for a in plain["artifacts"]}}
            entry = LogEntry(
                position=position,
                kind="register",
                actor=actor,
                at=registered,
                model=name,
                version=p.version,
                to_stage=p.stage.value,
                details=details,
                prev_hash=prev_hash,
            )
            digest = entry.digest()
            event_rows.append(
                {
                    "id": next_event,
                    "position": position,
                    "kind": "register",
                    "model": name,
                    "version": p.version,
                    "actor": actor,
                    "at": registered,
                    "from_stage": None,
                    "to_stage": p.stage.value,
                    "details": details,
                    "prev_hash": prev_hash,
                    "hash": digest,
                    "change_seq": seq,
                }
            )
            prev_hash = digest
            next_id += 1
            next_event += 1
    for table, rows in (
        (VersionRow.__table__, version_rows),
        (ArtifactRow.__table__, artifact_rows),
        (EventRow.__table__, event_rows),
    ):
        bulk_insert(connection, table, rows)
    if not is_sqlite(session.get_bind()):
        for table in ("model_version", "artifact", "event"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    return len(version_rows), len(artifact_rows), len(event_rows)


def bulk_insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows (dicts with every column) with the driver's executemany, in batches.

    Same SQL and the same value conversions as `connection.execute(insert(table), rows)` (the dialect's
    own bind processors: JSON serialisation, SQLite's datetime format), without SQLAlchemy's per-row
    bookkeeping, which costs more than the insert itself at this volume.
    """
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect)
    names = list(compiled.positiontup) if compiled.positional else [c.name for c in table.columns]
    processors = [(n, table.c[n].type.dialect_impl(dialect).bind_processor(dialect)) for n in names]
    processors = [(n, p) for n, p in processors if p is not None]
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start : start + INSERT_BATCH]
        if processors:
            batch = [{**row, **{n: p(row[n]) for n, p in processors}} for row in batch]
        params: list[Any] = [tuple(row[n] for n in names) for row in batch] if compiled.positional else batch
        connection.exec_driver_sql(compiled.string, params)


# --- changes through the real write path -------------------------------------------------------


def apply_changes(url: str, n: int, *, seed: int | None = None, mix: str = "mixed") -> ChangeReport:
    """Make n changes, one transaction (and one change-counter value) each.

    mix: "register" registers n new versions through import_manifests (the path of `regtui register`);
    "stage" promotes n Development versions to Staging through promotions.promote; "mixed" alternates.
    """
    if mix not in ("register", "stage", "mixed"):
        raise ValueError(f"unknown mix {mix!r}")
    rng = random.Random(seed if seed is not None else time.time_ns())
    report = ChangeReport()
    started = time.perf_counter()
    engine = create_registry_engine(url)
    try:
        actor = resolve_identity(engine)
        with Session(engine) as session:
            names = list(session.execute(select(ModelRow.name)).scalars())
            before = current_change(session)
        if not names:
            raise ValueError("apply_changes: the registry has no models; run generate first")
        for i in range(n):
            stage_move = mix == "stage" or (mix == "mixed" and i % 2 == 1)
            name = rng.choice(names)
            if stage_move and _move_stage(engine, rng, names, actor, report, before):
                continue
            _register_next(engine, rng, name, actor, report)
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def _register_next(engine: Engine, rng: random.Random, name: str, actor: str, report: ChangeReport) -> None:
    """Register the next version of a model (a retrain or a patch of its newest version), in Development."""
    with Session(writer(engine)) as session:
        top = session.execute(
            select(VersionRow)
            .where(VersionRow.model == name)
            .order_by(VersionRow.semver_key.desc(), VersionRow.id.desc())
            .limit(1)
        ).scalar_one()
        kind = rng.choice(MINOR_KINDS + PATCH_KINDS)
        version = propose_next(top.version, kind)
        major, minor, patch = (int(x) for x in version.split("-")[0].split("."))
        p = Planned(version, major, minor, patch, "", kind, top.version, Stage.DEVELOPMENT)
        index = int(name.rsplit("-", 1)[1])
        now = datetime.now(UTC).replace(microsecond=0)
        plain = build_plain(rng, family_of(index), name, p, now - timedelta(hours=1), top.owner)
        manifest = VersionManifest(entry=plain_to_entry(plain))
        result = import_manifests(session, ManifestSet(versions=[manifest]), actor=actor, now=now, restore=False)
        session.commit()
    report.registered += result.registered


def _move_stage(
    engine: Engine, rng: random.Random, names: list[str], actor: str, report: ChangeReport, before: int
) -> bool:
    """Promote a Development version of some model to Staging through the real promotion write
    (regtui.store.promotions.promote: request, gate, stage change, log entry); False when none was found.

    Only versions unchanged since `before` (the counter when this batch started) are picked, so no two
    changes of a batch touch the same version row and a pull moves about as many rows for a small
    registry as for a large one; nor versions with an open request (the gate left them pending), which a
    small registry would otherwise pick again and again (a model's oldest Development version), each time
    a change that writes no row, so its pulls carried half the rows of a large registry's.
    """
    waiting = select(RequestRow.id).where(
        RequestRow.status == "open", RequestRow.model == VersionRow.model, RequestRow.version == VersionRow.version
    )
    with Session(writer(engine)) as session:
        for _ in range(10):
            name = rng.choice(names)
            version = session.execute(
                select(VersionRow.version)
                .where(
                    VersionRow.model == name,
                    VersionRow.stage == Stage.DEVELOPMENT.value,
                    VersionRow.change_seq <= before,
                    ~waiting.exists(),
                )
                .order_by(VersionRow.id)
                .limit(1)
            ).scalar_one_or_none()
            if version is not None:
                break
        else:
            return False
        outcome = promote(
            session.connection(),
            actor=actor,
            model=name,
            version=version,
            to_stage=Stage.STAGING,
            now=datetime.now(UTC),
            expected_stage=Stage.DEVELOPMENT,
        )
        session.commit()
    (report.moved if outcome.applied else report.requested).append(f"{name}@{version}")
    return True


# --- command line ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a registry, print what was written and how long it took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True, help="SQLAlchemy URL (sqlite:///PATH or postgresql://...)")
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=50, help="versions per model")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--changes", type=int, default=0, help="afterwards, apply this many changes (apply_changes)")
    parser.add_argument(
        "--long-model",
        type=int,
        default=0,
        metavar="VERSIONS",
        help="also write one more model with this many versions",
    )
    args = parser.parse_args(argv)
    if args.models < 1 or args.versions < 1:
        parser.error("--models and --versions must be at least 1")
    cpu = time.process_time()
    report = generate(args.registry, args.models, args.versions, args.seed, log=print, long_model=args.long_model)
    cpu = time.process_time() - cpu
    rate = report.versions / report.seconds if report.seconds else 0.0
    print(
        f"wrote {report.models} models, {report.versions} versions, {report.artifacts} artifacts, "
        f"{report.events} register log entries in {report.transactions} transactions "
        f"(change counter {report.first_seq}..{report.last_seq}) in {report.seconds:.1f}s "
        f"({rate:,.0f} versions/s; {cpu:.1f}s CPU in this process)"
    )
    if args.changes:
        changes = apply_changes(args.registry, args.changes, seed=args.seed)
        print(
            f"applied {changes.total} changes ({len(changes.registered)} registrations, "
            f"{len(changes.moved)} promotions to Staging, {len(changes.requested)} left pending by the gate) "
            f"in {changes.seconds:.2f}s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
