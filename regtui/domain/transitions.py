"""The stage machine: which moves exist, what each needs besides its gate, rollback and drill rules.

Moves (docs/governance.md):
- promote: Development -> Staging -> Canary -> Production, each behind its gate (regtui.domain.gates).
- replaced: Production -> Archived, together with the promotion of a replacement to Production.
- retire: Production -> Archived without a replacement, behind its gate (a stated reason and the two-person
  rule, regtui.domain.gates), applied by a releaser.
- abandon: Development, Staging or Canary -> Archived, with a reason.
- canary-failed: Canary -> Staging, with a reason.
- rollback: an Archived version that was in Production before, still within retention, back to
  Production (the current Production version is archived with it); needs a reason.
Every other move is refused, naming the moves that exist from the current stage.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from regtui.domain.entry import Stage, utc_iso
from regtui.domain.policy import ModelPolicy, format_number
from regtui.domain.retention import past_retention, retention_ends
from regtui.domain.roles import Right
from regtui.errors import InputError, RuleError


class MoveKind(StrEnum):
    """What kind of stage change a move is (also the promotion log's event kind)."""

    PROMOTE = "promote"
    REPLACED = "replaced"
    ABANDON = "abandon"
    CANARY_FAILED = "canary-failed"
    ROLLBACK = "rollback"
    RETIRE = "retire"


GATED_MOVES = frozenset({MoveKind.PROMOTE, MoveKind.RETIRE})
"""The moves that go through a request, its approvals and its gate."""


_MOVES: dict[Stage, dict[Stage, MoveKind]] = {
    Stage.DEVELOPMENT: {Stage.STAGING: MoveKind.PROMOTE, Stage.ARCHIVED: MoveKind.ABANDON},
    Stage.STAGING: {Stage.CANARY: MoveKind.PROMOTE, Stage.ARCHIVED: MoveKind.ABANDON},
    Stage.CANARY: {
        Stage.PRODUCTION: MoveKind.PROMOTE,
        Stage.STAGING: MoveKind.CANARY_FAILED,
        Stage.ARCHIVED: MoveKind.ABANDON,
    },
    Stage.PRODUCTION: {Stage.ARCHIVED: MoveKind.RETIRE},
    Stage.ARCHIVED: {},
}

_MOVE_LABELS: dict[MoveKind, str] = {
    MoveKind.PROMOTE: "promote",
    MoveKind.RETIRE: "retire, with a reason and the two-person rule",
    MoveKind.ABANDON: "abandon, with a reason",
    MoveKind.CANARY_FAILED: "failed canary, with a reason",
}


def allowed_moves(from_stage: Stage) -> dict[Stage, MoveKind]:
    """The stages a version may move to from a stage, and what kind of move each is."""
    return dict(_MOVES[from_stage])


def move_kind(from_stage: Stage, to_stage: Stage) -> MoveKind:
    """The kind of a move, refusing (RuleError) one the stage machine does not have."""
    if from_stage is to_stage:
        raise RuleError(f"stage rule: the version is already in {to_stage}")
    kind = _MOVES[from_stage].get(to_stage)
    if kind is None:
        raise RuleError(f"stage rule: {from_stage} -> {to_stage} is not allowed; {_allowed_text(from_stage)}")
    return kind


def check_move(from_stage: Stage, to_stage: Stage, *, reason: str | None) -> MoveKind:
    """Refuse a move the stage rules forbid or that lacks its reason; return its kind (a retirement's reason is a
    check of its gate, so a releaser can apply the request later without repeating it)."""
    kind = move_kind(from_stage, to_stage)
    if kind in (MoveKind.ABANDON, MoveKind.CANARY_FAILED) and not (reason or "").strip():
        what = "abandoning a version" if kind is MoveKind.ABANDON else "a failed canary (Canary -> Staging)"
        raise RuleError(f"stage rule: {what} needs a reason (--reason)")
    return kind


def required_right(kind: MoveKind, to_stage: Stage) -> Right:
    """The right needed to apply a move: release for Production promotions, retirements and rollbacks, else
    request."""
    if kind in (MoveKind.ROLLBACK, MoveKind.RETIRE) or (kind is MoveKind.PROMOTE and to_stage is Stage.PRODUCTION):
        return Right.RELEASE
    return Right.REQUEST


def check_canary_share(share: float | None, policy: ModelPolicy) -> float:
    """The canary's traffic share to record: the given percentage, or the policy minimum when none is given."""
    if share is None:
        return policy.min_canary_share
    if not 0 < share <= 100:
        raise InputError(f"canary share {format_number(share)} is not a percentage in (0, 100]")
    if share < policy.min_canary_share:
        raise RuleError(
            f"canary share rule: {format_number(share)}% is below the policy minimum "
            f"{format_number(policy.min_canary_share)}% for {policy.subject}"
        )
    return share


def check_rollback(
    target: str,
    target_stage: Stage,
    *,
    was_in_production: bool,
    archived_at: datetime | None,
    now: datetime,
    policy: ModelPolicy,
    reason: str | None,
) -> None:
    """Refuse a rollback to a version that is not an Archived former Production version within retention."""
    if not (reason or "").strip():
        raise RuleError("rollback rule: a rollback needs a reason (an incident reference, --reason)")
    if target_stage is not Stage.ARCHIVED:
        raise RuleError(f"rollback rule: the target must be an Archived version; {target} is in {target_stage}")
    if not was_in_production:
        raise RuleError(f"rollback rule: {target} was never in Production, so it is not a rollback target")
    if archived_at is None:
        raise RuleError(f"rollback rule: {target} has no archive date, so its retention cannot be checked")
    if past_retention(archived_at, policy, now):
        ends = retention_ends(archived_at, policy)
        raise RuleError(
            f"retention rule: {target} was archived {utc_iso(archived_at)}; its {policy.retention_days}-day "
            f"retention ended {utc_iso(ends)}, so it is no longer a rollback target"
        )


DRILL_PASSED = "passed"
DRILL_FAILED = "failed"


def drill_counts(outcome: str) -> bool:
    """Whether a drill with this outcome resets the cadence: only one that passed (a failed drill proves no
    rollback would work, so the model stays overdue)."""
    return outcome == DRILL_PASSED


def drill_overdue(last_drill_at: datetime | None, now: datetime, policy: ModelPolicy) -> bool:
    """Whether a model's last passed rollback drill is older than the policy's cadence (or never happened)."""
    return last_drill_at is None or now - last_drill_at > timedelta(days=policy.drill_cadence_days)


def _allowed_text(from_stage: Stage) -> str:
    """'from Staging: Canary (promote), Archived (abandon, with a reason)' and the rollback hint."""
    moves = _MOVES[from_stage]
    if not moves:
        return f"a version leaves {from_stage} only by rollback (regtui rollback MODEL --to VERSION --reason TEXT)"
    listed = ", ".join(f"{stage} ({_MOVE_LABELS[kind]})" for stage, kind in moves.items())
    return f"from {from_stage}: {listed}"
