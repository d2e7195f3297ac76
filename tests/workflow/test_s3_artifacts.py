"""A version whose artifacts are in S3 (moto's server on 127.0.0.1), from registration to Production, back by
rollback, and delivered by `regtui pull`: hashed at registration, pinned to object versions, re-verified at every
step that exposes traffic, the pinned bytes read even after the key was overwritten."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from regtui.domain.entry import Stage
from regtui.services import promotion
from tests.factories import variant, version_manifest
from tests.object_servers import S3, CuttingProxy
from tests.workflow.conftest import REVIEW_EVIDENCE, World, WorldCli

WEIGHTS = b"churn 1.6.0 weights " * 40_000
CONFIG = b'{"threshold": 0.42}'


def _register_from_s3(world: World, cli_as: WorldCli, s3: S3, tmp_path: Path, bucket: str) -> dict[str, str]:
    """Put churn@1.6.0's two artifacts in the bucket and register it from a manifest that states no checksum."""
    versions = {
        "model.bin": s3.put(bucket, "churn/1.6.0/model.bin", WEIGHTS),
        "config.json": s3.put(bucket, "churn/1.6.0/config.json", CONFIG),
    }
    base = version_manifest(tmp_path / "manifests", "churn", "1.6.0", parent="1.5.0", change_kind="retraining")
    manifest = variant(
        base,
        artifacts=[{"name": name, "uri": f"s3://{bucket}/churn/1.6.0/{name}"} for name in versions],
    )
    registered = cli_as("alice", "register", manifest)
    assert registered.code == 0, registered.err
    return versions


def test_an_s3_version_goes_to_production_back_by_rollback_and_is_pulled_verified(
    world: World, cli_as: WorldCli, s3: S3, tmp_path: Path
) -> None:
    """Register (hashed, pinned), Staging, Canary and Production (each re-verified from S3), an overwritten key
    reported, rollback away and back (re-verified from the pinned versions), then `pull` writes the pinned bytes."""
    bucket = s3.bucket("story-versioned", versioned=True)
    versions = _register_from_s3(world, cli_as, s3, tmp_path, bucket)
    rows = world.rows(
        "SELECT a.name, a.sha256, a.size, a.object_version, a.etag FROM artifact a "
        "JOIN model_version v ON v.id = a.version_id WHERE v.version = '1.6.0' ORDER BY a.position"
    )
    assert [(name, sha, size, version) for name, sha, size, version, _etag in rows] == [
        ("model.bin", hashlib.sha256(WEIGHTS).hexdigest(), len(WEIGHTS), versions["model.bin"]),
        ("config.json", hashlib.sha256(CONFIG).hexdigest(), len(CONFIG), versions["config.json"]),
    ]
    assert all(etag for *_rest, etag in rows)
    assert world.promote("alice", "1.6.0", Stage.STAGING).applied
    request = world.promote("alice", "1.6.0", Stage.CANARY, evidence=REVIEW_EVIDENCE, canary_share=5).request_id
    assert request is not None
    world.decide("bob", request, comment="read offline evaluation report r1")
    promotion.attest(world.service("carol"), "churn", "1.6.0", "fairness", "checked the regional gap table")
    canary = world.promote("alice", "1.6.0", Stage.CANARY)
    assert canary.applied and "2 artifact(s) match" in canary.gate.checks[-1].detail
    world.production_request("1.6.0")
    assert world.promote("dave", "1.6.0", Stage.PRODUCTION).applied

    s3.put(bucket, "churn/1.6.0/model.bin", b"someone overwrote the weights")
    verified = cli_as("frank", "verify", "churn@1.6.0", "--json")
    assert verified.code == 0, verified.err
    model = verified.json()[0]
    assert model["status"] == "ok"
    assert model["message"].endswith("the key now holds another object; the registered version is still readable")

    away = cli_as("dave", "rollback", "churn", "--to", "1.1.0", "--reason", "INC-7")
    assert away.code == 0, away.err
    back = promotion.rollback(world.service("dave"), "churn", "1.6.0", "INC-8")
    assert back.to_version == "1.6.0" and world.stage("1.6.0") == "Production"

    dest = tmp_path / "deploy"
    pulled = cli_as("frank", "pull", "churn@Production", "--dest", dest, "--json")
    assert pulled.code == 0, pulled.err
    report = pulled.json()
    assert (report["version"], report["stage"]) == ("1.6.0", "Production")
    assert [(a["name"], a["object_version"]) for a in report["artifacts"]] == list(versions.items())
    assert (dest / "model.bin").read_bytes() == WEIGHTS and (dest / "config.json").read_bytes() == CONFIG
    assert sorted(p.name for p in dest.iterdir()) == ["config.json", "model.bin"]
    resolved = cli_as("frank", "resolve", "churn@Production", "--json").json()
    assert [(a["name"], a["object_version"]) for a in resolved["artifacts"]] == list(versions.items())


def test_a_manifest_digest_that_does_not_match_the_object_refuses_the_registration(
    world: World, cli_as: WorldCli, s3: S3, tmp_path: Path
) -> None:
    """A stated SHA-256 the object does not hash to: exit 2 naming the artifact, nothing written."""
    bucket = s3.bucket("story-mismatch", versioned=True)
    s3.put(bucket, "churn/1.6.0/model.bin", WEIGHTS)
    base = version_manifest(tmp_path / "manifests", "churn", "1.6.0", parent="1.5.0", change_kind="retraining")
    uri = f"s3://{bucket}/churn/1.6.0/model.bin"
    manifest = variant(base, artifacts=[{"name": "model.bin", "uri": uri, "sha256": "0" * 64}])
    before = world.snapshot()
    refused = cli_as("alice", "register", manifest)
    assert refused.code == 2 and len(refused.err_lines) == 1
    assert "churn@1.6.0 artifact model.bin: the manifest states sha256 000000000000" in refused.err
    assert world.snapshot() == before


def test_pull_of_an_overwritten_unversioned_object_exits_1_and_leaves_the_folder_as_it_was(
    world: World, cli_as: WorldCli, s3: S3, tmp_path: Path
) -> None:
    """A bucket without versioning is allowed but flagged; once its key is overwritten, pull refuses and writes
    nothing into a folder that already held a file."""
    bucket = s3.bucket("story-unversioned", versioned=False)
    _register_from_s3(world, cli_as, s3, tmp_path, bucket)
    shown = cli_as("frank", "show", "churn@1.6.0", "--json").json()
    assert all(a["versioning"].startswith("off") for a in shown["artifacts"])
    assert all(a.get("object_version") is None for a in shown["artifacts"])
    s3.put(bucket, "churn/1.6.0/model.bin", b"overwritten in place")
    dest = tmp_path / "deploy"
    dest.mkdir()
    (dest / "keep.txt").write_text("already here")
    pulled = cli_as("frank", "pull", "churn@1.6.0", "--dest", dest)
    assert pulled.code == 1 and len(pulled.err_lines) == 1
    assert "model.bin: size" in pulled.err and "nothing written" in pulled.err
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    verified = cli_as("frank", "verify", "churn@1.6.0", "--json")
    assert verified.code == 1
    assert verified.json()[0]["message"].endswith("bucket without versioning: the key's current object was read")


def test_an_interrupted_pull_exits_1_and_leaves_the_folder_as_it_was(
    world: World, cli_as: WorldCli, s3: S3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The object stream cut mid-body (a proxy between regtui and the server): exit 1, no file in DIR."""
    bucket = s3.bucket("story-cut", versioned=True)
    _register_from_s3(world, cli_as, s3, tmp_path, bucket)
    proxy = CuttingProxy(s3.endpoint, 256 * 1024)
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        dest = tmp_path / "deploy"
        dest.mkdir()
        pulled = cli_as("frank", "pull", "churn@1.6.0", "--dest", dest)
    finally:
        proxy.close()
    assert pulled.code == 1 and len(pulled.err_lines) == 1
    assert "pull of churn@1.6.0 failed, nothing written: model.bin: reading s3://" in pulled.err
    assert list(dest.iterdir()) == []
