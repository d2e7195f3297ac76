"""The promotion log from the cache with plain SQL (no ORM): `regtui audit` and `audit --follow` read it."""

from __future__ import annotations

import json
from typing import Any

from regtui.store.cache_reader import Snapshot
from regtui.store.cache_sql import stored_time

LOG_COLUMNS = ("position", "kind", "actor", "at", "model", "version", "from_stage", "to_stage", "details", "hash")
"""The columns of a log entry as `audit` shows it, in LogRecord's field order."""


def log_rows(
    snapshot: Snapshot,
    *,
    model: str | None = None,
    actor: str | None = None,
    after: int | None = None,
    limit: int | None = None,
) -> list[tuple[Any, ...]]:
    """Log entries, filtered by model and actor: newest first, or, after a position, the later ones oldest first
    (what a follower prints next). Details are parsed and times are aware UTC datetimes."""
    conditions, parameters = [], []
    for column, value in (("model", model), ("actor", actor)):
        if value:
            conditions.append(f"{column} = ?")
            parameters.append(value)
    if after is not None:
        conditions.append("position > ?")
        parameters.append(after)
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    order = "position" if after is not None else "position DESC"
    rows = snapshot.rows(
        f"SELECT {', '.join(LOG_COLUMNS)} FROM event {where}ORDER BY {order} LIMIT ?",
        [*parameters, -1 if limit is None else limit],
    )
    return [_decoded(row) for row in rows]


def last_position(snapshot: Snapshot) -> int:
    """The newest log entry's position (0 for an empty log)."""
    return int(snapshot.value("SELECT max(position) FROM event") or 0)


def _decoded(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A stored log row with its time parsed and its details decoded."""
    values = list(row)
    values[3] = stored_time(values[3])
    values[8] = json.loads(values[8]) if values[8] else {}
    return tuple(values)
