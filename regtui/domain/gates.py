"""Gate evaluation: the checks a promotion must pass, computed purely from facts the store gathers.

- Development -> Staging: one check per policy threshold (overall or per segment).
- Staging -> Canary: no current rejection, human review naming its evidence, fairness attested (by a recorded
  attestation, regtui.domain.attestations), model card complete, every artifact verified now, provider pin exact
  and qualified (when pinned and its status is known).
- Canary -> Production: no current rejection, one check per canary SLO, stakeholder sign-offs, the
  two-person rule (owner, second reviewer), every artifact verified now, the archival checklist of the
  outgoing Production version, provider pin exact, qualified and not retired (when pinned and known).

- Production -> Archived without a replacement (retire): no current rejection, a stated reason, the two-person
  rule.

Other moves (abandon, failed canary, Production -> Archived with its replacement) have no gate of their
own: the outgoing version's archival checklist is part of its replacement's Canary -> Production gate.
Approvals and rejections count only while bound to the current artifact and evidence digests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from regtui.domain.approvals import (
    STAKEHOLDER_PREFIX,
    ApprovalContext,
    ApprovalFact,
    Slot,
    artifact_digest,
    current_rejections,
    evidence_digest,
    fill_slots,
    two_person_slots,
)
from regtui.domain.attestations import FAIRNESS, AttestationFact, attestation_state
from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Artifact, Metrics, Stage, VersionEntry, utc_iso
from regtui.domain.policy import ModelPolicy, SloBound, Threshold, format_number
from regtui.domain.text import clean_single_line
from regtui.domain.transitions import MoveKind, move_kind

NO_EVIDENCE_DIGEST = evidence_digest({})
NOT_REVERIFIED = "artifacts were not re-verified for this promotion"
"""The artifacts check of a gate evaluated without hashing (a preview, the queue): the promotion itself re-hashes."""


class CheckKind(StrEnum):
    """The family a gate check belongs to (for grouping and colouring in the UI)."""

    THRESHOLD = "threshold"
    VETO = "veto"
    REVIEW = "review"
    FAIRNESS = "fairness"
    MODEL_CARD = "model-card"
    PROVIDER = "provider"
    CANARY_SLO = "canary-slo"
    SIGNOFF = "signoff"
    TWO_PERSON = "two-person"
    ARTIFACTS = "artifacts"
    ARCHIVAL = "archival"
    REASON = "reason"


@dataclass(frozen=True)
class GateCheck:
    """One gate condition: its name, whether it passed, a one-line detail and its kind."""

    name: str
    passed: bool
    detail: str
    kind: CheckKind


@dataclass(frozen=True)
class GateResult:
    """All checks of one gate; it passes when every check passes."""

    checks: tuple[GateCheck, ...]

    @property
    def passed(self) -> bool:
        """Whether every check passed (a move without a gate passes)."""
        return all(check.passed for check in self.checks)

    @property
    def missing(self) -> list[str]:
        """Names of the failed checks: what the request still needs."""
        return [check.name for check in self.checks if not check.passed]

    @property
    def rejected(self) -> bool:
        """Whether a current rejection vetoes the request."""
        return any(check.kind is CheckKind.VETO and not check.passed for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored as the gate's evidence with the event."""
        return {
            "passed": self.passed,
            "checks": [
                {"name": c.name, "passed": c.passed, "detail": c.detail, "kind": c.kind.value} for c in self.checks
            ],
        }


@dataclass(frozen=True)
class ProviderPinStatus:
    """What the registry knows about the provider model version an entry pins."""

    alias: bool
    qualified: bool
    retires_at: datetime | None = None


@dataclass(frozen=True)
class GateFacts:
    """Everything a gate looks at, gathered by the store at the moment of evaluation."""

    entry: VersionEntry
    policy: ModelPolicy
    requester: str
    owner: str
    now: datetime
    owner_members: frozenset[str] = frozenset()
    approvals: tuple[ApprovalFact, ...] = ()
    evidence_digest: str = NO_EVIDENCE_DIGEST
    review_evidence: str | None = None
    canary_results: Mapping[str, float] | None = None
    verification: tuple[VerifyResult, ...] | None = None
    outgoing_version: str | None = None
    archival_done: tuple[str, ...] = ()
    provider_status: ProviderPinStatus | None = None
    attestations: tuple[AttestationFact, ...] = ()
    """The attestations recorded in the log for this version (read for a Canary gate)."""
    request_reason: str = ""
    """Why the request was made (a retirement states one)."""

    @cached_property
    def current_artifact_digest(self) -> str:
        """The digest of the artifacts that approvals are bound to (computed once: the gate and the log use it)."""
        return artifact_digest(self.entry)

    def approval_context(self, to_stage: Stage) -> ApprovalContext:
        """The request as the approval rules see it, bound to the current digests."""
        return ApprovalContext(
            to_stage=to_stage,
            requester=self.requester,
            owner=self.owner,
            owner_members=self.owner_members,
            signoff_roles=self.policy.signoff_roles,
            artifact_digest=self.current_artifact_digest,
            evidence_digest=self.evidence_digest,
        )


def evaluate_gate(from_stage: Stage, to_stage: Stage, facts: GateFacts) -> GateResult:
    """Evaluate the gate of a move (RuleError when the move does not exist); gate-less moves pass."""
    kind = move_kind(from_stage, to_stage)
    if kind is MoveKind.RETIRE:
        return GateResult(tuple(_retirement(facts)))
    if kind is not MoveKind.PROMOTE:
        return GateResult(())
    return GateResult(tuple(_GATES[to_stage](facts)))


def threshold_checks(metrics: Metrics, policy: ModelPolicy) -> list[GateCheck]:
    """Development -> Staging: one check per threshold; no thresholds at all fails the gate."""
    if not policy.thresholds:
        detail = f"the policy defines no offline-evaluation thresholds for {policy.subject}"
        return [GateCheck("offline thresholds", False, detail, CheckKind.THRESHOLD)]
    return [_threshold_check(metrics, threshold) for threshold in policy.thresholds]


def _staging_to_canary(facts: GateFacts) -> list[GateCheck]:
    """Human review naming its evidence, fairness attested, model card complete, artifacts verified now, provider
    pin."""
    ctx = facts.approval_context(Stage.CANARY)
    (review,) = fill_slots(facts.approvals, ctx)
    checks = [
        _veto_check(facts.approvals, ctx),
        _review_check(review, facts),
        _fairness_check(facts.entry, facts.attestations),
        _model_card_check(facts.entry),
        _artifacts_check(facts.entry, facts.verification),
    ]
    return checks + _provider_checks(facts, check_retirement=False)


def _canary_to_production(facts: GateFacts) -> list[GateCheck]:
    """Canary SLOs, sign-offs, two-person rule, artifacts verified now, archival checklist, provider pin."""
    ctx = facts.approval_context(Stage.PRODUCTION)
    slots = fill_slots(facts.approvals, ctx)
    stakeholders = [slot for slot in slots if slot.capacity.startswith(STAKEHOLDER_PREFIX)]
    owner, reviewer = two_person_slots(slots)
    checks = [_veto_check(facts.approvals, ctx), *_slo_checks(facts)]
    checks += [
        _slot_check(f"stakeholder sign-off: {slot.capacity.removeprefix(STAKEHOLDER_PREFIX)}", slot, CheckKind.SIGNOFF)
        for slot in stakeholders
    ]
    checks += [
        _slot_check("owner approval", owner, CheckKind.TWO_PERSON),
        _slot_check("second reviewer", reviewer, CheckKind.TWO_PERSON),
        _artifacts_check(facts.entry, facts.verification),
        _archival_check(facts),
    ]
    return checks + _provider_checks(facts, check_retirement=True)


def _retirement(facts: GateFacts) -> list[GateCheck]:
    """Production -> Archived without a replacement: a stated reason and the two-person rule (owner and a distinct
    second reviewer), no current rejection."""
    ctx = facts.approval_context(Stage.ARCHIVED)
    owner, reviewer = two_person_slots(fill_slots(facts.approvals, ctx))
    reason = clean_single_line(facts.request_reason)
    stated = GateCheck("retirement reason", True, reason, CheckKind.REASON)
    if not reason.strip():
        stated = GateCheck(
            "retirement reason", False, "the request states no reason (promote --reason)", CheckKind.REASON
        )
    return [
        _veto_check(facts.approvals, ctx),
        stated,
        _slot_check("owner approval", owner, CheckKind.TWO_PERSON),
        _slot_check("second reviewer", reviewer, CheckKind.TWO_PERSON),
    ]


_GATES: dict[Stage, Callable[[GateFacts], list[GateCheck]]] = {
    Stage.STAGING: lambda facts: threshold_checks(facts.entry.metrics, facts.policy),
    Stage.CANARY: _staging_to_canary,
    Stage.PRODUCTION: _canary_to_production,
}


def _threshold_check(metrics: Metrics, threshold: Threshold) -> GateCheck:
    """Check one threshold overall or across its segments."""
    name = f"threshold {threshold.describe()}"
    if threshold.segments == "overall":
        value = metrics.overall.get(threshold.metric)
        if value is None:
            return GateCheck(
                name, False, f"{threshold.metric} is missing from the version's metrics", CheckKind.THRESHOLD
            )
        return GateCheck(
            name, threshold.passes(value), _value_text(threshold.metric, value, threshold), CheckKind.THRESHOLD
        )
    return _segment_check(name, metrics, threshold)


def _segment_check(name: str, metrics: Metrics, threshold: Threshold) -> GateCheck:
    """Every segment the threshold covers must record the metric and pass it."""
    segments = sorted(metrics.segments) if threshold.segments == "all" else list(threshold.segments)
    if not segments:
        return GateCheck(name, False, "the version records no segment metrics", CheckKind.THRESHOLD)
    values = {s: metrics.segments.get(s, {}).get(threshold.metric) for s in segments}
    failures = [
        f"{s} {'missing' if v is None else format_number(v)}"
        for s, v in values.items()
        if v is None or not threshold.passes(v)
    ]
    if failures:
        return GateCheck(name, False, f"fails in {', '.join(failures)}", CheckKind.THRESHOLD)
    pick = min if threshold.direction == "higher" else max
    worst = pick(values, key=lambda s: values[s])
    detail = f"{len(segments)} segment(s) pass; closest: {worst} {format_number(values[worst])}"
    return GateCheck(name, True, detail, CheckKind.THRESHOLD)


def _value_text(metric: str, value: float, bound: Threshold | SloBound) -> str:
    """'auc = 0.91 (needs >= 0.85)'."""
    needs = ">=" if bound.direction == "higher" else "<="
    return f"{metric} = {format_number(value)} (needs {needs} {format_number(bound.bound)})"


def _veto_check(approvals: Iterable[ApprovalFact], ctx: ApprovalContext) -> GateCheck:
    """Any current rejection vetoes the request."""
    rejections = current_rejections(approvals, ctx)
    if not rejections:
        return GateCheck("no rejection", True, "no current rejection", CheckKind.VETO)
    detail = "; ".join(f"rejected by {r.identity}: {clean_single_line(r.comment)}" for r in rejections)
    return GateCheck("no rejection", False, detail, CheckKind.VETO)


def _review_check(slot: Slot, facts: GateFacts) -> GateCheck:
    """Human review: a reviewer's approval with a comment, bound to the current evidence."""
    if slot.approval is None:
        return GateCheck("human review", False, slot.detail, CheckKind.REVIEW)
    evidence = facts.review_evidence or "the request evidence"
    detail = (
        f"{slot.approval.identity} reviewed {evidence} (sha256 {facts.evidence_digest[:12]}) "
        f"at {utc_iso(slot.approval.at)}: {clean_single_line(slot.approval.comment)}"
    )
    return GateCheck("human review", True, detail, CheckKind.REVIEW)


def _fairness_check(entry: VersionEntry, attestations: tuple[AttestationFact, ...]) -> GateCheck:
    """The model card's fairness section is filled in and attested by a registry user with the review right (a
    decision recorded in the log; a name in the manifest is not one)."""
    fairness = entry.model_card.fairness
    if not fairness.summary.strip():
        return GateCheck("fairness attested", False, "the model card's fairness section is empty", CheckKind.FAIRNESS)
    state = attestation_state(attestations, FAIRNESS, fairness.attested_by)
    return GateCheck("fairness attested", state.current is not None, state.describe(), CheckKind.FAIRNESS)


def _model_card_check(entry: VersionEntry) -> GateCheck:
    """Every model-card section is filled in."""
    missing = entry.model_card.missing_sections()
    if missing:
        return GateCheck(
            "model card complete", False, f"missing section(s): {', '.join(missing)}", CheckKind.MODEL_CARD
        )
    return GateCheck("model card complete", True, "all six sections present", CheckKind.MODEL_CARD)


def _slot_check(name: str, slot: Slot, kind: CheckKind) -> GateCheck:
    """A required approval capacity as a check."""
    return GateCheck(name, slot.filled, slot.detail, kind)


def _slo_checks(facts: GateFacts) -> list[GateCheck]:
    """One check per canary SLO against the recorded canary results; no SLOs at all fails the gate."""
    if not facts.policy.canary_slos:
        detail = f"the policy defines no canary SLOs for {facts.policy.subject}"
        return [GateCheck("canary SLOs", False, detail, CheckKind.CANARY_SLO)]
    return [_slo_check(slo, facts.canary_results) for slo in facts.policy.canary_slos]


def _slo_check(slo: SloBound, results: Mapping[str, float] | None) -> GateCheck:
    """One canary SLO against the recorded canary results."""
    name = f"canary SLO {slo.describe()}"
    if results is None:
        return GateCheck(name, False, "no canary SLO results recorded in the request evidence", CheckKind.CANARY_SLO)
    value = results.get(slo.metric)
    if value is None:
        return GateCheck(name, False, f"{slo.metric} is missing from the recorded canary results", CheckKind.CANARY_SLO)
    return GateCheck(name, slo.passes(value), f"canary {_value_text(slo.metric, value, slo)}", CheckKind.CANARY_SLO)


def _artifacts_check(entry: VersionEntry, verification: tuple[VerifyResult, ...] | None) -> GateCheck:
    """Every recorded artifact was re-hashed now against the record the gate sees (URI, pinned object version,
    SHA-256, size) and matches it (the hashing reads the records before the transaction, from the local cache or
    the registry; the gate's entry is read in it); a version without artifacts has nothing deployable to verify and
    fails."""
    name = "artifacts verified"
    if not entry.artifacts:
        return GateCheck(name, False, "no artifacts: the version records nothing to deploy", CheckKind.ARTIFACTS)
    if verification is None:
        return GateCheck(name, False, NOT_REVERIFIED, CheckKind.ARTIFACTS)
    results = {result.name: result for result in verification}
    problems = []
    for artifact in entry.artifacts:
        result = results.get(artifact.name)
        if result is None:
            problems.append(f"{artifact.name}: not verified")
        elif other := _other_record(result, artifact):
            problems.append(f"{artifact.name}: verified against another record ({other})")
        elif not result.ok:
            problems.append(f"{artifact.name}: {result.status} ({clean_single_line(result.message)})")
    if problems:
        return GateCheck(name, False, "; ".join(problems), CheckKind.ARTIFACTS)
    return GateCheck(
        name, True, f"{len(entry.artifacts)} artifact(s) match their recorded SHA-256 and size", CheckKind.ARTIFACTS
    )


def _other_record(result: VerifyResult, artifact: Artifact) -> str:
    """What differs in the record a result was made against from the artifact's record ('' when they are the same)."""
    if (result.expected_sha256.lower(), result.expected_size) != (artifact.sha256.lower(), artifact.size):
        return f"sha256 {result.expected_sha256[:12]}…, {result.expected_size} bytes"
    if result.uri != artifact.uri:
        return f"uri {clean_single_line(result.uri)}"
    if result.object_version != artifact.object_version:
        return f"object version {clean_single_line(result.object_version) or 'none'}"
    return ""


def awaits_verification(check: GateCheck) -> bool:
    """An artifacts check that failed only because nothing was hashed yet (applying the promotion re-hashes); a
    version without artifacts, or one whose artifacts failed, does not await anything."""
    return check.kind is CheckKind.ARTIFACTS and not check.passed and check.detail == NOT_REVERIFIED


def _archival_check(facts: GateFacts) -> GateCheck:
    """The outgoing Production version's archival checklist is complete (when there is one)."""
    name = "archival checklist"
    if facts.outgoing_version is None:
        return GateCheck(name, True, "no Production version to replace", CheckKind.ARCHIVAL)
    done = {_normalized(item) for item in facts.archival_done}
    missing = [item for item in facts.policy.archival_checklist if _normalized(item) not in done]
    outgoing = f"{facts.entry.model}@{facts.outgoing_version}"
    if missing:
        return GateCheck(name, False, f"{outgoing} not yet checked: {', '.join(missing)}", CheckKind.ARCHIVAL)
    count = len(facts.policy.archival_checklist)
    return GateCheck(name, True, f"{outgoing}: {count} item(s) checked", CheckKind.ARCHIVAL)


def _normalized(item: str) -> str:
    """Checklist items compare case-insensitively with whitespace collapsed."""
    return " ".join(item.casefold().split())


def _provider_checks(facts: GateFacts, *, check_retirement: bool) -> list[GateCheck]:
    """A pinned provider version must be exact and qualified (and, for Production, not retired).

    No status (provider_status None) means no provider check; the store supplies one for every pinned entry
    (store.provider_queries.pin_status: a provider version the registry does not know is not qualified).
    """
    pin, status = facts.entry.provider, facts.provider_status
    if pin is None or status is None:
        return []
    label = f"{pin.provider}/{pin.model}@{pin.version}"
    problems = []
    if status.alias:
        problems.append("is an alias, not an exact version")
    if not status.qualified:
        problems.append("is not qualified")
    if check_retirement and status.retires_at is not None and status.retires_at <= facts.now:
        problems.append(f"was retired {utc_iso(status.retires_at)}")
    if problems:
        return [GateCheck("provider pin", False, f"{label} {' and '.join(problems)}", CheckKind.PROVIDER)]
    return [GateCheck("provider pin", True, f"{label} is exact and qualified", CheckKind.PROVIDER)]
