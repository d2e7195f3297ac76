"""MLflow registry contents and the rules that map them onto regtui's (docs/mlflow-import.md).

Pure: the provider reads MLflow's REST API into these types; the service decides with these rules what to register.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from regtui.domain.entry import MODEL_NAME, Artifact, ChangeKind, Metrics, Stage, VersionEntry
from regtui.domain.versioning import bump_level, parse_version, precedence_key
from regtui.errors import InputError

IMPORT_EVENT = "mlflow-import"
"""The kind of the one log entry each imported version gets."""
SEGMENT_PREFIX = "segment/"
"""Run metrics named `segment/<segment>/<metric>` are per-segment values; every other metric is overall."""
SEMVER_TAGS = ("semver", "version")
"""Model-version tags whose value, when it is a semantic version, is the regtui version."""
CHANGE_KIND_TAG = "change_kind"
GIT_COMMIT_TAG = "mlflow.source.git.commit"
CODE_URI_TAG = "mlflow.source.name"
TRAINING_CONTEXT = "training"
STAGE_OF_MLFLOW: dict[str, Stage] = {
    "None": Stage.DEVELOPMENT,
    "Staging": Stage.STAGING,
    "Production": Stage.PRODUCTION,
    "Archived": Stage.ARCHIVED,
}
KIND_OF_BUMP = {"major": ChangeKind.APPROACH, "minor": ChangeKind.RETRAINING, "patch": ChangeKind.CONFIGURATION}
"""The change kind of a version without a `change_kind` tag, from the bump its semver makes over its parent."""
_NOT_IN_NAME = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True)
class MlflowModel:
    """A registered model as MLflow reports it: name, description, tags and aliases (alias -> version)."""

    name: str
    description: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MlflowVersion:
    """One model version as MLflow reports it."""

    model: str
    number: int
    stage: str
    run_id: str
    source: str
    created_ms: int
    description: str = ""
    user_id: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)
    status: str = "READY"

    @property
    def ready(self) -> bool:
        """Whether MLflow finished registering it (a pending or failed registration is not imported)."""
        return self.status == "READY"


@dataclass(frozen=True)
class MlflowDataset:
    """A dataset input of a run: name, digest, source and the context it was used in (training, eval ...)."""

    name: str
    digest: str
    source: str = ""
    context: str = ""


@dataclass(frozen=True)
class MlflowRun:
    """A run's latest metric values, params, tags and dataset inputs."""

    run_id: str
    metrics: Mapping[str, float] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    datasets: tuple[MlflowDataset, ...] = ()


@dataclass(frozen=True)
class Origin:
    """Where an imported version came from in MLflow, and what MLflow said of it when it was imported."""

    tracking_uri: str
    model: str
    version: int
    run_id: str
    stage: str
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The `origin` of the version's import log entry."""
        return {
            "tracking_uri": self.tracking_uri,
            "model": self.model,
            "version": self.version,
            "run_id": self.run_id,
            "stage": self.stage,
            "aliases": list(self.aliases),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Origin:
        """Read back an import entry's `origin`."""
        return cls(
            tracking_uri=str(raw["tracking_uri"]),
            model=str(raw["model"]),
            version=int(raw["version"]),
            run_id=str(raw.get("run_id") or ""),
            stage=str(raw.get("stage") or "None"),
            aliases=tuple(raw.get("aliases") or ()),
        )


@dataclass(frozen=True)
class VersionSource:
    """Provenance of an imported version: the run and the commit it was trained from.

    Recorded in the import log entry's `source`; the manifest `source` section (issue 17, item 3) takes the same
    keys."""

    run_id: str
    git_commit: str = ""
    code_uri: str = ""
    builder: str = "mlflow"

    def to_dict(self) -> dict[str, str]:
        """Plain form, empty values left out."""
        return {k: v for k, v in vars(self).items() if v}


def regtui_model_name(name: str) -> str:
    """An MLflow model name as a regtui model name: lower case, each run of other characters one `-`."""
    mapped = _NOT_IN_NAME.sub("-", name.strip().lower()).strip("-._")[:100]
    if not MODEL_NAME.match(mapped):
        raise InputError(f"MLflow model {name!r} has no usable regtui name (got {mapped!r})")
    return mapped


def model_names(models: Iterable[MlflowModel]) -> dict[str, str]:
    """MLflow name -> regtui name, refusing two MLflow models that map to one regtui name."""
    mapping: dict[str, str] = {}
    taken: dict[str, str] = {}
    for model in models:
        mapped = regtui_model_name(model.name)
        if mapped in taken:
            raise InputError(f"MLflow models {taken[mapped]!r} and {model.name!r} both map to regtui name {mapped!r}")
        taken[mapped] = model.name
        mapping[model.name] = mapped
    return mapping


def split_metrics(values: Mapping[str, float]) -> Metrics:
    """A run's metrics as regtui metrics: `segment/<segment>/<metric>` per segment, any other name overall."""
    overall: dict[str, float] = {}
    segments: dict[str, dict[str, float]] = {}
    for key, value in values.items():
        segment, sep, metric = key.removeprefix(SEGMENT_PREFIX).partition("/")
        if key.startswith(SEGMENT_PREFIX) and sep and segment and metric:
            segments.setdefault(segment, {})[metric] = float(value)
        else:
            overall[key] = float(value)
    return Metrics(overall=overall, segments=segments)


def training_data(datasets: Sequence[MlflowDataset]) -> str:
    """The training data version: `name@digest` of each dataset input used for training (or of every input when
    none says so), comma-separated; `unknown` for a run without dataset inputs."""
    chosen = [d for d in datasets if d.context == TRAINING_CONTEXT] or list(datasets)
    return ", ".join(f"{d.name}@{d.digest}" for d in chosen) or "unknown"


def parse_alias_flags(flags: Sequence[str]) -> dict[str, Stage]:
    """`--alias champion=Production` flags as alias -> regtui stage."""
    mapping: dict[str, Stage] = {}
    stages = {stage.value.lower(): stage for stage in Stage}
    for flag in flags:
        alias, sep, stage = flag.partition("=")
        if not sep or not alias.strip() or stage.strip().lower() not in stages:
            choices = ", ".join(s.value for s in Stage)
            raise InputError(f"--alias {flag!r}: expected ALIAS=STAGE with a stage among {choices}")
        mapping[alias.strip()] = stages[stage.strip().lower()]
    return mapping


def aliases_of(model: MlflowModel, number: int) -> tuple[str, ...]:
    """The aliases pointing at one version of a model, sorted."""
    return tuple(sorted(alias for alias, version in model.aliases.items() if str(version) == str(number)))


def mapped_stage(stage: str, aliases: Sequence[str], alias_stages: Mapping[str, Stage]) -> Stage:
    """The regtui stage of an MLflow version: a mapped alias wins (the highest stage among them), else its legacy
    stage (None -> Development, Staging, Production, Archived)."""
    by_alias = [alias_stages[a] for a in aliases if a in alias_stages]
    if by_alias:
        order = list(Stage)
        return max(by_alias, key=order.index)
    if stage not in STAGE_OF_MLFLOW:
        raise InputError(f"unknown MLflow stage {stage!r} (expected {', '.join(STAGE_OF_MLFLOW)})")
    return STAGE_OF_MLFLOW[stage]


def semver_of(version: MlflowVersion) -> tuple[str, str]:
    """The regtui version of an MLflow version and the rule that gave it: a `semver` or `version` tag holding a
    semantic version, otherwise N -> N.0.0."""
    for tag in SEMVER_TAGS:
        value = version.tags.get(tag, "").strip()
        if value:
            try:
                return str(parse_version(value.removeprefix("v"))), f"tag {tag}"
            except InputError:
                continue
    return f"{version.number}.0.0", "N -> N.0.0"


def change_kind_of(version: MlflowVersion, semver: str, parent: str | None) -> ChangeKind:
    """`initial` without a parent; else a valid `change_kind` tag, or the kind of the bump over the parent
    (major -> approach, minor -> retraining, patch -> configuration)."""
    if parent is None:
        return ChangeKind.INITIAL
    tagged = version.tags.get(CHANGE_KIND_TAG, "").strip()
    if tagged:
        try:
            return ChangeKind(tagged)
        except ValueError:
            raise InputError(
                f"MLflow {version.model} v{version.number}: tag change_kind={tagged!r} is not one of "
                f"{', '.join(k.value for k in ChangeKind)}"
            ) from None
    level = bump_level(parse_version(parent), parse_version(semver))
    return KIND_OF_BUMP[level.value] if level is not None else ChangeKind.CONFIGURATION


def parent_of(semver: str, known: Iterable[str]) -> str | None:
    """The closest version below `semver` among a model's known versions (its parent), or None."""
    key = precedence_key(semver)
    below = [v for v in known if precedence_key(v) < key]
    return max(below, key=precedence_key) if below else None


def created_at(milliseconds: int) -> datetime:
    """An MLflow timestamp (milliseconds since the epoch) in UTC."""
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


def owner_of(model: MlflowModel, version: MlflowVersion, run: MlflowRun, fallback: str) -> str:
    """The version's owner: an `owner` tag on the version, then on the model, MLflow's user id, the run's user,
    else the importing identity."""
    for candidate in (
        version.tags.get("owner"),
        model.tags.get("owner"),
        version.user_id,
        run.tags.get("mlflow.user"),
    ):
        if candidate and candidate.strip() and candidate != "unknown":
            return candidate.strip()
    return fallback


def framework_of(version: MlflowVersion, flavors: Sequence[str]) -> str:
    """A `framework` tag, else the MLmodel file's first flavor other than python_function, else `unknown`."""
    tagged = version.tags.get("framework", "").strip()
    if tagged:
        return tagged
    specific = [f for f in flavors if f != "python_function"]
    return (specific or list(flavors) or ["unknown"])[0]


def source_of(run: MlflowRun) -> VersionSource:
    """The run id, the git commit (`mlflow.source.git.commit`) and the code URI (`mlflow.source.name`)."""
    return VersionSource(
        run_id=run.run_id, git_commit=run.tags.get(GIT_COMMIT_TAG, ""), code_uri=run.tags.get(CODE_URI_TAG, "")
    )


@dataclass(frozen=True)
class EntryInputs:
    """Everything one regtui entry is built from."""

    model: MlflowModel
    version: MlflowVersion
    run: MlflowRun
    name: str
    semver: str
    parent: str | None
    owner_fallback: str
    flavors: tuple[str, ...] = ()
    artifacts: tuple[Artifact, ...] = ()


def build_entry(inputs: EntryInputs) -> VersionEntry:
    """The regtui entry of one MLflow version: description, params as hyperparameters, metrics, training data."""
    version, run = inputs.version, inputs.run
    return VersionEntry(
        model=inputs.name,
        version=inputs.semver,
        change_kind=change_kind_of(version, inputs.semver, inputs.parent),
        framework=framework_of(version, inputs.flavors),
        training_data=training_data(run.datasets),
        owner=owner_of(inputs.model, version, run, inputs.owner_fallback),
        created_at=created_at(version.created_ms),
        parent=inputs.parent,
        description=version.description,
        hyperparameters=dict(run.params),
        metrics=split_metrics(run.metrics),
        artifacts=inputs.artifacts,
    )


@dataclass(frozen=True)
class MlflowChange:
    """Something that changed in MLflow since a version was imported (reported, never applied)."""

    model: str
    version: int
    ref: str
    what: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"mlflow_model": self.model, "mlflow_version": self.version, "ref": self.ref, "change": self.what}


def changes_since(
    origin: Origin, current: MlflowVersion | None, aliases: Sequence[str], ref: str, regtui_stage: str
) -> list[MlflowChange]:
    """What moved in MLflow for one imported version since its import: its stage (unless the version already holds
    the mapped stage in regtui), its aliases, or the version itself removed."""

    def change(what: str) -> MlflowChange:
        return MlflowChange(origin.model, origin.version, ref, what)

    if current is None:
        return [change("no longer in MLflow")]
    found: list[MlflowChange] = []
    mapped = STAGE_OF_MLFLOW.get(current.stage)
    if current.stage != origin.stage and (mapped is None or mapped.value != regtui_stage):
        found.append(change(f"stage {origin.stage} -> {current.stage}"))
    gained = sorted(set(aliases) - set(origin.aliases))
    lost = sorted(set(origin.aliases) - set(aliases))
    found += [change(f"alias {alias} now points here") for alias in gained]
    found += [change(f"alias {alias} moved away") for alias in lost]
    return found
