"""Re-verifying artifacts reads the configuration file only when an artifact is in an object store (its S3
endpoint): a promotion's re-verification of local files reads nothing but the files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from regtui.config import CONFIG_ENV, S3_ENDPOINT_ENVS
from regtui.domain.entry import Artifact
from regtui.services import artifact_io

DIGEST = "0" * 64
ENDPOINT = "http://127.0.0.1:9/"


def _refuse() -> None:
    """A configuration read where none is wanted."""
    raise AssertionError("the configuration file was read")


def test_local_artifacts_are_verified_without_reading_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file artifact is re-hashed and matches; the configuration is never loaded."""
    data = b"model bytes"
    path = tmp_path / "model.bin"
    path.write_bytes(data)
    artifact = Artifact("model", path.as_uri(), hashlib.sha256(data).hexdigest(), len(data))
    monkeypatch.setattr(artifact_io, "load_settings", _refuse)
    assert [result.ok for result in artifact_io.verify_all([artifact])] == [True]


def test_an_object_store_artifact_is_read_with_the_configured_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an s3:// artifact among them, the readers carry the configuration file's endpoint; without, none."""
    config = tmp_path / "config.yaml"
    config.write_text(f"s3_endpoint_url: {ENDPOINT}\n")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    for name in S3_ENDPOINT_ENVS:
        monkeypatch.delenv(name, raising=False)
    local = Artifact("model", "file:///m/model.bin", DIGEST, 1)
    stored = Artifact("weights", "s3://bucket/weights.bin", DIGEST, 1)
    assert artifact_io.readers_for([local, stored]).objects.s3_endpoint_url == ENDPOINT
    assert artifact_io.readers_for([local]).objects.s3_endpoint_url is None
