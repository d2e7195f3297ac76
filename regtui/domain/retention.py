"""The retention rule, in one place: an Archived former Production version stays a rollback target for the policy's
`retention_days` after it was archived; once that has ended it is past retention (no longer a rollback target, and
the store's lifecycle may delete what only it needed). The rollback, `regtui retention` and the dashboard's marks all
ask here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from regtui.domain.policy import ModelPolicy

DAY_S = 86400


def retention_ends(archived_at: datetime, policy: ModelPolicy) -> datetime:
    """When an archived version stops being a rollback target."""
    return archived_at + timedelta(days=policy.retention_days)


def retention_cutoff(policy: ModelPolicy, now: datetime) -> datetime:
    """The moment before which an archived former Production version was archived if its retention has ended by
    `now` (what a query compares archive times with)."""
    return now - timedelta(days=policy.retention_days)


def past_retention(archived_at: datetime, policy: ModelPolicy, now: datetime) -> bool:
    """Whether an archived former Production version's retention has ended by `now` (`now` is past its end)."""
    return archived_at < retention_cutoff(policy, now)


@dataclass(frozen=True)
class Retention:
    """Where an Archived former Production version stands against its model's retention."""

    archived_at: datetime
    retention_days: int
    ends: datetime
    past: bool
    now: datetime
    """When it was judged (the age and the days left are counted from here)."""

    @property
    def age_days(self) -> int:
        """Whole days since the version was archived."""
        return int((self.now - self.archived_at).total_seconds() // DAY_S)

    def describe(self) -> str:
        """'past retention: archived 251 days ago, retention 180 days, ended 2026-09-27' or, within it,
        'rollback target: archived 20 days ago, retention 180 days, until 2027-05-19'."""
        ago = f"archived {self.age_days} day{'s' if self.age_days != 1 else ''} ago"
        policy = f"retention {self.retention_days} day{'s' if self.retention_days != 1 else ''}"
        if self.past:
            return f"past retention: {ago}, {policy}, ended {self.ends:%Y-%m-%d}"
        return f"rollback target: {ago}, {policy}, until {self.ends:%Y-%m-%d}"


def retention_of(archived_at: datetime, policy: ModelPolicy, now: datetime) -> Retention:
    """An Archived former Production version's retention as of `now`."""
    ends = retention_ends(archived_at, policy)
    return Retention(archived_at, policy.retention_days, ends, past_retention(archived_at, policy, now), now)
