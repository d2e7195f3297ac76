"""The model list (the registry screen's rows and `regtui models`), read from the cache with plain SQL.

No ORM: the dashboard shows its first window of models before SQLAlchemy is imported. The statements repeat
the conditions of the cache's partial indexes (regtui.store.cache.CACHE_INDEXES) with the same inline
literals, so SQLite reads live versions and drills through them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from regtui.domain.entry import Stage
from regtui.domain.listing import ModelSort, ModelState, ModelSummary
from regtui.domain.provider_views import DeprecatedPin
from regtui.domain.providers import days_left
from regtui.domain.transitions import drill_counts, drill_overdue
from regtui.store.cache_reader import Snapshot
from regtui.store.cache_sql import LIVE_STAGE_SQL as LIVE_STAGE_SQL
from regtui.store.cache_sql import LIVE_STAGES as LIVE_STAGES
from regtui.store.cache_sql import PRODUCTION as PRODUCTION
from regtui.store.cache_sql import sql_literal as sql_literal
from regtui.store.cache_sql import stored_time as stored_time
from regtui.store.retention_reads import past_retention_counts, stored_policy

DRILL = "drill"
OPEN = "open"
BATCH = 500
"""Names per IN list (SQLite caps the parameters of a statement)."""


LAST_REGISTERED = (
    "SELECT model_version.created_at FROM model_version WHERE model_version.model = model.name "
    "ORDER BY model_version.created_at DESC LIMIT 1"
)
"""When each model last had a version registered: one probe of ix_cache_version_newest."""
LATEST_VERSION = (
    "SELECT model_version.version FROM model_version WHERE model_version.model = model.name "
    "ORDER BY model_version.semver_key DESC LIMIT 1"
)
"""Each model's newest version by semver precedence: one probe of ix_version_listing."""
VERSION_COUNT = "SELECT count(model_version.semver_key) FROM model_version WHERE model_version.model = model.name"
"""Each model's version count, counting the (never null) keys: SQLite reads them from ix_version_listing, the index
LATEST_VERSION probes, so a list of every model reads one index, not two."""
ORDERS = {
    ModelSort.NAME: "model.name",
    ModelSort.OWNER: "model.owner, model.name",
    ModelSort.LATEST: f"({LAST_REGISTERED}) DESC NULLS LAST, model.name",
}
MODEL_FILTER = "(model.name LIKE ? OR model.owner LIKE ? OR model.description LIKE ?)"
"""Case-insensitive match of the filter text: SQLite's LIKE ignores ASCII case, as its lower() folds only ASCII
(the same matches without a function call per row)."""


def _conditions(text: str, stage: str | None) -> tuple[str, list[Any]]:
    """The WHERE clause (filter text, having a version in `stage`) and its parameters."""
    conditions, parameters = [], []
    if text:
        conditions.append(MODEL_FILTER)
        parameters += [f"%{text.lower()}%"] * 3
    if stage is not None:
        live = f" AND {LIVE_STAGE_SQL}" if stage in LIVE_STAGES else ""
        conditions.append(
            "EXISTS (SELECT 1 FROM model_version WHERE model_version.model = model.name"
            f" AND model_version.stage = ?{live})"
        )
        parameters.append(stage)
    return (f" WHERE {' AND '.join(conditions)}" if conditions else ""), parameters


def count_models(snapshot: Snapshot, text: str = "", *, stage: str | None = None) -> int:
    """How many models match the filter (and have a version in `stage`, when given)."""
    where, parameters = _conditions(text, stage)
    return int(snapshot.value(f"SELECT count(*) FROM model{where}", parameters) or 0)


def list_models(
    snapshot: Snapshot,
    text: str = "",
    offset: int = 0,
    limit: int = 100,
    *,
    stage: str | None = None,
    sort: ModelSort = ModelSort.NAME,
) -> list[ModelSummary]:
    """A window of models (by name, owner or latest registration) with their newest version (semver) and their
    Production, Canary and Staging versions.

    Two queries whatever the window: the models with their version count and latest version (correlated
    index probes per listed model), then the listed models' live versions."""
    where, parameters = _conditions(text, stage)
    rows = snapshot.rows(
        f"SELECT model.name, model.owner, model.description, ({VERSION_COUNT}), ({LATEST_VERSION}) FROM model{where}"
        f" ORDER BY {ORDERS[sort]} LIMIT ? OFFSET ?",
        [*parameters, limit, offset],
    )
    live = _live_versions(snapshot, [row[0] for row in rows])
    return [_summary(*row, live=live[row[0]]) for row in rows]


def _live_versions(snapshot: Snapshot, names: list[str]) -> dict[str, dict[str, list[str]]]:
    """The Production, Canary and Staging versions of each named model, in semver order."""
    live: dict[str, dict[str, list[str]]] = {n: {} for n in names}
    for batch in _batches(names):
        for model, version, stage in snapshot.rows(
            f"SELECT model, version, stage FROM model_version WHERE model IN ({_marks(batch)}) AND {LIVE_STAGE_SQL}"
            " ORDER BY model, stage, semver_key",
            batch,  # the partial (model, stage, semver_key) index
        ):
            live[model].setdefault(stage, []).append(version)
    return live


def _summary(
    name: str, owner: str, description: str, count: int, latest: str | None, *, live: dict[str, list[str]]
) -> ModelSummary:
    """Assemble one model line."""
    production = live.get(PRODUCTION, [])
    return ModelSummary(
        name=name,
        owner=owner,
        description=description,
        versions=count,
        latest=latest,
        production=production[0] if production else None,
        canary=tuple(live.get(Stage.CANARY.value, [])),
        staging=tuple(live.get(Stage.STAGING.value, [])),
    )


def model_states(snapshot: Snapshot, models: list[ModelSummary], now: datetime) -> dict[str, ModelState]:
    """Open requests, drill state and versions past retention of the listed models (a window's worth): four queries
    whatever the count."""
    names = [m.name for m in models]
    requests = open_request_counts(snapshot, names)
    drills = last_drills(snapshot, names)
    policy = stored_policy(snapshot)
    past = past_retention_counts(snapshot, names, policy, now)
    states = {}
    for m in models:
        passed, failed = drills.get(m.name, (None, False))
        states[m.name] = ModelState(
            open_requests=requests.get(m.name, 0),
            last_drill=passed,
            drill_overdue=m.production is not None and drill_overdue(passed, now, policy.for_model(m.name)),
            drill_failed=failed,
            past_retention=past.get(m.name, 0),
        )
    return states


def open_request_counts(snapshot: Snapshot, models: list[str]) -> dict[str, int]:
    """How many open promotion requests each of the given models has."""
    counts: dict[str, int] = {}
    for batch in _batches(models):
        counts.update(
            snapshot.rows(
                f"SELECT model, count(*) FROM promotion_request WHERE model IN ({_marks(batch)}) AND status = ?"
                " GROUP BY model",
                [*batch, OPEN],
            )
        )
    return counts


def last_drills(snapshot: Snapshot, models: list[str]) -> dict[str, tuple[datetime | None, bool]]:
    """For each of the given models drilled at least once: when its last drill that counts toward the cadence
    (one that passed) was, and whether its most recent drill failed; through the cache's partial index of drills."""
    last: dict[str, tuple[datetime | None, bool]] = {}
    for batch in _batches(models):
        for model, at, outcome in snapshot.rows(
            f"SELECT model, at, json_extract(details, '$.outcome') FROM event WHERE model IN ({_marks(batch)})"
            f" AND kind = {sql_literal(DRILL)} ORDER BY model, position",
            batch,
        ):
            counted = drill_counts(str(outcome))
            previous = last.get(model, (None, False))[0]
            last[model] = (stored_time(at) if counted else previous, not counted)
    return last


def _marks(names: list[str]) -> str:
    """One parameter mark per name."""
    return ", ".join("?" * len(names))


def _batches(names: list[str]) -> list[list[str]]:
    """Names in batches small enough for one IN list."""
    return [names[i : i + BATCH] for i in range(0, len(names), BATCH)]


def deprecated_production_pins(snapshot: Snapshot, now: datetime) -> list[DeprecatedPin]:
    """Production versions whose pinned provider version has a deprecation notice, soonest retirement first (what
    regtui.store.provider_queries.deprecated_pins computes through the ORM; `models` reads it without)."""
    rows = snapshot.rows(
        "SELECT v.model, v.version, p.provider, p.version, p.retires_at, p.deprecation_note FROM model_version AS v"
        " JOIN provider_version AS p ON p.provider = json_extract(v.provider, '$.provider')"
        " AND p.version = json_extract(v.provider, '$.version')"
        f" WHERE v.stage = {sql_literal(PRODUCTION)} AND v.{LIVE_STAGE_SQL} AND v.provider IS NOT NULL"
        " AND (p.deprecated_at IS NOT NULL OR p.retires_at IS NOT NULL)"
    )
    pins = []
    for model, version, provider, provider_version, retires, note in rows:
        retires_at = stored_time(retires) if retires else None
        pins.append(
            DeprecatedPin(model, version, provider, provider_version, retires_at, days_left(retires_at, now), note)
        )
    return sorted(pins, key=lambda d: (d.days_left is None, d.days_left or 0, d.model))
