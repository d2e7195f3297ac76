"""Azure Blob container settings for `regtui storage check`, read on the data plane through adlfs's blob service
client: the container's public access, immutability and legal hold, the account's blob soft delete, and per blob
whether it carries a version id. Blob versioning and lifecycle management are account settings of the management
plane: they are reported as such, never guessed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from regtui.domain.storage import BucketSettings
from regtui.providers.object_store import refused

LIFECYCLE_UNREAD = "lifecycle rules: not readable with data-plane credentials (Azure lifecycle management)"
SOFT_DELETE_UNREAD = "blob soft delete: the account's service properties are not readable with these credentials"
NO_VERSION_ID = (
    "the blob carries no version id, so blob versioning looks off for the account (an account setting the data "
    "plane cannot read): an overwrite or a delete may lose the registered bytes"
)


def read_azure_settings(fs: Any, container: str, bucket: str) -> BucketSettings:
    """A container's settings through adlfs's (asynchronous) blob service client, run on adlfs's own loop."""
    from fsspec.asyn import sync

    client = fs.service_client
    container_properties = sync(fs.loop, client.get_container_client(container).get_container_properties)
    try:
        service = sync(fs.loop, client.get_service_properties)
    except Exception as exc:  # noqa: BLE001 - only the account key may read them: unread, not a failure
        if not refused(exc):
            raise
        service = None
    return azure_settings(bucket, container_properties, service)


def azure_settings(bucket: str, container: Any, service: dict[str, Any] | None) -> BucketSettings:
    """The settings the container's properties and the account's service properties (None: unread) state; the
    versioning stays unknown until a blob tells (see azure_blob_settings)."""
    public = bool(getattr(container, "public_access", None))
    unread = [LIFECYCLE_UNREAD] if service is not None else [LIFECYCLE_UNREAD, SOFT_DELETE_UNREAD]
    immutable = getattr(container, "has_immutability_policy", False) or getattr(
        container, "immutable_storage_with_versioning_enabled", False
    )
    details = []
    if immutable:
        details.append("immutability policy: its period is not readable with data-plane credentials")
    if service is not None:
        details.append(_soft_delete(service.get("delete_retention_policy")))
    return BucketSettings(
        bucket,
        versioning=None,
        lock_days=None if immutable else 0,
        public=public,
        lock_detail="; ".join(details),
        held=bool(getattr(container, "has_legal_hold", False)),
        unread=tuple(unread),
    )


def azure_blob_settings(settings: BucketSettings, info: dict[str, Any]) -> BucketSettings:
    """The container's settings refined by one blob's properties (adlfs info()): a version id means versioning on,
    none leaves it unknown."""
    versioned = bool(info.get("version_id"))
    unknown = "" if versioned else NO_VERSION_ID
    return replace(settings, versioning=True if versioned else None, versioning_unknown=unknown)


def _soft_delete(policy: Any) -> str:
    """The account's blob soft delete in words (deleted blobs recoverable for some days, or not at all)."""
    if policy is not None and getattr(policy, "enabled", False):
        return f"blob soft delete {getattr(policy, 'days', None)} d"
    return "blob soft delete off"
