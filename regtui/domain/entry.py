"""The registry entry: one registered model version and everything the standard says it carries."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from regtui.domain.provenance import Source

MODEL_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class Stage(StrEnum):
    """Promotion stages, in lifecycle order."""

    DEVELOPMENT = "Development"
    STAGING = "Staging"
    CANARY = "Canary"
    PRODUCTION = "Production"
    ARCHIVED = "Archived"


class Bump(StrEnum):
    """Which semver component a change increments."""

    MAJOR = "major"
    MINOR = "minor"
    PATCH = "patch"


class ChangeKind(StrEnum):
    """Why a version exists; each kind implies the semver component it must bump."""

    INITIAL = "initial"
    ARCHITECTURE = "architecture"
    MODEL_TYPE = "model-type"
    APPROACH = "approach"
    RETRAINING = "retraining"
    HYPERPARAMETERS = "hyperparameters"
    PROMPT = "prompt"
    CONFIGURATION = "configuration"
    THRESHOLD = "threshold"
    DEPENDENCY = "dependency"

    @property
    def bump(self) -> Bump | None:
        """The semver component this kind of change increments (None for an initial version)."""
        return _BUMP_OF_KIND.get(self)


_BUMP_OF_KIND: dict[ChangeKind, Bump] = {
    ChangeKind.ARCHITECTURE: Bump.MAJOR,
    ChangeKind.MODEL_TYPE: Bump.MAJOR,
    ChangeKind.APPROACH: Bump.MAJOR,
    ChangeKind.RETRAINING: Bump.MINOR,
    ChangeKind.HYPERPARAMETERS: Bump.MINOR,
    ChangeKind.PROMPT: Bump.MINOR,
    ChangeKind.CONFIGURATION: Bump.PATCH,
    ChangeKind.THRESHOLD: Bump.PATCH,
    ChangeKind.DEPENDENCY: Bump.PATCH,
}

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class Metrics:
    """Evaluation metrics: overall values and the same metrics per named segment."""

    overall: Mapping[str, float] = field(default_factory=dict)
    segments: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain, key-sorted form for manifests, storage and hashing."""
        return {
            "overall": dict(sorted(self.overall.items())),
            "segments": {s: dict(sorted(m.items())) for s, m in sorted(self.segments.items())},
        }


@dataclass(frozen=True)
class FairnessAssessment:
    """Model-card fairness section: the summary and who attested it."""

    summary: str = ""
    attested_by: str | None = None
    attested_at: datetime | None = None


@dataclass(frozen=True)
class TrainingDataSummary:
    """Model-card training-data section: source, size and date range."""

    source: str = ""
    size: str = ""
    date_range: str = ""


@dataclass(frozen=True)
class Responsible:
    """Model-card ownership section: the responsible team and the escalation contact."""

    team: str = ""
    escalation_contact: str = ""


@dataclass(frozen=True)
class ModelCard:
    """The six sections of a model card required by the standard."""

    intended_use: str = ""
    limitations: str = ""
    evaluation: str = ""
    fairness: FairnessAssessment = field(default_factory=FairnessAssessment)
    training_data: TrainingDataSummary = field(default_factory=TrainingDataSummary)
    responsible: Responsible = field(default_factory=Responsible)

    def missing_sections(self) -> list[str]:
        """Names of sections that are empty or only whitespace, for the model-card completeness check."""
        checks = {
            "intended_use": (self.intended_use,),
            "limitations": (self.limitations,),
            "evaluation": (self.evaluation,),
            "fairness": (self.fairness.summary,),
            "training_data": (self.training_data.source,),
            "responsible": (self.responsible.team, self.responsible.escalation_contact),
        }
        return [name for name, values in checks.items() if not all(value.strip() for value in values)]


UNSTATED_SIZE = -1
"""The size of an artifact whose manifest does not state one (register measures it)."""


@dataclass(frozen=True)
class Artifact:
    """A file that belongs to a version, referenced by URI with its recorded SHA-256 and size, and, in an object
    store, the object version and ETag read at registration (empty elsewhere, and for a bucket without versioning)."""

    name: str
    uri: str
    sha256: str
    size: int
    object_version: str = ""
    etag: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain form; the pin fields only when set, so an artifact without them hashes as before they existed."""
        plain: dict[str, Any] = {"name": self.name, "uri": self.uri, "sha256": self.sha256, "size": self.size}
        if self.object_version:
            plain["object_version"] = self.object_version
        if self.etag:
            plain["etag"] = self.etag
        return plain

    @property
    def recorded(self) -> bool:
        """Whether both the SHA-256 and the size are known (a manifest for `register` may leave them out)."""
        return bool(self.sha256) and self.size >= 0


@dataclass(frozen=True)
class ProviderPin:
    """The exact third-party provider model version an in-house version depends on."""

    provider: str
    model: str
    version: str


@dataclass(frozen=True)
class VersionEntry:
    """One registered model version: the immutable fields of the standard's registry entry."""

    model: str
    version: str
    change_kind: ChangeKind
    framework: str
    training_data: str
    owner: str
    created_at: datetime
    parent: str | None = None
    description: str = ""
    hyperparameters: Mapping[str, Any] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    model_card: ModelCard = field(default_factory=ModelCard)
    artifacts: tuple[Artifact, ...] = ()
    provider: ProviderPin | None = None
    source: Source | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """The MODEL@VERSION reference people type."""
        return f"{self.model}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """Canonical plain form of the registered fields (JSON-ready, stable ordering)."""
        return {name: _plain(getattr(self, name)) for name in REGISTERED_FIELDS}

    def content_hash(self) -> str:
        """SHA-256 over the canonical JSON of the registered fields; equal content, equal hash. The provenance
        fields are left out while empty, so a version registered before they existed keeps its hash."""
        plain = self.to_dict()
        for name in PROVENANCE_FIELDS:
            if not plain[name]:
                del plain[name]
        return hashlib.sha256(canonical_json(plain).encode()).hexdigest()

    def differing_fields(self, other: VersionEntry) -> list[str]:
        """Names of registered fields whose values differ from another entry's."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [name for name in REGISTERED_FIELDS if mine[name] != theirs[name]]


REGISTERED_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(VersionEntry))
PROVENANCE_FIELDS = ("source", "tags")
"""Registered fields added with schema 5 (domain.provenance), hashed only when set."""


@dataclass(frozen=True)
class VersionManifest:
    """A parsed model-version manifest: the immutable entry plus the state import restores."""

    entry: VersionEntry
    stage: Stage = Stage.DEVELOPMENT
    canary_share: float | None = None
    registered_by: str | None = None
    registered_at: datetime | None = None
    stage_changed_by: str | None = None
    stage_changed_at: datetime | None = None

    @property
    def has_state(self) -> bool:
        """Whether the manifest carries state beyond a fresh Development registration."""
        return self.stage is not Stage.DEVELOPMENT or self.canary_share is not None or self.stage_changed_at is not None


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z suffix, to the microsecond when it has one."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no whitespace) used for every hash (one encoder, made once: json.dumps with
    these options builds a new one per call)."""
    return _CANONICAL.encode(value)


def _plain(value: Any) -> Any:
    """Convert dataclasses, enums, datetimes and mappings into JSON-ready values."""
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (Metrics, Source, Artifact)):
        return value.to_dict()
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
