"""Promotion workflow services shared by the CLI and the TUI: promote, decide, rollback, drill, queue, audit."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterator

from sqlalchemy import Connection, select
from sqlmodel import Session

from regtui.domain.approvals import Decision, capacity_for, current_decisions
from regtui.domain.checksums import VerifyResult, verify_artifact
from regtui.domain.entry import Artifact, Stage
from regtui.domain.gates import GateResult, evaluate_gate
from regtui.domain.hashchain import ChainBreak, LogEntry, verify_chain
from regtui.domain.policy import Policy
from regtui.domain.roles import Right, Role
from regtui.domain.transitions import MoveKind, required_right
from regtui.errors import RegtuiError, RuleError
from regtui.providers.http_artifacts import stream_http
from regtui.services.registry import RegistryService
from regtui.store import promotions, rollbacks
from regtui.store.access import has_admin, require, rights_of_identity
from regtui.store.engine import translate_errors
from regtui.store.facts import (
    approver_of,
    gate_facts,
    reads_before_transaction,
    require_version,
    single_read,
    version_artifacts,
)
from regtui.store.log import append_event, iter_log, row_to_entry
from regtui.store.mapping import as_utc
from regtui.store.policies import get_policy, set_policy
from regtui.store.queries import require_model
from regtui.store.schema import next_change
from regtui.store.tables import EventRow, RequestRow, UserRow

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class RequestView:
    """An open request as the approval queue shows it: what it asks and what it still needs."""

    id: int
    model: str
    version: str
    from_stage: str
    to_stage: str
    requested_by: str
    requested_at: datetime
    reason: str
    gate: GateResult
    can_approve: str | None
    can_apply: bool

    @property
    def ref(self) -> str:
        """MODEL@VERSION."""
        return f"{self.model}@{self.version}"


@dataclass(frozen=True)
class DrillOutcome:
    """A rollback drill's result as logged."""

    model: str
    target: str | None
    passed: bool
    detail: str
    duration_ms: int


def verify_version(service: RegistryService, model: str, version: str,
                   on_bytes: ProgressCallback | None = None) -> tuple[VerifyResult, ...]:
    """Re-hash a version's artifacts now, reading their records from the registry itself (one query, no session)."""
    with translate_errors(service.locations.registry_url), service.registry().connect() as connection:
        artifacts = version_artifacts(single_read(connection), model, version)
    return _verified(artifacts, on_bytes)


def _verified(artifacts: tuple[Artifact, ...], on_bytes: ProgressCallback | None) -> tuple[VerifyResult, ...]:
    """Each artifact re-hashed now and compared with its record."""
    return tuple(verify_artifact(a, fetch_http=stream_http, on_bytes=on_bytes) for a in artifacts)


def promote(service: RegistryService, model: str, version: str, to_stage: Stage, *, evidence: dict[str, Any] | None = None,
            reason: str | None = None, canary_share: float | None = None, expected_stage: Stage | None = None,
            on_bytes: ProgressCallback | None = None) -> promotions.PromotionOutcome:
    """Request (and when allowed, apply) a stage change; Production promotions re-verify artifacts first."""
    actor = service.identity()
    with service.write_connection() as connection:
        return promote_on(connection, actor=actor, model=model, version=version, to_stage=to_stage, clock=service.clock,
                          evidence=evidence, reason=reason, canary_share=canary_share, expected_stage=expected_stage,
                          on_bytes=on_bytes)


def promote_on(connection: Connection, *, actor: str, model: str, version: str, to_stage: Stage,
               clock: Callable[[], datetime], evidence: dict[str, Any] | None = None, reason: str | None = None,
               canary_share: float | None = None, expected_stage: Stage | None = None,
               on_bytes: ProgressCallback | None = None) -> promotions.PromotionOutcome:
    """`promote` on one registry connection (from RegistryService.write_connection): a Production promotion reads
    the artifact records and re-hashes them before its write transaction, which then checks what it applies (and
    reads the clock: the promotion's time is after the hashing)."""
    verification = None
    if to_stage is Stage.PRODUCTION:
        with reads_before_transaction(connection) as reading:
            artifacts = version_artifacts(reading, model, version)
        verification = _verified(artifacts, on_bytes)
    with connection.begin():
        return promotions.promote(
            connection, actor=actor, model=model, version=version, to_stage=to_stage, now=clock(),
            expected_stage=expected_stage, evidence=evidence, reason=reason, canary_share=canary_share,
            verification=verification, commit_with_writes=True,
        )


def decide(service: RegistryService, request_id: int, decision: Decision, comment: str) -> promotions.DecisionOutcome:
    """Approve or reject an open request as the acting identity."""
    actor = service.identity()
    with service.writing() as session:
        return promotions.decide(session, actor=actor, request_id=request_id, decision=decision, comment=comment,
                                 now=service.clock())


def rollback(service: RegistryService, model: str, to_version: str, reason: str, *, dry_run: bool = False,
             expected_production: str | None = None, on_bytes: ProgressCallback | None = None) -> rollbacks.RollbackOutcome:
    """Roll a model back (or, for a dry run, do everything but commit)."""
    verification = verify_version(service, model, to_version, on_bytes)
    actor = service.identity()
    with service.writing(commit=not dry_run) as session:
        return rollbacks.rollback(session, actor=actor, model=model, to_version=to_version, reason=reason,
                                  now=service.clock(), verification=verification, expected_production=expected_production)


def drill(service: RegistryService, model: str, on_bytes: ProgressCallback | None = None) -> DrillOutcome:
    """Run the whole rollback procedure without committing it, then log the outcome and duration."""
    started = time.perf_counter()
    target: str | None = None
    try:
        with service.reading_registry() as session:
            require(session, service.identity(), Right.RELEASE, f"run rollback drills for {model}")
            require_model(session, model)
            target = rollbacks.pick_drill_target(session, model, service.clock())
        rollback(service, model, target, f"rollback drill of {model}", dry_run=True, on_bytes=on_bytes)
        passed, detail = True, f"rollback to {target} would succeed"
    except RegtuiError as exc:
        if exc.title == "Not found" or "may not" in exc.message:
            raise
        passed, detail = False, exc.message
    duration_ms = int((time.perf_counter() - started) * 1000)
    with service.writing() as session:
        rollbacks.record_drill(session, actor=service.identity(), model=model, target=target,
                               outcome="passed" if passed else "failed", detail=detail, duration_ms=duration_ms,
                               now=service.clock())
    return DrillOutcome(model, target, passed, detail, duration_ms)


def open_requests(service: RegistryService, *, mine: bool = False) -> list[RequestView]:
    """The approval queue from the cache: open requests with their gate state (mine: those I can act on)."""
    identity = service.identity()
    now = service.clock()
    with service.reading() as session:
        rows = session.execute(select(RequestRow).where(RequestRow.status == promotions.OPEN).order_by(RequestRow.id)).scalars().all()
        views = [_request_view(session, row, identity, now) for row in rows]
    return [v for v in views if v.can_approve or v.can_apply] if mine else views


def _request_view(session: Session, row: RequestRow, identity: str, now: datetime) -> RequestView:
    """One queue entry: gate checklist, and what the identity could do with it."""
    version = require_version(session, row.model, row.version)
    policy = get_policy(session).for_model(row.model)
    facts = gate_facts(session, row, version, policy, now=now)
    gate = evaluate_gate(Stage(row.from_stage), Stage(row.to_stage), facts)
    ctx = facts.approval_context(Stage(row.to_stage))
    decided = any(a.identity == identity for a in current_decisions(facts.approvals, ctx))
    can_approve = None if decided else capacity_for(approver_of(session, identity), ctx, facts.approvals)
    can_apply = required_right(MoveKind.PROMOTE, Stage(row.to_stage)) in rights_of_identity(session, identity)
    pending_only_on_apply = all(c.passed or c.name == "artifacts verified" for c in gate.checks)
    return RequestView(row.id, row.model, row.version, row.from_stage, row.to_stage, row.requested_by,
                       as_utc(row.requested_at), row.reason, gate, can_approve, can_apply and pending_only_on_apply)


def audit_entries(service: RegistryService, *, model: str | None = None, actor: str | None = None,
                  offset: int = 0, limit: int = 1000) -> list[EventRow]:
    """A window of the promotion log from the cache, newest first, filtered by model and actor."""
    with service.reading() as session:
        query = select(EventRow).order_by(EventRow.position.desc()).offset(offset).limit(limit)
        if model:
            query = query.where(EventRow.model == model)
        if actor:
            query = query.where(EventRow.actor == actor)
        return list(session.execute(query).scalars())


def verify_audit_chain(service: RegistryService) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain on the shared registry; returns the entry count and the first break, if any."""
    counter = [0]
    with service.reading_registry() as session:
        pairs = _counted_pairs(session, counter)
        broken = verify_chain(pairs)
        for _rest in pairs:  # count the entries after a break too: `entries` is the log's length
            pass
    return counter[0], broken


def _counted_pairs(session: Session, counter: list[int]) -> Iterator[tuple[LogEntry, str]]:
    """(entry, stored hash) pairs in chain order, counting them as they stream by."""
    for row in iter_log(session):
        counter[0] += 1
        yield row_to_entry(row), row.hash


def set_registry_policy(service: RegistryService, policy: Policy) -> bool:
    """Replace the registry's policy (admin only); logged."""
    actor = service.identity()
    with service.writing() as session:
        seq = next_change(session)
        require(session, actor, Right.ADMINISTER, "change the policy")
        return set_policy(session, policy, actor=actor, now=service.clock(), seq=seq)


def set_roles(service: RegistryService, identity: str, roles: list[Role], teams: list[str] | None = None) -> None:
    """Grant exactly these roles (and optionally teams) to an identity (admin only); logged."""
    actor = service.identity()
    with service.writing() as session:
        seq = next_change(session)
        require(session, actor, Right.ADMINISTER, "manage roles")
        row = session.get(UserRow, identity) or UserRow(identity=identity, name=identity, roles=[], teams=[], change_seq=seq)
        row.roles = sorted({r.value for r in roles})
        if teams is not None:
            row.teams = sorted(set(teams))
        row.change_seq = seq
        session.add(row)
        session.flush()
        if not has_admin(session):  # an admin-less registry makes whoever runs `init` next its admin
            raise RuleError(f"admin rule: {identity} is the last admin; grant admin to someone else first")
        append_event(session, seq=seq, kind="roles", actor=actor, at=service.clock(),
                     details={"identity": identity, "roles": row.roles, "teams": row.teams})
