"""How Google Cloud Storage bucket resources and Azure container properties become `storage check` settings, for
what the local servers cannot hold: GCS retention locks, object holds, lifecycle conditions gcp-storage-emulator
has no reason to refuse but the check must weigh right, ACLs; Azure immutability and legal holds (Azurite has
neither). The GCS inputs are bucket and object resources as the JSON API documents them."""

from __future__ import annotations

from typing import Any

from azure.storage.blob import ContainerProperties, RetentionPolicy

from regtui.domain.entry import Artifact, Stage
from regtui.domain.storage import LifecycleRule, check_artifact
from regtui.providers.azure_settings import (
    LIFECYCLE_UNREAD,
    NO_VERSION_ID,
    SOFT_DELETE_UNREAD,
    azure_blob_settings,
    azure_settings,
)
from regtui.providers.gcs_settings import IAM_UNREAD, gcs_lifecycle, gcs_object_settings, gcs_settings

ARTIFACT = Artifact("model.bin", "gs://models/a/model.bin", "0" * 64, 1, "1700000000000000", "CJ+K")
KEY = "a/model.bin"
NO_IAM_BINDINGS: dict[str, Any] = {"bindings": []}


def _resource(**fields: Any) -> dict[str, Any]:
    """A bucket resource as GET storage/v1/b/{bucket} answers it (noAcl projection), with the given fields."""
    return {
        "kind": "storage#bucket",
        "name": "models",
        "location": "EU",
        "storageClass": "STANDARD",
        "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True}, "publicAccessPrevention": "inherited"},
        **fields,
    }


def _findings(settings: Any, stage: Stage = Stage.PRODUCTION) -> tuple[str, ...]:
    """The findings for the artifact at a stage under a 30-day retention."""
    return check_artifact("churn", "1.0.0", stage, ARTIFACT, KEY, settings, 30).findings


def test_a_locked_retention_policy_of_thirty_days_meets_the_retention() -> None:
    """retentionPeriod is in seconds; a locked policy of 30 days is no finding, an unlocked 10-day one is."""
    locked = gcs_settings(
        "gs://models",
        _resource(versioning={"enabled": True}, retentionPolicy={"retentionPeriod": "2592000", "isLocked": True}),
        NO_IAM_BINDINGS,
    )
    assert (locked.versioning, locked.lock_days, locked.public, locked.lock_detail) == (
        True,
        30,
        False,
        "retention policy locked",
    )
    assert _findings(locked) == ()
    short = gcs_settings(
        "gs://models", _resource(versioning={"enabled": True}, retentionPolicy={"retentionPeriod": "864000"}), None
    )
    assert short.lock_days == 10 and short.lock_detail == "retention policy not locked"
    assert _findings(short) == ("object lock of 10 d is shorter than the 30-day retention of Production",)
    assert short.public is None and short.unread == (IAM_UNREAD,)


def test_a_hold_on_the_registered_generation_keeps_it_whatever_the_retention_policy() -> None:
    """An event-based or temporary hold on the object resource: held, so a short retention policy is no finding."""
    short = gcs_settings(
        "gs://models", _resource(versioning={"enabled": True}, retentionPolicy={"retentionPeriod": "864000"}), {}
    )
    for hold in ("temporaryHold", "eventBasedHold"):
        held = gcs_object_settings(short, {"name": f"models/{KEY}", "generation": "1700000000000000", hold: True})
        assert held.held and _findings(held) == ()
        verdict = check_artifact("churn", "1.0.0", Stage.ARCHIVED, ARTIFACT, KEY, held, 30)
        assert verdict.lock == "held (retention policy not locked)"
    assert gcs_object_settings(short, {"temporaryHold": False}) is short


def test_public_access_from_iam_bindings_and_acls_unless_prevention_is_enforced() -> None:
    """allUsers or allAuthenticatedUsers in an IAM binding or an ACL is public; enforced prevention wins."""
    public_iam = {"bindings": [{"role": "roles/storage.objectViewer", "members": ["allAuthenticatedUsers"]}]}
    assert gcs_settings("gs://models", _resource(), public_iam).public is True
    acl = [{"entity": "allUsers", "role": "READER"}]
    assert gcs_settings("gs://models", _resource(defaultObjectAcl=acl), None).public is True
    enforced = _resource(iamConfiguration={"publicAccessPrevention": "enforced"}, acl=acl)
    assert gcs_settings("gs://models", enforced, public_iam).public is False
    assert gcs_settings("gs://models", _resource(), NO_IAM_BINDINGS).public is False


def test_lifecycle_delete_conditions_in_the_terms_of_the_check() -> None:
    """age without isLive deletes live and noncurrent generations; isLive false only noncurrent ones;
    numNewerVersions alone deletes at any age; each matchesPrefix is a rule, matchesSuffix narrows it; other
    actions are ignored and other conditions named as not judged."""
    lifecycle = {
        "rule": [
            {"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"}, "condition": {"age": 1}},
            {"action": {"type": "Delete"}, "condition": {"age": 365}},
            {"action": {"type": "Delete"}, "condition": {"isLive": False, "numNewerVersions": 3}},
            {
                "action": {"type": "Delete"},
                "condition": {"daysSinceNoncurrentTime": 7, "matchesPrefix": ["a/", "b/"], "matchesSuffix": [".bin"]},
            },
            {"action": {"type": "Delete"}, "condition": {"age": 10, "isLive": True, "createdBefore": "2024-01-01"}},
        ]
    }
    assert gcs_lifecycle(lifecycle) == (
        LifecycleRule("rule 2", "", 365, 365),
        LifecycleRule("rule 3", "", None, None, 3),
        LifecycleRule("rule 4", "a/", None, 7, None, (".bin",)),
        LifecycleRule("rule 4", "b/", None, 7, None, (".bin",)),
        LifecycleRule("rule 5", "", 10, None),
    )
    settings = gcs_settings("gs://models", _resource(versioning={"enabled": True}, lifecycle=lifecycle), {})
    assert settings.unread == ("lifecycle rule 5: condition createdBefore not judged",)
    assert _findings(settings, Stage.STAGING) == (
        "lifecycle rule 'rule 3' deletes noncurrent versions once 3 newer version(s) exist, whatever their age",
        "lifecycle rule 'rule 4' deletes noncurrent versions after 7 d, before the 30-day retention",
        "lifecycle rule 'rule 5' expires the object after 10 d, before the 30-day retention",
    )
    other_suffix = check_artifact("churn", "1.0.0", Stage.STAGING, ARTIFACT, "a/config.json", settings, 30)
    assert len(other_suffix.findings) == 2


def test_azure_container_properties_and_what_stays_unknown() -> None:
    """Public access, immutability (its period is management plane: the lock is unknown), a legal hold, soft
    delete; versioning is unknown until a blob shows a version id; lifecycle rules are always unread."""
    private = ContainerProperties()
    soft = {"delete_retention_policy": RetentionPolicy(enabled=True, days=14)}
    settings = azure_settings("az://models", private, soft)
    assert (settings.public, settings.lock_days, settings.lock_detail) == (False, 0, "blob soft delete 14 d")
    assert settings.unread == (LIFECYCLE_UNREAD,)
    unknown = azure_blob_settings(settings, {"name": "models/a/model.bin", "version_id": None})
    assert _findings(unknown) == (f"versioning unknown: {NO_VERSION_ID}",)
    versioned = azure_blob_settings(settings, {"version_id": "2026-12-01T10:00:00.1234567Z"})
    assert versioned.versioning is True and _findings(versioned) == ()
    locked = ContainerProperties()
    locked.public_access, locked.has_immutability_policy, locked.has_legal_hold = "container", True, True
    immutable = azure_settings("az://models", locked, None)
    assert immutable.public and immutable.held and immutable.lock_days is None
    assert immutable.unread == (LIFECYCLE_UNREAD, SOFT_DELETE_UNREAD)
    verdict = check_artifact("churn", "1.0.0", Stage.ARCHIVED, ARTIFACT, KEY, immutable, 30)
    assert verdict.lock == "held (immutability policy: its period is not readable with data-plane credentials)"
