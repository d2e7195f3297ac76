"""YAML manifests: parse and write model-version and registry files (format: README, "Manifest format")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from regtui.domain.checksums import resolve_artifact_uri
from regtui.domain.entry import (
    MODEL_NAME,
    Artifact,
    ChangeKind,
    FairnessAssessment,
    Metrics,
    ModelCard,
    ProviderPin,
    Responsible,
    Stage,
    TrainingDataSummary,
    VersionEntry,
    utc_iso,
)
from regtui.domain.hashchain import LogEntry
from regtui.domain.limits import DATA_BYTES, FILE_BYTES, LOG_DETAILS_BYTES, data_problem, length_problem
from regtui.domain.policy import Policy, load_policy_text
from regtui.domain.provider_manifest import ProvidersManifest, parse_providers_manifest
from regtui.domain.roles import Right, Role
from regtui.domain.text import clean_data
from regtui.domain.versioning import parse_version
from regtui.errors import InputError
from regtui.input_files import load_yaml, read_text


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The safe dumper, writing a shared object out again rather than as an alias, which import refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        """Never emit an anchor or alias."""
        return True


_DUMPER = _Dumper
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
VERSION_KEYS = {
    "kind",
    "model",
    "version",
    "change_kind",
    "parent",
    "framework",
    "owner",
    "created_at",
    "training_data",
    "description",
    "hyperparameters",
    "metrics",
    "model_card",
    "artifacts",
    "provider",
    "stage",
    "canary_share",
    "registered_by",
    "registered_at",
    "stage_changed_by",
    "stage_changed_at",
}
REQUIRED_VERSION_KEYS = ("model", "version", "change_kind", "framework", "owner", "created_at", "training_data")
CARD_KEYS = {"intended_use", "limitations", "evaluation", "fairness", "training_data", "responsible"}


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


@dataclass(frozen=True)
class UserSpec:
    """A person known to the registry, with roles and team memberships."""

    identity: str
    name: str = ""
    roles: tuple[Role, ...] = ()
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    """Model-level settings: owner and description."""

    name: str
    owner: str
    description: str = ""


@dataclass(frozen=True)
class RegistryManifest:
    """A parsed registry file: users, roles, teams and model settings."""

    users: tuple[UserSpec, ...] = ()
    models: tuple[ModelSpec, ...] = ()


@dataclass(frozen=True)
class LogManifest:
    """An exported promotion log: entries in chain order, each with its recorded hash."""

    entries: tuple[tuple[LogEntry, str], ...] = ()


@dataclass(frozen=True)
class ApprovalRecord:
    """One recorded decision on a request, as exported."""

    identity: str
    decision: str
    capacity: str
    comment: str
    at: datetime
    artifact_digest: str
    evidence_digest: str


@dataclass(frozen=True)
class RequestRecord:
    """One promotion request with its decisions, as exported (ids are kept: the log refers to them)."""

    id: int
    model: str
    version: str
    from_stage: Stage
    to_stage: Stage
    status: str
    requested_by: str
    requested_at: datetime
    reason: str = ""
    canary_share: float | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    closed_by: str | None = None
    closed_at: datetime | None = None
    approvals: tuple[ApprovalRecord, ...] = ()


REQUEST_STATUSES = ("open", "applied", "rejected", "superseded", "withdrawn")
REQUEST_KEYS = {
    "id",
    "model",
    "version",
    "from_stage",
    "to_stage",
    "status",
    "requested_by",
    "requested_at",
    "reason",
    "canary_share",
    "evidence",
    "closed_by",
    "closed_at",
    "approvals",
}
APPROVAL_KEYS = {"identity", "decision", "capacity", "comment", "at", "artifact_digest", "evidence_digest"}


@dataclass
class ManifestSet:
    """Everything read from a list of manifest files and folders, in a stable order."""

    versions: list[VersionManifest] = field(default_factory=list)
    registries: list[RegistryManifest] = field(default_factory=list)
    logs: list[LogManifest] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    providers: list[ProvidersManifest] = field(default_factory=list)

    def required_right(self) -> tuple[Right, str]:
        """The right importing this set needs, and the action a refusal names: registering versions needs
        register; users, policy, providers, requests, stages or a log need administer."""
        if (
            self.registries
            or self.logs
            or self.policies
            or self.requests
            or self.providers
            or any(v.has_state for v in self.versions)
        ):
            return Right.ADMINISTER, "import users, policy, providers, stages or a promotion log"
        return Right.REGISTER, "register versions"


class _Context:
    """Where a value came from, so every error names the file and the field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, problem: str) -> InputError:
        """Build the one-line error for a bad value."""
        return InputError(f"{self.source}: {where}: {problem}")


def load_paths(paths: Iterable[Path]) -> ManifestSet:
    """Read manifest files and folders (recursively, *.yaml/*.yml) into a ManifestSet."""
    result = ManifestSet()
    for path in paths:
        for file in _manifest_files(path):
            text = read_text(file, FILE_BYTES["manifest"], "manifest")
            _add_document(result, load_yaml(text, str(file)), file, text)
    return result


def _manifest_files(path: Path) -> list[Path]:
    """The manifest files a path names: itself, or the YAML files under a folder."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    return [path]


def _add_document(result: ManifestSet, document: Any, file: Path, text: str) -> None:
    """Parse one loaded document (read from text) by its kind and add it to the set."""
    ctx = _Context(str(file))
    if not isinstance(document, Mapping):
        raise ctx.fail("document", "expected a mapping with a 'kind' key")
    kind = document.get("kind")
    if kind == "model-version":
        result.versions.append(parse_version_manifest(document, base_dir=file.parent, source=str(file)))
    elif kind == "registry":
        result.registries.append(parse_registry_manifest(document, source=str(file)))
    elif kind == "log":
        result.logs.append(parse_log_manifest(document, source=str(file)))
    elif kind == "requests":
        result.requests.extend(parse_requests_manifest(document, source=str(file)))
    elif kind == "policy":
        result.policies.append(load_policy_text(text, str(file)))
    elif kind == "providers":
        result.providers.append(parse_providers_manifest(document, source=str(file)))
    else:
        raise ctx.fail(
            "kind", f"expected 'model-version', 'registry', 'policy', 'requests', 'providers' or 'log', got {kind!r}"
        )


def parse_version_manifest(document: Mapping[str, Any], *, base_dir: Path, source: str) -> VersionManifest:
    """Validate a model-version document and build its entry; relative artifact paths use base_dir."""
    ctx = _Context(source)
    document = clean_data(dict(document))
    _check_keys(ctx, "manifest", document, VERSION_KEYS, REQUIRED_VERSION_KEYS)
    model = _model_name(ctx, document["model"])
    version = _text(ctx, "version", document["version"])
    parse_version_or_fail(ctx, version)
    kind = _enum(ctx, "change_kind", ChangeKind, document["change_kind"])
    parent = document.get("parent")
    if parent is not None:
        parent = _text(ctx, "parent", parent)
        parse_version_or_fail(ctx, parent, "parent")
    entry = VersionEntry(
        model=model,
        version=version,
        change_kind=kind,
        parent=parent,
        framework=_text(ctx, "framework", document["framework"]),
        training_data=_text(ctx, "training_data", document["training_data"]),
        owner=_text(ctx, "owner", document["owner"]),
        created_at=_timestamp(ctx, "created_at", document["created_at"]),
        description=_text(ctx, "description", document.get("description") or "", allow_empty=True),
        hyperparameters=_data(ctx, "hyperparameters", document.get("hyperparameters") or {}),
        metrics=_metrics(ctx, document.get("metrics") or {}),
        model_card=_model_card(ctx, document.get("model_card") or {}),
        artifacts=_artifacts(ctx, document.get("artifacts") or [], base_dir),
        provider=_provider(ctx, document.get("provider")),
    )
    stage = _enum(ctx, "stage", Stage, document.get("stage") or Stage.DEVELOPMENT.value)
    share = document.get("canary_share")
    if share is not None:
        share = _number(ctx, "canary_share", share)
        if not 0 < share <= 100:
            raise ctx.fail("canary_share", f"{share} is not a percentage in (0, 100]")
    return VersionManifest(
        entry=entry,
        stage=stage,
        canary_share=share,
        registered_by=_optional_text(ctx, "registered_by", document.get("registered_by")) or None,
        registered_at=_optional_timestamp(ctx, "registered_at", document.get("registered_at")),
        stage_changed_by=_optional_text(ctx, "stage_changed_by", document.get("stage_changed_by")) or None,
        stage_changed_at=_optional_timestamp(ctx, "stage_changed_at", document.get("stage_changed_at")),
    )


def _optional_timestamp(ctx: _Context, where: str, value: Any) -> datetime | None:
    """A timestamp that may be absent."""
    return None if value in (None, "") else _timestamp(ctx, where, value)


def parse_version_or_fail(ctx: _Context, text: str, field_name: str = "version") -> None:
    """Check semver syntax, naming the file and field in the error."""
    try:
        parse_version(text)
    except InputError as exc:
        raise ctx.fail(field_name, exc.message) from None


def parse_registry_manifest(document: Mapping[str, Any], *, source: str) -> RegistryManifest:
    """Validate a registry document (users, roles, teams, models)."""
    ctx = _Context(source)
    document = clean_data(dict(document))
    _check_keys(ctx, "registry", document, {"kind", "users", "models"}, ())
    users = tuple(_user(ctx, i, u) for i, u in enumerate(_list(ctx, "users", document.get("users") or [])))
    models = tuple(_model_spec(ctx, i, m) for i, m in enumerate(_list(ctx, "models", document.get("models") or [])))
    return RegistryManifest(users=users, models=models)


LOG_ENTRY_KEYS = {
    "position",
    "kind",
    "actor",
    "at",
    "model",
    "version",
    "from_stage",
    "to_stage",
    "details",
    "prev_hash",
    "hash",
}


def parse_log_manifest(document: Mapping[str, Any], *, source: str) -> LogManifest:
    """Validate an exported log (entries are restored verbatim; the chain is verified on import)."""
    ctx = _Context(source)
    _check_keys(ctx, "log", document, {"kind", "entries"}, ())
    entries = []
    for index, raw in enumerate(_list(ctx, "entries", document.get("entries") or [])):
        where = f"entries[{index}]"
        item = _mapping(ctx, where, raw)
        _check_keys(ctx, where, item, LOG_ENTRY_KEYS, ("position", "kind", "actor", "at", "prev_hash", "hash"))
        entry = LogEntry(
            position=int(_number(ctx, f"{where}.position", item["position"])),
            kind=_text(ctx, f"{where}.kind", item["kind"]),
            actor=_text(ctx, f"{where}.actor", item["actor"]),
            at=_timestamp(ctx, f"{where}.at", item["at"]),
            model=_bounded(ctx, f"{where}.model", item.get("model")),
            version=item.get("version")
            if item.get("version") is None
            else _bounded(ctx, f"{where}.version", str(item["version"])),
            from_stage=_bounded(ctx, f"{where}.from_stage", item.get("from_stage")),
            to_stage=_bounded(ctx, f"{where}.to_stage", item.get("to_stage")),
            details=_data(ctx, f"{where}.details", item.get("details") or {}, LOG_DETAILS_BYTES),
            prev_hash=_text(ctx, f"{where}.prev_hash", item["prev_hash"]),
        )
        entries.append((entry, _text(ctx, f"{where}.hash", item["hash"])))
    return LogManifest(entries=tuple(entries))


def parse_requests_manifest(document: Mapping[str, Any], *, source: str) -> list[RequestRecord]:
    """Validate an exported list of promotion requests and their decisions."""
    ctx = _Context(source)
    document = clean_data(dict(document))
    _check_keys(ctx, "requests", document, {"kind", "requests"}, ())
    return [_request(ctx, i, raw) for i, raw in enumerate(_list(ctx, "requests", document.get("requests") or []))]


def _request(ctx: _Context, index: int, raw: Any) -> RequestRecord:
    """One requests[] item."""
    where = f"requests[{index}]"
    item = _mapping(ctx, where, raw)
    _check_keys(
        ctx,
        where,
        item,
        REQUEST_KEYS,
        ("id", "model", "version", "from_stage", "to_stage", "status", "requested_by", "requested_at"),
    )
    status = _text(ctx, f"{where}.status", item["status"])
    if status not in REQUEST_STATUSES:
        raise ctx.fail(f"{where}.status", f"{status!r} is not one of {', '.join(REQUEST_STATUSES)}")
    share = item.get("canary_share")
    return RequestRecord(
        id=int(_number(ctx, f"{where}.id", item["id"])),
        model=_model_name(ctx, item["model"]),
        version=_text(ctx, f"{where}.version", item["version"]),
        from_stage=_enum(ctx, f"{where}.from_stage", Stage, item["from_stage"]),
        to_stage=_enum(ctx, f"{where}.to_stage", Stage, item["to_stage"]),
        status=status,
        requested_by=_text(ctx, f"{where}.requested_by", item["requested_by"]),
        requested_at=_timestamp(ctx, f"{where}.requested_at", item["requested_at"]),
        reason=_optional_text(ctx, f"{where}.reason", item.get("reason")),
        canary_share=None if share is None else _number(ctx, f"{where}.canary_share", share),
        evidence=_data(ctx, f"{where}.evidence", item.get("evidence") or {}, LOG_DETAILS_BYTES),
        closed_by=_optional_text(ctx, f"{where}.closed_by", item.get("closed_by")) or None,
        closed_at=_optional_timestamp(ctx, f"{where}.closed_at", item.get("closed_at")),
        approvals=tuple(
            _approval(ctx, f"{where}.approvals[{i}]", a)
            for i, a in enumerate(_list(ctx, f"{where}.approvals", item.get("approvals") or []))
        ),
    )


def _approval(ctx: _Context, where: str, raw: Any) -> ApprovalRecord:
    """One decision on a request."""
    item = _mapping(ctx, where, raw)
    _check_keys(
        ctx,
        where,
        item,
        APPROVAL_KEYS,
        ("identity", "decision", "capacity", "at", "artifact_digest", "evidence_digest"),
    )
    decision = _text(ctx, f"{where}.decision", item["decision"])
    if decision not in ("approve", "reject"):
        raise ctx.fail(f"{where}.decision", f"{decision!r} is not approve or reject")
    return ApprovalRecord(
        identity=_text(ctx, f"{where}.identity", item["identity"]),
        decision=decision,
        capacity=_text(ctx, f"{where}.capacity", item["capacity"]),
        comment=_optional_text(ctx, f"{where}.comment", item.get("comment")),
        at=_timestamp(ctx, f"{where}.at", item["at"]),
        artifact_digest=_text(ctx, f"{where}.artifact_digest", item["artifact_digest"]),
        evidence_digest=_text(ctx, f"{where}.evidence_digest", item["evidence_digest"]),
    )


def requests_document(requests: Iterable[RequestRecord]) -> dict[str, Any]:
    """The YAML-ready document for exported requests."""
    return {
        "kind": "requests",
        "requests": [
            {
                "id": r.id,
                "model": r.model,
                "version": r.version,
                "from_stage": r.from_stage.value,
                "to_stage": r.to_stage.value,
                "status": r.status,
                "requested_by": r.requested_by,
                "requested_at": utc_iso(r.requested_at),
                "reason": r.reason,
                "canary_share": r.canary_share,
                "evidence": dict(r.evidence),
                "closed_by": r.closed_by,
                "closed_at": r.closed_at and utc_iso(r.closed_at),
                "approvals": [
                    {
                        "identity": a.identity,
                        "decision": a.decision,
                        "capacity": a.capacity,
                        "comment": a.comment,
                        "at": utc_iso(a.at),
                        "artifact_digest": a.artifact_digest,
                        "evidence_digest": a.evidence_digest,
                    }
                    for a in r.approvals
                ],
            }
            for r in requests
        ],
    }


def log_document(log: LogManifest) -> dict[str, Any]:
    """The YAML-ready document for an exported log."""
    return {
        "kind": "log",
        "entries": [
            {
                "position": e.position,
                "kind": e.kind,
                "actor": e.actor,
                "at": utc_iso(e.at),
                "model": e.model,
                "version": e.version,
                "from_stage": e.from_stage,
                "to_stage": e.to_stage,
                "details": dict(e.details),
                "prev_hash": e.prev_hash,
                "hash": digest,
            }
            for e, digest in log.entries
        ],
    }


def _user(ctx: _Context, index: int, raw: Any) -> UserSpec:
    """One users[] item."""
    where = f"users[{index}]"
    item = _mapping(ctx, where, raw)
    _check_keys(ctx, where, item, {"identity", "name", "roles", "teams"}, ("identity",))
    roles = tuple(_enum(ctx, f"{where}.roles", Role, r) for r in _list(ctx, f"{where}.roles", item.get("roles") or []))
    teams = tuple(_text(ctx, f"{where}.teams", t) for t in _list(ctx, f"{where}.teams", item.get("teams") or []))
    return UserSpec(
        identity=_text(ctx, f"{where}.identity", item["identity"]),
        name=_text(ctx, f"{where}.name", item.get("name") or "", allow_empty=True),
        roles=roles,
        teams=teams,
    )


def _model_spec(ctx: _Context, index: int, raw: Any) -> ModelSpec:
    """One models[] item."""
    where = f"models[{index}]"
    item = _mapping(ctx, where, raw)
    _check_keys(ctx, where, item, {"name", "owner", "description"}, ("name", "owner"))
    return ModelSpec(
        name=_model_name(ctx, item["name"]),
        owner=_text(ctx, f"{where}.owner", item["owner"]),
        description=_text(ctx, f"{where}.description", item.get("description") or "", allow_empty=True),
    )


def _check_keys(ctx: _Context, where: str, item: Mapping[str, Any], allowed: set[str], required: Iterable[str]) -> None:
    """Refuse unknown keys and missing required keys, naming them."""
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ctx.fail(where, f"unknown field(s) {', '.join(map(str, unknown))}")
    missing = [k for k in required if item.get(k) in (None, "")]
    if missing:
        raise ctx.fail(where, f"missing required field(s) {', '.join(missing)}")


def _text(ctx: _Context, where: str, value: Any, *, allow_empty: bool = False) -> str:
    """A string field (numbers such as a version typed unquoted are accepted as text)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ctx.fail(where, f"expected text, got {type(value).__name__}")
    text = str(value).strip() if not isinstance(value, str) else value
    if not allow_empty and not text.strip():
        raise ctx.fail(where, "must not be empty")
    problem = length_problem(where, text)
    if problem is not None:
        raise ctx.fail(where, problem)
    return text


def _bounded(ctx: _Context, where: str, value: Any) -> Any:
    """A value restored verbatim (a log entry's), refused when it is text over its field's limit."""
    problem = length_problem(where, value) if isinstance(value, str) else None
    if problem is not None:
        raise ctx.fail(where, problem)
    return value


def _number(ctx: _Context, where: str, value: Any) -> float:
    """A numeric field."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ctx.fail(where, f"expected a number, got {value!r}")
    return float(value)


def _mapping(ctx: _Context, where: str, value: Any) -> dict[str, Any]:
    """A mapping field with string keys."""
    if not isinstance(value, Mapping):
        raise ctx.fail(where, f"expected a mapping, got {type(value).__name__}")
    return {str(k): v for k, v in value.items()}


def _data(ctx: _Context, where: str, value: Any, limit: int = DATA_BYTES) -> dict[str, Any]:
    """A free-form mapping (hyperparameters, evidence, log details), refused over its size limit."""
    mapping = _mapping(ctx, where, value)
    problem = data_problem(mapping, limit)
    if problem is not None:
        raise ctx.fail(where, problem)
    return mapping


def _list(ctx: _Context, where: str, value: Any) -> list[Any]:
    """A list field."""
    if not isinstance(value, list):
        raise ctx.fail(where, f"expected a list, got {type(value).__name__}")
    return value


def _enum(ctx: _Context, where: str, enum: Any, value: Any) -> Any:
    """A value from a fixed set, listing the allowed values when it is not one."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ctx.fail(where, f"{value!r} is not one of {allowed}") from None


def _model_name(ctx: _Context, value: Any) -> str:
    """A model name: lowercase letters, digits, dot, dash, underscore."""
    name = _text(ctx, "model", value)
    if not MODEL_NAME.match(name):
        raise ctx.fail("model", f"{name!r} is not a valid model name (lowercase letters, digits, '.', '_', '-')")
    return name


def _timestamp(ctx: _Context, where: str, value: Any) -> datetime:
    """An ISO 8601 timestamp, normalised to UTC (a naive time is taken as UTC)."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(ctx, where, value).replace("Z", "+00:00"))
        except ValueError:
            raise ctx.fail(where, f"{value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _metric_values(ctx: _Context, where: str, value: Any) -> dict[str, float]:
    """A mapping of metric name to number."""
    return {name: _number(ctx, f"{where}.{name}", v) for name, v in _mapping(ctx, where, value).items()}


def _metrics(ctx: _Context, value: Any) -> Metrics:
    """The metrics section: overall values and per-segment values."""
    item = _mapping(ctx, "metrics", value)
    _check_keys(ctx, "metrics", item, {"overall", "segments"}, ())
    segments = _mapping(ctx, "metrics.segments", item.get("segments") or {})
    return Metrics(
        overall=_metric_values(ctx, "metrics.overall", item.get("overall") or {}),
        segments={s: _metric_values(ctx, f"metrics.segments.{s}", v) for s, v in segments.items()},
    )


def _model_card(ctx: _Context, value: Any) -> ModelCard:
    """The model card's six sections."""
    card = _mapping(ctx, "model_card", value)
    _check_keys(ctx, "model_card", card, CARD_KEYS, ())
    fairness = _mapping(ctx, "model_card.fairness", card.get("fairness") or {})
    _check_keys(ctx, "model_card.fairness", fairness, {"summary", "attested_by", "attested_at"}, ())
    data = _mapping(ctx, "model_card.training_data", card.get("training_data") or {})
    _check_keys(ctx, "model_card.training_data", data, {"source", "size", "date_range"}, ())
    owner = _mapping(ctx, "model_card.responsible", card.get("responsible") or {})
    _check_keys(ctx, "model_card.responsible", owner, {"team", "escalation_contact"}, ())
    attested_at = fairness.get("attested_at")
    return ModelCard(
        intended_use=_optional_text(ctx, "model_card.intended_use", card.get("intended_use")),
        limitations=_optional_text(ctx, "model_card.limitations", card.get("limitations")),
        evaluation=_optional_text(ctx, "model_card.evaluation", card.get("evaluation")),
        fairness=FairnessAssessment(
            summary=_optional_text(ctx, "model_card.fairness.summary", fairness.get("summary")),
            attested_by=fairness.get("attested_by")
            and _text(ctx, "model_card.fairness.attested_by", fairness["attested_by"]),
            attested_at=_timestamp(ctx, "model_card.fairness.attested_at", attested_at) if attested_at else None,
        ),
        training_data=TrainingDataSummary(
            source=_optional_text(ctx, "model_card.training_data.source", data.get("source")),
            size=_optional_text(ctx, "model_card.training_data.size", data.get("size")),
            date_range=_optional_text(ctx, "model_card.training_data.date_range", data.get("date_range")),
        ),
        responsible=Responsible(
            team=_optional_text(ctx, "model_card.responsible.team", owner.get("team")),
            escalation_contact=_optional_text(
                ctx, "model_card.responsible.escalation_contact", owner.get("escalation_contact")
            ),
        ),
    )


def _optional_text(ctx: _Context, where: str, value: Any) -> str:
    """Text that may be absent (empty string then)."""
    return "" if value is None else _text(ctx, where, value, allow_empty=True)


def _artifacts(ctx: _Context, value: Any, base_dir: Path) -> tuple[Artifact, ...]:
    """The artifacts list: name, URI (relative paths resolved), SHA-256 and size."""
    result: list[Artifact] = []
    for index, raw in enumerate(_list(ctx, "artifacts", value)):
        where = f"artifacts[{index}]"
        item = _mapping(ctx, where, raw)
        _check_keys(ctx, where, item, {"name", "uri", "sha256", "size"}, ("name", "uri", "sha256", "size"))
        digest = _text(ctx, f"{where}.sha256", item["sha256"]).lower()
        if not SHA256_HEX.match(digest):
            raise ctx.fail(f"{where}.sha256", "expected 64 hexadecimal digits")
        size = item["size"]
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ctx.fail(f"{where}.size", f"expected a byte count, got {size!r}")
        result.append(
            Artifact(
                name=_text(ctx, f"{where}.name", item["name"]),
                uri=resolve_artifact_uri(_text(ctx, f"{where}.uri", item["uri"]), base_dir),
                sha256=digest,
                size=size,
            )
        )
    names = [a.name for a in result]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ctx.fail("artifacts", f"duplicate artifact name(s) {', '.join(duplicates)}")
    return tuple(result)


def _provider(ctx: _Context, value: Any) -> ProviderPin | None:
    """The optional third-party provider pin."""
    if value is None:
        return None
    item = _mapping(ctx, "provider", value)
    _check_keys(ctx, "provider", item, {"provider", "model", "version"}, ("provider", "model", "version"))
    return ProviderPin(
        provider=_text(ctx, "provider.provider", item["provider"]),
        model=_text(ctx, "provider.model", item["model"]),
        version=_text(ctx, "provider.version", item["version"]),
    )


def version_document(manifest: VersionManifest) -> dict[str, Any]:
    """The YAML-ready document for a version, the inverse of parse_version_manifest."""
    document: dict[str, Any] = {"kind": "model-version"}
    document.update(manifest.entry.to_dict())
    document["created_at"] = utc_iso(manifest.entry.created_at)
    if document["provider"] is None:
        del document["provider"]
    document["stage"] = manifest.stage.value
    document["canary_share"] = manifest.canary_share
    document["registered_by"] = manifest.registered_by
    document["registered_at"] = manifest.registered_at and utc_iso(manifest.registered_at)
    document["stage_changed_by"] = manifest.stage_changed_by
    document["stage_changed_at"] = manifest.stage_changed_at and utc_iso(manifest.stage_changed_at)
    return document


def registry_document(registry: RegistryManifest) -> dict[str, Any]:
    """The YAML-ready document for users and model settings."""
    return {
        "kind": "registry",
        "users": [
            {"identity": u.identity, "name": u.name, "roles": [r.value for r in u.roles], "teams": list(u.teams)}
            for u in registry.users
        ],
        "models": [{"name": m.name, "owner": m.owner, "description": m.description} for m in registry.models],
    }


def dump_yaml(document: Mapping[str, Any]) -> str:
    """Serialize a document as block-style YAML that keeps key order and round-trips exactly."""
    return yaml.dump(
        dict(document), Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
