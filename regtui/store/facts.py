"""Gathering what the gates and approval rules look at, from any session (registry or cache).

Reads here are Core queries returning plain rows (attribute access like the ORM rows, without the ORM's
identity map and flush work): the write path reads each fact once per transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Row, Text, bindparam, cast, literal_column, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from regtui.domain.approvals import ApprovalFact, Approver, Decision, evidence_digest
from regtui.domain.attestations import ATTEST, AttestationFact
from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Artifact, ProviderPin, Stage, VersionEntry
from regtui.domain.evidence import ARCHIVAL_FOR, reviewed_evidence
from regtui.domain.gates import GateFacts, ProviderPinStatus
from regtui.domain.policy import ModelPolicy
from regtui.domain.roles import Right, Role, refusal
from regtui.errors import ConflictError, NotAllowedError, NotFoundError
from regtui.store.engine import SQLITE_AUTOCOMMIT_OPTION
from regtui.store.mapping import VERSION_DOCUMENTS, VersionDocuments, as_utc, decoded_documents, row_to_entry
from regtui.store.policies import POLICY_SCOPE
from regtui.store.provider_queries import pin_status
from regtui.store.queries import IN_LIVE_STAGE
from regtui.store.tables import ApprovalRow, ArtifactRow, EventRow, ModelRow, PolicyRow, UserRow, VersionRow

MODEL = ModelRow.__table__
VERSION = VersionRow.__table__
ARTIFACT = ArtifactRow.__table__
USER = UserRow.__table__
APPROVAL = ApprovalRow.__table__
EVENT = EventRow.__table__
POLICY = PolicyRow.__table__
PRODUCTION = Stage.PRODUCTION.value
# A literal, not a bound value: SQLite re-plans a statement on every run when a partial index's use hinges on a
# bound value
PRODUCTION_LITERAL = literal_column(f"'{PRODUCTION}'")

Users = Mapping[str, Approver]


class AllUsers(FunctionElement[Any]):
    """Every registry user as [identity, roles, teams] in one JSON array, so the users come along with another row.

    As text: the users seldom change, so their parsed form is kept per distinct text (users_of)."""

    type = Text()
    name = "all_users"
    inherit_cache = True


@compiles(AllUsers, "sqlite")
def _all_users_sqlite(_element: AllUsers, _compiler: SQLCompiler, **_kw: Any) -> str:
    """SQLite's spelling of AllUsers."""
    return f"(SELECT json_group_array(json_array(identity, json(roles), json(teams))) FROM {USER.name})"


@compiles(AllUsers, "postgresql")
def _all_users_postgresql(_element: AllUsers, _compiler: SQLCompiler, **_kw: Any) -> str:
    """PostgreSQL's spelling of AllUsers."""
    return f"(SELECT json_agg(json_build_array(identity, roles, teams))::text FROM {USER.name})"


# Statements built once (bound parameters by name), so each execution skips building the expression.
LAST_EVENT = select(EVENT).order_by(EVENT.c.position.desc()).limit(1)
IN_PRODUCTION = VERSION.alias("in_production")
PRODUCTION_OF_MODEL = select(IN_PRODUCTION.c.id).where(  # correlated with the model row of the outer query
    IN_PRODUCTION.c.model == MODEL.c.name, IN_PRODUCTION.c.stage == PRODUCTION_LITERAL
)
SUBJECT_UNREAD = frozenset({"semver_key", "content_hash", "registered_by", "registered_at", "change_seq"})
"""Version columns no reader of a subject uses (each column costs every artifact row its conversion)."""
# The version's columns that are read, its JSON ones as text: decoded once per subject (subject_of), not once per
# artifact row
VERSION_WITH_TEXT_DOCUMENTS = tuple(
    cast(column, Text).label(column.name) if column.name in VERSION_DOCUMENTS else column
    for column in VERSION.c
    if column.name not in SUBJECT_UNREAD
)
SUBJECT_QUERY = (  # one row per artifact of the version (artifact columns NULL when it has none)
    select(
        *VERSION_WITH_TEXT_DOCUMENTS,
        MODEL.c.owner.label("model_owner"),
        ARTIFACT.c.name,
        ARTIFACT.c.uri,
        ARTIFACT.c.sha256,
        ARTIFACT.c.size,
        ARTIFACT.c.position,
        ARTIFACT.c.object_version,
        ARTIFACT.c.etag,
        PRODUCTION_OF_MODEL.scalar_subquery().label("production_id"),
        PRODUCTION_OF_MODEL.with_only_columns(IN_PRODUCTION.c.version).scalar_subquery().label("production_version"),
        select(POLICY.c.document).where(POLICY.c.scope == POLICY_SCOPE).scalar_subquery().label("policy_document"),
        LAST_EVENT.with_only_columns(EVENT.c.position).scalar_subquery().label("tail_position"),
        LAST_EVENT.with_only_columns(EVENT.c.hash).scalar_subquery().label("tail_hash"),
        AllUsers().label("users"),
    )
    .join_from(MODEL, VERSION, VERSION.c.model == MODEL.c.name)
    .outerjoin(ARTIFACT, ARTIFACT.c.version_id == VERSION.c.id)
    .where(MODEL.c.name == bindparam("model"), VERSION.c.version == bindparam("version"))
    .order_by(ARTIFACT.c.position)
)
SUBJECT_LOCKED = SUBJECT_QUERY.with_for_update(of=MODEL)
VERSION_ARTIFACTS_QUERY = (
    select(
        ARTIFACT.c.name, ARTIFACT.c.uri, ARTIFACT.c.sha256, ARTIFACT.c.size, ARTIFACT.c.object_version, ARTIFACT.c.etag
    )
    .join_from(ARTIFACT, VERSION, ARTIFACT.c.version_id == VERSION.c.id)
    .where(VERSION.c.model == bindparam("model"), VERSION.c.version == bindparam("version"))
    .order_by(ARTIFACT.c.position)
)
VERSION_ID_QUERY = select(VERSION.c.id).where(
    VERSION.c.model == bindparam("model"), VERSION.c.version == bindparam("version")
)
APPROVALS_QUERY = select(APPROVAL).where(APPROVAL.c.request_id == bindparam("request_id")).order_by(APPROVAL.c.id)
ATTESTATIONS_QUERY = (  # `kind` inline: the cache reads these through its partial index of attestations
    select(EVENT.c.actor, EVENT.c.at, EVENT.c.details)
    .where(
        EVENT.c.model == bindparam("model"),
        EVENT.c.version == bindparam("version"),
        EVENT.c.kind == literal_column(f"'{ATTEST}'"),
    )
    .order_by(EVENT.c.position)
)


@dataclass(frozen=True)
class Production:
    """The model's version in Production: its row id and version."""

    id: int
    version: str


@dataclass(frozen=True)
class Subject:
    """A version with its artifacts, its model's owner and Production row, the policy, the users and the log's tail.

    All of it is one query. Read after the change counter is taken, `tail` (last position and hash) is where
    this transaction's log entries go. The row holds the version's JSON columns as text; `documents` has them
    decoded."""

    row: Row[Any]
    owner: str
    production: Production | None
    artifacts: tuple[Row[Any], ...]
    policy_document: str | None
    tail: tuple[int, str] | None
    users: Users
    documents: VersionDocuments

    @property
    def entry(self) -> VersionEntry:
        """The registered entry of the version."""
        return row_to_entry(self.row, self.artifacts, self.documents)

    @property
    def outgoing(self) -> Production | None:
        """The Production version a promotion of this version would replace."""
        return self.production if self.production is not None and self.production.id != self.row.id else None


def load_subject(session: Session, model: str, version: str, *, lock: bool = False) -> Subject:
    """The version, its model's owner and Production row (locking the model row when writing), or not-found."""
    query = SUBJECT_LOCKED if lock else SUBJECT_QUERY
    connection = session.connection()
    return subject_of(connection, connection.execute(query, {"model": model, "version": version}).all(), model, version)


def subject_of(connection: Connection, rows: Sequence[Any], model: str, version: str) -> Subject:
    """The subject the rows of SUBJECT_QUERY (or SUBJECT_LOCKED) describe, or not-found when there are none."""
    if not rows:
        raise _not_found(connection, model, version)
    row = rows[0]
    production = Production(row.production_id, row.production_version) if row.production_id is not None else None
    artifacts = tuple(r for r in rows if r.name is not None)
    tail = (row.tail_position, row.tail_hash) if row.tail_position is not None else None
    users, documents = users_of(row.users), decoded_documents(row)
    return Subject(row, row.model_owner, production, artifacts, row.policy_document, tail, users, documents)


def _not_found(connection: Connection, model: str, version: str) -> NotFoundError:
    """The not-found error naming what is missing: the model, or only the version."""
    known = connection.execute(select(MODEL.c.name).where(MODEL.c.name == model)).first() is not None
    return NotFoundError(f"{model} has no version {version}" if known else f"no model named {model!r}")


def require_version(session: Session, model: str, version: str) -> Row[Any]:
    """The version's row, or a clear not-found error."""
    return load_subject(session, model, version).row


def single_read(connection: Connection) -> Connection:
    """A connection for one read in autocommit, sparing BEGIN and ROLLBACK (SQLite: engine.py sends no BEGIN)."""
    if connection.dialect.name == "sqlite":
        return connection.execution_options(**{SQLITE_AUTOCOMMIT_OPTION: True})
    return connection.execution_options(isolation_level="AUTOCOMMIT")


@contextmanager
def reads_before_transaction(connection: Connection) -> Iterator[Connection]:
    """The connection for reads before its transaction begins (as single_read), then ready to begin one."""
    try:
        yield single_read(connection)
    finally:
        if connection.in_transaction():  # SQLAlchemy's record of the reads' transaction (autocommit: none to end)
            connection.rollback()
        if connection.dialect.name == "sqlite":
            connection.execution_options(**{SQLITE_AUTOCOMMIT_OPTION: False})
        else:
            connection.execution_options(isolation_level=connection.default_isolation_level)


def version_artifacts(connection: Connection, model: str, version: str) -> tuple[Artifact, ...]:
    """A version's recorded artifacts in manifest order, in one query (NotFoundError when there is no such version)."""
    key = {"model": model, "version": version}
    rows = connection.execute(VERSION_ARTIFACTS_QUERY, key).all()
    if not rows and connection.execute(VERSION_ID_QUERY, key).first() is None:
        raise _not_found(connection, model, version)
    return tuple(Artifact(*row) for row in rows)


STAGE_VERSIONS_QUERY = (
    select(VERSION.c.version)
    .where(VERSION.c.model == bindparam("model"), VERSION.c.stage == bindparam("stage"))
    .order_by(VERSION.c.semver_key)
)
VERSION_STAGE_QUERY = select(VERSION.c.stage).where(
    VERSION.c.model == bindparam("model"), VERSION.c.version == bindparam("version")
)


def versions_in_stage(connection: Connection, model: str, stage: Stage) -> list[str]:
    """The versions of a model now in a stage, lowest first."""
    return list(connection.execute(STAGE_VERSIONS_QUERY, {"model": model, "stage": stage.value}).scalars())


def stage_of(connection: Connection, model: str, version: str) -> Stage:
    """The stage a version is in now (NotFoundError when there is no such version)."""
    stage = connection.execute(VERSION_STAGE_QUERY, {"model": model, "version": version}).scalar()
    if stage is None:
        raise _not_found(connection, model, version)
    return Stage(stage)


def entry_of(session: Session, row: Any) -> VersionEntry:
    """The registered entry of a version row."""
    return load_subject(session, row.model, row.version).entry


def check_seen_stage(row: Any, expected: Stage | None) -> None:
    """Refuse when the version left the stage the caller saw, saying who moved it and when."""
    if expected is None or Stage(row.stage) is expected:
        return
    when = as_utc(row.stage_changed_at).strftime("%Y-%m-%d %H:%M UTC")
    raise ConflictError(
        f"{row.model}@{row.version} moved to {row.stage} by {row.stage_changed_by} at {when} "
        f"while you looked (you saw {expected}); nothing was changed — refresh and retry"
    )


def production_row(session: Session, model: str) -> Row[Any] | None:
    """The model's current Production version, if any (on the cache: through its partial index of live versions)."""
    return (
        session.connection()
        .execute(select(VERSION).where(VERSION.c.model == model, VERSION.c.stage == PRODUCTION_LITERAL, IN_LIVE_STAGE))
        .first()
    )


@lru_cache(maxsize=8)
def users_of(document: str | None) -> Users:
    """Every known identity with its roles and teams, from AllUsers' JSON text (read-only: shared between calls)."""
    triples: list[tuple[str, list[str] | None, list[str] | None]] = json.loads(document) if document else []
    return MappingProxyType(
        {
            identity: Approver(identity, frozenset(Role(r) for r in roles or ()), frozenset(teams or ()))
            for identity, roles, teams in triples
        }
    )


def owner_members(users: Users, owner: str) -> frozenset[str]:
    """Identities that own a model: the owner person, or members of the owning team."""
    return frozenset(identity for identity, user in users.items() if identity == owner or owner in user.teams)


def approver_of(session: Session, identity: str) -> Approver:
    """An identity with its current roles and teams."""
    row = session.connection().execute(select(USER.c.roles, USER.c.teams).where(USER.c.identity == identity)).first()
    if row is None:
        return Approver(identity)
    return Approver(identity, frozenset(Role(r) for r in row.roles or ()), frozenset(row.teams or ()))


def user_of(users: Users, identity: str) -> Approver:
    """An identity with its roles and teams (none when it is no registry user)."""
    return users.get(identity) or Approver(identity)


def require_right(users: Users, identity: str, right: Right, action: str) -> None:
    """Refuse an action the identity's roles do not allow, naming the roles that would (the domain's refusal)."""
    reason = refusal(identity, user_of(users, identity).roles, right, action)
    if reason is not None:
        raise NotAllowedError(reason)


def approval_facts(connection: Connection, request_id: int, users: Users) -> tuple[ApprovalFact, ...]:
    """The decisions recorded on a request, each with the decider's current roles and teams."""
    return facts_of_approvals(connection.execute(APPROVALS_QUERY, {"request_id": request_id}), users)


def attestation_facts(connection: Connection, model: str, version: str, users: Users) -> tuple[AttestationFact, ...]:
    """The attestations the log records for a version, in log order, each with the attester's current roles."""
    rows = connection.execute(ATTESTATIONS_QUERY, {"model": model, "version": version})
    return tuple(
        AttestationFact(
            identity=row.actor,
            subject=str((row.details or {}).get("subject", "")),
            comment=str((row.details or {}).get("comment", "")),
            at=as_utc(row.at),
            roles=user_of(users, row.actor).roles,
        )
        for row in rows
    )


def facts_of_approvals(rows: Iterable[Any], users: Users) -> tuple[ApprovalFact, ...]:
    """Approval rows (columns as in the approval table) as facts carrying the deciders' current roles and teams."""
    return tuple(_approval_fact(row, user_of(users, row.identity)) for row in rows)


def _approval_fact(row: Any, who: Approver) -> ApprovalFact:
    """One recorded decision with its decider's roles and teams."""
    return ApprovalFact(
        identity=row.identity,
        decision=Decision(row.decision),
        capacity=row.capacity,
        comment=row.comment,
        at=as_utc(row.at),
        artifact_digest=row.artifact_digest,
        evidence_digest=row.evidence_digest,
        roles=who.roles,
        teams=who.teams,
    )


def subject_facts(
    connection: Connection,
    request: Any,
    subject: Subject,
    policy: ModelPolicy,
    users: Users,
    *,
    now: datetime,
    verification: tuple[VerifyResult, ...] | None = None,
    approvals: tuple[ApprovalFact, ...] | None = None,
) -> GateFacts:
    """Everything the gate of a request looks at, from what the transaction already read (approvals: read already).

    A Core connection, so the write path needs no ORM session; the provider pin's status (ORM reads) gets one
    bound to the same connection, in its transaction."""
    evidence: Mapping[str, Any] = request.evidence or {}
    to_stage = Stage(request.to_stage)
    outgoing = subject.outgoing if to_stage is Stage.PRODUCTION else None
    entry = subject.entry
    if approvals is None:
        approvals = approval_facts(connection, request.id, users) if request.id is not None else ()
    canary = to_stage is Stage.CANARY
    return GateFacts(
        entry=entry,
        policy=policy,
        requester=request.requested_by,
        owner=subject.owner,
        now=now,
        owner_members=owner_members(users, subject.owner),
        approvals=approvals,
        evidence_digest=evidence_digest(reviewed_evidence(evidence)),
        review_evidence=evidence.get("review"),
        canary_results=evidence.get("canary_results"),
        verification=verification,
        outgoing_version=outgoing.version if outgoing is not None else None,
        archival_done=archival_done(evidence, outgoing),
        provider_status=_pin_status(connection, entry.provider) if entry.provider is not None else None,
        attestations=attestation_facts(connection, entry.model, entry.version, users) if canary else (),
        request_reason=str(getattr(request, "reason", "") or ""),
    )


def _pin_status(connection: Connection, pin: ProviderPin) -> ProviderPinStatus:
    """A provider pin's status, read through a session joined to the connection's transaction."""
    with Session(bind=connection) as session:
        return pin_status(session, pin)


def gate_facts(
    session: Session,
    request: Any,
    row: Any,
    policy: ModelPolicy,
    *,
    now: datetime,
    verification: tuple[VerifyResult, ...] | None = None,
) -> GateFacts:
    """Everything the gate of a request on a version row looks at, as of now."""
    subject = load_subject(session, row.model, row.version)
    return subject_facts(
        session.connection(), request, subject, policy, subject.users, now=now, verification=verification
    )


def archival_done(evidence: Mapping[str, Any], outgoing: Any | None) -> tuple[str, ...]:
    """Checklist items ticked for the version being replaced now (a list ticked for another one does not count)."""
    if outgoing is None or evidence.get(ARCHIVAL_FOR) != outgoing.version:
        return ()
    return tuple(evidence.get("archival_checklist") or ())


def was_in_production(session: Session, model: str, version: str) -> bool:
    """Whether the promotion log shows the version entering Production (by promotion or rollback)."""
    return (
        session.execute(
            select(EventRow.id)
            .where(EventRow.model == model, EventRow.version == version, EventRow.to_stage == PRODUCTION_LITERAL)
            .limit(1)
        ).first()
        is not None
    )
