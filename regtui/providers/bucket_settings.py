"""Read an object store's bucket settings (versioning, object lock, public access, lifecycle rules) for
`regtui storage check`: S3 and S3-compatible stores through s3fs's client (here), Google Cloud Storage through gcsfs
(gcs_settings), Azure Blob through adlfs (azure_settings); then what one object adds (a GCS hold, an Azure version
id)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from regtui.domain.entry import Artifact
from regtui.domain.storage import BucketSettings, LifecycleRule
from regtui.domain.text import clean_single_line
from regtui.errors import InputError
from regtui.providers.azure_settings import azure_blob_settings, read_azure_settings
from regtui.providers.gcs_settings import gcs_object_settings, read_gcs_settings
from regtui.providers.object_store import FsspecObjectReader, at_version, store_error

_PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
_DAYS_PER_YEAR = 365


def bucket_settings(reader: FsspecObjectReader, uri: str) -> BucketSettings:
    """The settings of the bucket an artifact URI names (an error in the result when they cannot be read)."""
    parts = urlsplit(uri)
    bucket = f"{parts.scheme.lower()}://{clean_single_line(parts.netloc)}"
    try:
        kind, fs, path = reader.open_store(uri)
        if kind.extra == "s3":
            return _s3_settings(fs, parts.netloc, bucket)
        name = path.split("/", 1)[0]
        read = read_gcs_settings if kind.extra == "gcs" else read_azure_settings
        return read(fs, name, bucket)
    except InputError as exc:
        return BucketSettings(bucket, error=exc.message)
    except Exception as exc:  # noqa: BLE001 - any SDK failure is one line in the report
        return BucketSettings(bucket, error=store_error(bucket, exc).message)


def object_settings(reader: FsspecObjectReader, artifact: Artifact, settings: BucketSettings) -> BucketSettings:
    """The bucket's settings refined by what the artifact's object tells: a GCS event-based or temporary hold on
    the registered generation, whether an Azure blob carries a version id (S3 objects add nothing)."""
    if settings.error:
        return settings
    try:
        kind, fs, path = reader.open_store(artifact.uri)
        if kind.extra == "s3":
            return settings
        path, versioned = at_version(kind, path, artifact.object_version)
        info = fs.info(path, refresh=True, **versioned)
    except Exception as exc:  # noqa: BLE001 - any SDK failure is one line in the report
        return replace(settings, error=store_error(artifact.uri, exc).message)
    return gcs_object_settings(settings, info) if kind.extra == "gcs" else azure_blob_settings(settings, info)


def _s3_settings(fs: Any, name: str, bucket: str) -> BucketSettings:
    """An S3 bucket's settings through s3fs's client (call_s3)."""
    versioning = fs.call_s3("get_bucket_versioning", Bucket=name).get("Status") == "Enabled"
    return BucketSettings(
        bucket,
        versioning=versioning,
        lock_days=_lock_days(_optional(fs, "get_object_lock_configuration", name)),
        public=_public(fs, name),
        lifecycle=_lifecycle(_optional(fs, "get_bucket_lifecycle_configuration", name)),
    )


def _optional(fs: Any, method: str, name: str) -> dict[str, Any]:
    """A bucket configuration that may not exist ({} then: the store answers with an error for 'none set'); a refused
    access is raised."""
    try:
        return fs.call_s3(method, Bucket=name)
    except PermissionError:
        raise
    except OSError:
        return {}


def _lock_days(answer: dict[str, Any]) -> int:
    """The default object-lock retention in days (0 without object lock)."""
    retention = answer.get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention", {})
    return int(retention.get("Days") or 0) + int(retention.get("Years") or 0) * _DAYS_PER_YEAR


def _public(fs: Any, name: str) -> bool:
    """Whether the bucket policy or its ACL lets anyone read, unless a public access block forbids both."""
    block = _optional(fs, "get_public_access_block", name).get("PublicAccessBlockConfiguration", {})
    if block.get("RestrictPublicBuckets") and block.get("IgnorePublicAcls"):
        return False
    policy = _optional(fs, "get_bucket_policy", name).get("Policy")
    grants = _optional(fs, "get_bucket_acl", name).get("Grants", [])
    by_acl = any(g.get("Grantee", {}).get("URI") in _PUBLIC_GROUPS for g in grants)
    return by_acl or _policy_is_public(policy)


def _policy_is_public(policy: str | None) -> bool:
    """A bucket policy with an Allow statement for every principal."""
    if not policy:
        return False
    statements = json.loads(policy).get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    return any(
        s.get("Effect") == "Allow" and s.get("Principal") in ("*", {"AWS": "*"}) and not s.get("Condition")
        for s in statements
    )


def _lifecycle(answer: dict[str, Any]) -> tuple[LifecycleRule, ...]:
    """The enabled rules that delete objects or noncurrent versions."""
    rules = []
    for rule in answer.get("Rules", []):
        if rule.get("Status") != "Enabled":
            continue
        prefix = rule.get("Filter", {}).get("Prefix", rule.get("Prefix", "")) or ""
        expire = rule.get("Expiration", {}).get("Days")
        noncurrent = rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")
        if expire is not None or noncurrent is not None:
            rules.append(LifecycleRule(clean_single_line(rule.get("ID", "")), prefix, expire, noncurrent))
    return tuple(rules)
