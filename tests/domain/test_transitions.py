"""The stage machine: every allowed and refused move, reasons, replacement, canary share, rollback and drills."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from regtui.domain.entry import Stage
from regtui.domain.policy import DEFAULT_POLICY
from regtui.domain.roles import Right
from regtui.domain.transitions import (
    MoveKind,
    allowed_moves,
    check_canary_share,
    check_move,
    check_rollback,
    drill_overdue,
    move_kind,
    required_right,
    retention_ends,
)
from regtui.errors import InputError, RuleError

D, S, C, P, A = Stage.DEVELOPMENT, Stage.STAGING, Stage.CANARY, Stage.PRODUCTION, Stage.ARCHIVED
POLICY = replace(
    DEFAULT_POLICY.default, model="churn-classifier", retention_days=180, drill_cadence_days=30, min_canary_share=2.0
)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)

ALLOWED = {
    (D, S): MoveKind.PROMOTE,
    (S, C): MoveKind.PROMOTE,
    (C, P): MoveKind.PROMOTE,
    (P, A): MoveKind.RETIRE,
    (D, A): MoveKind.ABANDON,
    (S, A): MoveKind.ABANDON,
    (C, A): MoveKind.ABANDON,
    (C, S): MoveKind.CANARY_FAILED,
}
ALL_PAIRS = [(f, t) for f in Stage for t in Stage]
REFUSED = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


@pytest.mark.parametrize(("from_stage", "to_stage"), list(ALLOWED))
def test_allowed_moves_with_reason_and_replacement(from_stage: Stage, to_stage: Stage) -> None:
    """Every move of docs/governance.md is accepted when it carries what it needs."""
    kind = check_move(from_stage, to_stage, reason="incident INC-1")
    assert kind is ALLOWED[(from_stage, to_stage)]
    assert move_kind(from_stage, to_stage) is kind


@pytest.mark.parametrize(("from_stage", "to_stage"), REFUSED)
def test_every_other_move_is_refused(from_stage: Stage, to_stage: Stage) -> None:
    """Skipping stages, going backwards, leaving Archived and standing still are all refused."""
    with pytest.raises(RuleError) as caught:
        check_move(from_stage, to_stage, reason="because")
    assert caught.value.message.startswith("stage rule: ")
    assert "\n" not in caught.value.message


def test_refusal_names_the_allowed_targets() -> None:
    """Staging -> Production says what Staging may do instead."""
    with pytest.raises(RuleError) as caught:
        check_move(S, P, reason=None)
    assert caught.value.message == (
        "stage rule: Staging -> Production is not allowed; "
        "from Staging: Canary (promote), Archived (abandon, with a reason)"
    )


def test_refusal_from_development_lists_staging_and_abandon() -> None:
    """Development -> Canary names Staging and Archived."""
    with pytest.raises(RuleError, match=r"from Development: Staging \(promote\), Archived \(abandon"):
        check_move(D, C, reason=None)


def test_refusal_from_production_explains_retirement() -> None:
    """Production -> Staging names retirement to Archived as the way out."""
    with pytest.raises(RuleError, match="from Production: Archived \\(retire, with a reason and the two-person rule"):
        check_move(P, S, reason="x")


def test_archived_leaves_only_by_rollback() -> None:
    """Archived -> Production points at the rollback command."""
    with pytest.raises(RuleError, match="leaves Archived only by rollback \\(regtui rollback MODEL --to VERSION"):
        check_move(A, P, reason="x")


def test_same_stage_is_refused_plainly() -> None:
    """A move to the current stage says the version is already there."""
    with pytest.raises(RuleError, match="^stage rule: the version is already in Canary$"):
        check_move(C, C, reason=None)


def test_production_to_archived_is_a_gated_retirement_applied_by_a_releaser() -> None:
    """Production -> Archived on its own is a retirement: gated (its reason is a gate check), the release right."""
    assert check_move(P, A, reason=None) is MoveKind.RETIRE
    assert required_right(MoveKind.RETIRE, A) is Right.RELEASE


@pytest.mark.parametrize("from_stage", [D, S, C])
@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_abandon_needs_a_reason(from_stage: Stage, reason: str | None) -> None:
    """Abandoning any non-Production stage without a reason is refused."""
    with pytest.raises(RuleError, match="^stage rule: abandoning a version needs a reason \\(--reason\\)$"):
        check_move(from_stage, A, reason=reason)


@pytest.mark.parametrize("reason", [None, " "])
def test_failed_canary_needs_a_reason(reason: str | None) -> None:
    """Canary -> Staging without a reason is refused."""
    with pytest.raises(RuleError, match="a failed canary \\(Canary -> Staging\\) needs a reason"):
        check_move(C, S, reason=reason)


@pytest.mark.parametrize(("from_stage", "to_stage"), [(D, S), (S, C), (C, P)])
def test_promotions_need_no_reason(from_stage: Stage, to_stage: Stage) -> None:
    """Forward promotions are gated, not reasoned."""
    assert check_move(from_stage, to_stage, reason=None) is MoveKind.PROMOTE


def test_allowed_moves_table() -> None:
    """allowed_moves lists each stage's targets (a copy callers may not corrupt)."""
    assert allowed_moves(C) == {P: MoveKind.PROMOTE, S: MoveKind.CANARY_FAILED, A: MoveKind.ABANDON}
    allowed_moves(D).clear()
    assert allowed_moves(D) == {S: MoveKind.PROMOTE, A: MoveKind.ABANDON}
    assert allowed_moves(A) == {}


@pytest.mark.parametrize(
    ("kind", "to_stage", "right"),
    [
        (MoveKind.PROMOTE, P, Right.RELEASE),
        (MoveKind.ROLLBACK, P, Right.RELEASE),
        (MoveKind.PROMOTE, S, Right.REQUEST),
        (MoveKind.PROMOTE, C, Right.REQUEST),
        (MoveKind.ABANDON, A, Right.REQUEST),
        (MoveKind.CANARY_FAILED, S, Right.REQUEST),
    ],
)
def test_required_right(kind: MoveKind, to_stage: Stage, right: Right) -> None:
    """Production promotions and rollbacks need the release right; other moves the request right."""
    assert required_right(kind, to_stage) is right


def test_canary_share_defaults_to_policy_minimum() -> None:
    """No share given: the canary serves the policy minimum."""
    assert check_canary_share(None, POLICY) == 2.0
    assert check_canary_share(10, POLICY) == 10


def test_canary_share_below_policy_minimum_is_refused() -> None:
    """A share under the minimum is a rule refusal naming both numbers and the model."""
    with pytest.raises(RuleError, match="^canary share rule: 1% is below the policy minimum 2% for churn-classifier$"):
        check_canary_share(1, POLICY)


@pytest.mark.parametrize("share", [0, -5, 100.5])
def test_canary_share_must_be_a_percentage(share: float) -> None:
    """Out-of-range shares are bad input."""
    with pytest.raises(InputError, match="is not a percentage in \\(0, 100\\]"):
        check_canary_share(share, POLICY)


def rollback(**overrides):
    """check_rollback with a valid target unless overridden."""
    arguments = dict(
        target="churn-classifier@2.5.0",
        target_stage=A,
        was_in_production=True,
        archived_at=NOW - timedelta(days=10),
        now=NOW,
        policy=POLICY,
        reason="INC-4711",
    )
    arguments.update(overrides)
    return check_rollback(**arguments)


def test_rollback_to_recent_former_production_version_is_allowed() -> None:
    """An Archived former Production version inside retention is a valid target."""
    assert rollback() is None


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_rollback_needs_a_reason(reason: str | None) -> None:
    """A rollback without an incident reference is refused."""
    with pytest.raises(RuleError, match="rollback rule: a rollback needs a reason \\(an incident reference"):
        rollback(reason=reason)


@pytest.mark.parametrize("stage", [D, S, C, P])
def test_rollback_target_must_be_archived(stage: Stage) -> None:
    """Only Archived versions are rollback targets."""
    with pytest.raises(
        RuleError, match=f"the target must be an Archived version; churn-classifier@2.5.0 is in {stage}"
    ):
        rollback(target_stage=stage)


def test_rollback_target_must_have_been_in_production() -> None:
    """An abandoned version was never in Production."""
    with pytest.raises(RuleError, match="was never in Production, so it is not a rollback target"):
        rollback(was_in_production=False)


def test_rollback_needs_an_archive_date() -> None:
    """Without an archive date retention cannot be checked, so it is refused."""
    with pytest.raises(RuleError, match="has no archive date"):
        rollback(archived_at=None)


def test_rollback_after_retention_is_refused_with_dates() -> None:
    """Past retention the message names the archive date, the period and when it ended."""
    archived = NOW - timedelta(days=181)
    with pytest.raises(RuleError) as caught:
        rollback(archived_at=archived)
    assert caught.value.message == (
        "retention rule: churn-classifier@2.5.0 was archived 2024-12-02T12:00:00Z; its 180-day retention "
        "ended 2025-05-31T12:00:00Z, so it is no longer a rollback target"
    )


def test_rollback_on_the_last_day_of_retention_is_allowed() -> None:
    """Retention is inclusive of its last instant."""
    archived = NOW - timedelta(days=180)
    assert retention_ends(archived, POLICY) == NOW
    assert rollback(archived_at=archived) is None


@pytest.mark.parametrize(
    ("last", "overdue"),
    [
        (None, True),
        (NOW - timedelta(days=1), False),
        (NOW - timedelta(days=30), False),
        (NOW - timedelta(days=30, seconds=1), True),
    ],
)
def test_drill_overdue(last: datetime | None, overdue: bool) -> None:
    """A drill older than the cadence, or none at all, is overdue."""
    assert drill_overdue(last, NOW, POLICY) is overdue
