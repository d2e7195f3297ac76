"""The retention rule: an Archived former Production version is past retention once its policy's days have passed,
and the rollback refuses exactly those versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from regtui.domain.entry import Stage
from regtui.domain.policy import DEFAULT_POLICY
from regtui.domain.retention import past_retention, retention_of
from regtui.domain.transitions import check_rollback
from regtui.errors import RuleError

POLICY = replace(DEFAULT_POLICY.default, model="churn", retention_days=30)
ARCHIVED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ENDS = ARCHIVED + timedelta(days=30)


@pytest.mark.parametrize(
    ("now", "past"),
    [(ARCHIVED, False), (ENDS, False), (ENDS + timedelta(microseconds=1), True), (ENDS + timedelta(days=400), True)],
)
def test_past_retention_once_the_days_have_passed_and_the_rollback_agrees(now: datetime, past: bool) -> None:
    """Up to the end of its retention a version is a rollback target; after it, past retention and refused."""
    assert past_retention(ARCHIVED, POLICY, now) is past
    assert retention_of(ARCHIVED, POLICY, now).past is past

    def roll_back() -> None:
        """The rollback rule on the same version at the same time."""
        check_rollback(
            "churn@1.0.0",
            Stage.ARCHIVED,
            was_in_production=True,
            archived_at=ARCHIVED,
            now=now,
            policy=POLICY,
            reason="INC-1",
        )

    if past:
        with pytest.raises(RuleError, match="retention rule"):
            roll_back()
    else:
        roll_back()


def test_the_reason_gives_the_age_against_the_policy() -> None:
    """Past retention: the age in days, the policy's days and the day it ended; within: until when."""
    later = retention_of(ARCHIVED, POLICY, ARCHIVED + timedelta(days=45, hours=3))
    assert (later.ends, later.retention_days, later.age_days) == (ENDS, 30, 45)
    assert later.describe() == "past retention: archived 45 days ago, retention 30 days, ended 2026-01-31"
    sooner = retention_of(ARCHIVED, replace(POLICY, retention_days=1), ARCHIVED + timedelta(hours=20))
    assert sooner.describe() == "rollback target: archived 0 days ago, retention 1 day, until 2026-01-02"
