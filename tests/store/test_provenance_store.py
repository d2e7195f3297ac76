"""Provenance on both backends: stored with the version, read back from the cache, exported, and added to a
schema 4 registry by `init`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from regtui.errors import NotARegistryError, RuleError
from regtui.store.model_versions import version_detail
from regtui.store.schema import SCHEMA_VERSION
from tests.factories import ServiceFactory, cache_read, raw_execute, variant, version_manifest

SOURCE = {"run_id": "run-7", "git_commit": "0123abcd", "lock_file": "uv.lock", "lock_sha256": "cd" * 32}
TAGS = {"pipeline": "nightly", "ticket": "RISK-12"}


def test_provenance_is_registered_content(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """Source and tags come back from the cache as registered; the same version with other provenance is refused."""
    service = make_service(registry_url)
    manifest = version_manifest(tmp_path / "m", "churn", "1.0.0", source=SOURCE, tags=TAGS)
    service.register(manifest)
    detail = cache_read(service, lambda snapshot: version_detail(snapshot, "churn", "1.0.0"))
    entry = detail.manifest.entry
    assert entry.source is not None and entry.source.run_id == "run-7" and entry.source.lock_file == "uv.lock"
    assert dict(entry.tags) == TAGS
    assert detail.content_hash == entry.content_hash()
    assert service.register(manifest).unchanged == ["churn@1.0.0"]
    with pytest.raises(RuleError, match="source"):
        service.register(variant(manifest, source={**SOURCE, "run_id": "run-8"}))
    with pytest.raises(RuleError, match="tags"):
        service.register(variant(manifest, "other.yaml", tags={"pipeline": "weekly"}))


def test_export_and_import_keep_provenance(
    registry_url: str, other_registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """An export carries source and tags; importing it elsewhere gives the same content hash."""
    service = make_service(registry_url)
    service.register(version_manifest(tmp_path / "m", "churn", "1.0.0", source=SOURCE, tags=TAGS))
    service.export(tmp_path / "out")
    text = (tmp_path / "out" / "models" / "churn" / "1.0.0.yaml").read_text(encoding="utf-8")
    assert "run-7" in text and "RISK-12" in text
    other = make_service(other_registry_url)
    other.import_paths([tmp_path / "out"])
    hashes = [
        cache_read(s, lambda snapshot: version_detail(snapshot, "churn", "1.0.0").content_hash)
        for s in (service, other)
    ]
    assert hashes[0] == hashes[1]


def test_init_adds_the_provenance_columns_to_a_schema_4_registry(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """A schema 4 registry (no source/tags) is refused until `init` adds them; the trigger then covers them and a
    second `init` changes nothing."""
    service = make_service(registry_url)
    service.register(version_manifest(tmp_path / "m", "churn", "1.0.0"))
    on_table = "" if registry_url.startswith("sqlite") else " ON model_version"
    raw_execute(registry_url, f"DROP TRIGGER trg_version_immutable{on_table}")
    if not registry_url.startswith("sqlite"):  # the API views of init depend on every column
        raw_execute(registry_url, "DROP SCHEMA regtui_api CASCADE")
    for column in ("source", "tags"):
        raw_execute(registry_url, f"ALTER TABLE model_version DROP COLUMN {column}")
    raw_execute(registry_url, "UPDATE regtui_meta SET value = '4' WHERE key = 'schema_version'")
    with pytest.raises(NotARegistryError, match="schema version 4 is older"):
        make_service(registry_url, init=False).registry()
    upgraded = make_service(registry_url, init=False)
    assert upgraded.init() == f"upgraded registry schema from version 4 to {SCHEMA_VERSION}"
    assert {"source", "tags"} <= {c["name"] for c in inspect(upgraded.registry()).get_columns("model_version")}
    assert upgraded.init() == f"registry schema is up to date (version {SCHEMA_VERSION})"
    upgraded.register(version_manifest(tmp_path / "n", "churn", "1.1.0", parent="1.0.0", source=SOURCE))
    with pytest.raises(Exception, match="immutable"):
        raw_execute(registry_url, "UPDATE model_version SET tags = '{\"a\": \"b\"}' WHERE version = '1.1.0'")
