"""Dry evaluation of a promotion: the gate `promote` would evaluate right now, computed without writing.

The promote screen shows the checklist before the operator submits. Running `promote` for that would open a
request (and log it) just to look. So the preview makes the same reads and the same plan as
`regtui.store.promotions.promote` (plan_promotion: the request reused or opened, the typed evidence and canary
share merged in, the gate evaluated) on the connection it reads from, and stops before the write. Artifacts are
not re-hashed here (promote re-hashes them on submit for Production), so the artifacts check reports them as not
yet verified.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from regtui.domain.entry import Stage
from regtui.domain.gates import GateResult
from regtui.domain.outcomes import PromotionPreview
from regtui.domain.transitions import GATED_MOVES, allowed_moves
from regtui.store.facts import SUBJECT_QUERY, subject_of
from regtui.store.mapping import as_utc
from regtui.store.policies import policy_of
from regtui.store.promotions import OPEN_REQUEST_QUERY, may_apply_move, plan_promotion


def preview_promotion(
    connection: Connection,
    *,
    actor: str,
    model: str,
    version: str,
    to_stage: Stage | None,
    now: datetime,
    evidence: dict[str, Any] | None = None,
    canary_share: float | None = None,
    reason: str | None = None,
) -> PromotionPreview:
    """What promote(model@version -> to_stage) would check now; RuleError/NotFoundError as promote would raise."""
    key = {"model": model, "version": version}
    subject = subject_of(connection, connection.execute(SUBJECT_QUERY, key).all(), model, version)
    row = subject.row
    stage = Stage(row.stage)
    outgoing = subject.outgoing
    base = PromotionPreview(
        stage=stage,
        stage_changed_by=row.stage_changed_by,
        stage_changed_at=as_utc(row.stage_changed_at) if row.stage_changed_at else None,
        moves=allowed_moves(stage),
        archival_checklist=policy_of(subject.policy_document).for_model(model).archival_checklist,
        outgoing=outgoing.version if outgoing is not None else None,
    )
    kind = base.moves.get(to_stage) if to_stage is not None else None
    if to_stage is None or kind is None:
        return base
    if kind not in GATED_MOVES:
        return replace(
            base, kind=kind, gate=GateResult(()), may_apply=may_apply_move(subject.users, actor, kind, to_stage)
        )
    request_rows = connection.execute(OPEN_REQUEST_QUERY, {**key, "to_stage": to_stage.value}).all()
    plan = plan_promotion(
        connection,
        subject,
        request_rows,
        actor=actor,
        to_stage=to_stage,
        now=now,
        evidence=evidence,
        canary_share=canary_share,
        reason=reason,
    )
    reused = plan.reused
    return replace(
        base,
        kind=kind,
        gate=plan.gate,
        request_id=reused.id if reused is not None else None,
        requested_by=plan.request.requested_by,
        evidence=dict(reused.evidence or {}) if reused else {},
        canary_share=plan.request.canary_share,
        may_apply=plan.may_apply,
    )
