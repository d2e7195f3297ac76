"""The registry probe: the registry's id and change counter without the ORM, or None whenever it cannot tell."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from regtui.store.registry_probe import PROBED_SCHEMA_VERSION, RegistryMark, probe_registry
from regtui.store.schema import SCHEMA_VERSION
from tests.factories import ServiceFactory, raw_execute, raw_scalar, version_manifest


def test_the_probe_reads_the_schema_this_regtui_writes() -> None:
    """The probe answers only for the schema version regtui.store.schema creates."""
    assert PROBED_SCHEMA_VERSION == str(SCHEMA_VERSION)


def test_the_probe_follows_the_change_counter(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """Id and counter as the registry stores them, moving with each write; another schema version reads as None."""
    service = make_service(registry_url)
    registry_id = raw_scalar(registry_url, "SELECT value FROM regtui_meta WHERE key = 'registry_id'")
    before = probe_registry(registry_url)
    assert before == RegistryMark(registry_id, int(raw_scalar(registry_url, "SELECT value FROM change_counter")))
    service.register(version_manifest(tmp_path, "churn", "1.0.0"))
    after = probe_registry(registry_url)
    assert after is not None and after.top > before.top
    raw_execute(registry_url, "UPDATE regtui_meta SET value = '4' WHERE key = 'schema_version'")
    assert probe_registry(registry_url) is None


def test_the_probe_says_nothing_of_what_is_not_a_reachable_registry(tmp_path: Path) -> None:
    """A missing file, a file of another application, an in-memory database, a closed port: None."""
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x INTEGER)")
    for url in (
        f"sqlite:///{tmp_path / 'missing.db'}",
        f"sqlite:///{other}",
        "sqlite://",
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
    ):
        assert probe_registry(url) is None, url
