"""The registry screen's filter query on the cache: case-insensitive, over name, owner and description."""

from __future__ import annotations

from regtui.services.registry import RegistryService
from regtui.store import model_list
from regtui.store.cache_reader import CacheReader


def test_the_model_filter_ignores_case(writer_service: RegistryService) -> None:
    """'CHURN' finds churn by name and 'Team-RISK' the models team-risk owns, in the cache of either registry."""
    writer_service.sync()
    with CacheReader(writer_service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        risk = [m.name for m in model_list.list_models(snapshot) if m.owner == "team-risk"]
        assert [m.name for m in model_list.list_models(snapshot, "CHURN")] == ["churn"]
        assert model_list.count_models(snapshot, "CHURN") == 1
        assert [m.name for m in model_list.list_models(snapshot, "Team-RISK")] == risk != []
        assert model_list.count_models(snapshot, "no such text") == 0
