"""Test helpers: manifests with real artifact files, raw SQL on a registry, row dumps, and in-process CLI runs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from sqlalchemy import Engine, select, text
from sqlmodel import Session

from regtui.cli.main import main
from regtui.domain.entry import Artifact, ChangeKind, VersionEntry, utc_iso, utc_now
from regtui.domain.hashchain import GENESIS_HASH, LogEntry, verify_chain
from regtui.domain.listing import ModelState
from regtui.domain.manifest import dump_yaml
from regtui.services.registry import RegistryService
from regtui.store import model_list
from regtui.store.cache_reader import CacheReader, Snapshot
from regtui.store.engine import create_registry_engine, writer
from regtui.store.log import iter_log, row_to_entry
from regtui.store.mapping import as_utc
from regtui.store.schema import next_change, registry_tables
from regtui.store.tables import ChangeCounter, SchemaMeta

T = TypeVar("T")

ADMIN = "admin"
BASE_TIME = datetime(2026, 1, 5, 9, 30, 0, 123456, tzinfo=UTC)
CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/regtui"
ServiceFactory = Callable[..., RegistryService]


def write_artifact(folder: Path, name: str, content: bytes) -> dict[str, Any]:
    """Write an artifact file and return its manifest item (relative URI, real SHA-256 and size)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return {"name": name, "uri": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}


def version_document(
    model: str,
    version: str,
    *,
    parent: str | None = None,
    change_kind: str | None = None,
    artifacts: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A complete model-version manifest document; keyword fields override or add keys (None removes)."""
    document: dict[str, Any] = {
        "kind": "model-version",
        "model": model,
        "version": version,
        "change_kind": change_kind or ("initial" if parent is None else "retraining"),
        "parent": parent,
        "framework": "scikit-learn",
        "owner": "team-risk",
        "created_at": utc_iso(BASE_TIME),
        "training_data": f"customers@{version}",
        "description": f"{model} {version}",
        "hyperparameters": {"max_depth": 6, "learning_rate": 0.05},
        "metrics": {
            "overall": {"auc": 0.9, "latency_p95_ms": 31.5},
            "segments": {"region=EU": {"auc": 0.89}, "region=US": {"auc": 0.91}},
        },
        "model_card": {
            "intended_use": "Scoring churn risk for retention offers",
            "limitations": "Not for credit decisions",
            "evaluation": "AUC 0.90 overall, 0.89 EU, 0.91 US",
            "fairness": {
                "summary": "No gap above 2 points",
                "attested_by": "carol",
                "attested_at": "2026-01-04T08:00:00Z",
            },
            "training_data": {"source": "warehouse.customers", "size": "1.2M rows", "date_range": "2025-01..2025-12"},
            "responsible": {"team": "team-risk", "escalation_contact": "risk-oncall@example.com"},
        },
        "artifacts": artifacts or [],
    }
    for key, value in fields.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def write_manifest(folder: Path, document: dict[str, Any], name: str | None = None) -> Path:
    """Write a manifest document as YAML in the folder and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{document.get('model', 'doc')}-{document.get('version', 'x')}.yaml")
    path.write_text(dump_yaml(document), encoding="utf-8")
    return path


def version_manifest(
    folder: Path, model: str, version: str, *, parent: str | None = None, change_kind: str | None = None, **fields: Any
) -> Path:
    """Write one version manifest with one real artifact file next to it (in folder/MODEL/VERSION/)."""
    home = folder / model / version
    artifact = write_artifact(home, "model.bin", f"weights of {model} {version}".encode())
    document = version_document(model, version, parent=parent, change_kind=change_kind, artifacts=[artifact], **fields)
    return write_manifest(home, document, "manifest.yaml")


def variant(manifest: Path, name: str = "variant.yaml", **changes: Any) -> Path:
    """A copy of a manifest next to it (same artifact files) with some fields changed (None removes)."""
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return write_manifest(manifest.parent, document, name)


def log_document(events: list[dict[str, Any]]) -> dict[str, Any]:
    """A `kind: log` document whose entries are correctly hash-chained."""
    entries, prev = [], GENESIS_HASH
    for position, event in enumerate(events, start=1):
        entry = LogEntry(position=position, prev_hash=prev, **event)
        prev = entry.digest()
        entries.append(
            {
                "position": position,
                "kind": entry.kind,
                "actor": entry.actor,
                "at": utc_iso(entry.at),
                "model": entry.model,
                "version": entry.version,
                "from_stage": entry.from_stage,
                "to_stage": entry.to_stage,
                "details": dict(entry.details),
                "prev_hash": entry.prev_hash,
                "hash": prev,
            }
        )
    return {"kind": "log", "entries": entries}


def build_fixture_registry(folder: Path) -> Path:
    """Write a small registry as manifests: lineage, segments, cards, a provider pin, all live stages, a log."""
    write_manifest(
        folder,
        {
            "kind": "registry",
            "users": [
                {"identity": "alice", "name": "Alice Ng", "roles": ["contributor", "reviewer"], "teams": ["team-risk"]},
                {"identity": "bob", "name": "Bob Ortiz", "roles": ["releaser"], "teams": ["team-search"]},
            ],
            "models": [
                {"name": "churn", "owner": "team-risk", "description": "Churn within 30 days"},
                {"name": "support-bot", "owner": "team-search", "description": "LLM support assistant"},
            ],
        },
        "registry.yaml",
    )
    moments = [BASE_TIME + timedelta(days=i, hours=i) for i in range(6)]
    churn = [
        ("1.0.0", None, None, "Archived", None),
        ("1.1.0", "1.0.0", "retraining", "Production", None),
        ("1.1.1", "1.1.0", "threshold", "Canary", 12.5),
        ("2.0.0-rc.1", "1.1.0", "architecture", "Staging", None),
        ("2.0.0", "2.0.0-rc.1", "hyperparameters", "Development", None),
    ]
    for (version, parent, kind, stage, share), moment in zip(churn, moments):
        version_manifest(
            folder / "models",
            "churn",
            version,
            parent=parent,
            change_kind=kind,
            stage=stage,
            canary_share=share,
            created_at=moment.isoformat(),
            registered_by="alice",
            registered_at=utc_iso(moment),
            stage_changed_by="bob",
            stage_changed_at=utc_iso(moment + timedelta(hours=1)),
        )
    pin = {"provider": "openai", "model": "gpt-4o", "version": "gpt-4o-2024-08-06"}
    version_manifest(
        folder / "models",
        "support-bot",
        "1.0.0",
        framework="openai",
        provider=pin,
        hyperparameters={"temperature": 0.2, "prompt": "You are helpful.\nBe brief."},
        stage="Production",
        created_at="2026-01-06T10:00:00+02:00",
    )
    version_manifest(
        folder / "models",
        "support-bot",
        "1.1.0",
        parent="1.0.0",
        change_kind="prompt",
        framework="openai",
        provider=pin,
        stage="Development",
    )
    write_manifest(
        folder,
        log_document(
            [
                {
                    "kind": "register",
                    "actor": "alice",
                    "at": moments[0],
                    "model": "churn",
                    "version": "1.0.0",
                    "to_stage": "Development",
                    "details": {"content_hash": "x"},
                },
                {
                    "kind": "promote",
                    "actor": "bob",
                    "at": moments[1],
                    "model": "churn",
                    "version": "1.1.0",
                    "from_stage": "Canary",
                    "to_stage": "Production",
                    "details": {"approvers": ["alice", "bob"]},
                },
                {
                    "kind": "promote",
                    "actor": "bob",
                    "at": moments[2],
                    "model": "churn",
                    "version": "1.0.0",
                    "from_stage": "Production",
                    "to_stage": "Archived",
                    "details": {"reason": "replaced by 1.1.0"},
                },
            ]
        ),
        "log.yaml",
    )
    return folder


def raw_execute(url: str, statement: str, **params: Any) -> None:
    """Run one raw SQL statement in its own write transaction on the registry."""
    engine = create_registry_engine(url)
    try:
        with writer(engine).begin() as connection:
            connection.execute(text(statement), params)
    finally:
        engine.dispose()


def raw_scalar(url: str, statement: str, **params: Any) -> Any:
    """The single value a raw SQL query returns."""
    engine = create_registry_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement), params).scalar_one()
    finally:
        engine.dispose()


def change_stage(url: str, model: str, version: str, stage: str) -> int:
    """Move a version's stage by raw SQL with a fresh change counter value; returns that value."""
    engine = create_registry_engine(url)
    try:
        with Session(writer(engine)) as session:
            seq = next_change(session)
            session.connection().execute(
                text(
                    "UPDATE model_version SET stage = :stage, change_seq = :seq"
                    " WHERE model = :model AND version = :version"
                ),
                {"stage": stage, "seq": seq, "model": model, "version": version},
            )
            session.commit()
        return seq
    finally:
        engine.dispose()


def count_rows(engine: Engine) -> dict[str, int]:
    """Row count of every registry table."""
    with engine.connect() as connection:
        return {
            table.name: int(connection.execute(text(f"SELECT count(*) FROM {table.name}")).scalar_one())
            for table in registry_tables()
        }


def dump_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every registry row as comparable tuples, without ids, change counters or the registry id."""
    skipped = {ChangeCounter.__tablename__, SchemaMeta.__tablename__}
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT id, model, version FROM model_version"))
        refs = {row.id: f"{row.model}@{row.version}" for row in versions}
        for table in registry_tables():
            if table.name in skipped:
                continue
            rows = []
            for row in connection.execute(select(table)).mappings():
                plain = {k: _comparable(v) for k, v in row.items() if k not in ("id", "change_seq")}
                if "version_id" in plain:
                    plain["version_id"] = refs[plain["version_id"]]
                rows.append(tuple(sorted(plain.items())))
            result[table.name] = sorted(rows, key=repr)
    return result


def _comparable(value: Any) -> Any:
    """A column value normalised for comparison (timestamps as UTC)."""
    return as_utc(value) if isinstance(value, datetime) else value


def chain_break(engine: Engine) -> Any:
    """The first break of the hash-chained log stored in a registry or cache, or None when intact."""
    with Session(engine) as session:
        return verify_chain((row_to_entry(row), row.hash) for row in iter_log(session))


def identity_for(url: str) -> str:
    """The identity a test acts as: the DB user `postgres` on PostgreSQL, REGTUI_USER on SQLite."""
    return "postgres" if url.startswith("postgresql") else ADMIN


@dataclass(frozen=True)
class CliResult:
    """What one in-process `regtui` run returned and printed."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        """The non-empty lines written to stderr."""
        return [line for line in self.err.splitlines() if line.strip()]

    def json(self) -> Any:
        """Stdout parsed as JSON."""
        return json.loads(self.out)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> CliResult:
    """Run regtui.cli.main.main in-process and capture its exit status and output."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def cache_read(service: RegistryService, read: Callable[[Snapshot], T]) -> T:
    """One plain read of the service's cache (the reader the CLI and the TUI use)."""
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        return read(snapshot)


def cached_models(service: RegistryService) -> list[model_list.ModelSummary]:
    """Every model as the cache's model list reads it (the dashboard's and `regtui models`' read)."""
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        return model_list.list_models(snapshot, limit=1_000_000)


def model_state(service: RegistryService, model: str) -> ModelState:
    """One model's state (open requests, drills) as the cache's model list reads it."""
    listed = [m for m in cached_models(service) if m.name == model]
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        return model_list.model_states(snapshot, listed, service.clock())[model]


def drill_states(service: RegistryService, models: list[str]) -> dict[str, tuple[datetime | None, bool]]:
    """Each named model's last drill time and overdue flag, as the cache's model list reads them."""
    listed = [m for m in cached_models(service) if m.name in models]
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        states = model_list.model_states(snapshot, listed, service.clock())
    return {name: (states[name].last_drill, states[name].drill_overdue) for name in models}


def unmeasured_entry(uri: str, artifact_name: str = "m") -> VersionEntry:
    """Version m@1.0.0 naming one artifact by URI, without its SHA-256 or size (registration measures them)."""
    artifact = Artifact(artifact_name, uri, "", -1)
    return VersionEntry("m", "1.0.0", ChangeKind.INITIAL, "torch", "data", "team", utc_now(), artifacts=(artifact,))
