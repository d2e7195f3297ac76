"""Third-party provider model versions: qualification, aliases, retirement countdowns and pin status.

- Qualification has four checks (regression tests, safety evaluation, cost/latency assessment, API
  compatibility). The latest record of each check counts (records are append-only; a re-run supersedes
  an earlier result). Status: qualified when all four latest records pass, rejected when any fails,
  under evaluation when some but not all are recorded, unqualified when none is.
- A version id is an alias (a moving name, never an exact version) when the feed marks it as one
  (alias_of), when the provider's configuration lists it, when it is "latest" or ends in "-latest", or
  when it is a bare family name (no date suffix) while dated versions of that family are known.
- A pin to a version the registry does not know is not qualified.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from regtui.domain.entry import ProviderPin
from regtui.domain.gates import ProviderPinStatus
from regtui.errors import InputError

DATE_SUFFIX = re.compile(r"^(?P<family>.+?)-(?P<date>\d{4}-\d{2}-\d{2}|\d{8})$")
LATEST = "latest"
ENV_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class Qualification(StrEnum):
    """Qualification status of a provider model version."""

    UNQUALIFIED = "unqualified"
    UNDER_EVALUATION = "under evaluation"
    QUALIFIED = "qualified"
    REJECTED = "rejected"


class CheckName(StrEnum):
    """The four qualification checks."""

    REGRESSION = "regression"
    SAFETY = "safety"
    COST_LATENCY = "cost-latency"
    API_COMPAT = "api-compat"

    @property
    def label(self) -> str:
        """The check's name in the governance standard's words."""
        return _CHECK_LABELS[self]


_CHECK_LABELS: dict[CheckName, str] = {
    CheckName.REGRESSION: "regression tests",
    CheckName.SAFETY: "safety evaluation",
    CheckName.COST_LATENCY: "cost/latency assessment",
    CheckName.API_COMPAT: "API compatibility",
}


class EvidenceKind(StrEnum):
    """What a check's evidence is: a file (hashed), a link, or a note."""

    FILE = "file"
    LINK = "link"
    NOTE = "note"


class FeedFormat(StrEnum):
    """Changelog feed formats regtui reads."""

    REGTUI = "regtui"
    OPENAI = "openai"
    ANTHROPIC = "anthropic"


@dataclass(frozen=True)
class Evidence:
    """The evidence of one check: its kind, the path/URL/text, and a file's SHA-256 and size."""

    kind: EvidenceKind
    value: str
    sha256: str | None = None
    size: int | None = None

    def describe(self) -> str:
        """One line: 'file /x/report.html (sha256 3f5a…)', 'link https://…', 'note …'."""
        digest = f" (sha256 {self.sha256[:12]})" if self.sha256 else ""
        return f"{self.kind.value} {self.value}{digest}"


@dataclass(frozen=True)
class QualificationCheck:
    """One recorded check result for a provider version, with who recorded it and when."""

    provider: str
    version: str
    check: CheckName
    passed: bool
    evidence: Evidence
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class FeedConfig:
    """Where and how a provider's changelog feed is fetched; api_key_env names a variable, never a key."""

    provider: str
    url: str
    format: FeedFormat
    api_key_env: str | None = None
    aliases: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class ProviderVersion:
    """A provider model version as the registry records it (status and alias are derived)."""

    provider: str
    model: str
    version: str
    released_at: datetime | None
    impact: str = ""
    notes: str = ""
    alias_of: str | None = None
    deprecated_at: datetime | None = None
    retires_at: datetime | None = None
    deprecation_note: str = ""
    first_seen_at: datetime | None = None
    recorded_by: str = ""
    checks: tuple[QualificationCheck, ...] = ()
    alias: bool = False

    @property
    def status(self) -> Qualification:
        """The qualification status its recorded checks give."""
        return qualification_status(self.checks)

    @property
    def deprecated(self) -> bool:
        """Whether a deprecation notice applies."""
        return self.deprecated_at is not None or self.retires_at is not None

    def retired(self, now: datetime) -> bool:
        """Whether its retirement date has passed."""
        return self.retires_at is not None and self.retires_at <= now


def latest_checks(checks: Iterable[QualificationCheck]) -> dict[CheckName, QualificationCheck]:
    """The latest record of each check (later records supersede earlier ones; ties keep input order)."""
    latest: dict[CheckName, QualificationCheck] = {}
    for record in checks:
        current = latest.get(record.check)
        if current is None or record.recorded_at >= current.recorded_at:
            latest[record.check] = record
    return latest


def qualification_status(checks: Iterable[QualificationCheck]) -> Qualification:
    """Qualified when all four checks pass, rejected when any fails, under evaluation when some are recorded."""
    latest = latest_checks(checks)
    if any(not record.passed for record in latest.values()):
        return Qualification.REJECTED
    if len(latest) == len(CheckName):
        return Qualification.QUALIFIED
    return Qualification.UNDER_EVALUATION if latest else Qualification.UNQUALIFIED


def family_of(version_id: str) -> str:
    """The model family of a version id: the id without a date suffix (-2024-08-06 or -20241022)."""
    match = DATE_SUFFIX.match(version_id)
    return match.group("family") if match else version_id


def is_dated(version_id: str) -> bool:
    """Whether a version id ends in a release date, the mark of an exact snapshot."""
    return DATE_SUFFIX.match(version_id) is not None


def is_alias(
    version_id: str, *, alias_of: str | None = None, configured: Iterable[str] = (), known_ids: Iterable[str] = ()
) -> bool:
    """Whether a version id names a moving alias rather than an exact version (rules in the module doc)."""
    return _is_alias(version_id, alias_of, frozenset(configured), dated_families(known_ids))


def dated_families(ids: Iterable[str]) -> frozenset[str]:
    """The families that have dated versions among the ids."""
    return frozenset(family_of(i) for i in ids if is_dated(i))


def _is_alias(version_id: str, alias_of: str | None, configured: frozenset[str], families: frozenset[str]) -> bool:
    """is_alias with the configured names and the dated families computed once."""
    if alias_of or version_id in configured:
        return True
    if version_id == LATEST or version_id.endswith(f"-{LATEST}"):
        return True
    return not is_dated(version_id) and version_id in families


def with_aliases(versions: Sequence[ProviderVersion], configured: Iterable[str] = ()) -> list[ProviderVersion]:
    """The same versions with `alias` derived from the feed marks, the configured list and each other."""
    names, families = frozenset(configured), dated_families(v.version for v in versions)
    return [replace(v, alias=_is_alias(v.version, v.alias_of, names, families)) for v in versions]


def provider_pin_status(pin: ProviderPin, known_versions: Sequence[ProviderVersion]) -> ProviderPinStatus:
    """What the gates need about a pin: alias, qualified, retirement date (a version not known is not qualified).

    `known_versions` carry their derived alias flags (see with_aliases).
    """
    mine = [v for v in known_versions if v.provider == pin.provider]
    match = next((v for v in mine if v.version == pin.version), None)
    if match is None:
        return ProviderPinStatus(alias=is_alias(pin.version, known_ids=[v.version for v in mine]), qualified=False)
    return ProviderPinStatus(
        alias=match.alias,
        qualified=match.status is Qualification.QUALIFIED and not match.alias,
        retires_at=match.retires_at,
    )


def days_left(retires_at: datetime | None, now: datetime) -> int | None:
    """Whole days until retirement (0 on the day, negative once past); None without a date."""
    if retires_at is None:
        return None
    return math.floor((retires_at - now).total_seconds() / 86400)


def parse_moment(text: str, where: str) -> datetime:
    """An ISO 8601 date or date-time as aware UTC (a date is midnight UTC, a naive time is UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: {text[:40]!r} is not an ISO 8601 date") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def check_env_var_name(name: str) -> str:
    """Refuse anything but an environment variable NAME (a key pasted by mistake must not be stored)."""
    if not ENV_VAR_NAME.match(name):
        raise InputError("must be the NAME of an environment variable (letters, digits, _), not a key")
    return name
