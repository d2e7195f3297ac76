"""The retention of the Archived former Production versions of some models, read from the cache with plain SQL (the
registry screen's window of models, the model screen's one model) and judged by regtui.domain.retention.

Driven from the log's moves to Production through the cache's partial index of them (ix_cache_event_production,
its condition repeated with the same literal), so a read costs the listed models' former Production versions,
not their whole version lists."""

from __future__ import annotations

from datetime import datetime

from regtui.domain.entry import Stage
from regtui.domain.policy import POLICY_SCOPE, Policy, policy_of
from regtui.domain.retention import Retention, retention_of
from regtui.store.cache_reader import Snapshot
from regtui.store.cache_sql import PRODUCTION, sql_literal, stored_time

BATCH = 500
"""Names per IN list (SQLite caps the parameters of a statement)."""


def stored_policy(snapshot: Snapshot) -> Policy:
    """The registry's policy as the cache holds it (the built-in default when none was set)."""
    return policy_of(snapshot.value("SELECT document FROM policy WHERE scope = ?", [POLICY_SCOPE]))


def retentions(snapshot: Snapshot, models: list[str], policy: Policy, now: datetime) -> dict[str, dict[str, Retention]]:
    """For each of the given models that has any: its Archived former Production versions and their retention."""
    found: dict[str, dict[str, Retention]] = {}
    for start in range(0, len(models), BATCH):
        batch = models[start : start + BATCH]
        rows = snapshot.rows(
            "SELECT DISTINCT e.model, e.version, v.stage_changed_at FROM event AS e"
            " JOIN model_version AS v ON v.model = e.model AND v.version = e.version"
            f" WHERE e.model IN ({', '.join('?' * len(batch))}) AND e.to_stage = {sql_literal(PRODUCTION)}"
            f" AND v.stage = {sql_literal(Stage.ARCHIVED.value)} AND v.stage_changed_at IS NOT NULL",
            batch,
        )
        for model, version, archived in rows:
            found.setdefault(model, {})[version] = retention_of(stored_time(archived), policy.for_model(model), now)
    return found


def past_retention_counts(snapshot: Snapshot, models: list[str], policy: Policy, now: datetime) -> dict[str, int]:
    """How many versions past retention each of the given models has (absent: none)."""
    found = retentions(snapshot, models, policy, now)
    counts = {model: sum(r.past for r in versions.values()) for model, versions in found.items()}
    return {model: count for model, count in counts.items() if count}
