"""The retention of Archived former Production versions, read from the cache with plain SQL and judged by
regtui.domain.retention: how many each model of the registry screen's window has, and, for the model screen, each
version's retention.

Both reads find the former Production versions first from indexes alone: the listed models' versions from the
covering ix_cache_version_newest (model, created_at, version and the rowid), each probed in the partial index of
moves to Production (ix_cache_event_production, its condition repeated with the same literal). Only those rows are
then read, by rowid, for their stage and archive time, so a window costs an index scan plus one row per former
Production version. The window's count compares archive times with the domain's cutoff in SQL: no row per version
reaches Python."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from regtui.domain.entry import Stage
from regtui.domain.policy import POLICY_SCOPE, Policy, policy_of
from regtui.domain.retention import Retention, retention_cutoff, retention_of
from regtui.store.cache_reader import Snapshot
from regtui.store.cache_sql import PRODUCTION, cache_time, sql_literal, stored_time

BATCH = 500
"""Names per IN list (SQLite caps the parameters of a statement)."""


def former_production(models_condition: str) -> str:
    """The condition that a version (of the models the condition on `candidate.model` selects) was moved to
    Production at some point and is Archived now with an archive time."""
    return (
        "model_version.rowid IN (SELECT candidate.rowid FROM model_version AS candidate"
        f" WHERE {models_condition} AND EXISTS (SELECT 1 FROM event WHERE event.model = candidate.model"
        f" AND event.version = candidate.version AND event.to_stage = {sql_literal(PRODUCTION)}))"
        f" AND model_version.stage = {sql_literal(Stage.ARCHIVED.value)} AND model_version.stage_changed_at IS NOT NULL"
    )


def stored_policy(snapshot: Snapshot) -> Policy:
    """The registry's policy as the cache holds it (the built-in default when none was set)."""
    return policy_of(snapshot.value("SELECT document FROM policy WHERE scope = ?", [POLICY_SCOPE]))


def retentions(snapshot: Snapshot, model: str, policy: Policy, now: datetime) -> dict[str, Retention]:
    """A model's Archived former Production versions, each with its retention as of `now`."""
    rows = snapshot.rows(
        "SELECT version, stage_changed_at FROM model_version WHERE " + former_production("candidate.model = ?"),
        [model],
    )
    model_policy = policy.for_model(model)
    return {version: retention_of(stored_time(archived), model_policy, now) for version, archived in rows}


def past_retention_counts(snapshot: Snapshot, models: list[str], policy: Policy, now: datetime) -> dict[str, int]:
    """How many versions past retention each of the given models has (absent: none): one query per distinct
    retention among them."""
    by_cutoff: dict[str, list[str]] = defaultdict(list)
    for model in models:
        by_cutoff[cache_time(retention_cutoff(policy.for_model(model), now))].append(model)
    counts: dict[str, int] = {}
    for cutoff, names in by_cutoff.items():
        for start in range(0, len(names), BATCH):
            batch = names[start : start + BATCH]
            within = former_production(f"candidate.model IN ({', '.join('?' * len(batch))})")
            counts.update(
                snapshot.rows(
                    f"SELECT model, count(*) FROM model_version WHERE {within}"
                    " AND model_version.stage_changed_at < ? GROUP BY model",
                    [*batch, cutoff],
                )
            )
    return counts
