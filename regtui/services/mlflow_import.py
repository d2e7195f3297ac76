"""Import an MLflow model registry into regtui (docs/mlflow-import.md): read, map, hash, gate-check, write once.

A run reads the registered models, their versions and runs over MLflow's REST API, maps each version not imported
before (the import log entries say which were), hashes its artifacts, and registers them all in one transaction
with one `mlflow-import` log entry each. What moved in MLflow since an earlier import is reported, never applied.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import yaml

from regtui.domain.checksums import VerifyResult, VerifyStatus
from regtui.domain.entry import Artifact, Stage, VersionEntry
from regtui.domain.gates import GateFacts, evaluate_gate
from regtui.domain.manifest import ModelSpec, VersionManifest
from regtui.domain.mlflow import (
    EntryInputs,
    MlflowChange,
    MlflowModel,
    MlflowRun,
    MlflowVersion,
    Origin,
    aliases_of,
    build_entry,
    changes_since,
    mapped_stage,
    model_names,
    parent_of,
    parse_alias_flags,
    semver_of,
    source_of,
)
from regtui.domain.policy import Policy
from regtui.domain.roles import Right
from regtui.domain.versioning import precedence_key
from regtui.errors import InputError, RuleError
from regtui.providers.mlflow import ArtifactFile, MlflowReader
from regtui.services.access import actor_in, require
from regtui.services.registry import RegistryService
from regtui.store.mlflow_imports import ImportedRecord, ImportWrite, imported_records, record_import, versions_of
from regtui.store.policies import get_policy

WORKERS = 8
"""Versions read from MLflow at once (runs, artifact listings, hashing): the server answers requests in parallel."""
GATE_PATH = (Stage.DEVELOPMENT, Stage.STAGING, Stage.CANARY, Stage.PRODUCTION)
MLMODEL = "MLmodel"
MLMODEL_LIMIT = 1024 * 1024
"""The most of an MLmodel file kept to read its flavors."""


@dataclass(frozen=True)
class MlflowImportOptions:
    """What `regtui import-mlflow` was asked to do."""

    tracking_uri: str
    models: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    dry_run: bool = False
    place_stages: bool = False


@dataclass(frozen=True)
class GateGap:
    """One gate between Development and a version's MLflow stage, and the checks it fails today."""

    gate: str
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"gate": self.gate, "missing": list(self.missing)}


@dataclass(frozen=True)
class PlannedVersion:
    """One MLflow version as it is (or, in a dry run, would be) registered."""

    mlflow_model: str
    mlflow_version: int
    ref: str
    semver_rule: str
    mlflow_stage: str
    aliases: tuple[str, ...]
    mapped_stage: Stage
    stage: Stage
    run_id: str
    git_commit: str
    artifacts: int
    gaps: tuple[GateGap, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "mlflow_model": self.mlflow_model,
            "mlflow_version": self.mlflow_version,
            "ref": self.ref,
            "semver_rule": self.semver_rule,
            "mlflow_stage": self.mlflow_stage,
            "aliases": list(self.aliases),
            "mapped_stage": self.mapped_stage.value,
            "stage": self.stage.value,
            "run_id": self.run_id,
            "git_commit": self.git_commit,
            "artifacts": self.artifacts,
            "gate_gaps": [gap.to_dict() for gap in self.gaps],
        }


@dataclass
class MlflowImportReport:
    """What an import did (or would do): the versions, those imported before, and what moved in MLflow since."""

    tracking_uri: str
    dry_run: bool
    versions: list[PlannedVersion] = field(default_factory=list)
    already_imported: int = 0
    changes: list[MlflowChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "tracking_uri": self.tracking_uri,
            "dry_run": self.dry_run,
            "imported": [v.to_dict() for v in self.versions],
            "already_imported": self.already_imported,
            "changes_in_mlflow": [c.to_dict() for c in self.changes],
        }


@dataclass(frozen=True)
class Fetched:
    """One new MLflow version with its run, its artifacts (hashed unless a dry run) and its MLmodel flavors."""

    model: MlflowModel
    version: MlflowVersion
    run: MlflowRun
    artifacts: tuple[Artifact, ...]
    flavors: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """What one run read: MLflow's models and their regtui names, the new versions fetched, and the registry's
    versions of those models and its policy."""

    models: list[MlflowModel]
    names: dict[str, str]
    existing: dict[str, list[str]]
    policy: Policy
    fetched: list[Fetched]


def import_mlflow(
    service: RegistryService,
    options: MlflowImportOptions,
    open_reader: Callable[[str], MlflowReader] = MlflowReader,
) -> MlflowImportReport:
    """Import what is new in an MLflow registry; report what moved there since the last import."""
    alias_stages = parse_alias_flags(options.aliases)
    with open_reader(options.tracking_uri) as reader:
        report = MlflowImportReport(reader.shown, options.dry_run)
        reading = _read(service, reader, options, report)
    actor = service.identity()
    semvers = _semvers(reading.fetched, reading.names, reading.existing)
    known = _known(reading.names, reading.existing, semvers)
    planner = Planner(report.tracking_uri, reading.names, semvers, known, alias_stages, reading.policy, options, actor)
    writes = _plan(planner, reading.fetched, report)
    if options.dry_run or not writes:
        return report
    _check_productions(writes)
    with service.writing() as session:
        who = actor_in(session, actor)
        for right, action in _rights(writes):
            require(who, right, action)
        specs = [_model_spec(model, reading.names[model.name], actor) for model in reading.models]
        registered = set(record_import(session, specs, writes, actor=actor, now=service.clock()))
    report.already_imported += len([v for v in report.versions if v.ref not in registered])
    report.versions = [v for v in report.versions if v.ref in registered]
    return report


def _read(
    service: RegistryService, reader: MlflowReader, options: MlflowImportOptions, report: MlflowImportReport
) -> Reading:
    """Read MLflow's models and versions, what earlier imports recorded, and fetch the versions not imported yet
    (their runs in batches, their artifacts hashed in parallel); the moves since go into the report."""
    models = reader.models(options.models)
    names = model_names(models)
    with service.reading_registry() as session:
        records = imported_records(session, reader.shown)
        existing = versions_of(session, list(names.values()))
        policy = get_policy(session)
    versions = {model.name: reader.versions(model.name) for model in models}
    report.changes = _changes(records, models, versions)
    done = {(r.origin.model, r.origin.version) for r in records}
    new = [(m, v) for m in models for v in versions[m.name] if (m.name, v.number) not in done and v.ready]
    report.already_imported = len(done & {(m.name, v.number) for m in models for v in versions[m.name]})
    runs = reader.runs([version.run_id for _model, version in new])
    with ThreadPoolExecutor(WORKERS) as pool:
        fetched = list(pool.map(lambda pair: _fetch(reader, *pair, runs=runs, hash_files=not options.dry_run), new))
    return Reading(models, names, existing, policy, fetched)


def _changes(
    records: Sequence[ImportedRecord], models: Sequence[MlflowModel], versions: dict[str, list[MlflowVersion]]
) -> list[MlflowChange]:
    """What moved in MLflow for every version imported before (only the models read this time)."""
    by_name = {model.name: model for model in models}
    found: list[MlflowChange] = []
    for record in records:
        model = by_name.get(record.origin.model)
        if model is None:
            continue
        current = next((v for v in versions[model.name] if v.number == record.origin.version), None)
        ref = f"{record.model}@{record.version}"
        aliases = aliases_of(model, record.origin.version)
        found += changes_since(record.origin, current, aliases, ref, record.stage)
    return found


def _fetch(
    reader: MlflowReader,
    model: MlflowModel,
    version: MlflowVersion,
    *,
    runs: dict[str, MlflowRun],
    hash_files: bool,
) -> Fetched:
    """A version with its run, its artifact files hashed and its MLmodel flavors (a dry run lists the files and
    reads nothing)."""
    run = runs.get(version.run_id, MlflowRun(""))
    location = version.source
    if not location.startswith(("mlflow-artifacts:", "file:", "/")):
        location = reader.download_uri(version)
    files = reader.artifact_files(location)
    if not hash_files:
        return Fetched(model, version, run, tuple(Artifact(f.name, f.uri, "", f.size or 0) for f in files), ())
    artifacts, mlmodel = [], None
    for item in files:
        artifact, content = _hash(reader, item)
        artifacts.append(artifact)
        mlmodel = content if item.name == MLMODEL else mlmodel
    return Fetched(model, version, run, tuple(artifacts), _flavors(mlmodel))


def _hash(reader: MlflowReader, item: ArtifactFile) -> tuple[Artifact, bytes | None]:
    """Stream one artifact into SHA-256 and size; an MLmodel file's bytes are kept to read its flavors."""
    digest, size, kept = hashlib.sha256(), 0, bytearray()
    for chunk in reader.chunks(item.uri):
        digest.update(chunk)
        size += len(chunk)
        if item.name == MLMODEL and size <= MLMODEL_LIMIT:
            kept += chunk
    if item.size is not None and item.size != size:
        raise InputError(f"{item.uri}: MLflow lists {item.size} bytes but {size} were read")
    return Artifact(item.name, item.uri, digest.hexdigest(), size), bytes(kept) if item.name == MLMODEL else None


def _flavors(mlmodel: bytes | None) -> tuple[str, ...]:
    """The flavor names an MLmodel file lists (none when there is no readable one)."""
    if not mlmodel:
        return ()
    try:
        document = yaml.safe_load(mlmodel.decode("utf-8", errors="replace"))
    except yaml.YAMLError:
        return ()
    flavors = document.get("flavors") if isinstance(document, dict) else None
    return tuple(str(name) for name in flavors) if isinstance(flavors, dict) else ()


@dataclass(frozen=True)
class Planner:
    """What deciding each new version needs: names, semvers, known versions, stage rules, policy, identity."""

    tracking_uri: str
    names: dict[str, str]
    semvers: dict[tuple[str, int], tuple[str, str]]
    known: dict[str, list[str]]
    alias_stages: dict[str, Stage]
    policy: Policy
    options: MlflowImportOptions
    actor: str

    def plan(self, item: Fetched) -> tuple[PlannedVersion, ImportWrite]:
        """One version's entry, stage, gate gaps and import log entry."""
        name = self.names[item.model.name]
        semver, rule = self.semvers[(name, item.version.number)]
        parent = parent_of(semver, self.known[name])
        inputs = EntryInputs(
            item.model, item.version, item.run, name, semver, parent, self.actor, item.flavors, item.artifacts
        )
        entry = build_entry(inputs)
        aliases = aliases_of(item.model, item.version.number)
        target = mapped_stage(item.version.stage, aliases, self.alias_stages)
        stage = target if self.options.place_stages or target is Stage.ARCHIVED else Stage.DEVELOPMENT
        gaps = _gaps(entry, target, self.policy, self.actor, hashed=not self.options.dry_run)
        origin = Origin(
            self.tracking_uri, item.model.name, item.version.number, item.run.run_id, item.version.stage, aliases
        )
        source = source_of(item.run)
        planned = PlannedVersion(
            item.model.name,
            item.version.number,
            entry.ref,
            rule,
            item.version.stage,
            aliases,
            target,
            stage,
            source.run_id,
            source.git_commit,
            len(entry.artifacts),
            gaps,
        )
        details = _details(entry, origin, source.to_dict(), rule, target, stage, gaps)
        return planned, ImportWrite(VersionManifest(entry=entry, stage=stage), details)


def _plan(planner: Planner, fetched: list[Fetched], report: MlflowImportReport) -> list[ImportWrite]:
    """Every new version planned, in parents-first order (model, then semver precedence), into the report."""
    planned = sorted((planner.plan(item) for item in fetched), key=lambda pair: _order(pair[1]))
    report.versions = [version for version, _write in planned]
    return [write for _version, write in planned]


def _order(write: ImportWrite) -> tuple[str, str]:
    """Model, then semver precedence: every parent is registered before its children."""
    return write.manifest.entry.model, precedence_key(write.manifest.entry.version)


def _known(
    names: dict[str, str], existing: dict[str, list[str]], semvers: dict[tuple[str, int], tuple[str, str]]
) -> dict[str, list[str]]:
    """Every version each model will hold: those registered and those imported now (the parent candidates)."""
    known = {name: list(existing.get(name, ())) for name in names.values()}
    for (name, _number), (semver, _rule) in semvers.items():
        known[name].append(semver)
    return known


def _semvers(
    fetched: list[Fetched], names: dict[str, str], existing: dict[str, list[str]]
) -> dict[tuple[str, int], tuple[str, str]]:
    """(regtui model, MLflow version) -> (semver, rule); two versions on one semver, or a semver regtui already
    holds from elsewhere, is refused."""
    found: dict[tuple[str, int], tuple[str, str]] = {}
    taken: dict[tuple[str, str], int] = {}
    for item in fetched:
        name = names[item.model.name]
        semver, rule = semver_of(item.version)
        where = f"MLflow {item.model.name} v{item.version.number}"
        if (name, semver) in taken:
            raise InputError(f"{where} and v{taken[(name, semver)]} both map to {name}@{semver}; tag one `semver`")
        if semver in existing.get(name, ()):
            raise RuleError(
                f"{where} maps to {name}@{semver} ({rule}), which regtui already holds from elsewhere; "
                "give the MLflow version a `semver` tag"
            )
        taken[(name, semver)] = item.version.number
        found[(name, item.version.number)] = (semver, rule)
    return found


def _gaps(entry: VersionEntry, target: Stage, policy: Policy, actor: str, *, hashed: bool) -> tuple[GateGap, ...]:
    """The failed checks of each gate from Development up to the target stage (of the next gate for a version in
    Development; none for Archived), evaluated by the domain gates on what the import knows."""
    if target is Stage.ARCHIVED:
        return ()
    verification = tuple(_verified(a) for a in entry.artifacts) if hashed else None
    facts = GateFacts(
        entry=entry,
        policy=policy.for_model(entry.model),
        requester=actor,
        owner=entry.owner,
        now=entry.created_at,
        verification=verification,
    )
    end = max(GATE_PATH.index(target), 1)
    gaps = []
    for before, after in zip(GATE_PATH[:end], GATE_PATH[1 : end + 1]):
        missing = evaluate_gate(before, after, facts).missing
        if missing:
            gaps.append(GateGap(f"{before.value} -> {after.value}", tuple(missing)))
    return tuple(gaps)


def _verified(artifact: Artifact) -> VerifyResult:
    """The hash made at import, as a verification of the artifact record it produced."""
    return VerifyResult(
        artifact.name,
        artifact.uri,
        VerifyStatus.OK,
        artifact.sha256,
        artifact.size,
        artifact.sha256,
        artifact.size,
        object_version=artifact.object_version,
    )


def _details(
    entry: VersionEntry,
    origin: Origin,
    source: dict[str, str],
    rule: str,
    target: Stage,
    stage: Stage,
    gaps: tuple[GateGap, ...],
) -> dict[str, Any]:
    """The import log entry's details: origin, source, semver rule, stage decision, digests."""
    if stage is target:
        placed = "placed in its MLflow stage by the importer's decision" if stage is not Stage.DEVELOPMENT else ""
    else:
        placed = f"MLflow stage {target.value} not applied: promote through the gates"
    run = origin.run_id or "-"
    details: dict[str, Any] = {
        "detail": f"imported from MLflow {origin.model} v{origin.version} (run {run}) at {origin.tracking_uri}",
        "origin": origin.to_dict(),
        "source": source,
        "semver_rule": rule,
        "mapped_stage": target.value,
        "content_hash": entry.content_hash(),
        "artifacts": {a.name: a.sha256 for a in entry.artifacts},
    }
    if placed:
        details["placement"] = placed
    if stage is target and stage not in (Stage.DEVELOPMENT, Stage.ARCHIVED):
        details["gates_not_met_at_placement"] = [gap.to_dict() for gap in gaps]
    return details


def _check_productions(writes: Sequence[ImportWrite]) -> None:
    """Refuse to place two versions of one model in Production (regtui holds one; MLflow's stages may hold more)."""
    seen: dict[str, str] = {}
    for write in writes:
        entry = write.manifest.entry
        if write.manifest.stage is Stage.PRODUCTION:
            if entry.model in seen:
                raise RuleError(
                    f"{entry.model}: {seen[entry.model]} and {entry.version} would both be placed in Production; "
                    "regtui holds one Production version per model (archive one in MLflow, or map aliases)"
                )
            seen[entry.model] = entry.version


def _rights(writes: Sequence[ImportWrite]) -> list[tuple[Right, str]]:
    """The rights the import needs: register; request too when it archives (as an abandon does); administer when
    it places versions in Staging, Canary or Production by decision."""
    stages = {write.manifest.stage for write in writes}
    needed = [(Right.REGISTER, "import versions from MLflow")]
    if Stage.ARCHIVED in stages:
        needed.append((Right.REQUEST, "import versions archived in MLflow as Archived"))
    if stages - {Stage.DEVELOPMENT, Stage.ARCHIVED}:
        needed.append((Right.ADMINISTER, "place imported versions in their MLflow stage (--place-stages)"))
    return needed


def _model_spec(model: MlflowModel, name: str, actor: str) -> ModelSpec:
    """A regtui model for an MLflow registered model: its `owner` tag (else the importer) and description."""
    return ModelSpec(name=name, owner=(model.tags.get("owner") or "").strip() or actor, description=model.description)
