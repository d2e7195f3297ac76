"""A version whose artifacts are in Google Cloud Storage (gcp-storage-emulator on 127.0.0.1, through gcsfs):
registered with each object's generation, verified, and delivered by `regtui pull` at those generations. The
emulator keeps only live generations, so an overwritten key read at its pinned generation is not tested here."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.factories import variant, version_manifest
from tests.object_servers import GCS
from tests.workflow.conftest import World, WorldCli

WEIGHTS = b"churn 1.6.0 weights on gcs " * 20_000
CONFIG = b'{"threshold": 0.37}'


def test_a_gcs_version_is_registered_at_its_generations_verified_and_pulled(
    world: World, cli_as: WorldCli, gcs: GCS, tmp_path: Path
) -> None:
    """Register hashes and pins each object's generation; verify matches; pull writes the bytes and names the
    generations it read."""
    bucket = gcs.bucket("story", versioning={"enabled": True})
    generations = {
        "model.bin": gcs.put(bucket, "churn/1.6.0/model.bin", WEIGHTS),
        "config.json": gcs.put(bucket, "churn/1.6.0/config.json", CONFIG),
    }
    base = version_manifest(tmp_path / "manifests", "churn", "1.6.0", parent="1.5.0", change_kind="retraining")
    manifest = variant(
        base, artifacts=[{"name": name, "uri": f"gs://{bucket}/churn/1.6.0/{name}"} for name in generations]
    )
    registered = cli_as("alice", "register", manifest)
    assert registered.code == 0, registered.err
    rows = world.rows(
        "SELECT a.name, a.sha256, a.size, a.object_version FROM artifact a "
        "JOIN model_version v ON v.id = a.version_id WHERE v.version = '1.6.0' ORDER BY a.position"
    )
    assert rows == [
        ("model.bin", hashlib.sha256(WEIGHTS).hexdigest(), len(WEIGHTS), generations["model.bin"]),
        ("config.json", hashlib.sha256(CONFIG).hexdigest(), len(CONFIG), generations["config.json"]),
    ]
    verified = cli_as("frank", "verify", "churn@1.6.0", "--json")
    assert verified.code == 0, verified.err
    assert [r["message"] for r in verified.json()] == ["sha256 and size match"] * 2
    dest = tmp_path / "deploy"
    pulled = cli_as("frank", "pull", "churn@1.6.0", "--dest", dest, "--json")
    assert pulled.code == 0, pulled.err
    assert [(a["name"], a["object_version"]) for a in pulled.json()["artifacts"]] == list(generations.items())
    assert (dest / "model.bin").read_bytes() == WEIGHTS and (dest / "config.json").read_bytes() == CONFIG


def test_a_pinned_gcs_generation_is_read_after_its_key_is_overwritten_and_deleted(
    world: World, cli_as: WorldCli, gcs_generations: GCS, tmp_path: Path
) -> None:
    """fake-gcs-server keeps older generations: after an overwrite and a delete of the key the registered
    generation is still what verify and pull read, each saying what the key holds now. (It answers a delete of one
    generation but keeps serving it, so a deleted registered generation is tested on S3 only.)"""
    store = gcs_generations
    bucket = store.bucket("story-generations", versioning={"enabled": True})
    key = "churn/1.6.0/model.bin"
    generation = store.put(bucket, key, WEIGHTS)
    base = version_manifest(tmp_path / "manifests", "churn", "1.6.0", parent="1.5.0", change_kind="retraining")
    manifest = variant(base, artifacts=[{"name": "model.bin", "uri": f"gs://{bucket}/{key}"}])
    registered = cli_as("alice", "register", manifest)
    assert registered.code == 0, registered.err
    store.put(bucket, key, b"someone overwrote the weights")
    verified = cli_as("frank", "verify", "churn@1.6.0", "--json")
    assert verified.code == 0, verified.err
    assert verified.json()[0]["message"].endswith(
        "the key now holds another object; the registered version is still readable"
    )
    dest = tmp_path / "deploy"
    pulled = cli_as("frank", "pull", "churn@1.6.0", "--dest", dest, "--json")
    assert pulled.code == 0, pulled.err
    assert pulled.json()["artifacts"][0]["object_version"] == generation
    assert (dest / "model.bin").read_bytes() == WEIGHTS
    store.delete(bucket, key)
    deleted = cli_as("frank", "verify", "churn@1.6.0", "--json")
    assert deleted.code == 0, deleted.err
    assert deleted.json()[0]["message"].endswith("the key was deleted; the registered version is still readable")
