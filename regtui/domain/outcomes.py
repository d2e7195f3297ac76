"""The outcomes and previews of promotion, decision and rollback, as the screens and commands show them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.domain.gates import GateResult
from regtui.domain.transitions import MoveKind


@dataclass(frozen=True)
class PromotionPreview:
    """A version's stage now, the moves it has, and (for a target) the gate promote would evaluate."""

    stage: Stage
    stage_changed_by: str | None
    stage_changed_at: datetime | None
    moves: dict[Stage, MoveKind]
    archival_checklist: tuple[str, ...]
    outgoing: str | None
    """The Production version a promotion to Production would replace."""
    kind: MoveKind | None = None
    gate: GateResult | None = None
    request_id: int | None = None
    """The open request promote would reuse (None: promote would open a new one)."""
    requested_by: str | None = None
    evidence: dict[str, Any] | None = None
    """The request's evidence as it stands (before the typed evidence is merged)."""
    canary_share: float | None = None
    may_apply: bool = False


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


@dataclass(frozen=True)
class RollbackOutcome:
    """What a rollback did (or, for a dry run, would do)."""

    model: str
    to_version: str
    from_version: str | None
    reason: str
    verified: tuple[str, ...]


@dataclass(frozen=True)
class AttestationOutcome:
    """An attestation recorded: of what, for which version, by whom."""

    ref: str
    subject: str
    attested_by: str
