"""Azure Blob artifacts against Azurite on 127.0.0.1 (.ci/servers/azurite.sh starts it): pinned by ETag (Azurite
keeps no blob versions, so the container is flagged as without versioning), verified and read back; a recorded
version id is sent with every read."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import pytest

from regtui.domain.checksums import VerifyStatus, verify_artifact
from regtui.domain.entry import Artifact
from regtui.providers.object_store import FsspecObjectReader
from regtui.services import artifact_io
from regtui.services.artifact_io import Readers, RegistrationHashError
from tests.factories import unmeasured_entry
from tests.object_servers import CuttingProxy

BODY = b"azure model bytes " * 5000


@pytest.fixture
def container(azurite_connection: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A new container on Azurite, the connection string in the variable adlfs reads."""
    from azure.storage.blob import BlobServiceClient

    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_connection)
    service = BlobServiceClient.from_connection_string(azurite_connection)
    client = service.create_container(f"models-{uuid.uuid4().hex[:12]}")
    yield client
    client.delete_container()


@pytest.mark.parametrize("scheme", ["az", "abfs"])
def test_an_azure_blob_is_pinned_by_etag_verified_and_flagged_without_versions(container: Any, scheme: str) -> None:
    """Registration hashes the blob and records its ETag; verify reads it and flags the missing versioning; an
    overwrite is then a mismatch."""
    container.upload_blob("m/model.bin", BODY)
    uri = f"{scheme}://{container.container_name}/m/model.bin"
    entry = unmeasured_entry(uri)
    reader = FsspecObjectReader()
    (artifact,) = artifact_io.hash_for_registration(entry, using=Readers(reader)).artifacts
    assert (artifact.sha256, artifact.size) == (hashlib.sha256(BODY).hexdigest(), len(BODY))
    assert artifact.etag and artifact.object_version == ""
    result = verify_artifact(artifact, objects=reader)
    assert result.ok and result.message.endswith("bucket without versioning: the key's current object was read")
    container.upload_blob("m/model.bin", b"replaced", overwrite=True)
    assert verify_artifact(artifact, objects=reader).status is VerifyStatus.MISMATCH


def test_a_missing_blob_refuses_the_registration(container: Any) -> None:
    """A blob that is not there: the registration is refused naming the artifact."""
    uri = f"az://{container.container_name}/m/absent.bin"
    entry = unmeasured_entry(uri, "w")
    with pytest.raises(RegistrationHashError, match="m@1.0.0 artifact w: cannot be read"):
        artifact_io.hash_for_registration(entry, using=Readers(FsspecObjectReader()))


def test_the_read_that_verify_and_pull_share_delivers_the_whole_blob(container: Any) -> None:
    """The per-artifact read (verify, register and pull all use it) delivers the blob's bytes, in order."""
    container.upload_blob("m/model.bin", BODY)
    reader = FsspecObjectReader()
    artifact = Artifact("model.bin", f"az://{container.container_name}/m/model.bin", "", -1)
    chunks = Readers(reader).chunks(replace(artifact, etag=reader.pin(artifact.uri)[1]))
    assert b"".join(chunks()) == BODY


def test_a_recorded_azure_version_id_is_asked_for_by_every_read(
    azurite_connection: str, container: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blob registered with a version id (Azure with blob versioning) is read at that version: pin, verify and the
    shared read send it to the service as `versionid`. Azurite keeps no versions (it answers with the current blob),
    so what is checked is the request adlfs makes on regtui's behalf, through a proxy that keeps it (the version-less
    HEADs are verify asking what the key holds now)."""
    import fsspec

    container.upload_blob("m/model.bin", BODY)
    blobs = next(p for p in azurite_connection.split(";") if p.startswith("BlobEndpoint=")).partition("=")[2]
    proxy = CuttingProxy(blobs, 1 << 40)
    account = blobs.rstrip("/").rsplit("/", 1)[1]
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        azurite_connection.replace(blobs, f"{proxy.url}/{account}"),
    )
    fsspec.get_filesystem_class("az").clear_instance_cache()
    version = "2026-12-01T10:00:00.1234567Z"
    artifact = Artifact(
        "m", f"az://{container.container_name}/m/model.bin", hashlib.sha256(BODY).hexdigest(), len(BODY)
    )
    try:
        reader = FsspecObjectReader()
        assert reader.pin(artifact.uri, version)[0] == version
        pinned = replace(artifact, object_version=version)
        assert verify_artifact(pinned, objects=reader).status is VerifyStatus.OK
        assert b"".join(Readers(reader).chunks(pinned)()) == BODY
    finally:
        proxy.close()
        fsspec.get_filesystem_class("az").clear_instance_cache()
    asked = [line for line in unquote(proxy.requests.decode("latin-1")).splitlines() if "model.bin" in line]
    reads = [line for line in asked if line.startswith("GET")]
    assert f"versionid={version}" in asked[0]
    assert reads and all(f"versionid={version}" in line for line in reads)
