"""Cache and sync on both backends: full and incremental pulls, stage changes, re-created registries, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.config import Locations
from regtui.errors import RegistryUnavailableError
from regtui.services.registry import RegistryService
from regtui.store.cache import PULLED_TABLES
from regtui.store.model_versions import count_versions, version_detail
from regtui.urls import redact
from tests.factories import (
    CLOSED_PORT_URL,
    ServiceFactory,
    cache_read,
    cached_models,
    change_stage,
    count_rows,
    dump_rows,
    raw_execute,
    run_cli,
    version_manifest,
)


def test_first_pull_brings_every_row(
    registry_url: str, writer_service: RegistryService, make_service: ServiceFactory
) -> None:
    """A new cache pulls every row of every table from counter 0; the cache then equals the registry."""
    reader = make_service(registry_url, init=False)
    report = reader.sync()
    counts = count_rows(writer_service.registry())
    assert report.from_seq == 0 and not report.reset
    assert report.counts == {table.name: counts[table.name] for table in PULLED_TABLES}
    assert len(report.versions) == counts["model_version"] == 7
    assert report.events == 3
    assert dump_rows(reader.cache()) == dump_rows(writer_service.registry())


def test_incremental_pull_brings_only_the_rows_above_the_last_seen_counter(
    registry_url: str, writer_service: RegistryService, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """After three registrations, the next pull copies exactly their 3 versions, 3 artifacts and 3 events."""
    reader = make_service(registry_url, init=False)
    first = reader.sync()
    assert reader.sync().total == 0
    for version in ("2.1.0", "2.2.0", "2.3.0"):
        writer_service.register(version_manifest(tmp_path / "new", "churn", version, parent="2.0.0"))
    report = reader.sync()
    assert report.from_seq == first.to_seq and report.to_seq == first.to_seq + 3
    changed = {name: count for name, count in report.counts.items() if count}
    assert changed == {"model_version": 3, "artifact": 3, "event": 3}
    assert report.versions == ["churn@2.1.0", "churn@2.2.0", "churn@2.3.0"]
    assert dump_rows(reader.cache()) == dump_rows(writer_service.registry())


def test_a_stage_change_is_pulled(
    registry_url: str, writer_service: RegistryService, make_service: ServiceFactory
) -> None:
    """A stage update that takes a new change counter value reaches the cache as that one version row."""
    reader = make_service(registry_url, init=False)
    reader.sync()
    seq = change_stage(registry_url, "churn", "2.0.0", "Staging")
    report = reader.sync()
    assert report.to_seq == seq
    assert report.versions == ["churn@2.0.0"] and report.total == 1
    assert cache_read(reader, lambda s: version_detail(s, "churn", "2.0.0")).manifest.stage.value == "Staging"
    assert set(cached_models(reader)[0].staging) == {"2.0.0-rc.1", "2.0.0"}


def test_refresh_says_whether_it_pulled_anything(
    registry_url: str, writer_service: RegistryService, make_service: ServiceFactory
) -> None:
    """A refresh says whether it brought changes into the cache (the dashboard reloads its screens only then): the
    first pull of a new cache does, one with nothing new does not, one after a stage change does."""
    reader = make_service(registry_url, init=False)
    assert reader.refresh().pulled
    assert not reader.refresh().pulled
    change_stage(registry_url, "churn", "2.0.0", "Staging")
    assert reader.refresh().pulled
    assert not reader.refresh().pulled


def test_a_recreated_registry_at_the_same_url_resets_the_cache(
    registry_url: str, writer_service: RegistryService, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """A new registry id at the cache's URL empties the cache before pulling, so no stale row survives."""
    cache = tmp_path / "shared-cache.db"
    make_service(registry_url, init=False, cache=cache).sync()
    writer_service.close()
    _drop_registry(registry_url)
    recreated = make_service(registry_url, cache=cache)
    report = recreated.sync()
    assert report.reset and report.from_seq == 0 and report.versions == []
    recreated.register(version_manifest(tmp_path / "new", "fraud", "1.0.0"))
    assert [m.name for m in cached_models(recreated)] == ["fraud"]
    assert cache_read(recreated, count_versions) == 1
    assert dump_rows(recreated.cache()) == dump_rows(recreated.registry())


def _drop_registry(url: str) -> None:
    """Throw the registry away: delete the SQLite file, or drop PostgreSQL's public schema."""
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    else:
        raw_execute(url, "DROP SCHEMA public CASCADE")
        raw_execute(url, "CREATE SCHEMA public")


def _take_offline(url: str, tmp_path: Path) -> str:
    """Make the registry unreachable; return the URL a later process uses for it.

    SQLite: the file disappears (its share is unmounted); PostgreSQL: nothing listens on the port.
    """
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.rename(tmp_path / "moved-away.db")
        return url
    return CLOSED_PORT_URL


def test_offline_reads_come_from_the_cache_and_writes_are_refused(
    registry_url: str, writer_service: RegistryService, tmp_path: Path
) -> None:
    """Unreachable registry after a sync: refresh says how stale, reads work, register is refused (exit 2)."""
    cache = tmp_path / "offline-cache.db"
    RegistryService(Locations(registry_url, cache)).sync()
    writer_service.close()
    offline = RegistryService(Locations(_take_offline(registry_url, tmp_path), cache))
    try:
        status = offline.refresh()
        assert not status.fresh and status.error
        assert status.describe(offline.clock()).startswith("registry unreachable since ")
        assert "read-only, cache " in status.describe(offline.clock())
        assert cache_read(offline, lambda s: count_versions(s, "churn")) == 5
        assert cache_read(offline, lambda s: version_detail(s, "churn", "1.1.1")).manifest.canary_share == 12.5
        with pytest.raises(RegistryUnavailableError):
            offline.register(version_manifest(tmp_path / "new", "churn", "2.1.0", parent="2.0.0"))
    finally:
        offline.close()


def test_offline_status_names_the_registry_a_cache_of_another_url_holds(
    registry_url: str, writer_service: RegistryService, tmp_path: Path
) -> None:
    """A cache synced from one registry URL, read while another one is unreachable, says whose data it shows;
    offline on its own URL it does not."""
    cache = tmp_path / "shared-cache.db"
    synced = RegistryService(Locations(registry_url, cache))
    synced.sync()
    other = RegistryService(Locations(f"sqlite:///{tmp_path / 'gone' / 'other.db'}", cache))
    try:
        status = other.refresh()
        assert not status.fresh and status.cache_of == synced.url
        assert status.describe(other.clock()).endswith(f"; the cache holds {synced.url}")
        writer_service.close()
        same = RegistryService(Locations(registry_url, cache))
        if registry_url.startswith("sqlite"):  # the same URL, unreachable: its own cache, no note
            _take_offline(registry_url, tmp_path)
            own = same.refresh()
            assert not own.fresh and own.cache_of is None and "the cache holds" not in own.describe(same.clock())
        same.close()
    finally:
        synced.close()
        other.close()


def test_cli_offline_reads_warn_and_writes_exit_2(
    registry_url: str, writer_service: RegistryService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI on an unreachable registry: listings exit 0 with one staleness line (`stale` in their JSON), or
    exit 2 under --fresh (the provider listing too, which reads through the registry service); register exits 2.
    A cache of another registry (PostgreSQL here: the unreachable URL is another one) answers nothing: exit 2
    naming both."""
    cache = tmp_path / "cli-cache.db"
    RegistryService(Locations(registry_url, cache)).sync()
    writer_service.close()
    url = _take_offline(registry_url, tmp_path)
    listed = run_cli(capsys, "--registry", url, "--cache", cache, "versions", "churn", "--json")
    if url != registry_url:
        assert listed.code == 2 and len(listed.err_lines) == 1
        assert f"holds another registry, {redact(registry_url)}" in listed.err and redact(url) in listed.err
    else:
        assert listed.code == 0 and len(listed.json()["versions"]) == 5 and listed.json()["stale"] is True
        assert len(listed.err_lines) == 1 and "registry unreachable since" in listed.err
    fresh = run_cli(capsys, "--registry", url, "--cache", cache, "--fresh", "versions", "churn", "--json")
    assert fresh.code == 2 and fresh.out == "" and len(fresh.err_lines) == 1
    providers = run_cli(capsys, "--registry", url, "--cache", cache, "--fresh", "providers", "list", "--json")
    assert providers.code == 2 and providers.out == "" and len(providers.err_lines) == 1
    manifest = version_manifest(tmp_path / "new", "churn", "2.1.0", parent="2.0.0")
    refused = run_cli(capsys, "--registry", url, "--cache", cache, "register", manifest)
    assert refused.code == 2 and len(refused.err_lines) == 1 and "Traceback" not in refused.err
