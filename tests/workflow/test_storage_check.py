"""`regtui storage check` against moto's S3 server: versioning, object lock shorter and longer than the policy's
30-day retention, a lifecycle rule, public access, each judged against the version's stage."""

from __future__ import annotations

import json
from pathlib import Path

from regtui.domain.entry import Artifact, Stage
from regtui.domain.storage import BucketSettings, LifecycleRule, check_artifact
from tests.factories import change_stage, variant, version_manifest
from tests.object_servers import S3
from tests.workflow.conftest import World, WorldCli


def _locked_bucket(s3: S3, prefix: str, days: int) -> str:
    """A bucket with object lock and a default retention of the given days."""
    name = s3.bucket(prefix, versioned=False)
    s3.client.delete_bucket(Bucket=name)
    s3.client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.client.put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": days}},
        },
    )
    return name


def _register(world: World, cli_as: WorldCli, tmp_path: Path, version: str, parent: str, uris: dict[str, str]) -> None:
    """Register churn@version with the given S3 artifacts."""
    base = version_manifest(tmp_path / version, "churn", version, parent=parent, change_kind="retraining")
    manifest = variant(base, artifacts=[{"name": name, "uri": uri} for name, uri in uris.items()])
    assert cli_as("alice", "register", manifest).code == 0


def test_storage_check_reports_each_setting_against_the_stage(
    world: World, cli_as: WorldCli, s3: S3, tmp_path: Path
) -> None:
    """A lock shorter than the retention is a finding once the version is Archived (a rollback target), not in
    Development; a lifecycle rule and public access are findings; a long lock is not; exit 1 names them."""
    short = _locked_bucket(s3, "lock-short", 10)
    long = _locked_bucket(s3, "lock-long", 60)
    public = s3.bucket("public", versioned=True)
    s3.client.put_bucket_acl(Bucket=public, ACL="public-read")
    expiring = s3.bucket("expiring", versioned=True)
    s3.client.put_bucket_lifecycle_configuration(
        Bucket=expiring,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "old",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "m/"},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 7},
                }
            ]
        },
    )
    uris = {}
    for name, bucket in (("short", short), ("long", long), ("public", public), ("expiring", expiring)):
        s3.put(bucket, "m/model.bin", name.encode())
        uris[name] = f"s3://{bucket}/m/model.bin"
    _register(world, cli_as, tmp_path, "1.6.0", "1.5.0", uris)
    development = {
        c["artifact"]: c for c in cli_as("frank", "storage", "check", "--json").json() if c["version"] == "1.6.0"
    }
    assert development["short"]["findings"] == []
    change_stage(world.url, "churn", "1.6.0", "Archived")
    result = cli_as("frank", "storage", "check", "churn", "--json")
    assert result.code == 1
    checks = {c["artifact"]: c for c in json.loads(result.out)}
    assert checks["long"]["findings"] == [] and checks["long"]["lock"] == "60 d"
    assert checks["short"]["findings"] == ["object lock of 10 d is shorter than the 30-day retention of Archived"]
    assert checks["public"]["public"] == "public"
    assert checks["public"]["findings"] == ["public access: anyone can read the bucket"]
    assert checks["expiring"]["findings"] == [
        "lifecycle rule 'old' deletes noncurrent versions after 7 d, before the 30-day retention"
    ]
    assert "storage finding(s)" in result.err and len(result.err_lines) == 1


def test_an_object_lock_shorter_than_retention_is_a_finding_for_production_and_archived_only() -> None:
    """The rule itself: a 10-day lock is shorter than a 30-day retention of Production or Archived, not of Staging."""
    artifact = Artifact("m", "s3://b/m/model.bin", "0" * 64, 1, "v1", "e")
    short = BucketSettings("s3://b", versioning=True, lock_days=10, public=False)
    long = BucketSettings("s3://b", versioning=True, lock_days=60, public=False)
    for stage in (Stage.PRODUCTION, Stage.ARCHIVED):
        (finding,) = check_artifact("churn", "1.0.0", stage, artifact, "m/model.bin", short, 30).findings
        assert finding == f"object lock of 10 d is shorter than the 30-day retention of {stage}"
        assert check_artifact("churn", "1.0.0", stage, artifact, "m/model.bin", long, 30).findings == ()
    assert check_artifact("churn", "1.0.0", Stage.STAGING, artifact, "m/model.bin", short, 30).findings == ()
    unversioned = BucketSettings("s3://b", versioning=False, lock_days=0, public=False)
    expiring = BucketSettings("s3://b", True, 0, False, (LifecycleRule("all", "", expire_days=90),))
    assert check_artifact("churn", "1.0.0", Stage.STAGING, artifact, "m/x", unversioned, 30).findings == (
        "versioning off: an overwrite or a delete of the key loses the registered bytes",
    )
    assert check_artifact("churn", "1.0.0", Stage.PRODUCTION, artifact, "m/x", expiring, 30).findings == ()
