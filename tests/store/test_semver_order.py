"""Every version list orders by SemVer precedence (the stored semver_key), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from regtui.domain.entry import utc_iso
from regtui.services import reads, review
from regtui.services.registry import RegistryService
from regtui.store import model_list, model_versions, queries
from regtui.store.cache_reader import CacheReader
from tests.factories import BASE_TIME, CliResult, ServiceFactory, cache_read, version_manifest

ASCENDING = [
    "1.0.0-1",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0-rc.2",
    "1.0.0-rc.10",
    "1.0.0",
    "1.1.0",
    "1.9.0",
    "1.10.0",
]
"""A model's versions in precedence order: a numeric identifier first, the SemVer spec's example, two-digit
pre-release and minor numbers."""
NEWEST_FIRST = ASCENDING[::-1]
MODEL = "ranker"


def _parent(version: str) -> str | None:
    """Each pre-release and 1.0.0 follows the one before it; the 1.x minors all branch from 1.1.0 or 1.0.0."""
    index = ASCENDING.index(version)
    if index == 0:
        return None
    return "1.1.0" if version in ("1.9.0", "1.10.0") else ASCENDING[index - 1]


@pytest.fixture
def ordered(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> RegistryService:
    """A registry holding MODEL's versions, registered newest precedence first in time (so registration time
    never agrees with precedence), and a second operator's service that has synced it."""
    folder = tmp_path / "versions"
    for age, version in enumerate(ASCENDING):
        parent = _parent(version)
        version_manifest(
            folder,
            MODEL,
            version,
            parent=parent,
            change_kind="initial" if parent is None else None,
            created_at=utc_iso(BASE_TIME - timedelta(hours=age)),
        )
    make_service(registry_url).import_paths([folder])
    reader = make_service(registry_url, init=False)
    reader.sync()
    return reader


def test_regtui_versions_lists_newest_precedence_first(ordered: RegistryService, cli: Callable[..., CliResult]) -> None:
    """`regtui versions` (JSON and table): 1.0.0-rc.10 after 1.0.0-rc.2, 1.10.0 after 1.9.0, the release last."""
    listed = cli("versions", MODEL, "--json")
    assert listed.code == 0 and [v["version"] for v in listed.json()["versions"]] == NEWEST_FIRST
    table = cli("versions", MODEL)
    rows = [line.split()[0] for line in table.out.splitlines()[1:] if line.strip()]
    assert rows[: len(NEWEST_FIRST)] == NEWEST_FIRST


def test_the_cache_reader_lists_windows_in_precedence_order(ordered: RegistryService) -> None:
    """A model's versions, in windows at any offset, the whole registry's list, and the newest one."""
    windows = [
        cache_read(ordered, lambda s, o=offset: model_versions.list_versions(s, MODEL, o, 4))
        for offset in range(0, len(ASCENDING), 4)
    ]
    assert [v.version for window in windows for v in window] == NEWEST_FIRST
    assert [
        v.version for v in cache_read(ordered, lambda s: model_versions.list_versions(s, limit=None))
    ] == NEWEST_FIRST
    assert cache_read(ordered, lambda s: model_versions.latest_version(s, MODEL)) == "1.10.0"
    assert [m.latest for m in cache_read(ordered, model_list.list_models)] == ["1.10.0"]
    overview = cache_read(ordered, lambda s: model_versions.model_versions(s, MODEL))
    assert [v.version for v in overview.versions] == NEWEST_FIRST


def test_children_are_listed_in_precedence_order(ordered: RegistryService) -> None:
    """A version's children: 1.1.0's are 1.9.0 then 1.10.0."""
    detail = cache_read(ordered, lambda s: model_versions.version_detail(s, MODEL, "1.1.0"))
    assert detail.children == ("1.9.0", "1.10.0")


def test_the_tuis_lists_use_the_same_order(ordered: RegistryService) -> None:
    """The version picker's windows (newest first), the lineage tree (oldest first) and the diff's default
    candidate (the newest version when none is in Production)."""
    picked = review.list_versions(ordered, MODEL, 0, 100) + review.list_versions(ordered, MODEL, 100, 100)
    assert [line.key for line in picked] == NEWEST_FIRST and review.count_versions(ordered, MODEL) == len(ASCENDING)
    with CacheReader(ordered.locations.cache_path) as reader:
        overview = reads.model_overview(reader, MODEL, ordered.clock())
    assert [line.key for line in overview.versions] == ASCENDING
    assert review.version_diff(ordered, MODEL, None, None).b.key == "1.10.0"


def test_the_registry_orders_manifests_by_precedence(ordered: RegistryService) -> None:
    """The registry's own SQL order (the export's, the sync's parents first) on either backend: PostgreSQL
    compares the key byte by byte whatever the database's collation."""
    with ordered.reading_registry() as session:
        assert [m.entry.version for m in queries.iter_manifests(session, MODEL)] == ASCENDING
