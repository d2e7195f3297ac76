"""The write path's subject query (one row per artifact, the version's JSON columns read as text and decoded once)
describes a version exactly as the ORM reads it, on both backends."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON
from sqlmodel import Session

from regtui.store.facts import load_subject
from regtui.store.mapping import VERSION_DOCUMENTS
from regtui.store.queries import iter_manifests
from regtui.store.tables import VersionRow
from tests.factories import ServiceFactory, version_document, write_artifact, write_manifest

SOURCE = {"run_id": "run-7", "git_commit": "0123abcd", "lock_file": "uv.lock", "lock_sha256": "cd" * 32}
TAGS = {"pipeline": "nightly", "ticket": "RISK-12"}


def test_the_documents_are_the_version_tables_json_columns() -> None:
    """Every JSON column of the version table is decoded apart from the subject's row, and nothing else is."""
    json_columns = tuple(column.name for column in VersionRow.__table__.c if isinstance(column.type, JSON))
    assert VERSION_DOCUMENTS == json_columns


def test_the_subject_of_a_version_with_two_artifacts_is_the_entry_the_orm_reads(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """Two artifact rows repeat the version's columns: the subject's entry (documents decoded once, artifacts in
    manifest order) equals the ORM's, provenance and model card included."""
    service = make_service(registry_url, init=True)
    home = tmp_path / "m"
    artifacts = [write_artifact(home, name, name.encode()) for name in ("weights.bin", "config.json")]
    document = version_document("churn", "1.0.0", artifacts=artifacts, source=SOURCE, tags=TAGS)
    service.register(write_manifest(home, document, "manifest.yaml"))
    with Session(service.registry()) as session:
        subject = load_subject(session, "churn", "1.0.0")
        (manifest,) = iter_manifests(session, "churn")
    assert subject.entry == manifest.entry
    assert [artifact.name for artifact in subject.entry.artifacts] == ["weights.bin", "config.json"]
    assert subject.entry.tags == TAGS
    assert subject.entry.source is not None and subject.entry.source.run_id == "run-7"
    assert subject.entry.model_card.fairness.attested_by == "carol"
