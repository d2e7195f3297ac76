"""SQLModel tables of the shared registry; the local cache mirrors them row for row.

Every row carries `change_seq`, the value of the registry's change counter taken by the transaction
that last wrote it, so the cache can pull exactly the rows above the counter it last saw. Rows are
never deleted: versions are immutable, events only grow, users and requests change in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

SEMVER_KEY_LENGTH = 400
"""Room for the precedence key of any version of up to 100 characters (domain.versioning.precedence_key)."""


def _utc_column(nullable: bool = False) -> Any:
    """A timezone-aware timestamp column (UTC on the way in; the cache normalises naive values)."""
    return Field(sa_column=Column(DateTime(timezone=True), nullable=nullable))


def _json_column(nullable: bool = False) -> Any:
    """A JSON column that works on SQLite and PostgreSQL alike."""
    return Field(sa_column=Column(JSON, nullable=nullable))


def _semver_key_column() -> Any:
    """The version's precedence key, compared byte by byte on both backends (PostgreSQL: the "C" collation)."""
    key_type = String(SEMVER_KEY_LENGTH).with_variant(String(SEMVER_KEY_LENGTH, collation="C"), "postgresql")
    return Field(sa_column=Column(key_type, nullable=False))


def _seq_column() -> Any:
    """The change counter value that last wrote this row (indexed: pulls filter on it)."""
    return Field(sa_column=Column(BigInteger, nullable=False, index=True))


class SchemaMeta(SQLModel, table=True):
    """Key/value facts about the database: schema version; in a cache, its sync state."""

    __tablename__ = "regtui_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class ChangeCounter(SQLModel, table=True):
    """The single-row change counter every writer increments first, so writers serialize on it."""

    __tablename__ = "change_counter"

    id: int = Field(primary_key=True)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


class ModelRow(SQLModel, table=True):
    """A model: its unique name, owner and description."""

    __tablename__ = "model"

    name: str = Field(primary_key=True, max_length=100)
    owner: str
    description: str = ""
    change_seq: int = _seq_column()


class VersionRow(SQLModel, table=True):
    """One registered version: immutable registered fields plus its current stage."""

    __tablename__ = "model_version"
    __table_args__ = (
        UniqueConstraint("model", "version", name="uq_model_version"),
        Index(
            "uq_one_production",
            "model",
            unique=True,
            sqlite_where=text("stage = 'Production'"),
            postgresql_where=text("stage = 'Production'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    model: str = Field(foreign_key="model.name", max_length=100)
    version: str = Field(max_length=100)
    semver_key: str = _semver_key_column()
    """SemVer precedence as text (domain.versioning.precedence_key): every version list orders by it."""
    change_kind: str
    parent: str | None = None
    framework: str
    training_data: str
    owner: str
    created_at: datetime = _utc_column()
    description: str = ""
    hyperparameters: dict[str, Any] = _json_column()
    metrics: dict[str, Any] = _json_column()
    model_card: dict[str, Any] = _json_column()
    provider: dict[str, Any] | None = _json_column(nullable=True)
    content_hash: str = Field(max_length=64)
    registered_by: str
    registered_at: datetime = _utc_column()
    stage: str = Field(index=True)
    canary_share: float | None = None
    stage_changed_at: datetime = _utc_column()
    stage_changed_by: str
    change_seq: int = _seq_column()
    source: dict[str, Any] | None = _json_column(nullable=True)
    """Provenance (domain.provenance.Source), schema 5; last, so an upgraded registry has a new one's column order."""
    tags: dict[str, Any] | None = _json_column(nullable=True)


# The order of version listings (by model, newest semver first), so a window of rows at any offset walks this
# index instead of sorting every version (a mixed ASC/DESC order), and a model's newest version is one probe.
Index(
    "ix_version_listing",
    VersionRow.__table__.c.model,
    VersionRow.__table__.c.semver_key.desc(),
    VersionRow.__table__.c.version,
)


class ArtifactRow(SQLModel, table=True):
    """An artifact of a version: URI, SHA-256 and size recorded at registration (immutable), and in an object store
    the object version and ETag read then (schema 5: last, so created and upgraded tables have one column order)."""

    __tablename__ = "artifact"
    __table_args__ = (UniqueConstraint("version_id", "name", name="uq_artifact_name"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="model_version.id", index=True)
    name: str
    uri: str
    sha256: str = Field(max_length=64)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    position: int = 0
    change_seq: int = _seq_column()
    object_version: str = Field(default="", sa_column_kwargs={"server_default": ""})
    etag: str = Field(default="", sa_column_kwargs={"server_default": ""})


class UserRow(SQLModel, table=True):
    """A person known to the registry, with roles and teams (lists, so revocation is an update)."""

    __tablename__ = "registry_user"

    identity: str = Field(primary_key=True, max_length=100)
    name: str = ""
    roles: list[str] = _json_column()
    teams: list[str] = _json_column()
    change_seq: int = _seq_column()


class EventRow(SQLModel, table=True):
    """One entry of the append-only, hash-chained promotion log."""

    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    position: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    kind: str = Field(index=True)
    model: str | None = Field(default=None, index=True)
    version: str | None = None
    actor: str = Field(index=True)
    at: datetime = _utc_column()
    from_stage: str | None = None
    to_stage: str | None = None
    details: dict[str, Any] = _json_column()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    change_seq: int = _seq_column()


class RequestRow(SQLModel, table=True):
    """A promotion request: a version asked to move to a stage, open until applied or closed."""

    __tablename__ = "promotion_request"
    __table_args__ = (Index("ix_request_open", "status", "model"),)

    id: int | None = Field(default=None, primary_key=True)
    model: str = Field(foreign_key="model.name", max_length=100)
    version: str = Field(max_length=100)
    from_stage: str
    to_stage: str
    status: str
    requested_by: str
    requested_at: datetime = _utc_column()
    reason: str = ""
    canary_share: float | None = None
    evidence: dict[str, Any] = _json_column()
    closed_by: str | None = None
    closed_at: datetime | None = _utc_column(nullable=True)
    change_seq: int = _seq_column()


class ApprovalRow(SQLModel, table=True):
    """One approval or rejection of a request, bound to the artifact digests and evidence it saw."""

    __tablename__ = "approval"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="promotion_request.id", index=True)
    identity: str
    decision: str
    capacity: str
    comment: str = ""
    at: datetime = _utc_column()
    artifact_digest: str = Field(max_length=64)
    evidence_digest: str = Field(max_length=64)
    change_seq: int = _seq_column()


class PolicyRow(SQLModel, table=True):
    """The governance policy as validated YAML: scope 'global', or a model name for its override."""

    __tablename__ = "policy"

    scope: str = Field(primary_key=True, max_length=100)
    document: str
    updated_by: str
    updated_at: datetime = _utc_column()
    change_seq: int = _seq_column()
