"""Gathering what the gates and approval rules look at, from any session (registry or cache)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.approvals import ApprovalFact, Approver, Decision
from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Stage, VersionEntry
from regtui.domain.gates import GateFacts, GateResult, evaluate_gate
from regtui.domain.approvals import evidence_digest
from regtui.domain.evidence import ARCHIVAL_FOR, reviewed_evidence
from regtui.domain.policy import ModelPolicy
from regtui.domain.roles import Role
from regtui.errors import ConflictError, NotFoundError
from regtui.store.mapping import as_utc, row_to_entry
from regtui.store.policies import get_policy
from regtui.store.provider_queries import pin_status
from regtui.store.tables import ApprovalRow, EventRow, ModelRow, RequestRow, UserRow, VersionRow
from regtui.store.registry import artifacts_of, find_version


def require_version(session: Session, model: str, version: str, *, lock: bool = False) -> VersionRow:
    """The version's row (locking its model first when writing), or a clear not-found error."""
    query = select(ModelRow).where(ModelRow.name == model)
    if session.execute(query.with_for_update() if lock else query).scalar_one_or_none() is None:
        raise NotFoundError(f"no model named {model!r}")
    row = find_version(session, model, version)
    if row is None:
        raise NotFoundError(f"{model} has no version {version}")
    return row


def entry_of(session: Session, row: VersionRow) -> VersionEntry:
    """The registered entry of a version row."""
    return row_to_entry(row, artifacts_of(session, row.id))


def check_seen_stage(row: VersionRow, expected: Stage | None) -> None:
    """Refuse when the version left the stage the caller saw, saying who moved it and when."""
    if expected is None or Stage(row.stage) is expected:
        return
    when = as_utc(row.stage_changed_at).strftime("%Y-%m-%d %H:%M UTC")
    raise ConflictError(
        f"{row.model}@{row.version} moved to {row.stage} by {row.stage_changed_by} at {when} "
        f"while you looked (you saw {expected}); nothing was changed — refresh and retry"
    )


def production_row(session: Session, model: str) -> VersionRow | None:
    """The model's current Production version, if any."""
    return session.execute(
        select(VersionRow).where(VersionRow.model == model, VersionRow.stage == Stage.PRODUCTION.value)
    ).scalar_one_or_none()


def owner_members(session: Session, owner: str) -> frozenset[str]:
    """Identities that own a model: the owner person, or members of the owning team."""
    members = {owner} if session.get(UserRow, owner) is not None else set()
    for identity, teams in session.execute(select(UserRow.identity, UserRow.teams)):
        if owner in (teams or []):
            members.add(identity)
    return frozenset(members)


def approver_of(session: Session, identity: str) -> Approver:
    """An identity with its current roles and teams."""
    row = session.get(UserRow, identity)
    if row is None:
        return Approver(identity)
    return Approver(identity, frozenset(Role(r) for r in row.roles), frozenset(row.teams))


def approval_facts(session: Session, request_id: int) -> tuple[ApprovalFact, ...]:
    """The decisions recorded on a request, each with the decider's current roles and teams."""
    rows = session.execute(select(ApprovalRow).where(ApprovalRow.request_id == request_id).order_by(ApprovalRow.id)).scalars()
    facts = []
    for row in rows:
        who = approver_of(session, row.identity)
        facts.append(ApprovalFact(
            identity=row.identity, decision=Decision(row.decision), capacity=row.capacity, comment=row.comment,
            at=as_utc(row.at), artifact_digest=row.artifact_digest, evidence_digest=row.evidence_digest,
            roles=who.roles, teams=who.teams,
        ))
    return tuple(facts)


def gate_facts(
    session: Session,
    request: RequestRow,
    row: VersionRow,
    policy: ModelPolicy,
    *,
    now: datetime,
    verification: tuple[VerifyResult, ...] | None = None,
) -> GateFacts:
    """Everything the gate of a request looks at, as of now."""
    model = session.get(ModelRow, row.model)
    evidence: dict[str, Any] = dict(request.evidence or {})
    outgoing = production_row(session, row.model) if Stage(request.to_stage) is Stage.PRODUCTION else None
    entry = entry_of(session, row)
    return GateFacts(
        entry=entry,
        policy=policy,
        requester=request.requested_by,
        owner=model.owner,
        now=now,
        owner_members=owner_members(session, model.owner),
        approvals=approval_facts(session, request.id),
        evidence_digest=evidence_digest(reviewed_evidence(evidence)),
        review_evidence=evidence.get("review"),
        canary_results=evidence.get("canary_results"),
        verification=verification,
        outgoing_version=outgoing.version if outgoing is not None and outgoing.id != row.id else None,
        archival_done=archival_done(evidence, outgoing),
        provider_status=pin_status(session, entry.provider) if entry.provider is not None else None,
    )


def archival_done(evidence: dict[str, Any], outgoing: VersionRow | None) -> tuple[str, ...]:
    """Checklist items ticked for the version being replaced now (a list ticked for another one does not count)."""
    if outgoing is None or evidence.get(ARCHIVAL_FOR) != outgoing.version:
        return ()
    return tuple(evidence.get("archival_checklist") or ())


def request_gate(session: Session, request: RequestRow, *, now: datetime,
                 verification: tuple[VerifyResult, ...] | None = None) -> GateResult:
    """Evaluate a request's gate from a session (the approval queue uses the cache)."""
    row = require_version(session, request.model, request.version)
    policy = get_policy(session).for_model(request.model)
    facts = gate_facts(session, request, row, policy, now=now, verification=verification)
    return evaluate_gate(Stage(request.from_stage), Stage(request.to_stage), facts)


def was_in_production(session: Session, model: str, version: str) -> bool:
    """Whether the promotion log shows the version entering Production (by promotion or rollback)."""
    return session.execute(
        select(EventRow.id).where(EventRow.model == model, EventRow.version == version,
                                  EventRow.to_stage == Stage.PRODUCTION.value).limit(1)
    ).first() is not None


def last_drill(session: Session, model: str) -> EventRow | None:
    """The model's most recent rollback drill entry."""
    return session.execute(
        select(EventRow).where(EventRow.model == model, EventRow.kind == "drill").order_by(EventRow.position.desc()).limit(1)
    ).scalar_one_or_none()
