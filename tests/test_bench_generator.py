"""The benchmarks' generator keeps working with the write path it drives (the benchmarks run on demand, not here)."""

from __future__ import annotations

from regtui.store import model_list
from regtui.store.cache_reader import CacheReader
from tests.bench.generate import apply_changes, generate
from tests.factories import ServiceFactory


def test_generated_registry_takes_changes_through_the_real_write_paths_and_syncs(
    registry_url: str, make_service: ServiceFactory
) -> None:
    """A small generated registry, then registrations and promotions as the sync benchmark makes them: every
    change is written (each through its own transaction) and a cache pulls all of them."""
    generate(registry_url, models=4, versions=6, seed=3)
    changes = apply_changes(registry_url, 12, seed=5, mix="mixed")
    assert len(changes.registered) + len(changes.moved) + len(changes.requested) == 12 and changes.moved
    service = make_service(registry_url, init=False)
    report = service.sync()
    assert set(changes.registered) <= set(report.versions)
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        listed = model_list.list_models(snapshot)
    assert len(listed) == 4 and sum(m.versions for m in listed) == 4 * 6 + len(changes.registered)
