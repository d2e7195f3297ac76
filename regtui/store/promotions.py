"""The promotion write path: requests, gate evaluation, approvals and stage changes, each in one transaction.

Every function runs inside the caller's write transaction: it takes the change counter first (writers
serialize there), locks the model, checks that the version is still in the stage the caller saw,
checks roles and gates, writes the change and its log entry — or raises and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Text, bindparam, cast, insert, select, text, update
from sqlmodel import Session

from regtui.domain.approvals import Decision, check_can_approve
from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Stage, utc_iso
from regtui.domain.evidence import ARCHIVAL_FOR, conditions_of, merge_evidence
from regtui.domain.gates import GateFacts, GateResult, evaluate_gate
from regtui.domain.outcomes import DecisionOutcome, PromotionOutcome
from regtui.domain.policy import ModelPolicy
from regtui.domain.roles import Right, rights_of
from regtui.domain.transitions import MoveKind, check_canary_share, check_move, move_kind, required_right
from regtui.errors import ConflictError, NotFoundError
from regtui.store.facts import (
    SUBJECT_LOCKED,
    Subject,
    Users,
    approval_facts,
    check_seen_stage,
    facts_of_approvals,
    load_subject,
    require_right,
    subject_facts,
    subject_of,
    user_of,
)
from regtui.store.log import EVENTS_FROM_JSON, NewEvent, append_event_rows, append_events, event_rows, rows_json
from regtui.store.policies import policy_of
from regtui.store.schema import NEXT_CHANGE, next_change
from regtui.store.tables import ApprovalRow, RequestRow, VersionRow

OPEN = "open"
REQUEST = RequestRow.__table__
VERSION = VersionRow.__table__
APPROVAL = ApprovalRow.__table__


@dataclass(frozen=True)
class RequestState:
    """An open request as this transaction knows it (read once, then kept in step with its own writes)."""

    id: int | None
    """None: a request a plan opens, not yet written."""
    model: str
    version: str
    from_stage: str
    to_stage: str
    status: str
    requested_by: str
    evidence: dict[str, Any]
    canary_share: float | None
    closed_by: str | None = None
    reason: str = ""

    @classmethod
    def of(cls, row: Row[Any]) -> RequestState:
        """The state of a request row of REQUEST_COLUMNS (its evidence as text, decoded here: once per request,
        however many decision rows repeat it)."""
        values = {name: getattr(row, name) for name in REQUEST_FIELDS}
        if values["evidence"] is not None:
            values["evidence"] = json.loads(values["evidence"])
        return cls(**values)


REQUEST_FIELDS = tuple(f.name for f in fields(RequestState))
REQUEST_COLUMNS = tuple(  # the evidence as text (RequestState.of decodes it)
    cast(REQUEST.c[name], Text).label(name) if name == "evidence" else REQUEST.c[name] for name in REQUEST_FIELDS
)
APPROVAL_COLUMNS = tuple(
    APPROVAL.c[name]
    for name in ("identity", "decision", "capacity", "comment", "at", "artifact_digest", "evidence_digest")
)
# Statements built once (bound parameters by name; an UPDATE sets the columns its parameters name).
REQUEST_BY_ID = select(*REQUEST_COLUMNS).where(REQUEST.c.id == bindparam("request_id")).with_for_update()
OPEN_REQUEST_QUERY = (  # the open request with its decisions, one row per decision (decision columns NULL when none)
    select(*REQUEST_COLUMNS, *APPROVAL_COLUMNS)
    .outerjoin_from(REQUEST, APPROVAL, APPROVAL.c.request_id == REQUEST.c.id)
    .where(
        REQUEST.c.model == bindparam("model"),
        REQUEST.c.version == bindparam("version"),
        REQUEST.c.to_stage == bindparam("to_stage"),
        REQUEST.c.status == OPEN,
    )
    .order_by(REQUEST.c.id, APPROVAL.c.id)
)
OPEN_REQUEST = OPEN_REQUEST_QUERY.with_for_update(of=REQUEST)
UPDATE_REQUEST = update(REQUEST).where(REQUEST.c.id == bindparam("request_id"))
INSERT_REQUEST = insert(REQUEST).returning(REQUEST.c.id)
UPDATE_VERSION = update(VERSION).where(VERSION.c.id == bindparam("version_id"))
# PostgreSQL: the promoted version's stage (UPDATE_VERSION's parameters), the request's closing and the log entries
APPLY_AND_LOG = text(
    f"WITH promoted AS (UPDATE {VERSION.name} SET stage = :stage, canary_share = :canary_share,"
    " stage_changed_at = :stage_changed_at, stage_changed_by = :stage_changed_by, change_seq = :change_seq"
    " WHERE id = :version_id),"
    f" closed AS (UPDATE {REQUEST.name} SET status = 'applied', closed_by = :stage_changed_by,"
    " closed_at = :stage_changed_at, change_seq = :change_seq WHERE id = :request_id) " + EVENTS_FROM_JSON
)


@dataclass(frozen=True)
class PromotionPlan:
    """What a gated promotion would do, decided from what it read and before it writes anything.

    `promote` writes it; the promote dialog's preview shows it (regtui.store.previews), so the two cannot disagree."""

    subject: Subject
    to_stage: Stage
    may_apply: bool
    reused: RequestState | None
    """The open request for this move (same from-stage) as it stands; None: a new one is opened."""
    superseded: int | None
    """An open request for the same target from another stage, closed as superseded."""
    request: RequestState
    """The request with the evidence and canary share merged in (a new one without id until it is written)."""
    facts: GateFacts
    gate: GateResult
    kind: MoveKind = MoveKind.PROMOTE
    """A promotion, or the retirement of a Production version."""

    @property
    def applies(self) -> bool:
        """Whether the promotion is applied: its gate passes and the actor may apply it."""
        return self.gate.passed and self.may_apply

    @property
    def request_changed(self) -> bool:
        """Whether the merged evidence or canary share differ from the request's as stored (a new one has none)."""
        stored = (self.reused.evidence or {}) if self.reused is not None else {}
        share = self.reused.canary_share if self.reused is not None else None
        return self.request.evidence != stored or self.request.canary_share != share


def may_apply_move(users: Users, actor: str, kind: MoveKind, to_stage: Stage) -> bool:
    """Whether the actor's roles grant the right to apply this move."""
    return required_right(kind, to_stage) in rights_of(user_of(users, actor).roles)


def plan_promotion(
    connection: Connection,
    subject: Subject,
    request_rows: Sequence[Any],
    *,
    actor: str,
    to_stage: Stage,
    now: datetime,
    evidence: dict[str, Any] | None = None,
    canary_share: float | None = None,
    verification: tuple[VerifyResult, ...] | None = None,
    reason: str | None = None,
) -> PromotionPlan:
    """The gated move of the subject (a promotion, or a retirement): its request (rows of OPEN_REQUEST_QUERY) with
    the evidence and canary share merged in (a new one with the reason), and the gate evaluated on them; reads only
    (RuleError for a bad canary share)."""
    row, users = subject.row, subject.users
    from_stage = Stage(row.stage)
    kind = move_kind(from_stage, to_stage)
    policy = policy_of(subject.policy_document).for_model(row.model)
    found = request_rows[0] if request_rows else None
    reused = RequestState.of(found) if found is not None and found.from_stage == row.stage else None
    decisions = tuple(r for r in request_rows if r.id == reused.id and r.identity is not None) if reused else ()
    stored = reused or RequestState(
        None, row.model, row.version, row.stage, to_stage.value, OPEN, actor, {}, None, reason=(reason or "").strip()
    )
    request = _merged_request(stored, evidence or {}, canary_share, policy, subject)
    facts = subject_facts(
        connection,
        request,
        subject,
        policy,
        users,
        now=now,
        verification=verification,
        approvals=facts_of_approvals(decisions, users),
    )
    gate = evaluate_gate(from_stage, to_stage, facts)
    return PromotionPlan(
        subject,
        to_stage,
        may_apply_move(users, actor, kind, to_stage),
        reused,
        found.id if found is not None and reused is None else None,
        request,
        facts,
        gate,
        kind,
    )


def promote(
    connection: Connection,
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
    """Move a version: open or reuse its request, evaluate the gate, apply when it passes and the actor may.

    Runs on a Core connection in the caller's write transaction (transaction.write_transaction; no ORM
    session: its per-transaction work costs more than some of the statements). The plan is plan_promotion's,
    as the promote dialog previews it; this writes it."""
    key = {"model": model, "version": version}
    seq = int(connection.execute(NEXT_CHANGE).scalar_one())
    subject_rows = connection.execute(SUBJECT_LOCKED, key).all()
    request_rows = connection.execute(OPEN_REQUEST, {**key, "to_stage": to_stage.value}).all()
    subject = subject_of(connection, subject_rows, model, version)
    check_seen_stage(subject.row, expected_stage)
    from_stage = Stage(subject.row.stage)
    kind = check_move(from_stage, to_stage, reason=reason)
    if kind in (MoveKind.ABANDON, MoveKind.CANARY_FAILED):
        return _move_without_gate(
            connection, subject.row, to_stage, kind, subject.users, actor=actor, reason=reason or "", now=now, seq=seq
        )
    require_right(subject.users, actor, Right.REQUEST, f"request promotions of {model}")
    plan = plan_promotion(
        connection,
        subject,
        request_rows,
        actor=actor,
        to_stage=to_stage,
        now=now,
        evidence=evidence,
        canary_share=canary_share,
        verification=verification,
        reason=reason,
    )
    request_id, replaced = _write_plan(connection, plan, actor=actor, reason=reason, now=now, seq=seq)
    return PromotionOutcome(
        f"{model}@{version}", from_stage, to_stage, plan.applies, request_id, plan.gate, replaced, plan.may_apply
    )


def _write_plan(
    connection: Connection, plan: PromotionPlan, *, actor: str, reason: str | None, now: datetime, seq: int
) -> tuple[int, str | None]:
    """Write a promotion's plan: its request (superseding, opening, updating) and, when it applies, the stage
    changes; with their log entries. Returns the request's id and the version it replaced in Production."""
    events: list[NewEvent] = []
    request = plan.request
    if plan.reused is None:
        request = replace(
            request, id=_open_request(connection, plan, actor=actor, now=now, seq=seq, reason=reason, events=events)
        )
    if plan.request_changed:
        _update_request(connection, request, plan.facts.evidence_digest, seq=seq, events=events)
    if plan.applies:
        replaced = _apply(connection, plan, request, actor=actor, now=now, seq=seq, events=events)
        return request.id, replaced
    append_event_rows(connection, events, seq=seq, actor=actor, at=now, tail=plan.subject.tail)
    return request.id, None


def decide(
    session: Session, *, actor: str, request_id: int, decision: Decision, comment: str, now: datetime
) -> DecisionOutcome:
    """Record an approval or rejection on an open request, bound to the digests it saw."""
    seq = next_change(session)
    request = open_request_by_id(session, request_id)
    subject = load_subject(session, request.model, request.version, lock=True)
    if subject.row.stage != request.from_stage:
        check_seen_stage(subject.row, Stage(request.from_stage))
    policy = policy_of(subject.policy_document).for_model(request.model)
    users = subject.users
    facts = subject_facts(session.connection(), request, subject, policy, users, now=now)
    ctx = facts.approval_context(Stage(request.to_stage))
    capacity = check_can_approve(user_of(users, actor), ctx, list(facts.approvals), decision=decision, comment=comment)
    session.connection().execute(
        insert(APPROVAL).values(
            request_id=request.id,
            identity=actor,
            decision=decision.value,
            capacity=capacity,
            comment=comment,
            at=now,
            artifact_digest=ctx.artifact_digest,
            evidence_digest=ctx.evidence_digest,
            change_seq=seq,
        )
    )
    if decision is Decision.REJECT:
        _close(session.connection(), request.id, "rejected", actor=actor, now=now, seq=seq)
    append_events(
        session,
        [
            NewEvent(
                decision.value,
                request.model,
                request.version,
                request.from_stage,
                request.to_stage,
                {
                    "request": request.id,
                    "capacity": capacity,
                    "comment": comment,
                    "artifact_digest": ctx.artifact_digest,
                    "evidence_digest": ctx.evidence_digest,
                },
            )
        ],
        seq=seq,
        actor=actor,
        at=now,
        tail=subject.tail,
    )
    facts = replace(facts, approvals=approval_facts(session.connection(), request.id, users))
    gate = evaluate_gate(Stage(request.from_stage), Stage(request.to_stage), facts)
    return DecisionOutcome(request.id, f"{request.model}@{request.version}", decision, capacity, gate)


def open_request_by_id(session: Session, request_id: int) -> RequestState:
    """An open request, locked, or a clear error saying why it cannot be acted on."""
    row = session.connection().execute(REQUEST_BY_ID, {"request_id": request_id}).first()
    if row is None:
        raise NotFoundError(f"no promotion request #{request_id}")
    request = RequestState.of(row)
    if request.status != OPEN:
        closed = f" by {request.closed_by}" if request.closed_by else ""
        raise ConflictError(
            f"request #{request_id} ({request.model}@{request.version} -> {request.to_stage}) "
            f"is already {request.status}{closed}"
        )
    return request


def _open_request(
    connection: Connection,
    plan: PromotionPlan,
    *,
    actor: str,
    now: datetime,
    seq: int,
    reason: str | None,
    events: list[NewEvent],
) -> int:
    """Open the plan's new request (logged), closing the one it supersedes; returns the new request's id."""
    row = plan.subject.row
    if plan.superseded is not None:
        _close(connection, plan.superseded, "superseded", actor=actor, now=now, seq=seq)
    values = {
        "model": row.model,
        "version": row.version,
        "from_stage": row.stage,
        "to_stage": plan.to_stage.value,
        "status": OPEN,
        "requested_by": actor,
        "requested_at": now,
        "reason": reason or "",
        "evidence": {},
        "canary_share": None,
        "change_seq": seq,
    }
    request_id = int(connection.execute(INSERT_REQUEST, values).scalar_one())
    events.append(
        NewEvent(
            "request",
            row.model,
            row.version,
            row.stage,
            plan.to_stage.value,
            {"request": request_id, "reason": reason or ""},
        )
    )
    return request_id


def _merged_request(
    request: RequestState, evidence: dict[str, Any], canary_share: float | None, policy: ModelPolicy, subject: Subject
) -> RequestState:
    """The request with new evidence and the canary share merged in (the checklist marked for the outgoing
    version)."""
    share = (
        check_canary_share(canary_share if canary_share is not None else request.canary_share, policy)
        if request.to_stage == Stage.CANARY.value
        else None
    )
    if not evidence and request.evidence is not None and share == request.canary_share:
        return request  # nothing to merge: the request as it stands
    merged = merge_evidence(request.evidence or {}, evidence)
    if "archival_checklist" in evidence:
        merged[ARCHIVAL_FOR] = subject.production.version if subject.production is not None else None
    return replace(request, evidence=merged, canary_share=share)


def _update_request(
    connection: Connection, request: RequestState, digest: str, *, seq: int, events: list[NewEvent]
) -> None:
    """Store the request's merged evidence and canary share; log the evidence change with its digest (the gate's,
    taken over the same evidence)."""
    connection.execute(
        UPDATE_REQUEST,
        {
            "request_id": request.id,
            "evidence": request.evidence,
            "canary_share": request.canary_share,
            "change_seq": seq,
        },
    )
    events.append(
        NewEvent(
            "evidence",
            request.model,
            request.version,
            request.from_stage,
            request.to_stage,
            {
                "request": request.id,
                "evidence": request.evidence,
                "evidence_digest": digest,
                "canary_share": request.canary_share,
            },
        )
    )


def _apply(
    connection: Connection,
    plan: PromotionPlan,
    request: RequestState,
    *,
    actor: str,
    now: datetime,
    seq: int,
    events: list[NewEvent],
) -> str | None:
    """Apply a passed promotion (or retirement) and log it; a Production promotion archives the version it replaces,
    first and atomically."""
    subject, gate, facts, kind = plan.subject, plan.gate, plan.facts, plan.kind
    row, replaced = subject.row, None
    to_stage = plan.to_stage
    outgoing = subject.production if to_stage is Stage.PRODUCTION else None
    changes = [stage_change(row.id, to_stage, actor=actor, now=now, seq=seq, canary_share=request.canary_share)]
    if outgoing is not None:
        replaced = outgoing.version
        changes.insert(0, stage_change(outgoing.id, Stage.ARCHIVED, actor=actor, now=now, seq=seq))
        events.append(
            NewEvent(
                MoveKind.REPLACED.value,
                row.model,
                outgoing.version,
                Stage.PRODUCTION.value,
                Stage.ARCHIVED.value,
                {
                    "replaced_by": row.version,
                    "request": request.id,
                    "archival_checklist": list((request.evidence or {}).get("archival_checklist") or []),
                },
            )
        )
    retirement = {"reason": request.reason} if kind is MoveKind.RETIRE else {}
    events.append(
        NewEvent(
            kind.value,
            row.model,
            row.version,
            row.stage,
            to_stage.value,
            {
                **retirement,
                "request": request.id,
                "approvers": _approvers(facts),
                "conditions": list(conditions_of(request.evidence)),
                "evidence": request.evidence or {},
                "gate": gate.to_dict(),
                "canary_share": request.canary_share,
                "replaced": replaced,
                "artifact_digest": facts.current_artifact_digest,
            },
        )
    )
    if connection.dialect.name == "postgresql":
        _write_postgresql(connection, changes, request.id, events, seq=seq, actor=actor, now=now, tail=subject.tail)
        return replaced
    connection.execute(UPDATE_VERSION, changes)  # one executemany; the outgoing version leaves Production first
    _close(connection, request.id, "applied", actor=actor, now=now, seq=seq)
    append_event_rows(connection, events, seq=seq, actor=actor, at=now, tail=subject.tail)
    return replaced


def _write_postgresql(
    connection: Connection,
    changes: list[dict[str, Any]],
    request_id: int,
    events: list[NewEvent],
    *,
    seq: int,
    actor: str,
    now: datetime,
    tail: tuple[int, str] | None,
) -> None:
    """The writes of an applied promotion: archive the outgoing version, then the rest in one statement."""
    rows = event_rows(connection, events, seq=seq, actor=actor, at=now, tail=tail)
    # the outgoing version in its own statement: the one-Production index must see it leave before the next arrives
    for change in changes[:-1]:
        connection.execute(UPDATE_VERSION, change)
    connection.execute(APPLY_AND_LOG, {**changes[-1], "request_id": request_id, "events": rows_json(rows)})


def _approvers(facts: GateFacts) -> list[dict[str, Any]]:
    """Who approved, in which capacity and when, as the promotion's log entry records it."""
    return [
        {"identity": a.identity, "capacity": a.capacity, "at": utc_iso(a.at)}
        for a in facts.approvals
        if a.decision is Decision.APPROVE
    ]


def _move_without_gate(
    connection: Connection,
    row: Row[Any],
    to_stage: Stage,
    kind: MoveKind,
    users: Users,
    *,
    actor: str,
    reason: str,
    now: datetime,
    seq: int,
) -> PromotionOutcome:
    """Abandon (to Archived) or a failed canary (to Staging): no gate, a reason, open requests withdrawn."""
    require_right(users, actor, Right.REQUEST, f"move versions of {row.model}")
    from_stage = Stage(row.stage)
    connection.execute(
        update(REQUEST)
        .where(REQUEST.c.model == row.model, REQUEST.c.version == row.version, REQUEST.c.status == OPEN)
        .values(status="withdrawn", closed_by=actor, closed_at=now, change_seq=seq)
    )
    connection.execute(UPDATE_VERSION, stage_change(row.id, to_stage, actor=actor, now=now, seq=seq))
    append_event_rows(
        connection,
        [NewEvent(kind.value, row.model, row.version, from_stage.value, to_stage.value, {"reason": reason})],
        seq=seq,
        actor=actor,
        at=now,
    )
    return PromotionOutcome(f"{row.model}@{row.version}", from_stage, to_stage, True, None)


def stage_change(
    version_id: int, stage: Stage, *, actor: str, now: datetime, seq: int, canary_share: float | None = None
) -> dict[str, Any]:
    """The parameters of UPDATE_VERSION that move one version to a stage, stamping who and when."""
    return {
        "version_id": version_id,
        "stage": stage.value,
        "canary_share": canary_share if stage is Stage.CANARY else None,
        "stage_changed_at": now,
        "stage_changed_by": actor,
        "change_seq": seq,
    }


def _close(connection: Connection, request_id: int, status: str, *, actor: str, now: datetime, seq: int) -> None:
    """Close a request with its final status."""
    connection.execute(UPDATE_REQUEST, _closing(request_id, status, actor=actor, now=now, seq=seq))


def _closing(request_id: int, status: str, *, actor: str, now: datetime, seq: int) -> dict[str, Any]:
    """The parameters of UPDATE_REQUEST that close a request with its final status."""
    return {"request_id": request_id, "status": status, "closed_by": actor, "closed_at": now, "change_seq": seq}
