"""Promotion services shared by the CLI and the TUI: promote, decide, rollback, drill, and the approval queue."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from regtui.domain.approvals import Decision, capacity_for, current_decisions
from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Artifact, Stage
from regtui.domain.evidence import conditions_of
from regtui.domain.gates import GateResult, awaits_verification, evaluate_gate
from regtui.domain.limits import check_text
from regtui.domain.outcomes import AttestationOutcome, DecisionOutcome, PromotionOutcome, RollbackOutcome
from regtui.domain.roles import Right
from regtui.domain.text import one_line
from regtui.domain.transitions import DRILL_FAILED, DRILL_PASSED, move_kind, required_right
from regtui.errors import NotAllowedError, NotFoundError, RegtuiError
from regtui.services.access import actor_in, holds, require
from regtui.services.artifact_io import verify_all
from regtui.services.registry import RegistryService
from regtui.store import promotions, rollbacks
from regtui.store.attestations import record_attestation
from regtui.store.engine import translate_errors
from regtui.store.facts import (
    approver_of,
    gate_facts,
    reads_before_transaction,
    require_version,
    single_read,
    version_artifacts,
)
from regtui.store.mapping import as_utc
from regtui.store.policies import get_policy
from regtui.store.queries import require_model
from regtui.store.tables import RequestRow
from regtui.store.transaction import write_transaction

ProgressCallback = Callable[[int], None]
CachedRecords = Callable[[str, str], tuple[Artifact, ...] | None]
"""A version's artifact records as a local copy holds them, by model and version (None: not there)."""


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
    conditions: tuple[str, ...] = ()
    """The conditions the promotion would be approved under (from the request's evidence)."""

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


VERIFIED_STAGES = frozenset({Stage.CANARY, Stage.PRODUCTION})
"""The stages that expose traffic: a promotion to them re-hashes the version's artifacts first."""


def verify_version(
    service: RegistryService, model: str, version: str, on_bytes: ProgressCallback | None = None
) -> tuple[VerifyResult, ...]:
    """Re-hash a version's artifacts now, reading their records from the registry itself (one query, no session)."""
    with translate_errors(service.locations.registry_url), service.registry().connect() as connection:
        artifacts = version_artifacts(single_read(connection), model, version)
    return _verified(artifacts, on_bytes)


def _verified(artifacts: tuple[Artifact, ...], on_bytes: ProgressCallback | None) -> tuple[VerifyResult, ...]:
    """Each artifact re-hashed now and compared with its record."""
    return verify_all(artifacts, on_bytes)


def promote(
    service: RegistryService,
    model: str,
    version: str,
    to_stage: Stage,
    *,
    evidence: dict[str, Any] | None = None,
    reason: str | None = None,
    canary_share: float | None = None,
    expected_stage: Stage | None = None,
    on_bytes: ProgressCallback | None = None,
) -> PromotionOutcome:
    """Request (and when allowed, apply) a stage change; Canary and Production promotions re-verify artifacts first."""
    actor = service.identity()
    with service.write_connection() as connection:
        return promote_on(
            connection,
            actor=actor,
            model=model,
            version=version,
            to_stage=to_stage,
            clock=service.clock,
            evidence=evidence,
            reason=reason,
            canary_share=canary_share,
            expected_stage=expected_stage,
            on_bytes=on_bytes,
            cached=cached_records(service),
        )


def cached_records(service: RegistryService) -> CachedRecords:
    """The artifact records of a version as the local cache holds them (None when it has not synced the version or
    cannot be read: the registry has them too): records are immutable once registered, and the gate checks every
    hashed one against the registry's in the write transaction, so a promotion's hashing needs no registry round
    trip before it."""

    def read(model: str, version: str) -> tuple[Artifact, ...] | None:
        """The cached records, or None."""
        try:
            with service.cache().connect() as connection:
                return version_artifacts(single_read(connection), model, version)
        except (NotFoundError, DBAPIError):
            return None

    return read


def promote_on(
    connection: Connection,
    *,
    actor: str,
    model: str,
    version: str,
    to_stage: Stage,
    clock: Callable[[], datetime],
    evidence: dict[str, Any] | None = None,
    reason: str | None = None,
    canary_share: float | None = None,
    expected_stage: Stage | None = None,
    on_bytes: ProgressCallback | None = None,
    cached: CachedRecords | None = None,
) -> PromotionOutcome:
    """`promote` on one registry connection (from RegistryService.write_connection): a Canary or Production
    promotion re-hashes the artifacts before its write transaction, which then checks what it applies against the
    records it reads (and reads the clock: the promotion's time is after the hashing). The records hashed are the
    cache's (`cached`) when the registry is a database server and the cache has the version (a round trip spared;
    a SQLite registry file reads them as cheaply as the cache), else read on this connection before the
    transaction."""
    _check_texts(model=model, version=version, reason=reason)
    verification = None
    if to_stage in VERIFIED_STAGES:
        on_server = connection.dialect.name != "sqlite"
        artifacts = cached(model, version) if cached is not None and on_server else None
        if artifacts is None:
            with reads_before_transaction(connection) as reading:
                artifacts = version_artifacts(reading, model, version)
        verification = _verified(artifacts, on_bytes)
    with write_transaction(connection):
        return promotions.promote(
            connection,
            actor=actor,
            model=model,
            version=version,
            to_stage=to_stage,
            now=clock(),
            expected_stage=expected_stage,
            evidence=evidence,
            reason=reason,
            canary_share=canary_share,
            verification=verification,
        )


def _check_texts(**texts: str | None) -> None:
    """Refuse a text over its field's limit (docs/limits.md), naming the field, before anything is read."""
    for field, text in texts.items():
        if text is not None:
            check_text(field, text)


def decide(service: RegistryService, request_id: int, decision: Decision, comment: str) -> DecisionOutcome:
    """Approve or reject an open request as the acting identity."""
    _check_texts(comment=comment)
    actor = service.identity()
    with service.writing() as session:
        return promotions.decide(
            session, actor=actor, request_id=request_id, decision=decision, comment=comment, now=service.clock()
        )


def attest(service: RegistryService, model: str, version: str, subject: str, comment: str) -> AttestationOutcome:
    """Record, as the acting identity (who needs the review right), that a section of a version's model card holds."""
    actor = service.identity()
    with service.writing() as session:
        require(actor_in(session, actor), Right.REVIEW, f"attest {subject} of {model}@{version}")
        record_attestation(
            session, actor=actor, model=model, version=version, subject=subject, comment=comment, now=service.clock()
        )
    return AttestationOutcome(f"{model}@{version}", subject, actor)


def rollback(
    service: RegistryService,
    model: str,
    to_version: str,
    reason: str,
    *,
    dry_run: bool = False,
    expected_production: str | None = None,
    on_bytes: ProgressCallback | None = None,
) -> RollbackOutcome:
    """Roll a model back (or, for a dry run, do everything but commit)."""
    _check_texts(model=model, version=to_version, reason=reason)
    verification = verify_version(service, model, to_version, on_bytes)
    actor = service.identity()
    with service.writing(commit=not dry_run) as session:
        require(actor_in(session, actor), Right.RELEASE, f"roll back {model}")
        return rollbacks.rollback(
            session,
            actor=actor,
            model=model,
            to_version=to_version,
            reason=reason,
            now=service.clock(),
            verification=verification,
            expected_production=expected_production,
        )


def drill(service: RegistryService, model: str, on_bytes: ProgressCallback | None = None) -> DrillOutcome:
    """Run the whole rollback procedure without committing it, then log the outcome and duration."""
    started = time.perf_counter()
    target: str | None = None
    with service.reading_registry() as session:
        require(actor_in(session, service.identity()), Right.RELEASE, f"run rollback drills for {model}")
        require_model(session, model)
    try:
        with service.reading_registry() as session:
            target = rollbacks.pick_drill_target(session, model, service.clock())
        rollback(service, model, target, f"rollback drill of {model}", dry_run=True, on_bytes=on_bytes)
        passed, detail = True, f"rollback to {target} would succeed"
    except (NotFoundError, NotAllowedError):
        raise
    except RegtuiError as exc:
        passed, detail = False, exc.message
    duration_ms = int((time.perf_counter() - started) * 1000)
    with service.writing() as session:
        require(actor_in(session, service.identity()), Right.RELEASE, f"run rollback drills for {model}")
        rollbacks.record_drill(
            session,
            actor=service.identity(),
            model=model,
            target=target,
            outcome=DRILL_PASSED if passed else DRILL_FAILED,
            detail=detail,
            duration_ms=duration_ms,
            now=service.clock(),
        )
    return DrillOutcome(model, target, passed, detail, duration_ms)


def open_requests(service: RegistryService, *, mine: bool = False) -> list[RequestView]:
    """The approval queue from the cache: open requests with their gate state (mine: those I can act on)."""
    identity = service.identity()
    now = service.clock()
    with service.reading() as session:
        rows = (
            session.execute(select(RequestRow).where(RequestRow.status == promotions.OPEN).order_by(RequestRow.id))
            .scalars()
            .all()
        )
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
    kind = move_kind(Stage(row.from_stage), Stage(row.to_stage))
    can_apply = holds(actor_in(session, identity), required_right(kind, Stage(row.to_stage)))
    pending_only_on_apply = all(c.passed or awaits_verification(c) for c in gate.checks)
    return RequestView(
        row.id,
        row.model,
        row.version,
        row.from_stage,
        row.to_stage,
        row.requested_by,
        as_utc(row.requested_at),
        row.reason,
        gate,
        can_approve,
        can_apply and pending_only_on_apply,
        tuple(one_line(c) for c in conditions_of(row.evidence)),
    )
