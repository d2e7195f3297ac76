"""SQLModel tables of the third-party provider registry: feeds, provider versions, qualification checks.

Like every registry table each row carries `change_seq`; qualification checks are append-only.
API keys are never stored: a feed names the environment variable that holds its key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKeyConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from regtui.store.tables import _json_column, _seq_column, _utc_column


class ProviderFeedRow(SQLModel, table=True):
    """A provider's changelog feed: URL, format, key variable name, conditional-request validators."""

    __tablename__ = "provider_feed"

    provider: str = Field(primary_key=True, max_length=100)
    url: str
    format: str = Field(max_length=20)
    api_key_env: str | None = Field(default=None, max_length=128)
    aliases: list[str] = _json_column()
    include: list[str] = _json_column()
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = _utc_column(nullable=True)
    updated_by: str
    updated_at: datetime = _utc_column()
    change_seq: int = _seq_column()


class ProviderVersionRow(SQLModel, table=True):
    """A provider model version: family, change date, impact, notes and deprecation notice."""

    __tablename__ = "provider_version"
    __table_args__ = (UniqueConstraint("provider", "version", name="uq_provider_version"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=100, index=True)
    version: str = Field(max_length=200)
    model: str = Field(max_length=200)
    released_at: datetime | None = _utc_column(nullable=True)
    impact: str = ""
    notes: str = ""
    alias_of: str | None = Field(default=None, max_length=200)
    deprecated_at: datetime | None = _utc_column(nullable=True)
    retires_at: datetime | None = _utc_column(nullable=True)
    deprecation_note: str = ""
    first_seen_at: datetime = _utc_column()
    recorded_by: str
    change_seq: int = _seq_column()


class QualificationRow(SQLModel, table=True):
    """One qualification check result with its evidence (append-only; the latest per check counts)."""

    __tablename__ = "qualification_check"
    __table_args__ = (
        ForeignKeyConstraint(
            ["provider", "version"],
            ["provider_version.provider", "provider_version.version"],
            name="fk_check_provider_version",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=100, index=True)
    version: str = Field(max_length=200)
    check_name: str = Field(max_length=20)
    passed: bool
    evidence_kind: str = Field(max_length=10)
    evidence: str
    evidence_sha256: str | None = Field(default=None, max_length=64)
    evidence_size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    recorded_by: str
    recorded_at: datetime = _utc_column()
    change_seq: int = _seq_column()
