"""ORM read queries over the registry (or the cache): models, users, manifests, the log and requests, as plain data.

The cache's version and model reads are regtui.store.model_versions and regtui.store.model_list (plain SQL on a
CacheReader, for the CLI and the TUI alike); their constants are importable from here too."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlmodel import Session

from regtui.domain.entry import Stage
from regtui.domain.manifest import ApprovalRecord, ModelSpec, RequestRecord, UserSpec, VersionManifest
from regtui.domain.roles import Role
from regtui.errors import NotFoundError
from regtui.store.mapping import as_utc, row_to_manifest
from regtui.store.model_list import DRILL as DRILL
from regtui.store.model_list import LIVE_STAGE_SQL as LIVE_STAGE_SQL
from regtui.store.model_list import LIVE_STAGES, sql_literal
from regtui.store.model_list import PRODUCTION as PRODUCTION
from regtui.store.tables import ApprovalRow, ArtifactRow, EventRow, ModelRow, RequestRow, UserRow, VersionRow

SEMVER_ASC = VersionRow.semver_key
"""Oldest semver first: the precedence key (domain.versioning.precedence_key)."""


def inline(value: str) -> ColumnElement[Any]:
    """A string written into the statement, not bound: SQLite uses a partial index only for a query that repeats
    the index's condition with the same literals (and would re-plan on every run for a bound value)."""
    return literal_column(sql_literal(value))


IN_LIVE_STAGE = VersionRow.stage.in_([inline(stage) for stage in LIVE_STAGES])
"""`stage IN ('Production', 'Canary', 'Staging')`, inline: the cache reads live versions through its partial index
(built once: composing an IN expression costs more than the indexed read)."""


def require_model(session: Session, model: str) -> ModelRow:
    """The model's row, or a clear not-found error."""
    row = session.get(ModelRow, model)
    if row is None:
        raise NotFoundError(f"no model named {model!r}")
    return row


def iter_manifests(session: Session, model: str | None = None, batch: int = 500) -> list[VersionManifest]:
    """Every version (of one model, or all) as manifests, in model and semver order."""
    query = select(VersionRow).order_by(VersionRow.model, SEMVER_ASC)
    if model is not None:
        query = query.where(VersionRow.model == model)
    rows = session.execute(query).scalars().all()
    artifacts: dict[int, list[ArtifactRow]] = {}
    ids = [r.id for r in rows]
    for start in range(0, len(ids), batch):
        for artifact in session.execute(
            select(ArtifactRow).where(ArtifactRow.version_id.in_(ids[start : start + batch]))
        ).scalars():
            artifacts.setdefault(artifact.version_id, []).append(artifact)
    return [row_to_manifest(row, artifacts.get(row.id, [])) for row in rows]


def list_users(session: Session) -> list[UserSpec]:
    """Every known identity with roles and teams, by identity."""
    return [
        UserSpec(identity=u.identity, name=u.name, roles=tuple(Role(r) for r in u.roles), teams=tuple(u.teams))
        for u in session.execute(select(UserRow).order_by(UserRow.identity)).scalars()
    ]


def list_model_specs(session: Session) -> list[ModelSpec]:
    """Every model's owner and description, by name."""
    return [
        ModelSpec(name=m.name, owner=m.owner, description=m.description)
        for m in session.execute(select(ModelRow).order_by(ModelRow.name)).scalars()
    ]


def _event_conditions(model: str, actor: str) -> list[ColumnElement[bool]]:
    """Case-insensitive substring filters on the log's model and actor."""
    conditions = []
    if model:
        conditions.append(func.lower(EventRow.model).like(f"%{model.lower()}%"))
    if actor:
        conditions.append(func.lower(EventRow.actor).like(f"%{actor.lower()}%"))
    return conditions


def count_events(session: Session, model: str = "", actor: str = "") -> int:
    """How many promotion-log entries match the model and actor filters."""
    query = select(func.count()).select_from(EventRow).where(*_event_conditions(model, actor))
    return int(session.execute(query).scalar_one())


def list_events(
    session: Session, model: str = "", actor: str = "", offset: int = 0, limit: int = 100
) -> list[EventRow]:
    """A window of the promotion log, newest first, filtered by model and actor."""
    query = (
        select(EventRow)
        .where(*_event_conditions(model, actor))
        .order_by(EventRow.position.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.execute(query).scalars().all())


def event_at(session: Session, position: int) -> EventRow | None:
    """The promotion-log entry at `position`, if the cache holds it."""
    return session.execute(select(EventRow).where(EventRow.position == position)).scalars().first()


def list_request_records(session: Session) -> list[RequestRecord]:
    """Every promotion request with its decisions, by id (for export)."""
    approvals: dict[int, list[ApprovalRecord]] = {}
    for a in session.execute(select(ApprovalRow).order_by(ApprovalRow.id)).scalars():
        approvals.setdefault(a.request_id, []).append(
            ApprovalRecord(
                identity=a.identity,
                decision=a.decision,
                capacity=a.capacity,
                comment=a.comment,
                at=as_utc(a.at),
                artifact_digest=a.artifact_digest,
                evidence_digest=a.evidence_digest,
            )
        )
    return [
        RequestRecord(
            id=r.id,
            model=r.model,
            version=r.version,
            from_stage=Stage(r.from_stage),
            to_stage=Stage(r.to_stage),
            status=r.status,
            requested_by=r.requested_by,
            requested_at=as_utc(r.requested_at),
            reason=r.reason,
            canary_share=r.canary_share,
            evidence=dict(r.evidence or {}),
            closed_by=r.closed_by,
            closed_at=as_utc(r.closed_at) if r.closed_at else None,
            approvals=tuple(approvals.get(r.id, ())),
        )
        for r in session.execute(select(RequestRow).order_by(RequestRow.id)).scalars()
    ]
