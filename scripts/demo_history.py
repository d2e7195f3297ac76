"""The demo registry's governance history, played through regtui's own write path (used by make_demo_fixtures).

Every registration, request, approval, promotion, rollback and drill of the story is applied with
regtui.store on a scratch SQLite registry, with each step's actor and time, so the promotion log, the
requests and their approval digests are exactly what regtui itself writes. The result is exported the
way `regtui export` does it (log.yaml, requests.yaml) plus each version's provenance for its manifest.

The story (2024-01 .. 2026-11-26, told as of 2026-11-27):
- the policy is revised as the models improve; its last revision is regtui/data/demo/policy.yaml;
- every Production history of the README is replayed (request, gate, approvals, release);
- search-ranker 2.0.0 is rolled back to 1.4.0 for incident INC-2291 and later replaced by 2.1.0;
- rollback drills run from 2025-07 on; demand-forecaster's lapse in 2026-08 (overdue now);
- fraud-detector@2.4.0's model file is overwritten on 2026-11-16, so its drills fail from then on;
- six requests are left open: the approval queue of the demo;
- the provider registry of regtui/data/demo/providers.yaml (written by hand) is replayed as it happened:
  feeds added, versions listed when first seen, qualification checks and deprecation notices on their
  dates, so every LLM version's pin is qualified by the provider write path before its canary.
Registrations hash their entry as registered from DEMO_ROOT (a fixed path, for reproducible hashes).
"""

from __future__ import annotations

import hashlib
import math
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from regtui.domain.approvals import Decision, artifact_digest
from regtui.domain.checksums import VerifyResult, VerifyStatus, verify_artifact
from regtui.domain.entry import Metrics, Stage, utc_iso
from regtui.domain.feeds import DeprecationNotice, FeedChanges, FeedVersion
from regtui.domain.gates import evaluate_gate
from regtui.domain.hashchain import verify_chain
from regtui.domain.manifest import (
    LogManifest,
    ManifestSet,
    log_document,
    parse_log_manifest,
    parse_registry_manifest,
    parse_version_manifest,
    requests_document,
)
from regtui.domain.policy import Policy, PolicyOverride, Threshold
from regtui.domain.provider_manifest import ProvidersManifest
from regtui.domain.providers import FeedConfig, ProviderVersion, QualificationCheck
from regtui.errors import RegtuiError
from regtui.store import promotions, rollbacks
from regtui.store.engine import create_registry_engine, writer
from regtui.store.facts import gate_facts, require_version
from regtui.store.log import iter_log, row_to_entry
from regtui.store.mapping import as_utc
from regtui.store.policies import get_policy, set_policy
from regtui.store.provider_registry import Writer, record_check, record_fetch, save_feed
from regtui.store.queries import list_request_records
from regtui.store.registry import grant_initial_admin, import_manifests
from regtui.store.schema import check_schema, init_schema, next_change
from regtui.store.tables import RequestRow, VersionRow

UTC = UTC
DEMO_ROOT = Path("/srv/regtui-demo/fixtures")
END = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
TOLD_AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TAMPERED_AT = datetime(2026, 11, 16, 3, 12, 40, tzinfo=UTC)
ADMIN = "heidi"
RELEASERS = ("frank", "heidi")
REVISIONS = ("2024-01-08", "2024-07-01", "2025-01-06", "2025-07-07", "2026-01-05", "2026-10-05")
DRILLS_FROM = datetime(2025, 7, 7, 9, 0, tzinfo=UTC)
DRILLS_LAPSED = {"demand-forecaster": datetime(2026, 8, 28, tzinfo=UTC)}
DEV, STG, CAN, PROD, ARC = Stage.DEVELOPMENT, Stage.STAGING, Stage.CANARY, Stage.PRODUCTION, Stage.ARCHIVED


class StoryError(Exception):
    """The store did not do what the story expects (the generator's plan and regtui disagree)."""


@dataclass(frozen=True)
class Release:
    """One version as built: its manifest, whether it was ever in Production, its folder, its headline metric."""

    doc: dict[str, Any]
    prod: bool
    folder: Path
    headline: str

    @property
    def model(self) -> str:
        """The model name."""
        return str(self.doc["model"])

    @property
    def version(self) -> str:
        """The version string."""
        return str(self.doc["version"])

    @property
    def stage(self) -> Stage:
        """The stage the version ends in."""
        return Stage(self.doc["stage"])

    @property
    def created(self) -> datetime:
        """When it was registered."""
        return parse_time(self.doc["created_at"])

    @property
    def metrics(self) -> Metrics:
        """Its evaluation metrics."""
        return Metrics(overall=self.doc["metrics"]["overall"], segments=self.doc["metrics"]["segments"])


@dataclass(frozen=True)
class Fate:
    """How an Archived version that never reached Production ended."""

    reached: Stage
    reason: str
    superseded_by: str | None = None
    days: int = 0
    canary_failure: str | None = None
    canary: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    """An open request left in the queue: how far it got before the story ends."""

    days: int
    signers: int = 0
    canary: dict[str, float] = field(default_factory=dict)
    checklist: int | None = None
    revised_review: str | None = None


@dataclass(frozen=True)
class Rejection:
    """A Production request rejected once, then requested again."""

    by: str
    capacity: str
    comment: str
    rerequest: str


@dataclass(frozen=True)
class RollbackPlan:
    """A bad release rolled back to its predecessor."""

    bad: str
    to: str
    days: int
    reason: str


FATES: dict[tuple[str, str], Fate] = {
    ("churn-classifier", "1.2.0"): Fate(
        STG, "superseded by 1.3.0 (tuned hyperparameters) before it left Staging", superseded_by="1.3.0"
    ),
    ("churn-classifier", "1.3.0"): Fate(
        STG,
        "model file does not load on the serving image (scikit-learn 1.4.2 joblib); superseded by 1.3.1",
        superseded_by="1.3.1",
    ),
    ("churn-classifier", "2.2.0"): Fate(
        DEV,
        "tenure=new regressed after the April CRM migration (duplicate accounts); retrained on fixed data as 2.3.0",
        superseded_by="2.3.0",
    ),
    ("fraud-detector", "1.2.0"): Fate(
        CAN,
        "canary review queue fell to 0.7% of volume at threshold 0.71; superseded by 1.2.1 (threshold 0.69)",
        superseded_by="1.2.1",
    ),
    ("fraud-detector", "2.0.0-rc.1"): Fate(
        STG, "release candidate; superseded by 2.0.0 (adds the calibration layer)", superseded_by="2.0.0"
    ),
    ("fraud-detector", "2.3.0"): Fate(
        CAN,
        "failed its canary on latency; superseded by 2.4.0",
        superseded_by="2.4.0",
        canary_failure="p95 latency 47 ms at the evening peak, above the 40 ms authorisation budget",
        canary={"latency_p95_ms": 47.0},
    ),
    ("search-ranker", "2.2.0"): Fate(DEV, "tail-query NDCG@10 regressed versus 2.1.1; kept for audit only", days=9),
    ("demand-forecaster", "2.2.0"): Fate(
        CAN,
        "superseded by 2.2.1 (lightgbm 4.5.0)",
        superseded_by="2.2.1",
        canary_failure="nightly forecast job segfaulted on empty categorical bins (lightgbm 4.3.0)",
    ),
    ("demand-forecaster", "2.6.0"): Fate(
        DEV,
        "APAC MAPE regression after the supplier feed outage (imputed zeros); retrain with the outage window excluded",
        days=6,
    ),
    ("support-assistant", "1.3.0"): Fate(
        DEV, "refusal rate on billing questions roughly doubled versus 1.2.0; not promoted", days=7
    ),
    ("doc-summarizer", "3.2.1"): Fate(STG, "timeout change folded into 3.3.0", superseded_by="3.3.0"),
    ("product-embedder", "2.2.0"): Fate(STG, "no gain over 2.1.0 on recall@10; archived", days=20),
}

QUEUE: dict[tuple[str, str], Pending] = {
    ("churn-classifier", "2.7.0"): Pending(days=36, signers=1),
    ("product-embedder", "2.4.0"): Pending(days=62, signers=3, checklist=2),
    ("support-assistant", "3.4.0"): Pending(days=24, canary={"agent_acceptance_rate": 0.66}),
    ("doc-summarizer", "3.3.0"): Pending(days=12),
    ("demand-forecaster", "2.7.0"): Pending(
        days=8,
        signers=1,
        revised_review="re-run of the APAC back-test with the 2026-06-20..07-04 outage window excluded",
    ),
    ("ticket-router", "2.0.0-rc.1"): Pending(days=2),
}

ROLLBACKS: dict[str, RollbackPlan] = {
    "search-ranker": RollbackPlan(
        "2.0.0",
        "1.4.0",
        2,
        "INC-2291: p95 latency regression in EU after 2.0.0 "
        "(cross-encoder cold caches, 78 ms at peak against the 45 ms SLO)",
    ),
}

REJECTIONS: dict[tuple[str, str], Rejection] = {
    ("churn-classifier", "2.4.1"): Rejection(
        "carol",
        "stakeholder:team-ml-platform",
        "the holiday threshold change "
        "needs the retention budget owner's OK first (CRM-4471); re-request "
        "with the signed budget",
        "re-requested with the signed retention budget (CRM-4471)",
    ),
}

STAKEHOLDER_NOTES = {
    "team-ml-platform": "platform on-call sign-off: dashboards, alerts and runbook checked",
    "team-risk": "risk sign-off: step-up and manual-review volumes within the fraud-ops budget",
    "team-assist": "support operations sign-off: agents briefed on the change",
}


# --- time -----------------------------------------------------------------------------------------


def parse_time(text: str) -> datetime:
    """An ISO 8601 UTC timestamp from a manifest."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def rng_for(*parts: str) -> random.Random:
    """A seeded random generator for one purpose (stable across processes)."""
    return random.Random(int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big"))


def morning(day: datetime, rng: random.Random) -> datetime:
    """A time between 08:00 and 11:00 on the given day."""
    return day.replace(hour=rng.randint(8, 10), minute=rng.randint(0, 59), second=rng.randint(0, 59))


def working(moment: datetime, rng: random.Random) -> datetime:
    """The moment, or the next working-hours moment (Monday to Friday, 08:00-18:00 UTC)."""
    if moment.hour >= 18:
        moment = morning(moment + timedelta(days=1), rng)
    elif moment.hour < 8:
        moment = morning(moment, rng)
    while moment.weekday() >= 5:
        moment = morning(moment + timedelta(days=1), rng)
    return moment


def after(moment: datetime, rng: random.Random, low_hours: float, high_hours: float) -> datetime:
    """A working-hours moment some hours after another."""
    return working(moment + timedelta(seconds=rng.randint(int(low_hours * 3600), int(high_hours * 3600))), rng)


def revision_times() -> list[datetime]:
    """When each policy revision was set (09:00 UTC on its day)."""
    return [datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC) for day in REVISIONS]


# --- steps ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing someone did at a moment."""

    at: datetime
    actor: str

    def run(self, story: Story) -> None:
        """Apply the step through regtui's write path."""
        raise NotImplementedError


@dataclass(frozen=True)
class SetPolicy(Step):
    """An admin sets a policy revision."""

    policy: Policy

    def run(self, story: Story) -> None:
        """Store and log the revision."""
        with story.write() as session:
            set_policy(session, self.policy, actor=self.actor, now=self.at, seq=next_change(session))


@dataclass(frozen=True)
class Register(Step):
    """A contributor registers a version in Development."""

    release: Release

    def run(self, story: Story) -> None:
        """Register it like `regtui register` does."""
        doc = {**self.release.doc, "stage": DEV.value, "canary_share": None}
        manifest = parse_version_manifest(
            doc,
            base_dir=DEMO_ROOT / "models" / self.release.model,
            source=f"{self.release.model}/{self.release.version}.yaml",
        )
        with story.write() as session:
            import_manifests(session, ManifestSet(versions=[manifest]), actor=self.actor, now=self.at, restore=False)


@dataclass(frozen=True)
class Promote(Step):
    """`regtui promote`: opens or reuses a request, and applies it when the gate passes and the actor may."""

    model: str
    version: str
    to_stage: Stage
    applied: bool
    evidence: dict[str, Any] | None = None
    reason: str | None = None
    share: float | None = None

    def run(self, story: Story) -> None:
        """Promote and check that the outcome is the one the story expects."""
        verification = story.verification(self.model, self.version, self.at) if self.to_stage is PROD else None
        with story.write() as session:
            outcome = promotions.promote(
                session,
                actor=self.actor,
                model=self.model,
                version=self.version,
                to_stage=self.to_stage,
                now=self.at,
                evidence=self.evidence,
                reason=self.reason,
                canary_share=self.share,
                verification=verification,
            )
        if outcome.applied != self.applied:
            state = "applied" if outcome.applied else f"pending (missing {', '.join(outcome.missing)})"
            raise StoryError(
                f"{utc_iso(self.at)} {self.actor}: {self.model}@{self.version} -> {self.to_stage} "
                f"was {state}, expected {'applied' if self.applied else 'pending'}"
            )


@dataclass(frozen=True)
class Decide(Step):
    """`regtui approve` / `regtui reject` on the version's open request."""

    model: str
    version: str
    to_stage: Stage
    decision: Decision
    capacity: str
    comment: str

    def run(self, story: Story) -> None:
        """Decide and check the capacity regtui recorded."""
        with story.write() as session:
            request_id = open_request_id(session, self.model, self.version, self.to_stage)
            outcome = promotions.decide(
                session,
                actor=self.actor,
                request_id=request_id,
                decision=self.decision,
                comment=self.comment,
                now=self.at,
            )
        if outcome.capacity != self.capacity:
            raise StoryError(f"{self.actor} decided on #{request_id} as {outcome.capacity}, expected {self.capacity}")


@dataclass(frozen=True)
class Rollback(Step):
    """`regtui rollback`: an earlier Production version goes back, its checksums re-verified."""

    model: str
    to_version: str
    reason: str

    def run(self, story: Story) -> None:
        """Roll back for real."""
        with story.write() as session:
            rollbacks.rollback(
                session,
                actor=self.actor,
                model=self.model,
                to_version=self.to_version,
                reason=self.reason,
                now=self.at,
                verification=story.verification(self.model, self.to_version, self.at),
            )


@dataclass(frozen=True)
class Drill(Step):
    """`regtui drill`: the rollback procedure run and rolled back, then its outcome logged."""

    model: str
    duration_ms: int

    def run(self, story: Story) -> None:
        """Run the procedure like regtui.services.promotion.drill does, with a recorded duration."""
        target, passed, detail = None, True, ""
        with story.write(commit=False) as session:
            try:
                target = rollbacks.pick_drill_target(session, self.model, self.at)
                rollbacks.rollback(
                    session,
                    actor=self.actor,
                    model=self.model,
                    to_version=target,
                    reason=f"rollback drill of {self.model}",
                    now=self.at,
                    verification=story.verification(self.model, target, self.at),
                )
                detail = f"rollback to {target} would succeed"
            except RegtuiError as exc:
                passed, detail = False, exc.message
        with story.write() as session:
            rollbacks.record_drill(
                session,
                actor=self.actor,
                model=self.model,
                target=target,
                outcome="passed" if passed else "failed",
                detail=detail,
                duration_ms=self.duration_ms,
                now=self.at,
            )


@dataclass(frozen=True)
class AddFeed(Step):
    """`regtui providers add`: an admin configures a provider's feed."""

    feed: FeedConfig

    def run(self, story: Story) -> None:
        """Save the feed configuration."""
        with story.provider_write(self) as w:
            save_feed(w, self.feed)


@dataclass(frozen=True)
class Fetch(Step):
    """`regtui providers fetch`: what a feed newly lists or deprecates."""

    provider: str
    changes: FeedChanges

    def run(self, story: Story) -> None:
        """Record the fetched changes."""
        with story.provider_write(self) as w:
            record_fetch(w, self.provider, self.changes, etag=None, last_modified=None)


@dataclass(frozen=True)
class Qualify(Step):
    """`regtui providers qualify`: one qualification check with its evidence."""

    check: QualificationCheck

    def run(self, story: Story) -> None:
        """Record the check."""
        with story.provider_write(self) as w:
            record_check(w, self.check)


def open_request_id(session: Session, model: str, version: str, to_stage: Stage) -> int:
    """The id of a version's open request for a stage."""
    request = session.execute(
        select(RequestRow).where(
            RequestRow.model == model,
            RequestRow.version == version,
            RequestRow.to_stage == to_stage.value,
            RequestRow.status == promotions.OPEN,
        )
    ).scalar_one_or_none()
    if request is None:
        raise StoryError(f"{model}@{version} has no open request to {to_stage}")
    return request.id


# --- the scratch registry --------------------------------------------------------------------------


class Story:
    """A scratch registry the steps are applied to, and the artifact checks they need."""

    def __init__(self, engine: Engine, releases: dict[tuple[str, str], Release]) -> None:
        self.engine = engine
        self.releases = releases
        self._checked: dict[tuple[str, str], tuple[VerifyResult, ...]] = {}

    @contextmanager
    def write(self, *, commit: bool = True) -> Iterator[Session]:
        """One write transaction, committed (or rolled back, for a drill)."""
        with Session(writer(self.engine)) as session:
            yield session
            if commit:
                session.commit()
            else:
                session.rollback()

    @contextmanager
    def provider_write(self, step: Step) -> Iterator[Writer]:
        """One committed write on the provider registry, as the step's actor at its time."""
        with self.write() as session:
            yield Writer(session, step.actor, step.at, next_change(session))

    def verification(self, model: str, version: str, at: datetime) -> tuple[VerifyResult, ...]:
        """The version's artifacts re-hashed from the generated files, as they were at that moment."""
        key = (model, version)
        if key not in self._checked:
            release = self.releases[key]
            manifest = parse_version_manifest(release.doc, base_dir=release.folder, source=f"{model}/{version}")
            self._checked[key] = tuple(verify_artifact(a) for a in manifest.entry.artifacts)
        return tuple(r if at >= TAMPERED_AT else intact(r) for r in self._checked[key])


def intact(result: VerifyResult) -> VerifyResult:
    """What a check found before the tampering: the recorded checksum."""
    return replace(
        result,
        status=VerifyStatus.OK,
        actual_sha256=result.expected_sha256,
        actual_size=result.expected_size,
        message="sha256 and size match",
    )


# --- people ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Who is who: roles and teams from registry.yaml."""

    users: tuple[dict[str, Any], ...]

    def members(self, team: str) -> list[str]:
        """Identities in a team."""
        return [u["identity"] for u in self.users if team in u["teams"]]

    def with_role(self, role: str) -> list[str]:
        """Identities holding a role."""
        return [u["identity"] for u in self.users if role in u["roles"]]

    def contributors(self, team: str) -> list[str]:
        """Team members who register and request."""
        return [i for i in self.members(team) if i in self.with_role("contributor")]

    def canary_reviewer(self, owner: str, requester: str, rng: random.Random) -> str:
        """A reviewer for Staging -> Canary: reviewer role, not the requester, preferably from another team."""
        pool = [i for i in self.with_role("reviewer") if i != requester and i not in self.members(owner)]
        return rng.choice(pool)

    def production_signers(
        self, owner: str, signoff: tuple[str, ...], requester: str, rng: random.Random
    ) -> list[tuple[str, str]]:
        """(identity, capacity) in signing order: the owner, each stakeholder team, a distinct second reviewer."""
        active = [i for i in self.members(owner) if "viewer" not in self.roles(i)]
        owners = [i for i in active if i != requester] or active
        signers = [(rng.choice(owners), "owner")]
        for team in signoff:
            used = {i for i, _ in signers}
            pool = [i for i in self.members(team) if i not in used and i != requester] or [
                i for i in self.members(team) if i not in used
            ]
            signers.append((rng.choice(pool), f"stakeholder:{team}"))
        used = {i for i, _ in signers}
        pool = [i for i in self.with_role("reviewer") if i not in used and i != requester]
        outside = [i for i in pool if i not in self.members(owner)]
        signers.append((rng.choice(outside or pool), "reviewer"))
        return signers

    def roles(self, identity: str) -> list[str]:
        """The roles of one identity."""
        return next(u["roles"] for u in self.users if u["identity"] == identity)

    def releaser(self, signers: list[tuple[str, str]], rng: random.Random) -> str:
        """A releaser to apply a Production promotion, preferably one who did not sign it."""
        free = [i for i in RELEASERS if i not in {s for s, _ in signers}]
        return rng.choice(free or list(RELEASERS))


# --- planning -------------------------------------------------------------------------------------


@dataclass
class ModelPlan:
    """The steps of one model's story, with what the next version must wait for."""

    steps: list[Step] = field(default_factory=list)
    last_production: datetime | None = None
    staging_at: dict[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What planning one version needs."""

    release: Release
    releases: dict[str, Release]
    owner: str
    policy: Policy
    people: People
    rng: random.Random

    @property
    def model(self) -> str:
        """The model name."""
        return self.release.model

    @property
    def version(self) -> str:
        """The version."""
        return self.release.version

    @property
    def requester(self) -> str:
        """The engineer who registers and requests this version."""
        return rng_for(self.model, self.version, "requester").choice(self.people.contributors(self.owner))

    def promote(self, at: datetime, actor: str, to_stage: Stage, applied: bool, **extra: Any) -> Promote:
        """A promote step for this version."""
        return Promote(at, actor, self.model, self.version, to_stage, applied, **extra)

    def decide(
        self,
        at: datetime,
        actor: str,
        to_stage: Stage,
        capacity: str,
        comment: str,
        decision: Decision = Decision.APPROVE,
    ) -> Decide:
        """An approve/reject step for this version."""
        return Decide(at, actor, self.model, self.version, to_stage, decision, capacity, comment)


def review_text(ctx: Context) -> str:
    """The review evidence of a Staging -> Canary request."""
    base = ctx.release.doc["parent"] or "the baseline"
    report = f"reports/{ctx.model}/{ctx.version}/evaluation.html"
    return f"offline evaluation report {report} (segment table, diff against {base})"


def review_comment(ctx: Context) -> str:
    """What the reviewer says they reviewed."""
    name = ctx.release.headline
    value = ctx.release.doc["metrics"]["overall"][name]
    parent = ctx.releases.get(ctx.release.doc["parent"] or "")
    versus = f" against {parent.version}'s {parent.doc['metrics']['overall'][name]}" if parent else ""
    who = ctx.release.doc["model_card"]["fairness"]["attested_by"]
    return (
        f"reviewed the evaluation report: {name} {value}{versus}, no segment below its threshold; "
        f"fairness attested by {who}"
    )


def canary_results(ctx: Context, overrides: dict[str, float]) -> dict[str, float]:
    """Canary SLO results that pass the model's SLOs (seeded), with deliberate overrides."""
    rng = rng_for(ctx.model, ctx.version, "canary-results")
    results = {}
    for slo in ctx.policy.for_model(ctx.model).canary_slos:
        if slo.direction == "lower":
            value = slo.bound * rng.uniform(0.35, 0.85)
        elif slo.bound < 1:
            value = slo.bound + (1 - slo.bound) * rng.uniform(0.05, 0.3)
        else:
            value = slo.bound * rng.uniform(1.05, 1.3)
        results[slo.metric] = float(f"{value:.4g}")
    return {**results, **overrides}


def canary_share(ctx: Context) -> float:
    """The traffic share of this version's canary."""
    share = ctx.release.doc["canary_share"]
    if share is not None:
        return float(share)
    minimum = ctx.policy.for_model(ctx.model).min_canary_share
    return float(ctx.rng.choice([s for s in (5, 10, 20) if s >= minimum]))


def to_staging(
    ctx: Context, start: datetime, passes: bool, pending: Pending | None = None
) -> tuple[list[Step], datetime]:
    """Development -> Staging: the automated threshold gate (applied at once when it passes)."""
    at = working(start + timedelta(days=pending.days), ctx.rng) if pending else after(start, ctx.rng, 20, 50)
    return [ctx.promote(at, ctx.requester, STG, passes)], at


def to_canary(ctx: Context, start: datetime, pending: Pending | None = None) -> tuple[list[Step], datetime]:
    """Staging -> Canary: review evidence, a reviewer's approval naming it, then the requester applies."""
    attested = parse_time(ctx.release.doc["model_card"]["fairness"]["attested_at"])
    asked = after(max(start + timedelta(days=ctx.rng.randint(3, 6)), attested + timedelta(hours=2)), ctx.rng, 0, 4)
    if pending is not None:
        asked = working(start + timedelta(days=pending.days), ctx.rng)
    steps: list[Step] = [
        ctx.promote(asked, ctx.requester, CAN, False, evidence={"review": review_text(ctx)}, share=canary_share(ctx))
    ]
    if pending is not None and not pending.signers:
        return steps, asked
    reviewed = after(asked, ctx.rng, 3, 22)
    reviewer = ctx.people.canary_reviewer(ctx.owner, ctx.requester, ctx.rng)
    steps.append(ctx.decide(reviewed, reviewer, CAN, "reviewer", review_comment(ctx)))
    if pending is not None:
        revised = after(reviewed, ctx.rng, 20, 50)
        evidence = {"review": f"{review_text(ctx)}; {pending.revised_review}"}
        return steps + [ctx.promote(revised, ctx.requester, CAN, False, evidence=evidence)], revised
    applied = after(reviewed, ctx.rng, 1, 3)
    return steps + [ctx.promote(applied, ctx.requester, CAN, True)], applied


def signer_comment(ctx: Context, capacity: str, results: dict[str, float]) -> str:
    """What each signer of a Production request says."""
    if capacity == "owner":
        shown = ", ".join(f"{k} {v:g}" for k, v in results.items())
        return f"owner: canary readout reviewed with the team ({shown})"
    if capacity.startswith("stakeholder:"):
        return STAKEHOLDER_NOTES[capacity.removeprefix("stakeholder:")]
    return "second review: canary SLO results, approvals and archival checklist checked"


def to_production(
    ctx: Context, start: datetime, outgoing: bool, pending: Pending | None = None, fate: Fate | None = None
) -> tuple[list[Step], datetime]:
    """Canary -> Production: canary results and checklist, owner, stakeholders, second reviewer, a releaser."""
    policy = ctx.policy.for_model(ctx.model)
    results = canary_results(ctx, (pending.canary if pending else {}) | (fate.canary if fate else {}))
    done = pending.checklist if pending and pending.checklist is not None else None
    checklist = list(policy.archival_checklist[:done])
    evidence: dict[str, Any] = {"canary_results": results} | ({"archival_checklist": checklist} if outgoing else {})
    asked = working(start + timedelta(days=pending.days if pending else ctx.rng.randint(5, 9)), ctx.rng)
    steps: list[Step] = [ctx.promote(asked, ctx.requester, PROD, False, evidence=evidence)]
    if fate is not None:
        return steps, asked
    rejection = REJECTIONS.get((ctx.model, ctx.version))
    if rejection is not None:
        rejected = after(asked, ctx.rng, 2, 20)
        steps.append(ctx.decide(rejected, rejection.by, PROD, rejection.capacity, rejection.comment, Decision.REJECT))
        asked = working(rejected + timedelta(days=3), ctx.rng)
        steps.append(ctx.promote(asked, ctx.requester, PROD, False, evidence=evidence, reason=rejection.rerequest))
    signers = ctx.people.production_signers(ctx.owner, policy.signoff_roles, ctx.requester, ctx.rng)
    at = asked
    for identity, capacity in signers[: pending.signers if pending else None]:
        at = after(at, ctx.rng, 1, 20)
        steps.append(ctx.decide(at, identity, PROD, capacity, signer_comment(ctx, capacity, results)))
    if pending is not None:
        return steps, at
    applied = after(at, ctx.rng, 1, 5)
    return steps + [ctx.promote(applied, ctx.people.releaser(signers, ctx.rng), PROD, True)], applied


def abandon_at(ctx: Context, fate: Fate, reached: datetime) -> datetime:
    """When a version that went nowhere is abandoned."""
    if fate.superseded_by:
        return after(ctx.releases[fate.superseded_by].created, ctx.rng, 1, 4)
    return working(reached + timedelta(days=fate.days), ctx.rng)


def plan_fate(ctx: Context, fate: Fate, plan: ModelPlan) -> list[Step]:
    """An Archived version that never reached Production: how far it got and how it was abandoned."""
    passes = fate.reached is not DEV
    steps, at = to_staging(ctx, ctx.release.created, passes)
    if passes:
        plan.staging_at[ctx.version] = at
    if fate.reached is CAN:
        more, at = to_canary(ctx, at)
        steps += more
    if fate.canary_failure:
        if fate.canary:
            more, at = to_production(ctx, at, plan.last_production is not None, fate=fate)
            steps += more
        at = after(at, ctx.rng, 20, 60)
        steps.append(ctx.promote(at, ctx.requester, STG, True, reason=fate.canary_failure))
    return steps + [ctx.promote(abandon_at(ctx, fate, at), ctx.requester, ARC, True, reason=fate.reason)]


def plan_release(ctx: Context, plan: ModelPlan) -> list[Step]:
    """Every step of one version, from registration to where the story leaves it."""
    steps: list[Step] = [Register(ctx.release.created, ctx.requester, ctx.release)]
    fate = FATES.get((ctx.model, ctx.version))
    if fate is not None:
        return steps + plan_fate(ctx, fate, plan)
    target = PROD if ctx.release.prod else ctx.release.stage
    pending = QUEUE.get((ctx.model, ctx.version))
    if target is DEV and pending is None:
        return steps
    more, at = to_staging(ctx, ctx.release.created, target is not DEV, pending if target is DEV else None)
    steps += more
    if target is DEV:
        return steps
    plan.staging_at[ctx.version] = at
    if target is STG:
        return steps + (to_canary(ctx, at, pending)[0] if pending else [])
    more, at = to_canary(ctx, at)
    steps += more
    if target is CAN:
        return steps + (to_production(ctx, at, True, pending)[0] if pending else [])
    start = max(at, plan.last_production + timedelta(days=2)) if plan.last_production else at
    more, at = to_production(ctx, start, plan.last_production is not None)
    plan.last_production = at
    return steps + more + plan_rollback(ctx, plan)


def plan_rollback(ctx: Context, plan: ModelPlan) -> list[Step]:
    """The rollback of a bad release, right after it went to Production."""
    rollback = ROLLBACKS.get(ctx.model)
    if rollback is None or rollback.bad != ctx.version or plan.last_production is None:
        return []
    at = working(plan.last_production + timedelta(days=rollback.days, hours=5), ctx.rng)
    plan.last_production = at
    return [Rollback(at, "frank", ctx.model, rollback.to, rollback.reason)]


def plan_model(releases: list[Release], owner: str, policy: Policy, people: People) -> ModelPlan:
    """Every step of one model's versions, in lineage order."""
    plan = ModelPlan()
    by_version = {r.version: r for r in releases}
    for release in sorted(releases, key=lambda r: r.created):
        ctx = Context(release, by_version, owner, policy, people, rng_for(release.model, release.version, "story"))
        plan.steps += plan_release(ctx, plan)
    return plan


def plan_drills(model: str, policy: Policy) -> list[Step]:
    """Rollback drills at a little under the policy's cadence, from the drill programme's start."""
    rng = rng_for(model, "drills")
    cadence = policy.for_model(model).drill_cadence_days
    stop = DRILLS_LAPSED.get(model, END)
    at, steps = DRILLS_FROM + timedelta(days=rng.randint(0, 6)), []
    while True:
        at = working(at.replace(hour=rng.randint(13, 16), minute=rng.randint(0, 59), second=rng.randint(0, 59)), rng)
        if at > stop:
            return steps
        steps.append(Drill(at, rng.choice(RELEASERS), model, rng.randint(180, 2400)))
        at += timedelta(days=rng.randint(int(cadence * 0.55), int(cadence * 0.9)))


# --- providers -----------------------------------------------------------------------------------


def plan_providers(providers: ProvidersManifest) -> list[Step]:
    """The provider registry as it grew: feeds added, versions first listed, checks recorded, deprecations."""
    steps: list[Step] = []
    for feed in providers.feeds:
        seen = [first_seen(v) for v in providers.versions if v.provider == feed.provider]
        added = (min(seen) - timedelta(days=1)).replace(hour=9, minute=0, second=0) if seen else revision_times()[0]
        config = FeedConfig(feed.provider, feed.url, feed.format, feed.api_key_env, feed.aliases, feed.include)
        steps.append(AddFeed(added, ADMIN, config))
    listings: dict[tuple[str, datetime, str], list[ProviderVersion]] = {}
    for version in providers.versions:
        listings.setdefault((version.provider, first_seen(version), version.recorded_by or ADMIN), []).append(version)
        steps += [Qualify(check.recorded_at, check.recorded_by, check) for check in version.checks]
    for (provider, at, actor), versions in listings.items():
        listed = tuple(
            FeedVersion(v.version, v.model, v.released_at, impact=v.impact, notes=v.notes, alias_of=v.alias_of)
            for v in versions
        )
        steps.append(Fetch(at, actor, provider, FeedChanges(new=listed)))
    notices: dict[tuple[str, datetime], list[DeprecationNotice]] = {}
    for version in (v for v in providers.versions if v.deprecated_at is not None):
        notice = DeprecationNotice(version.version, version.deprecated_at, version.retires_at, version.deprecation_note)
        notices.setdefault((version.provider, version.deprecated_at), []).append(notice)
    steps += [
        Fetch(at, ADMIN, provider, FeedChanges(deprecations=tuple(found))) for (provider, at), found in notices.items()
    ]
    return steps


def first_seen(version: ProviderVersion) -> datetime:
    """When a feed first listed a version (the day after its release when the manifest does not say)."""
    if version.first_seen_at is not None:
        return version.first_seen_at
    return (version.released_at or revision_times()[0]) + timedelta(days=1, hours=6)


# --- policy revisions ----------------------------------------------------------------------------


def nice(value: float, up: bool) -> float:
    """A round bound near a value: 0.01 steps below 1, units below 100, hundreds above."""
    step = 0.01 if abs(value) < 1 else 1.0 if abs(value) < 100 else 100.0
    rounded = (math.ceil(value / step - 1e-9) if up else math.floor(value / step + 1e-9)) * step
    return round(rounded, 4)


def worst(metrics: Metrics, threshold: Threshold) -> float:
    """A version's value for a threshold: overall, or its worst segment in scope."""
    if threshold.segments == "overall":
        return metrics.overall[threshold.metric]
    segments = sorted(metrics.segments) if threshold.segments == "all" else threshold.segments
    values = [metrics.segments[s][threshold.metric] for s in segments]
    return min(values) if threshold.direction == "higher" else max(values)


def loosened(threshold: Threshold, values: list[float]) -> Threshold:
    """A threshold relaxed (never tightened) so that every given value passes it."""
    if not values:
        return threshold
    if threshold.direction == "higher":
        return replace(threshold, bound=min(threshold.bound, nice(min(values), up=False)))
    return replace(threshold, bound=max(threshold.bound, nice(max(values), up=True)))


def revisions(
    final: Policy, passed: list[tuple[datetime, Release]], first_version: dict[str, datetime]
) -> list[SetPolicy]:
    """Policy revisions: earlier ones have thresholds that the versions staged in their time passed."""
    times = revision_times()
    policies, current = [final], final
    for start, end in reversed(list(zip(times, times[1:], strict=False))):
        staged = [r for at, r in passed if start <= at < end]
        models: dict[str, PolicyOverride] = {}
        for name, override in current.models.items():
            values = [r.metrics for r in staged if r.model == name]
            bounds = tuple(loosened(t, [worst(m, t) for m in values]) for t in override.thresholds or ())
            models[name] = replace(override, thresholds=bounds)
        current = Policy(default=final.default, models=models)
        policies.append(current)
    policies.reverse()
    steps = []
    for index, (at, policy) in enumerate(zip(times, policies, strict=True)):
        until = times[index + 1] if index + 1 < len(times) else None
        shown = {n: o for n, o in policy.models.items() if until is None or first_version.get(n, END) < until}
        steps.append(SetPolicy(at, ADMIN, Policy(default=policy.default, models=shown)))
    return steps


# --- the whole story ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """An open request as `regtui requests` shows it when the story is told."""

    id: int
    ref: str
    move: str
    requested_by: str
    missing: list[str]


@dataclass(frozen=True)
class History:
    """What the story left behind: the exported log and requests, provenance, and the queue as told."""

    log: dict[str, Any]
    requests: dict[str, Any]
    provenance: dict[tuple[str, str], dict[str, Any]]
    queue: list[QueueItem]


def plan(
    releases: list[Release], owners: dict[str, str], final: Policy, providers: ProvidersManifest, people: People
) -> list[Step]:
    """Every step of the story in time order."""
    steps: list[Step] = []
    passed: list[tuple[datetime, Release]] = []
    for model, owner in owners.items():
        mine = [r for r in releases if r.model == model]
        model_plan = plan_model(mine, owner, final, people)
        steps += model_plan.steps
        passed += [(at, next(r for r in mine if r.version == v)) for v, at in model_plan.staging_at.items()]
        if any(r.prod or r.stage is PROD for r in mine):
            steps += plan_drills(model, final)
    first_version = {model: min(r.created for r in releases if r.model == model) for model in owners}
    steps += revisions(final, passed, first_version) + plan_providers(providers)
    ordered = [s for _, s in sorted(enumerate(steps), key=lambda pair: (pair[1].at, pair[0]))]
    if ordered[-1].at > END:
        raise StoryError(f"the story runs past {utc_iso(END)}: {ordered[-1]}")
    return ordered


def tell(
    releases: list[Release],
    owners: dict[str, str],
    final: Policy,
    providers: ProvidersManifest,
    registry: dict[str, Any],
) -> History:
    """Play the story on a scratch registry and export what it left behind."""
    people = People(tuple(registry["users"]))
    with tempfile.TemporaryDirectory(prefix="regtui-demo-story-") as scratch:
        engine = create_registry_engine(f"sqlite:///{Path(scratch) / 'story.db'}", create=True)
        try:
            init_schema(engine)
            check_schema(engine)
            story = Story(engine, {(r.model, r.version): r for r in releases})
            with story.write() as session:
                grant_initial_admin(session, ADMIN)
                session.flush()
                users = ManifestSet(registries=[parse_registry_manifest(registry, source="registry.yaml")])
                import_manifests(session, users, actor=ADMIN, now=revision_times()[0], restore=True)
            for step in plan(releases, owners, final, providers, people):
                step.run(story)
            return export(engine)
        finally:
            engine.dispose()


def export(engine: Engine) -> History:
    """The log and requests as `regtui export` writes them, each version's provenance, and the open queue."""
    with Session(engine) as session:
        log = log_document(LogManifest(tuple((row_to_entry(r), r.hash) for r in iter_log(session))))
        requests = requests_document(list_request_records(session))
        provenance = {
            (row.model, row.version): {
                "stage": row.stage,
                "canary_share": row.canary_share,
                "registered_by": row.registered_by,
                "registered_at": utc_iso(as_utc(row.registered_at)),
                "stage_changed_by": row.stage_changed_by,
                "stage_changed_at": utc_iso(as_utc(row.stage_changed_at)),
            }
            for row in session.execute(select(VersionRow)).scalars()
        }
        open_rows = (
            session.execute(select(RequestRow).where(RequestRow.status == promotions.OPEN).order_by(RequestRow.id))
            .scalars()
            .all()
        )
        queue = [
            QueueItem(
                r.id,
                f"{r.model}@{r.version}",
                f"{r.from_stage} -> {r.to_stage}",
                r.requested_by,
                still_missing(session, r),
            )
            for r in open_rows
        ]
    return History(log, requests, provenance, queue)


def still_missing(session: Session, request: RequestRow) -> tuple[str, ...]:
    """What an open request's gate still lacks, as of the story's date."""
    row = require_version(session, request.model, request.version)
    facts = gate_facts(session, request, row, get_policy(session).for_model(request.model), now=TOLD_AT)
    return evaluate_gate(Stage(request.from_stage), Stage(request.to_stage), facts).missing


def last_drills(log: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each model's most recent drill entry."""
    return {e["model"]: e for e in log["entries"] if e["kind"] == "drill"}


def production_story(log: dict[str, Any], model: str) -> list[str]:
    """A model's versions in the order they entered Production, rollbacks marked."""
    return [
        f"{e['version']} (rollback, {e['details']['reason'].split(':')[0]})"
        if e["kind"] == "rollback"
        else str(e["version"])
        for e in log["entries"]
        if e["model"] == model and e["to_stage"] == PROD.value and e["kind"] in ("promote", "rollback")
    ]


# --- checks ---------------------------------------------------------------------------------------

MOVES = ("register", "promote", "replaced", "abandon", "canary-failed", "rollback")
Manifests = dict[tuple[str, str], tuple[Path, dict[str, Any]]]


def check_history(log: dict[str, Any], requests: dict[str, Any], manifests: Manifests, policy: Policy) -> list[str]:
    """Problems with the governance history: chain, order, stages, requests, digests, queue, rollback, drills."""
    entries = log["entries"]
    parsed = parse_log_manifest(log, source="log.yaml")
    broken = verify_chain(parsed.entries)
    problems = [f"log.yaml: chain broken at entry {broken.position}: {broken.reason}"] if broken else []
    problems += check_order(entries)
    problems += check_stages(entries, manifests)
    problems += check_requests(entries, requests, manifests)
    problems += check_story(log, requests, manifests, policy)
    return problems


def check_order(entries: list[dict[str, Any]]) -> list[str]:
    """The log starts with the policy and runs forward in time, ending before the story is told."""
    problems = [] if entries and entries[0]["kind"] == "policy" else ["log.yaml: the first entry is not the policy"]
    times = [parse_time(e["at"]) for e in entries]
    problems += [
        f"log.yaml: entry {e['position']} is earlier than the one before it"
        for e, before, now in zip(entries[1:], times, times[1:], strict=False)
        if now < before
    ]
    if times and times[-1] > END:
        problems.append(f"log.yaml: entries after {utc_iso(END)}")
    return problems


def check_stages(entries: list[dict[str, Any]], manifests: Manifests) -> list[str]:
    """Replay every stage change: moves start where the version is, one Production per model, manifests agree."""
    stage: dict[tuple[str, str], str] = {}
    last: dict[tuple[str, str], dict[str, Any]] = {}
    registered: dict[tuple[str, str], dict[str, Any]] = {}
    problems = []
    for e in (e for e in entries if e["kind"] in MOVES):
        key = (e["model"], str(e["version"]))
        if e["kind"] == "register":
            registered[key] = e
        elif stage.get(key) != e["from_stage"]:
            problems.append(
                f"log.yaml: entry {e['position']} moves {key} from {e['from_stage']}, but it is in {stage.get(key)}"
            )
        stage[key], last[key] = e["to_stage"], e
        producing = [k for k, s in stage.items() if k[0] == key[0] and s == PROD.value]
        if len(producing) > 1:
            problems.append(
                f"log.yaml: entry {e['position']} leaves {key[0]} with {len(producing)} Production versions"
            )
    for key, (path, doc) in manifests.items():
        if key not in registered:
            problems.append(f"{path}: never registered in log.yaml")
            continue
        expected = {
            "stage": stage[key],
            "registered_by": registered[key]["actor"],
            "registered_at": registered[key]["at"],
            "stage_changed_by": last[key]["actor"],
            "stage_changed_at": last[key]["at"],
        }
        problems += [f"{path}: {k} is {doc.get(k)}, the log says {v}" for k, v in expected.items() if doc.get(k) != v]
    return problems


def check_requests(entries: list[dict[str, Any]], requests: dict[str, Any], manifests: Manifests) -> list[str]:
    """Request ids agree between the log and requests.yaml; approvals are bound to the version's artifacts."""
    by_id = {r["id"]: r for r in requests["requests"]}
    problems = [] if len(by_id) == len(requests["requests"]) else ["requests.yaml: duplicate request ids"]
    opened = {e["details"]["request"] for e in entries if e["kind"] == "request"}
    problems += [f"requests.yaml: request #{i} has no request entry in log.yaml" for i in sorted(set(by_id) - opened)]
    for e in (e for e in entries if "request" in (e.get("details") or {})):
        request = by_id.get(e["details"]["request"])
        held = (
            request is not None
            and request["model"] == e["model"]
            and (e["kind"] == "replaced" or str(request["version"]) == str(e["version"]))
        )
        if not held:
            problems.append(
                f"log.yaml: entry {e['position']} names request #{e['details']['request']}, "
                "which requests.yaml does not hold for that version"
            )
    applied = {e["details"]["request"] for e in entries if e["kind"] == "promote"}
    for request in requests["requests"]:
        if (request["status"] == "applied") != (request["id"] in applied):
            problems.append(f"requests.yaml: request #{request['id']} is {request['status']}, the log disagrees")
        path, doc = manifests[(request["model"], str(request["version"]))]
        digest = artifact_digest(parse_version_manifest(doc, base_dir=path.parent, source=str(path)).entry)
        problems += [
            f"requests.yaml: #{request['id']} {a['identity']}'s decision is bound to other artifacts"
            for a in request["approvals"]
            if a["artifact_digest"] != digest
        ]
    return problems


def check_story(log: dict[str, Any], requests: dict[str, Any], manifests: Manifests, policy: Policy) -> list[str]:
    """The demo's story holds: an approval queue, a past rollback, drills for every live model, one overdue."""
    problems = []
    if not any(r["status"] == "open" for r in requests["requests"]):
        problems.append("requests.yaml: no open request (the approval queue is empty)")
    if not any(e["kind"] == "rollback" for e in log["entries"]):
        problems.append("log.yaml: no rollback")
    live = {model for (model, _), (_, doc) in manifests.items() if doc["stage"] == PROD.value}
    drills = last_drills(log)
    problems += [f"log.yaml: {model} is in Production but was never drilled" for model in sorted(live - set(drills))]
    overdue = [
        m
        for m, e in drills.items()
        if TOLD_AT - parse_time(e["at"]) > timedelta(days=policy.for_model(m).drill_cadence_days)
    ]
    if not overdue:
        problems.append("log.yaml: no model's last drill is overdue")
    for model in live:
        firsts = list(dict.fromkeys(v.split(" ")[0] for v in production_story(log, model)))
        if firsts != sorted(firsts, key=lambda v: manifests[(model, v)][1]["created_at"]):
            problems.append(f"log.yaml: {model}'s versions enter Production out of their release order")
    return problems
