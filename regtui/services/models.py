"""The model list from the cache for the registry screen and `regtui models`: plain SQL, no ORM (first frame)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from regtui.domain.listing import ModelState, ModelSummary
from regtui.domain.provider_views import DeprecatedPin
from regtui.services.views import ModelQuery
from regtui.store import model_list
from regtui.store.cache_reader import CacheReader

ModelRow = tuple[ModelSummary, ModelState]
"""A model's list line and what needs attention on it."""


ALL_MODELS = ModelQuery()
"""The query of every model, in the default order."""


def count_models(reader: CacheReader, query: ModelQuery = ALL_MODELS) -> int:
    """How many models a query matches."""
    with reader.snapshot() as snapshot:
        return model_list.count_models(snapshot, query.text, stage=query.stage)


def model_rows(reader: CacheReader, query: ModelQuery, offset: int, limit: int, now: datetime) -> list[ModelRow]:
    """One window of the models a query matches, each with its open requests and drill state."""
    with reader.snapshot() as snapshot:
        summaries = model_list.list_models(snapshot, query.text, offset, limit, stage=query.stage, sort=query.sort)
        states = model_list.model_states(snapshot, summaries, now)
    return [(summary, states[summary.name]) for summary in summaries]


def model_count(cache_path: Path) -> int:
    """How many models the cache at this path holds."""
    with CacheReader(cache_path) as reader:
        return count_models(reader)


def deprecated_pins(reader: CacheReader, now: datetime) -> list[DeprecatedPin]:
    """Production versions whose pinned provider version has a deprecation notice, soonest retirement first."""
    with reader.snapshot() as snapshot:
        return model_list.deprecated_production_pins(snapshot, now)
