"""Object-store reads against moto's S3 server on 127.0.0.1: pinning at registration, reads of the pinned version,
what an overwritten or deleted key reports, buckets without versioning, wrong credentials, a cut stream, and the
missing-extra message."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from regtui.domain.checksums import KeyState, VerifyStatus, verify_artifact
from regtui.domain.entry import Artifact
from regtui.errors import InputError
from regtui.providers.object_store import FsspecObjectReader, MissingExtraError
from regtui.services import artifact_io
from regtui.services.artifact_io import Readers, RegistrationHashError
from tests.object_servers import S3, CuttingProxy

BODY = b"pinned model bytes " * 1000


def _pinned(reader: FsspecObjectReader, uri: str, name: str = "model.bin") -> Artifact:
    """An artifact registered now: pinned, then hashed from its pinned version."""
    version, etag = reader.pin(uri)
    artifact = Artifact(name, uri, "", -1, version, etag)
    digest = hashlib.sha256(b"".join(reader.chunks(artifact))).hexdigest()
    size = sum(len(c) for c in reader.chunks(artifact))
    return replace(artifact, sha256=digest, size=size)


@pytest.fixture
def reader(s3: S3) -> FsspecObjectReader:
    """A reader on the test server (its endpoint from the configuration, as `s3_endpoint_url` gives it)."""
    return FsspecObjectReader(s3.endpoint)


def test_a_versioned_object_is_pinned_and_verifies(s3: S3, reader: FsspecObjectReader) -> None:
    """The version id and ETag are recorded; verify reads that version and the key still holds it."""
    bucket = s3.bucket("pin", versioned=True)
    version = s3.put(bucket, "m/model.bin", BODY)
    artifact = _pinned(reader, f"s3://{bucket}/m/model.bin")
    assert artifact.object_version == version and artifact.etag == hashlib.md5(BODY).hexdigest()
    result = verify_artifact(artifact, objects=reader)
    assert result.ok and result.message == "sha256 and size match"
    assert reader.key_state(artifact) is KeyState.SAME


def test_an_overwritten_key_still_reads_the_registered_version(s3: S3, reader: FsspecObjectReader) -> None:
    """Another object under the key: verification reads the pinned one and says so."""
    bucket = s3.bucket("overwrite", versioned=True)
    s3.put(bucket, "m/model.bin", BODY)
    artifact = _pinned(reader, f"s3://{bucket}/m/model.bin")
    s3.put(bucket, "m/model.bin", b"new weights")
    result = verify_artifact(artifact, objects=reader)
    assert result.ok
    assert result.message == (
        "sha256 and size match; the key now holds another object; the registered version is still readable"
    )


def test_a_deleted_key_with_its_pinned_version_present(s3: S3, reader: FsspecObjectReader) -> None:
    """A delete marker on the key: the registered version is still there and verifies."""
    bucket = s3.bucket("deleted-key", versioned=True)
    s3.put(bucket, "m/model.bin", BODY)
    artifact = _pinned(reader, f"s3://{bucket}/m/model.bin")
    s3.client.delete_object(Bucket=bucket, Key="m/model.bin")
    result = verify_artifact(artifact, objects=reader)
    assert result.ok and result.message.endswith("the key was deleted; the registered version is still readable")


def test_a_deleted_version_is_gone(s3: S3, reader: FsspecObjectReader) -> None:
    """The pinned version itself deleted: missing, and the message says the registered version is gone."""
    bucket = s3.bucket("deleted-version", versioned=True)
    s3.put(bucket, "m/model.bin", BODY)
    artifact = _pinned(reader, f"s3://{bucket}/m/model.bin")
    s3.put(bucket, "m/model.bin", b"newer")
    s3.client.delete_object(Bucket=bucket, Key="m/model.bin", VersionId=artifact.object_version)
    result = verify_artifact(artifact, objects=reader)
    assert result.status is VerifyStatus.MISSING and not result.ok
    assert result.message.endswith("the key now holds another object; the registered version is gone")


def test_a_bucket_without_versioning_is_allowed_but_flagged(s3: S3, reader: FsspecObjectReader) -> None:
    """No version to pin: the ETag is recorded, reads take the current object, and the result says so."""
    bucket = s3.bucket("unversioned", versioned=False)
    s3.put(bucket, "m/model.bin", BODY)
    artifact = _pinned(reader, f"s3://{bucket}/m/model.bin")
    assert artifact.object_version == "" and artifact.etag
    flagged = verify_artifact(artifact, objects=reader)
    assert flagged.ok and flagged.message.endswith("bucket without versioning: the key's current object was read")
    s3.put(bucket, "m/model.bin", b"overwritten")
    assert verify_artifact(artifact, objects=reader).status is VerifyStatus.MISMATCH


def test_registration_hashes_several_objects_and_refuses_a_missing_one(s3: S3, reader: FsspecObjectReader) -> None:
    """Every artifact is read at registration (several at once); one that is not there refuses it, named."""
    from regtui.domain.entry import ChangeKind, VersionEntry, utc_now

    bucket = s3.bucket("register", versioned=True)
    for index in range(3):
        s3.put(bucket, f"m/part-{index}", BODY + bytes([index]))
    artifacts = tuple(Artifact(f"part-{i}", f"s3://{bucket}/m/part-{i}", "", -1) for i in range(3))
    entry = VersionEntry("m", "1.0.0", ChangeKind.INITIAL, "torch", "data", "team", utc_now(), artifacts=artifacts)
    seen: list[int] = []
    counts: list[tuple[int, int]] = []
    measured = artifact_io.hash_for_registration(
        entry, seen.append, using=Readers(reader), on_count=lambda done, of: counts.append((done, of))
    )
    assert counts == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert [a.sha256 for a in measured.artifacts] == [hashlib.sha256(BODY + bytes([i])).hexdigest() for i in range(3)]
    assert all(a.object_version for a in measured.artifacts) and sum(seen) == 3 * (len(BODY) + 1)
    missing = replace(entry, artifacts=(*artifacts, Artifact("gone", f"s3://{bucket}/m/nothing", "", -1)))
    with pytest.raises(RegistrationHashError, match=r"m@1.0.0 artifact gone: cannot be read: s3://.*/m/nothing"):
        artifact_io.hash_for_registration(missing, using=Readers(reader))


def test_wrong_credentials_are_one_clear_line(
    s3: S3, s3_auth_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A server that refuses the access key: one line naming the object and the credentials, no secret."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    reader = FsspecObjectReader(s3_auth_endpoint)
    with pytest.raises(InputError) as refused:
        reader.pin("s3://any-bucket/m/model.bin")
    message = refused.value.message
    assert message == (
        "access to s3://any-bucket/m/model.bin refused: check the store's credentials (environment, profile or role)"
    )
    assert "not-the-secret" not in message and "\n" not in message


@pytest.fixture
def cutting_proxy(s3: S3) -> Iterator[CuttingProxy]:
    """A proxy to the test server that cuts response streams after 256 KiB."""
    proxy = CuttingProxy(s3.endpoint, 256 * 1024)
    yield proxy
    proxy.close()


def test_an_interrupted_stream_is_an_error_not_a_short_read(s3: S3, cutting_proxy: CuttingProxy) -> None:
    """A download cut mid-body fails the verification (never hashed as a shorter object)."""
    bucket = s3.bucket("cut", versioned=True)
    s3.put(bucket, "m/big.bin", b"x" * (4 * 1024 * 1024))
    direct = FsspecObjectReader(s3.endpoint)
    artifact = _pinned(direct, f"s3://{bucket}/m/big.bin")
    result = verify_artifact(artifact, objects=FsspecObjectReader(cutting_proxy.url))
    assert result.status is VerifyStatus.ERROR and not result.ok
    assert result.message.startswith(f"reading s3://{bucket}/m/big.bin failed")


def test_a_missing_extra_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without fsspec and the store's package: one line with the install command."""
    real = importlib.import_module

    def without_fsspec(name: str, package: str | None = None) -> object:
        if name.startswith("fsspec"):
            raise ImportError(f"No module named {name!r}")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", without_fsspec)
    for uri, extra in (("s3://b/k", "s3"), ("gs://b/k", "gcs"), ("az://c/k", "azure"), ("abfs://c/k", "azure")):
        with pytest.raises(MissingExtraError) as missing:
            FsspecObjectReader().pin(uri)
        assert missing.value.message.endswith(f"pip install 'regtui[{extra}]'")


class GenerationStore:
    """A stand-in with gcsfs's contract (info() reports `generation` and `etag`; a generation is read when the path
    names it after a '#', as gcsfs's version-aware filesystem reads it: its `generation=` keyword of open() is not
    sent with the reads), for the GCS path of the reader where the GCS server keeps no older generations."""

    def __init__(self) -> None:
        self.objects: dict[str, list[bytes]] = {}

    def info(self, path: str, refresh: bool = False) -> dict[str, object]:
        """The object's current (or named) generation and ETag; FileNotFoundError when there is none."""
        name, _, generation = path.partition("#")
        versions = self.objects.get(name, [])
        index = int(generation) if generation else len(versions)
        if not 1 <= index <= len(versions):
            raise FileNotFoundError(path)
        return {"name": name, "size": len(versions[index - 1]), "generation": str(index), "etag": f"e{index}"}

    def open(self, path: str, mode: str, block_size: int, cache_type: str) -> object:
        """A file object over the named (or current) generation's bytes."""
        import io

        name, _, generation = path.partition("#")
        return io.BytesIO(self.objects[name][int(generation or len(self.objects[name])) - 1])


def test_the_gcs_path_pins_generations_and_reads_the_pinned_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """gs:// goes through the same reader with GCS's names (generation, etag): pinned, read, overwritten."""
    from regtui.providers import object_store

    store = GenerationStore()
    store.objects["bucket/m.bin"] = [BODY]
    monkeypatch.setattr(
        FsspecObjectReader, "open_store", lambda self, uri: (object_store.STORES["gs"], store, "bucket/m.bin")
    )
    reader = FsspecObjectReader()
    artifact = _pinned(reader, "gs://bucket/m.bin")
    assert (artifact.object_version, artifact.etag) == ("1", "e1")
    store.objects["bucket/m.bin"].append(b"generation two")
    result = verify_artifact(artifact, objects=reader)
    assert result.ok and result.message.endswith(
        "the key now holds another object; the registered version is still readable"
    )
