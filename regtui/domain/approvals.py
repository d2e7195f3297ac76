"""Approvals on a promotion request: who may sign in which capacity, which signatures count, and digests.

Capacities a request needs (``required_capacities``):
- Staging -> Canary: ``reviewer`` (the human review of the evaluation evidence).
- Canary -> Production: ``owner`` and ``reviewer`` (the two-person rule) plus ``stakeholder:<name>``
  for each sign-off role of the model's policy.

Who may fill a capacity:
- ``owner``: the model's owner person, or a member of the owning team (ownership is the authority).
- ``reviewer``: an identity whose roles grant the review right, and never the requester.
- ``stakeholder:<name>``: a member of team ``<name>``.

An identity makes at most one current decision per request, so it fills at most one capacity.
Approvals and rejections are bound to the version's artifact digest and to the request's evidence
digest: when either differs from the current one the decision no longer counts (and the identity may
decide again). Any current rejection vetoes the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from regtui.domain.entry import Stage, VersionEntry, canonical_json, utc_iso
from regtui.domain.roles import Right, Role, rights_of
from regtui.errors import RuleError

OWNER = "owner"
REVIEWER = "reviewer"
STAKEHOLDER_PREFIX = "stakeholder:"


class Decision(StrEnum):
    """What an identity decided on a request."""

    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class ApprovalFact:
    """One recorded decision with the digests it saw and the decider's current roles and teams."""

    identity: str
    decision: Decision
    capacity: str
    comment: str
    at: datetime
    artifact_digest: str
    evidence_digest: str
    roles: frozenset[Role] = frozenset()
    teams: frozenset[str] = frozenset()

    @property
    def approver(self) -> Approver:
        """The decider as an Approver, to re-check eligibility with current roles and teams."""
        return Approver(self.identity, self.roles, self.teams)


@dataclass(frozen=True)
class Approver:
    """Someone about to decide on a request: identity, registry roles and teams."""

    identity: str
    roles: frozenset[Role] = frozenset()
    teams: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ApprovalContext:
    """The request being decided: target stage, the parties, the sign-offs and the current digests."""

    to_stage: Stage
    requester: str
    owner: str
    owner_members: frozenset[str]
    signoff_roles: tuple[str, ...]
    artifact_digest: str
    evidence_digest: str

    @cached_property
    def capacities(self) -> tuple[str, ...]:
        """The capacities this request needs filled, in the order they are offered to an approver (computed once)."""
        return required_capacities(self.to_stage, self.signoff_roles)


@dataclass(frozen=True)
class Slot:
    """One required capacity: the approval that fills it (None when open) and a one-line explanation."""

    capacity: str
    approval: ApprovalFact | None
    detail: str

    @property
    def filled(self) -> bool:
        """Whether a counting approval fills the capacity."""
        return self.approval is not None


def stakeholder(name: str) -> str:
    """The capacity name of a stakeholder sign-off role."""
    return f"{STAKEHOLDER_PREFIX}{name}"


def required_capacities(to_stage: Stage, signoff_roles: Sequence[str]) -> tuple[str, ...]:
    """Capacities a request to a stage needs: review for Canary; owner, stakeholders, reviewer for Production; the
    owner and a second reviewer (the two-person rule) to retire a Production version to Archived."""
    if to_stage is Stage.CANARY:
        return (REVIEWER,)
    if to_stage is Stage.PRODUCTION:
        return (OWNER, *(stakeholder(name) for name in signoff_roles), REVIEWER)
    if to_stage is Stage.ARCHIVED:
        return (OWNER, REVIEWER)
    return ()


def artifact_digest(entry: VersionEntry) -> str:
    """SHA-256 over the sorted name:sha256:size list of a version's artifacts (what approvals are bound to)."""
    lines = sorted(f"{a.name}:{a.sha256.lower()}:{a.size}" for a in entry.artifacts)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def evidence_digest(evidence: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a request's gate evidence (what approvals are bound to)."""
    return hashlib.sha256(canonical_json(evidence).encode()).hexdigest()


def is_owner(identity: str, owner: str, owner_members: Iterable[str]) -> bool:
    """Whether an identity is the model's owner person or a member of the owning team."""
    return identity == owner or identity in owner_members


def stale_reason(approval: ApprovalFact, ctx: ApprovalContext) -> str | None:
    """Why a decision no longer counts because what it saw changed; None while it is current."""
    noun = "approval" if approval.decision is Decision.APPROVE else "rejection"
    if approval.artifact_digest != ctx.artifact_digest:
        return f"{approval.identity}'s {noun} predates the current artifacts"
    if approval.evidence_digest != ctx.evidence_digest:
        return f"{approval.identity}'s {noun} predates the current evidence"
    return None


def current_decisions(approvals: Iterable[ApprovalFact], ctx: ApprovalContext) -> list[ApprovalFact]:
    """The decisions bound to the current digests, oldest first."""
    return sorted((a for a in approvals if stale_reason(a, ctx) is None), key=lambda a: a.at)


def current_rejections(approvals: Iterable[ApprovalFact], ctx: ApprovalContext) -> list[ApprovalFact]:
    """Current rejections: any one of them vetoes the request."""
    return [a for a in current_decisions(approvals, ctx) if a.decision is Decision.REJECT]


def ineligible_reason(approver: Approver, capacity: str, ctx: ApprovalContext) -> str | None:
    """Why an identity may not fill a capacity on this request (naming the rule); None when it may."""
    identity = approver.identity
    if capacity not in ctx.capacities:
        return f"a promotion to {ctx.to_stage} needs no {capacity} approval"
    if capacity == OWNER and not is_owner(identity, ctx.owner, ctx.owner_members):
        return f"{identity} is not the owner {ctx.owner} nor a member of the owning team (two-person rule)"
    if capacity == REVIEWER and identity == ctx.requester:
        return _self_approval(identity)
    if capacity == REVIEWER and Right.REVIEW not in rights_of(approver.roles):
        return f"{identity} lacks the reviewer role (approving as reviewer needs it)"
    name = capacity.removeprefix(STAKEHOLDER_PREFIX)
    if capacity.startswith(STAKEHOLDER_PREFIX) and name not in approver.teams:
        return f"{identity} is not a member of team {name} (stakeholder sign-off for {name})"
    return None


def fill_slots(approvals: Iterable[ApprovalFact], ctx: ApprovalContext) -> tuple[Slot, ...]:
    """Assign current approvals to the capacities they were recorded for; each identity fills one slot."""
    notes: dict[str, list[str]] = {capacity: [] for capacity in ctx.capacities}
    chosen: dict[str, ApprovalFact] = {}
    signed: dict[str, str] = {}
    for approval in sorted(approvals, key=lambda a: a.at):
        if approval.decision is not Decision.APPROVE or approval.capacity not in notes:
            continue
        reason = _not_counting(approval, ctx, signed, chosen)
        if reason is None:
            chosen[approval.capacity] = approval
            signed[approval.identity] = approval.capacity
        else:
            notes[approval.capacity].append(reason)
    return tuple(_slot(capacity, chosen.get(capacity), notes[capacity]) for capacity in ctx.capacities)


def two_person_rule(approvals: Iterable[ApprovalFact], ctx: ApprovalContext) -> tuple[Slot, Slot]:
    """The two-person rule's slots: the owner (or owning-team member) and a distinct second reviewer."""
    production = ctx if ctx.to_stage is Stage.PRODUCTION else replace(ctx, to_stage=Stage.PRODUCTION)
    return two_person_slots(fill_slots(approvals, production))


def two_person_slots(production_slots: Iterable[Slot]) -> tuple[Slot, Slot]:
    """The owner and second-reviewer slots among the slots of a promotion to Production."""
    by_capacity = {slot.capacity: slot for slot in production_slots}
    return by_capacity[OWNER], by_capacity[REVIEWER]


def capacity_for(approver: Approver, ctx: ApprovalContext, approvals: Iterable[ApprovalFact]) -> str | None:
    """The first open capacity the approver may fill (owner, then stakeholders, then reviewer); None if none."""
    filled = {slot.capacity for slot in fill_slots(approvals, ctx) if slot.filled}
    for capacity in ctx.capacities:
        if capacity not in filled and _eligible(approver, capacity, ctx):
            return capacity
    return None


def check_can_approve(
    approver: Approver, ctx: ApprovalContext, approvals: Sequence[ApprovalFact], *, decision: Decision, comment: str
) -> str:
    """Refuse a decision the rules forbid (RuleError naming the rule); return the capacity to record."""
    if not ctx.capacities:
        raise RuleError(f"a promotion to {ctx.to_stage} needs no approvals: its gate is automated")
    _check_not_duplicate(approver, ctx, approvals)
    if decision is Decision.REJECT:
        return _rejection_capacity(approver, ctx, comment)
    if ctx.to_stage is Stage.CANARY and not comment.strip():
        raise RuleError("human review: an approval for Canary must name the evidence it reviewed (add a comment)")
    capacity = capacity_for(approver, ctx, approvals)
    if capacity is None:
        raise RuleError(_no_capacity_message(approver, ctx, approvals))
    return capacity


def _eligible(approver: Approver, capacity: str, ctx: ApprovalContext) -> bool:
    """Whether an approver may fill a capacity by the rules (ignoring who already signed)."""
    return ineligible_reason(approver, capacity, ctx) is None


def _not_counting(
    approval: ApprovalFact, ctx: ApprovalContext, signed: Mapping[str, str], chosen: Mapping[str, ApprovalFact]
) -> str | None:
    """Why a recorded approval does not fill its capacity; None when it does."""
    stale = stale_reason(approval, ctx)
    if stale:
        return stale
    if approval.identity in signed:
        return f"{approval.identity} already signed as {signed[approval.identity]} (one capacity per identity)"
    if approval.capacity in chosen:
        return f"{approval.capacity} already signed by {chosen[approval.capacity].identity}"
    if ctx.to_stage is Stage.CANARY and not approval.comment.strip():
        return f"{approval.identity}'s approval names no evidence (empty comment)"
    return ineligible_reason(approval.approver, approval.capacity, ctx)


def _slot(capacity: str, approval: ApprovalFact | None, notes: list[str]) -> Slot:
    """A Slot with its one-line explanation."""
    if approval is not None:
        return Slot(capacity, approval, f"approved by {approval.identity} at {utc_iso(approval.at)}")
    return Slot(capacity, None, "; ".join(notes) if notes else "no approval yet")


def _check_not_duplicate(approver: Approver, ctx: ApprovalContext, approvals: Iterable[ApprovalFact]) -> None:
    """One current decision per identity and request."""
    for earlier in current_decisions(approvals, ctx):
        if earlier.identity == approver.identity:
            raise RuleError(
                f"duplicate decision: {approver.identity} already chose {earlier.decision} "
                f"as {earlier.capacity} on this request (one decision per identity)"
            )


def _rejection_capacity(approver: Approver, ctx: ApprovalContext, comment: str) -> str:
    """A rejection needs a comment and a decider who holds the review right or could fill a capacity."""
    if not comment.strip():
        raise RuleError("a rejection needs a comment saying why")
    for capacity in ctx.capacities:
        if _eligible(approver, capacity, ctx):
            return capacity
    if Right.REVIEW in rights_of(approver.roles):
        return REVIEWER
    raise RuleError(_no_right_message(approver, ctx))


def _self_approval(identity: str) -> str:
    """The refusal for a requester reviewing their own request."""
    return (
        f"self-approval: {identity} requested this promotion and cannot be its reviewer "
        "(nobody reviews their own request)"
    )


def _no_capacity_message(approver: Approver, ctx: ApprovalContext, approvals: Iterable[ApprovalFact]) -> str:
    """Why an approver has nothing to sign: capacities already signed, self-approval, or no right at all."""
    slots = {slot.capacity: slot for slot in fill_slots(approvals, ctx)}
    reasons = [
        f"{c} already signed by {slots[c].approval.identity}"
        for c, slot in slots.items()
        if slot.approval and _eligible(approver, c, ctx)
    ]
    reviewer_open = REVIEWER in slots and not slots[REVIEWER].filled
    if reviewer_open and approver.identity == ctx.requester and Right.REVIEW in rights_of(approver.roles):
        reasons.append(_self_approval(approver.identity))
    if not reasons:
        return _no_right_message(approver, ctx)
    return f"{approver.identity} cannot approve: {'; '.join(reasons)}"


def _no_right_message(approver: Approver, ctx: ApprovalContext) -> str:
    """Refusal for an identity that may fill none of the request's capacities, naming what would."""
    ways = []
    if REVIEWER in ctx.capacities:
        ways.append("the reviewer role")
    if OWNER in ctx.capacities:
        ways.append(f"ownership of the model ({ctx.owner})")
    ways.extend(
        f"membership of team {c.removeprefix(STAKEHOLDER_PREFIX)}"
        for c in ctx.capacities
        if c.startswith(STAKEHOLDER_PREFIX)
    )
    return f"{approver.identity} may not approve this request: needs {' or '.join(ways)}"
