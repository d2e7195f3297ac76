"""Dry evaluation of a promotion: the gate `promote` would evaluate right now, computed without writing.

The promote screen shows the checklist before the operator submits. Running `workflow.promote` for
that would open a request (and log it) just to look, and evaluating the gate of the open request alone
would ignore the evidence typed into the form. So this module replays the first half of
`regtui.store.promotions.promote` on a read session: the open request for the version and target stage
is reused exactly when promote would reuse it (same from-stage), otherwise a new one by the actor is
assumed; the typed evidence is merged the way promote merges it; the canary share is checked by the same
rule; and the gate is evaluated from the same facts. The request is a transient row that is never added
to the session, so nothing is flushed or written. Artifacts are not re-hashed here (promote re-hashes
them on submit for Production), so the artifacts check reports them as not yet verified.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.entry import Stage
from regtui.domain.evidence import merge_evidence
from regtui.domain.gates import GateResult, evaluate_gate
from regtui.domain.outcomes import PromotionPreview
from regtui.domain.transitions import (
    MoveKind,
    allowed_moves,
    check_canary_share,
    required_right,
)
from regtui.store.access import rights_of_identity
from regtui.store.facts import gate_facts, production_row, require_version
from regtui.store.mapping import as_utc
from regtui.store.policies import get_policy
from regtui.store.promotions import OPEN
from regtui.store.tables import RequestRow


def preview_promotion(
    session: Session,
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
    """What promote(model@version -> to_stage) would check now; RuleError/InputError as promote would raise."""
    row = require_version(session, model, version)
    stage = Stage(row.stage)
    policy = get_policy(session).for_model(model)
    outgoing = production_row(session, model)
    base = PromotionPreview(
        stage=stage,
        stage_changed_by=row.stage_changed_by,
        stage_changed_at=as_utc(row.stage_changed_at) if row.stage_changed_at else None,
        moves=allowed_moves(stage),
        archival_checklist=policy.archival_checklist,
        outgoing=outgoing.version if outgoing is not None and outgoing.id != row.id else None,
    )
    kind = base.moves.get(to_stage) if to_stage is not None else None
    if to_stage is None or kind is None:
        return base
    may_apply = required_right(kind, to_stage) in rights_of_identity(session, actor)
    if kind is not MoveKind.PROMOTE:
        return replace(base, kind=kind, gate=GateResult(()), may_apply=may_apply)
    existing = session.execute(
        select(RequestRow).where(
            RequestRow.model == model,
            RequestRow.version == version,
            RequestRow.to_stage == to_stage.value,
            RequestRow.status == OPEN,
        )
    ).scalar_one_or_none()
    reused = existing if existing is not None and existing.from_stage == row.stage else None
    current = dict(reused.evidence or {}) if reused is not None else {}
    share = None
    if to_stage is Stage.CANARY:
        recorded = reused.canary_share if reused is not None else None
        share = check_canary_share(canary_share if canary_share is not None else recorded, policy)
    request = RequestRow(
        id=reused.id if reused is not None else None,
        model=model,
        version=version,
        from_stage=row.stage,
        to_stage=to_stage.value,
        status=OPEN,
        requested_by=reused.requested_by if reused is not None else actor,
        requested_at=now,
        reason=reason or "",
        evidence=merge_evidence(current, evidence or {}),
        canary_share=share,
        change_seq=0,
    )
    gate = evaluate_gate(stage, to_stage, gate_facts(session, request, row, policy, now=now))
    return replace(
        base,
        kind=kind,
        gate=gate,
        request_id=request.id,
        requested_by=request.requested_by,
        evidence=current,
        canary_share=share,
        may_apply=may_apply,
    )
