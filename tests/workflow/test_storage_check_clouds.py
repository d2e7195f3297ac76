"""`regtui storage check` on Google Cloud Storage (gcp-storage-emulator's JSON API, through gcsfs) and Azure Blob
(Azurite, through adlfs): versioning, a retention policy shorter and longer than the policy's 30-day retention,
public access, a lifecycle Delete rule; Azure's management-plane settings named as unread, a refused key in one
line."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import change_stage, variant, version_manifest
from tests.object_servers import GCS
from tests.workflow.conftest import World, WorldCli

DAY = 86400


def _register(world: World, cli_as: WorldCli, tmp_path: Path, uris: dict[str, str]) -> None:
    """Register churn@1.6.0 with the given object-store artifacts."""
    base = version_manifest(tmp_path / "manifests", "churn", "1.6.0", parent="1.5.0", change_kind="retraining")
    manifest = variant(base, artifacts=[{"name": name, "uri": uri} for name, uri in uris.items()])
    registered = cli_as("alice", "register", manifest)
    assert registered.code == 0, registered.err


def _checks(cli_as: WorldCli) -> tuple[int, dict[str, dict[str, Any]], list[str]]:
    """Run `storage check churn --json`: its exit code, the checks of churn@1.6.0 by artifact, and stderr's lines."""
    result = cli_as("frank", "storage", "check", "churn", "--json")
    checks = {c["artifact"]: c for c in json.loads(result.out) if c["version"] == "1.6.0"}
    return result.code, checks, result.err_lines


def test_gcs_bucket_settings_are_judged_against_the_stage(
    world: World, cli_as: WorldCli, gcs: GCS, tmp_path: Path
) -> None:
    """Versioning off, a 10-day retention policy (a finding once Archived, not in Development), a locked 60-day one,
    an IAM binding for allUsers (public, unless public access prevention is enforced), a Delete rule on
    noncurrent versions after 7 days."""
    versioned = {"versioning": {"enabled": True}}
    public_binding = {"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]}
    buckets = {
        "plain": gcs.bucket("plain"),
        "short": gcs.bucket("short", **versioned, retentionPolicy={"retentionPeriod": str(10 * DAY)}),
        "long": gcs.bucket("long", **versioned, retentionPolicy={"retentionPeriod": str(60 * DAY), "isLocked": True}),
        "public": gcs.bucket("public", **versioned),
        "prevented": gcs.bucket("prevented", **versioned, iamConfiguration={"publicAccessPrevention": "enforced"}),
        "expiring": gcs.bucket(
            "expiring",
            **versioned,
            lifecycle={
                "rule": [
                    {"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"}, "condition": {"age": 1}},
                    {
                        "action": {"type": "Delete"},
                        "condition": {"age": 7, "isLive": False, "matchesPrefix": ["m/"]},
                    },
                ]
            },
        ),
    }
    for name in ("public", "prevented"):
        gcs.call("PUT", f"/storage/v1/b/{buckets[name]}/iam", public_binding)
    uris = {}
    for name, bucket in buckets.items():
        gcs.put(bucket, "m/model.bin", name.encode())
        uris[name] = f"gs://{bucket}/m/model.bin"
    _register(world, cli_as, tmp_path, uris)
    _code, development, _err = _checks(cli_as)
    assert (
        development["short"]["findings"] == [] and development["short"]["lock"] == "10 d (retention policy not locked)"
    )
    change_stage(world.url, "churn", "1.6.0", "Archived")
    code, checks, err = _checks(cli_as)
    assert code == 1 and len(err) == 1 and "storage finding(s)" in err[0]
    assert checks["plain"]["versioning"] == "off" and checks["plain"]["lock"] == "off"
    assert checks["plain"]["findings"] == [
        "versioning off: an overwrite or a delete of the key loses the registered bytes"
    ]
    assert checks["short"]["findings"] == ["object lock of 10 d is shorter than the 30-day retention of Archived"]
    assert checks["long"]["findings"] == [] and checks["long"]["lock"] == "60 d (retention policy locked)"
    assert checks["public"]["public"] == "public"
    assert checks["public"]["findings"] == ["public access: anyone can read the bucket"]
    assert checks["prevented"]["public"] == "private" and checks["prevented"]["findings"] == []
    assert checks["expiring"]["findings"] == [
        "lifecycle rule 'rule 2' deletes noncurrent versions after 7 d, before the 30-day retention"
    ]
    assert {c["bucket"] for c in checks.values()} == {f"gs://{b}" for b in buckets.values()}


@pytest.fixture
def azure(azurite_connection: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Azurite's blob service client, the connection string in the variable adlfs reads; adlfs's cached
    filesystems are dropped before and after (a test changes the credentials)."""
    import fsspec
    from azure.storage.blob import BlobServiceClient

    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_connection)
    fsspec.get_filesystem_class("az").clear_instance_cache()
    service = BlobServiceClient.from_connection_string(azurite_connection)
    yield service
    fsspec.get_filesystem_class("az").clear_instance_cache()


def test_azure_container_settings_what_the_data_plane_tells_and_what_it_does_not(
    world: World, cli_as: WorldCli, azure: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public container is a finding; a blob without a version id leaves versioning unknown (a finding, the
    account setting is not readable); the account's soft delete is shown; lifecycle rules are named as unread on
    stderr; a refused key is one line per container."""
    import fsspec
    from azure.storage.blob import RetentionPolicy

    azure.set_service_properties(delete_retention_policy=RetentionPolicy(enabled=True, days=7))
    containers = {}
    for name, access in (("private", None), ("public", "blob")):
        client = azure.create_container(f"{name}-{uuid.uuid4().hex[:12]}", public_access=access)
        client.upload_blob("m/model.bin", name.encode())
        containers[name] = client.container_name
    _register(world, cli_as, tmp_path, {name: f"az://{c}/m/model.bin" for name, c in containers.items()})
    change_stage(world.url, "churn", "1.6.0", "Archived")
    code, checks, err = _checks(cli_as)
    assert code == 1
    unknown = (
        "versioning unknown: the blob carries no version id, so blob versioning looks off for the account (an "
        "account setting the data plane cannot read): an overwrite or a delete may lose the registered bytes"
    )
    assert checks["private"]["findings"] == [unknown]
    assert checks["private"]["versioning"] == "unknown" and checks["private"]["public"] == "private"
    assert checks["private"]["lock"] == "off (blob soft delete 7 d)"
    assert checks["public"]["findings"] == [unknown, "public access: anyone can read the bucket"]
    assert sorted(err[:2]) == sorted(
        f"regtui: az://{c}: lifecycle rules: not readable with data-plane credentials (Azure lifecycle management)"
        for c in containers.values()
    )
    wrong_key = azure.credential.account_key[:-8] + "AAAAAAA="
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", _connection_string(azure, wrong_key))
    fsspec.get_filesystem_class("az").clear_instance_cache()
    code, checks, err = _checks(cli_as)
    assert code == 1 and len(err) == 1
    assert checks["private"]["findings"] == [
        f"settings not read: access to az://{containers['private']} refused: check the store's credentials "
        "(environment, profile or role)"
    ]


def _connection_string(service: Any, key: str) -> str:
    """A connection string to the same Azurite account with another account key."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={service.account_name};AccountKey={key};"
        f"BlobEndpoint={service.url.rstrip('/')};"
    )
