"""What the cache's plain-SQL readers share: its stored time format, literals, and the condition of its partial
index of live versions (the queries repeat it with the same literals, or SQLite does not use the index)."""

from __future__ import annotations

from datetime import UTC, datetime

from regtui.domain.entry import Stage

LIVE_STAGES = (Stage.PRODUCTION.value, Stage.CANARY.value, Stage.STAGING.value)
PRODUCTION = Stage.PRODUCTION.value


def sql_literal(value: str) -> str:
    """A string as an SQL literal."""
    return "'" + value.replace("'", "''") + "'"


LIVE_STAGE_SQL = f"stage IN ({', '.join(map(sql_literal, LIVE_STAGES))})"
"""The condition of the cache's partial index of live versions, repeated by the queries that read it."""


CACHE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""The text a timestamp is stored as in the cache (SQLAlchemy's SQLite format, naive UTC, microseconds always)."""


def cache_time(moment: datetime) -> str:
    """An aware timestamp as the cache stores it, to compare stored timestamps with in SQL."""
    return moment.astimezone(UTC).strftime(CACHE_TIME_FORMAT)


def stored_time(value: str) -> datetime:
    """A timestamp as the cache stores it (SQLAlchemy's naive UTC text) as an aware UTC datetime."""
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
