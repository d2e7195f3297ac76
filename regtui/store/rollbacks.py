"""Rollback to an earlier Production version, and the rollback drill that runs it without committing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Stage
from regtui.domain.outcomes import RollbackOutcome
from regtui.domain.policy import ModelPolicy
from regtui.domain.retention import retention_of
from regtui.domain.text import clean_single_line
from regtui.domain.transitions import MoveKind, check_rollback
from regtui.errors import RuleError
from regtui.store.facts import check_seen_stage, load_subject, require_version, was_in_production
from regtui.store.log import NewEvent, append_event, append_events
from regtui.store.mapping import as_utc
from regtui.store.policies import get_policy, policy_of
from regtui.store.promotions import UPDATE_VERSION, stage_change
from regtui.store.queries import DRILL, PRODUCTION, inline
from regtui.store.schema import next_change
from regtui.store.tables import EventRow, VersionRow


@dataclass(frozen=True)
class RollbackTarget:
    """A version a model can roll back to, with the end of its retention window."""

    version: str
    archived_at: datetime
    retention_ends: datetime
    eligible: bool


def rollback_targets(session: Session, model: str, policy: ModelPolicy, now: datetime) -> list[RollbackTarget]:
    """Archived former Production versions of a model, newest archive first, with retention state."""
    previous = set(
        session.execute(
            select(EventRow.version).where(EventRow.model == model, EventRow.to_stage == inline(PRODUCTION))
        ).scalars()
    )
    rows = (
        session.execute(
            select(VersionRow)
            .where(
                VersionRow.model == model, VersionRow.stage == Stage.ARCHIVED.value, VersionRow.version.in_(previous)
            )
            .order_by(VersionRow.stage_changed_at.desc())
        )
        .scalars()
        .all()
    )
    targets = []
    for row in rows:
        retention = retention_of(as_utc(row.stage_changed_at), policy, now)
        targets.append(RollbackTarget(row.version, retention.archived_at, retention.ends, not retention.past))
    return targets


def rollback(
    session: Session,
    *,
    actor: str,
    model: str,
    to_version: str,
    reason: str,
    now: datetime,
    verification: tuple[VerifyResult, ...],
    expected_production: str | None = None,
    kind: str = MoveKind.ROLLBACK.value,
) -> RollbackOutcome:
    """Put an earlier Production version back, archiving the current one; checksums must verify."""
    seq = next_change(session)
    subject = load_subject(session, model, to_version, lock=True)
    target, current = subject.row, subject.production
    policy = policy_of(subject.policy_document).for_model(model)
    check_rollback(
        f"{model}@{to_version}",
        Stage(target.stage),
        was_in_production=was_in_production(session, model, to_version),
        archived_at=as_utc(target.stage_changed_at) if target.stage == Stage.ARCHIVED.value else None,
        now=now,
        policy=policy,
        reason=reason,
    )
    check_verification(f"{model}@{to_version}", verification)
    if expected_production is not None and (current is None or current.version != expected_production):
        check_seen_stage(require_version(session, model, expected_production), Stage.PRODUCTION)
    events: list[NewEvent] = []
    changes = [stage_change(target.id, Stage.PRODUCTION, actor=actor, now=now, seq=seq)]
    if current is not None:
        changes.insert(0, stage_change(current.id, Stage.ARCHIVED, actor=actor, now=now, seq=seq))
        events.append(
            NewEvent(
                MoveKind.REPLACED.value,
                model,
                current.version,
                Stage.PRODUCTION.value,
                Stage.ARCHIVED.value,
                {"replaced_by": to_version, "rollback": True, "reason": reason},
            )
        )
    # one executemany; the current version leaves Production first
    session.connection().execute(UPDATE_VERSION, changes)
    events.append(
        NewEvent(
            kind,
            model,
            to_version,
            Stage.ARCHIVED.value,
            Stage.PRODUCTION.value,
            {
                "reason": reason,
                "from_version": current.version if current else None,
                "verified": {r.name: r.actual_sha256 for r in verification},
            },
        )
    )
    append_events(session, events, seq=seq, actor=actor, at=now, tail=subject.tail)
    return RollbackOutcome(
        model, to_version, current.version if current else None, reason, tuple(r.name for r in verification)
    )


def check_verification(ref: str, verification: tuple[VerifyResult, ...]) -> None:
    """Refuse a rollback whose target's artifacts did not all verify, naming each failing artifact, or that has no
    artifacts to verify."""
    if not verification:
        raise RuleError(f"checksum rule: {ref} cannot go back to Production: no artifacts to verify")
    problems = [f"{r.name}: {r.status} ({clean_single_line(r.message)})" for r in verification if not r.ok]
    if problems:
        raise RuleError(f"checksum rule: {ref} cannot go back to Production: " + "; ".join(problems))


def record_drill(
    session: Session,
    *,
    actor: str,
    model: str,
    target: str | None,
    outcome: str,
    detail: str,
    duration_ms: int,
    now: datetime,
) -> None:
    """Log a rollback drill's outcome and duration (the drill itself was rolled back)."""
    seq = next_change(session)
    if target is not None:
        require_version(session, model, target)
    append_event(
        session,
        seq=seq,
        kind=DRILL,
        actor=actor,
        at=now,
        model=model,
        version=target,
        details={"outcome": outcome, "detail": detail, "duration_ms": duration_ms},
    )


def pick_drill_target(session: Session, model: str, now: datetime) -> str:
    """The version a drill rolls back to: the newest former Production version within retention that was not
    itself rolled back away from (no on-call engineer would go back to a version an incident took out)."""
    policy = get_policy(session).for_model(model)
    eligible = [target.version for target in rollback_targets(session, model, policy, now) if target.eligible]
    withdrawn = rolled_back_from(session, model)
    for version in eligible:
        if version not in withdrawn:
            return version
    skipped = f" (not counting {', '.join(eligible)}, rolled back away from)" if eligible else ""
    raise RuleError(
        f"{model} has no former Production version within its {policy.retention_days}-day retention "
        f"to roll back to{skipped}"
    )


def rolled_back_from(session: Session, model: str) -> set[str]:
    """Versions whose latest move to Archived was a rollback replacing them."""
    latest: dict[str, bool] = {}
    rows = session.execute(
        select(EventRow.version, EventRow.details)
        .where(EventRow.model == model, EventRow.to_stage == Stage.ARCHIVED.value)
        .order_by(EventRow.position)
    )
    for version, details in rows:
        latest[version] = bool((details or {}).get("rollback"))
    return {version for version, by_rollback in latest.items() if by_rollback}
