"""Google Cloud Storage bucket settings for `regtui storage check`, read through gcsfs's JSON API client: the bucket
resource (versioning, retention policy, lifecycle rules, public access prevention) and its IAM policy."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from regtui.domain.storage import BucketSettings, LifecycleRule
from regtui.domain.text import clean_single_line
from regtui.providers.object_store import refused

_PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
_SECONDS_PER_DAY = 86400
_JUDGED = frozenset({"age", "isLive", "daysSinceNoncurrentTime", "numNewerVersions", "matchesPrefix", "matchesSuffix"})
"""The lifecycle conditions the check weighs; a Delete rule with others is named as not judged."""
IAM_UNREAD = "IAM policy: not readable with these credentials (storage.buckets.getIamPolicy), public access unknown"


def read_gcs_settings(fs: Any, name: str, bucket: str) -> BucketSettings:
    """A bucket's settings through gcsfs's `call` (the bucket resource, then its IAM policy when readable)."""
    resource = fs.call("GET", "b/{}", name, json_out=True)
    try:
        policy = fs.call("GET", "b/{}/iam", name, json_out=True)
    except Exception as exc:  # noqa: BLE001 - a refused IAM read leaves public access unknown; others fail
        if not refused(exc):
            raise
        policy = None
    return gcs_settings(bucket, resource, policy)


def gcs_settings(bucket: str, resource: dict[str, Any], iam_policy: dict[str, Any] | None) -> BucketSettings:
    """The settings a bucket resource (and its IAM policy, None when it could not be read) states."""
    retention = resource.get("retentionPolicy") or {}
    period = int(retention.get("retentionPeriod") or 0)
    locked = "retention policy locked" if retention.get("isLocked") else "retention policy not locked"
    detail = locked if period else ""
    if resource.get("defaultEventBasedHold"):
        detail = ", ".join(d for d in (detail, "default event-based hold") if d)
    public = _public(resource, iam_policy)
    return BucketSettings(
        bucket,
        versioning=bool((resource.get("versioning") or {}).get("enabled")),
        lock_days=period // _SECONDS_PER_DAY,
        public=public,
        lifecycle=gcs_lifecycle(resource.get("lifecycle") or {}),
        lock_detail=detail,
        unread=((IAM_UNREAD,) if public is None else ()) + _unjudged(resource.get("lifecycle") or {}),
    )


def gcs_object_settings(settings: BucketSettings, info: dict[str, Any]) -> BucketSettings:
    """The bucket's settings refined by the registered generation's object resource (gcsfs info()): an event-based
    or temporary hold keeps it until released, whatever the retention policy."""
    held = bool(info.get("eventBasedHold") or info.get("temporaryHold"))
    return replace(settings, held=settings.held or held) if held else settings


def _public(resource: dict[str, Any], iam_policy: dict[str, Any] | None) -> bool | None:
    """Whether anyone can read: never under enforced public access prevention; else an IAM binding or an ACL entry
    for allUsers or allAuthenticatedUsers (None when the IAM policy could not be read and nothing else tells)."""
    iam = resource.get("iamConfiguration") or {}
    if iam.get("publicAccessPrevention") == "enforced":
        return False
    acl = [*(resource.get("acl") or []), *(resource.get("defaultObjectAcl") or [])]
    if any(entry.get("entity") in _PUBLIC_MEMBERS for entry in acl):
        return True
    if iam_policy is None:
        return None
    members = {m for binding in iam_policy.get("bindings") or [] for m in binding.get("members") or []}
    return bool(members & _PUBLIC_MEMBERS)


def gcs_lifecycle(lifecycle: dict[str, Any]) -> tuple[LifecycleRule, ...]:
    """The Delete rules, in the terms of the check: age (of live objects, noncurrent ones or both, by isLive),
    daysSinceNoncurrentTime, numNewerVersions, matchesPrefix and matchesSuffix; named by their position."""
    rules = []
    for number, rule in enumerate(lifecycle.get("rule") or [], start=1):
        if (rule.get("action") or {}).get("type") != "Delete":
            continue
        condition = rule.get("condition") or {}
        age, live = condition.get("age"), condition.get("isLive")
        noncurrent = condition.get("daysSinceNoncurrentTime")
        expire = age if age is not None and live is not False else None
        if age is not None and live is not True:
            noncurrent = age if noncurrent is None else max(age, noncurrent)
        newer = condition.get("numNewerVersions") if expire is None and noncurrent is None else None
        if expire is None and noncurrent is None and newer is None:
            continue
        suffixes = tuple(clean_single_line(s) for s in condition.get("matchesSuffix") or [])
        for prefix in condition.get("matchesPrefix") or [""]:
            rules.append(
                LifecycleRule(
                    f"rule {number}",
                    clean_single_line(prefix),
                    _days(expire),
                    _days(noncurrent),
                    _days(newer),
                    suffixes,
                )
            )
    return tuple(rules)


def _unjudged(lifecycle: dict[str, Any]) -> tuple[str, ...]:
    """A line for each Delete rule with a condition the check does not weigh (dates, custom time, storage class)."""
    notes = []
    for number, rule in enumerate(lifecycle.get("rule") or [], start=1):
        other = sorted(set(rule.get("condition") or {}) - _JUDGED)
        if (rule.get("action") or {}).get("type") == "Delete" and other:
            notes.append(f"lifecycle rule {number}: condition {', '.join(map(clean_single_line, other))} not judged")
    return tuple(notes)


def _days(value: Any) -> int | None:
    """A JSON count (GCS sends some as strings) as an int."""
    return None if value is None else int(value)
