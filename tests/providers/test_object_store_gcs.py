"""Google Cloud Storage artifacts through gcsfs against gcp-storage-emulator on 127.0.0.1 (.ci/servers/gcs.sh, or
started by the tests): registration pins the object's generation and every later read asks for that generation.

The emulator keeps only an object's live generation (a read of an older one answers with the live bytes), so the
story of an overwritten key read at its pinned generation is tested with a stand-in in test_object_store_s3.py,
not here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from regtui.domain.checksums import verify_artifact
from regtui.domain.entry import Artifact
from regtui.providers.gcs_settings import IAM_UNREAD, read_gcs_settings
from regtui.providers.object_store import FsspecObjectReader, store_error
from regtui.services import artifact_io
from regtui.services.artifact_io import Readers
from tests.factories import unmeasured_entry
from tests.object_servers import GCS, CuttingProxy

BODY = b"gcs model bytes " * 5000


@pytest.fixture
def recorded(gcs: GCS, monkeypatch: pytest.MonkeyPatch) -> Iterator[CuttingProxy]:
    """A proxy before the emulator that keeps what gcsfs asked (it cuts nothing); gcsfs pointed at it."""
    import fsspec

    proxy = CuttingProxy(gcs.endpoint, 1 << 40)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", proxy.url)
    fsspec.get_filesystem_class("gs").clear_instance_cache()
    yield proxy
    proxy.close()
    fsspec.get_filesystem_class("gs").clear_instance_cache()


def test_a_gcs_object_is_pinned_to_its_generation_and_read_at_it(gcs: GCS, recorded: CuttingProxy) -> None:
    """Registration hashes the object and records its generation and ETag; verify and the shared read ask the
    server for that generation, and the key is reported as still holding it."""
    bucket = gcs.bucket("pinned", versioning={"enabled": True})
    generation = gcs.put(bucket, "m/model.bin", BODY)
    uri = f"gs://{bucket}/m/model.bin"
    entry = unmeasured_entry(uri)
    reader = FsspecObjectReader()
    (artifact,) = artifact_io.hash_for_registration(entry, using=Readers(reader)).artifacts
    assert (artifact.sha256, artifact.size) == (hashlib.sha256(BODY).hexdigest(), len(BODY))
    assert artifact.object_version == generation and artifact.etag
    recorded.requests.clear()
    result = verify_artifact(artifact, objects=reader)
    assert result.ok and result.message == "sha256 and size match"
    assert b"".join(Readers(reader).chunks(artifact)()) == BODY
    asked = unquote(recorded.requests.decode("latin-1"))
    assert f"generation={generation}" in asked and "alt=media" in asked


def test_a_missing_gcs_object_is_reported_missing(gcs: GCS) -> None:
    """A generation the store does not hold: `missing`, naming the object."""
    bucket = gcs.bucket("missing")
    artifact = Artifact("m", f"gs://{bucket}/m/absent.bin", "0" * 64, 1)
    result = verify_artifact(artifact, objects=FsspecObjectReader())
    assert not result.ok and f"gs://{bucket}/m/absent.bin: no such object or version in the store" in result.message


def test_a_refused_gcs_credential_is_one_line_and_a_refused_iam_read_leaves_public_access_unknown() -> None:
    """gcsfs raises HttpError with code 401 for a refused token and OSError('Forbidden...') for a 403 (the emulator
    checks no credentials, so these are gcsfs's own exceptions): both are a refusal naming the object; a bucket
    whose IAM policy is forbidden to these credentials is still read, public access then unknown."""
    from gcsfs.retry import HttpError

    refusal = "access to gs://b/k refused: check the store's credentials (environment, profile or role)"
    assert store_error("gs://b/k", HttpError({"code": 401, "message": "Invalid Credentials"})).message == refusal
    assert store_error("gs://b/k", OSError("Forbidden: b/k\ncaller lacks storage.objects.get")).message == refusal

    class IamForbidden:
        """gcsfs's call() as a reader without storage.buckets.getIamPolicy meets it."""

        def call(self, method: str, path: str, *args: str, json_out: bool) -> dict[str, object]:
            if path.endswith("/iam"):
                raise OSError("Forbidden: b\ncaller lacks storage.buckets.getIamPolicy")
            return {"name": "b", "versioning": {"enabled": True}}

    settings = read_gcs_settings(IamForbidden(), "b", "gs://b")
    assert settings.versioning is True and settings.public is None and settings.unread == (IAM_UNREAD,)
