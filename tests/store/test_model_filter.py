"""The registry screen's filter query on both backends: case-insensitive, over name, owner and description."""

from __future__ import annotations

from sqlmodel import Session

from regtui.service import RegistryService
from regtui.store import queries


def test_the_model_filter_ignores_case_on_the_registry_and_the_cache(writer_service: RegistryService) -> None:
    """'CHURN' finds churn by name and 'Team-RISK' the models team-risk owns, on the registry's database and the cache."""
    writer_service.sync()
    with Session(writer_service.registry()) as registry, writer_service.reading() as cache:
        for session in (registry, cache):
            risk = [m.name for m in queries.list_models(session) if m.owner == "team-risk"]
            assert [m.name for m in queries.list_models(session, "CHURN")] == ["churn"]
            assert queries.count_models(session, "CHURN") == 1
            assert [m.name for m in queries.list_models(session, "Team-RISK")] == risk != []
            assert queries.count_models(session, "no such text") == 0
