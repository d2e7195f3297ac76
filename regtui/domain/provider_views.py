"""What the provider screens and commands show: change log lines, qualification cells, pins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regtui.domain.entry import ProviderPin, Stage
from regtui.domain.gates import ProviderPinStatus
from regtui.domain.providers import CheckName, Qualification, QualificationCheck


@dataclass(frozen=True)
class ChangelogEntry:
    """One line of the standard's change log: provider model, version, change date, impact, status."""

    provider: str
    model: str
    version: str
    changed_at: datetime | None
    impact: str
    status: Qualification
    alias: bool
    deprecated_at: datetime | None
    retires_at: datetime | None
    notes: str


@dataclass(frozen=True)
class MatrixCell:
    """One check of a version's qualification matrix: its latest record (None while not recorded)."""

    check: CheckName
    latest: QualificationCheck | None
    history: tuple[QualificationCheck, ...]


@dataclass(frozen=True)
class PinView:
    """An in-house version and the provider version it pins, with what the gates would say about it."""

    model: str
    version: str
    stage: Stage
    pin: ProviderPin
    status: ProviderPinStatus
    qualification: Qualification | None
    retires_at: datetime | None
    days_left: int | None
    deprecated: bool
    deprecation_note: str = ""


@dataclass(frozen=True)
class DeprecatedPin:
    """A Production version whose pinned provider version has a deprecation notice."""

    model: str
    version: str
    provider: str
    provider_version: str
    retires_at: datetime | None
    days_left: int | None
    note: str
