"""Reads of the registry's log for anchoring it: its head, the entry at a witnessed position, the moves it records
and the stages the versions are in now."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlmodel import Session

from regtui.domain.anchor import STAGE_SETTING_KINDS, LogAnchor, LoggedMove
from regtui.store.cache_sources import LogProbe
from regtui.store.tables import EventRow, VersionRow

EVENT = EventRow.__table__
VERSION = VersionRow.__table__
BATCH = 5000


def log_head(session: Session) -> LogAnchor | None:
    """The log's last position and its hash (None for an empty log)."""
    row = session.execute(select(EVENT.c.position, EVENT.c.hash).order_by(EVENT.c.position.desc()).limit(1)).first()
    return LogAnchor(int(row[0]), str(row[1])) if row else None


def log_probe(session: Session, position: int) -> LogProbe:
    """The hash stored at a position (None when there is no such entry) and the log's last position."""
    found = session.execute(select(EVENT.c.hash).where(EVENT.c.position == position)).scalar_one_or_none()
    end = session.execute(select(func.coalesce(func.max(EVENT.c.position), 0))).scalar_one()
    return LogProbe(found, int(end))


def logged_moves(session: Session) -> Iterator[LoggedMove]:
    """Every log entry that puts a version in a stage, in chain order, fetched in batches."""
    after = 0
    query = (
        select(EVENT.c.position, EVENT.c.model, EVENT.c.version, EVENT.c.to_stage)
        .where(EVENT.c.kind.in_(sorted(STAGE_SETTING_KINDS)), EVENT.c.version.is_not(None))
        .where(EVENT.c.to_stage.is_not(None))
        .order_by(EVENT.c.position)
        .limit(BATCH)
    )
    while True:
        rows = session.execute(query.where(EVENT.c.position > after)).all()
        if not rows:
            return
        for position, model, version, to_stage in rows:
            yield LoggedMove(int(position), str(model), str(version), str(to_stage))
        after = rows[-1][0]


def version_stages(session: Session) -> list[tuple[str, str, str]]:
    """(model, version, stage) of every registered version."""
    query = select(VERSION.c.model, VERSION.c.version, VERSION.c.stage).order_by(VERSION.c.model, VERSION.c.id)
    return [(str(m), str(v), str(s)) for m, v, s in session.execute(query)]
