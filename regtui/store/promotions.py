"""The promotion write path: requests, gate evaluation, approvals and stage changes, each in one transaction.

Every function runs inside the caller's write transaction: it takes the change counter first (writers
serialize there), locks the model, checks that the version is still in the stage the caller saw,
checks roles and gates, writes the change and its log entry — or raises and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.approvals import Decision, artifact_digest, check_can_approve, evidence_digest
from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Stage, utc_iso
from regtui.domain.evidence import ARCHIVAL_FOR, merge_evidence, reviewed_evidence
from regtui.domain.gates import GateResult, evaluate_gate
from regtui.domain.roles import Right
from regtui.domain.transitions import MoveKind, check_canary_share, check_move, required_right
from regtui.errors import ConflictError, NotFoundError
from regtui.store.access import require, rights_of_identity
from regtui.store.facts import (
    approver_of,
    check_seen_stage,
    entry_of,
    gate_facts,
    production_row,
    require_version,
)
from regtui.store.log import append_event
from regtui.store.mapping import as_utc
from regtui.store.policies import get_policy
from regtui.store.schema import next_change
from regtui.store.tables import ApprovalRow, RequestRow, VersionRow

OPEN = "open"


@dataclass(frozen=True)
class PromotionOutcome:
    """What a promote call did: applied, or left a request pending with what is missing."""

    ref: str
    from_stage: Stage
    to_stage: Stage
    applied: bool
    request_id: int | None
    gate: GateResult = field(default_factory=lambda: GateResult(()))
    replaced: str | None = None
    may_apply: bool = True

    @property
    def missing(self) -> list[str]:
        """What the request still needs (the gate's failed checks, or the role to apply it)."""
        needs = list(self.gate.missing)
        if self.gate.passed and not self.may_apply:
            needs.append("a releaser to apply it")
        return needs


@dataclass(frozen=True)
class DecisionOutcome:
    """What an approve or reject call recorded."""

    request_id: int
    ref: str
    decision: Decision
    capacity: str
    gate: GateResult


def promote(
    session: Session,
    *,
    actor: str,
    model: str,
    version: str,
    to_stage: Stage,
    now: datetime,
    expected_stage: Stage | None = None,
    evidence: dict[str, Any] | None = None,
    reason: str | None = None,
    canary_share: float | None = None,
    verification: tuple[VerifyResult, ...] | None = None,
) -> PromotionOutcome:
    """Move a version: open or reuse its request, evaluate the gate, apply when it passes and the actor may."""
    seq = next_change(session)
    row = require_version(session, model, version, lock=True)
    check_seen_stage(row, expected_stage)
    from_stage = Stage(row.stage)
    kind = check_move(from_stage, to_stage, reason=reason)
    if kind in (MoveKind.ABANDON, MoveKind.CANARY_FAILED):
        return _move_without_gate(session, row, to_stage, kind, actor=actor, reason=reason or "", now=now, seq=seq)
    require(session, actor, Right.REQUEST, f"request promotions of {row.model}")
    policy = get_policy(session).for_model(model)
    request = _open_request(session, row, to_stage, actor=actor, now=now, seq=seq, reason=reason)
    _update_request(session, request, evidence or {}, canary_share, policy, actor=actor, now=now, seq=seq)
    gate = evaluate_gate(from_stage, to_stage, gate_facts(session, request, row, policy, now=now, verification=verification))
    may_apply = required_right(kind, to_stage) in rights_of_identity(session, actor)
    outcome = PromotionOutcome(f"{model}@{version}", from_stage, to_stage, False, request.id, gate, may_apply=may_apply)
    if not (gate.passed and may_apply):
        return outcome
    replaced = _apply(session, row, request, gate, actor=actor, now=now, seq=seq)
    return PromotionOutcome(outcome.ref, from_stage, to_stage, True, request.id, gate, replaced, may_apply)


def decide(session: Session, *, actor: str, request_id: int, decision: Decision, comment: str, now: datetime) -> DecisionOutcome:
    """Record an approval or rejection on an open request, bound to the digests it saw."""
    seq = next_change(session)
    request = open_request_by_id(session, request_id)
    row = require_version(session, request.model, request.version, lock=True)
    if row.stage != request.from_stage:
        check_seen_stage(row, Stage(request.from_stage))
    policy = get_policy(session).for_model(request.model)
    facts = gate_facts(session, request, row, policy, now=now)
    ctx = facts.approval_context(Stage(request.to_stage))
    capacity = check_can_approve(approver_of(session, actor), ctx, list(facts.approvals), decision=decision, comment=comment)
    session.add(ApprovalRow(
        request_id=request.id, identity=actor, decision=decision.value, capacity=capacity, comment=comment, at=now,
        artifact_digest=ctx.artifact_digest, evidence_digest=ctx.evidence_digest, change_seq=seq,
    ))
    if decision is Decision.REJECT:
        _close(request, "rejected", actor=actor, now=now, seq=seq)
    append_event(
        session, seq=seq, kind=decision.value, actor=actor, at=now, model=request.model, version=request.version,
        from_stage=request.from_stage, to_stage=request.to_stage,
        details={"request": request.id, "capacity": capacity, "comment": comment,
                 "artifact_digest": ctx.artifact_digest, "evidence_digest": ctx.evidence_digest},
    )
    session.flush()
    gate = evaluate_gate(Stage(request.from_stage), Stage(request.to_stage), gate_facts(session, request, row, policy, now=now))
    return DecisionOutcome(request.id, f"{request.model}@{request.version}", decision, capacity, gate)


def open_request_by_id(session: Session, request_id: int) -> RequestRow:
    """An open request, locked, or a clear error saying why it cannot be acted on."""
    request = session.execute(select(RequestRow).where(RequestRow.id == request_id).with_for_update()).scalar_one_or_none()
    if request is None:
        raise NotFoundError(f"no promotion request #{request_id}")
    if request.status != OPEN:
        closed = f" by {request.closed_by}" if request.closed_by else ""
        raise ConflictError(f"request #{request_id} ({request.model}@{request.version} -> {request.to_stage}) is already {request.status}{closed}")
    return request


def _open_request(session: Session, row: VersionRow, to_stage: Stage, *, actor: str, now: datetime, seq: int,
                  reason: str | None) -> RequestRow:
    """The open request for this version and target stage, or a new one (logged)."""
    request = session.execute(
        select(RequestRow).where(RequestRow.model == row.model, RequestRow.version == row.version,
                                 RequestRow.to_stage == to_stage.value, RequestRow.status == OPEN).with_for_update()
    ).scalar_one_or_none()
    if request is not None and request.from_stage == row.stage:
        return request
    if request is not None:
        _close(request, "superseded", actor=actor, now=now, seq=seq)
    request = RequestRow(
        model=row.model, version=row.version, from_stage=row.stage, to_stage=to_stage.value, status=OPEN,
        requested_by=actor, requested_at=now, reason=reason or "", evidence={}, change_seq=seq,
    )
    session.add(request)
    session.flush()
    append_event(session, seq=seq, kind="request", actor=actor, at=now, model=row.model, version=row.version,
                 from_stage=row.stage, to_stage=to_stage.value, details={"request": request.id, "reason": reason or ""})
    return request


def _update_request(session: Session, request: RequestRow, evidence: dict[str, Any], canary_share: float | None,
                    policy: Any, *, actor: str, now: datetime, seq: int) -> None:
    """Merge new evidence and the canary share into the request; log evidence changes."""
    merged = merge_evidence(request.evidence or {}, evidence)
    if "archival_checklist" in evidence:
        outgoing = production_row(session, request.model)
        merged[ARCHIVAL_FOR] = outgoing.version if outgoing is not None else None
    share = check_canary_share(canary_share if canary_share is not None else request.canary_share, policy) \
        if request.to_stage == Stage.CANARY.value else None
    if merged == (request.evidence or {}) and share == request.canary_share:
        return
    request.evidence, request.canary_share, request.change_seq = merged, share, seq
    append_event(session, seq=seq, kind="evidence", actor=actor, at=now, model=request.model, version=request.version,
                 from_stage=request.from_stage, to_stage=request.to_stage,
                 details={"request": request.id, "evidence": merged, "evidence_digest": evidence_digest(reviewed_evidence(merged)),
                          "canary_share": share})


def _apply(session: Session, row: VersionRow, request: RequestRow, gate: GateResult, *, actor: str, now: datetime,
           seq: int) -> str | None:
    """Apply a passed promotion; a Production promotion archives the version it replaces atomically."""
    replaced = None
    to_stage = Stage(request.to_stage)
    if to_stage is Stage.PRODUCTION:
        outgoing = production_row(session, row.model)
        if outgoing is not None:
            replaced = outgoing.version
            set_stage(outgoing, Stage.ARCHIVED, actor=actor, now=now, seq=seq)
            session.flush()
            append_event(session, seq=seq, kind=MoveKind.REPLACED.value, actor=actor, at=now, model=row.model,
                         version=outgoing.version, from_stage=Stage.PRODUCTION.value, to_stage=Stage.ARCHIVED.value,
                         details={"replaced_by": row.version, "request": request.id,
                                  "archival_checklist": list((request.evidence or {}).get("archival_checklist") or [])})
    from_stage = row.stage
    set_stage(row, to_stage, actor=actor, now=now, seq=seq, canary_share=request.canary_share)
    _close(request, "applied", actor=actor, now=now, seq=seq)
    approvers = [
        {"identity": c.identity, "capacity": c.capacity, "at": utc_iso(as_utc(c.at))}
        for c in gate_approvals(session, request)
    ]
    append_event(
        session, seq=seq, kind=MoveKind.PROMOTE.value, actor=actor, at=now, model=row.model, version=row.version,
        from_stage=from_stage, to_stage=to_stage.value,
        details={"request": request.id, "approvers": approvers, "evidence": request.evidence or {},
                 "gate": gate.to_dict(), "canary_share": request.canary_share, "replaced": replaced,
                 "artifact_digest": artifact_digest(entry_of(session, row))},
    )
    return replaced


def gate_approvals(session: Session, request: RequestRow) -> list[ApprovalRow]:
    """The approvals recorded on a request, oldest first."""
    return list(session.execute(
        select(ApprovalRow).where(ApprovalRow.request_id == request.id, ApprovalRow.decision == Decision.APPROVE.value)
        .order_by(ApprovalRow.id)
    ).scalars())


def _move_without_gate(session: Session, row: VersionRow, to_stage: Stage, kind: MoveKind, *, actor: str, reason: str,
                       now: datetime, seq: int) -> PromotionOutcome:
    """Abandon (to Archived) or a failed canary (to Staging): no gate, a reason, open requests withdrawn."""
    require(session, actor, Right.REQUEST, f"move versions of {row.model}")
    from_stage = Stage(row.stage)
    for request in session.execute(
        select(RequestRow).where(RequestRow.model == row.model, RequestRow.version == row.version, RequestRow.status == OPEN)
    ).scalars():
        _close(request, "withdrawn", actor=actor, now=now, seq=seq)
    set_stage(row, to_stage, actor=actor, now=now, seq=seq)
    append_event(session, seq=seq, kind=kind.value, actor=actor, at=now, model=row.model, version=row.version,
                 from_stage=from_stage.value, to_stage=to_stage.value, details={"reason": reason})
    return PromotionOutcome(f"{row.model}@{row.version}", from_stage, to_stage, True, None)


def set_stage(row: VersionRow, stage: Stage, *, actor: str, now: datetime, seq: int, canary_share: float | None = None) -> None:
    """Change a version's stage (the only mutable registered state), stamping who and when."""
    row.stage = stage.value
    row.canary_share = canary_share if stage is Stage.CANARY else None
    row.stage_changed_at, row.stage_changed_by, row.change_seq = now, actor, seq


def _close(request: RequestRow, status: str, *, actor: str, now: datetime, seq: int) -> None:
    """Close a request with its final status."""
    request.status, request.closed_by, request.closed_at, request.change_seq = status, actor, now, seq

