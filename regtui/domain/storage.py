"""Storage aligned with the lifecycle: an object-store artifact's bucket settings (versioning, object lock, public
access, lifecycle rules) judged against the version's stage and the registry's retention policy.

A finding is something that can lose or expose a registered object: a bucket without versioning, a public one, an
object lock shorter than the retention of a Production or Archived version, a lifecycle rule that expires the
artifact's object, or its noncurrent versions, before that retention ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from regtui.domain.entry import Artifact, Stage

RETAINED_STAGES = frozenset({Stage.PRODUCTION, Stage.ARCHIVED})
"""The stages whose artifacts must outlive the policy's retention (Production, and rollback targets)."""


@dataclass(frozen=True)
class LifecycleRule:
    """An enabled lifecycle rule of a bucket: which keys it covers and after how many days it deletes."""

    rule_id: str
    prefix: str
    expire_days: int | None = None
    """Days after which the current object expires."""
    noncurrent_days: int | None = None
    """Days after which a version that is no longer current is deleted."""


@dataclass(frozen=True)
class BucketSettings:
    """What a store reports about one bucket or container (None: not known)."""

    bucket: str
    versioning: bool | None = None
    lock_days: int | None = None
    """Default object-lock retention in days; 0: no object lock."""
    public: bool | None = None
    lifecycle: tuple[LifecycleRule, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class StorageCheck:
    """One artifact of one version: its bucket's settings in words and the findings against its stage."""

    model: str
    version: str
    stage: str
    artifact: str
    bucket: str
    versioning: str
    lock: str
    public: str
    findings: tuple[str, ...]


def check_artifact(
    model: str, version: str, stage: Stage, artifact: Artifact, key: str, settings: BucketSettings, retention_days: int
) -> StorageCheck:
    """An artifact's bucket settings against its version's stage and the retention policy."""
    findings = [f"settings not read: {settings.error}"] if settings.error else []
    if settings.versioning is False:
        findings.append("versioning off: an overwrite or a delete of the key loses the registered bytes")
    if settings.public:
        findings.append("public access: anyone can read the bucket")
    retained = stage in RETAINED_STAGES
    if retained and settings.lock_days and settings.lock_days < retention_days:
        findings.append(
            f"object lock of {settings.lock_days} d is shorter than the {retention_days}-day retention of {stage}"
        )
    findings += [
        _expiry(rule, retention_days) for rule in settings.lifecycle if _expires_early(rule, key, retention_days)
    ]
    return StorageCheck(
        model,
        version,
        stage.value,
        artifact.name,
        settings.bucket,
        _state(settings.versioning, "on", "off"),
        "unknown" if settings.lock_days is None else f"{settings.lock_days} d" if settings.lock_days else "off",
        _state(settings.public, "public", "private"),
        tuple(findings),
    )


def _expires_early(rule: LifecycleRule, key: str, retention_days: int) -> bool:
    """Whether a rule covers the key and deletes its object or an older version of it before the retention ends."""
    days = [d for d in (rule.expire_days, rule.noncurrent_days) if d is not None]
    return key.startswith(rule.prefix) and any(d < retention_days for d in days)


def _expiry(rule: LifecycleRule, retention_days: int) -> str:
    """A lifecycle finding in words."""
    parts = []
    if rule.expire_days is not None and rule.expire_days < retention_days:
        parts.append(f"expires the object after {rule.expire_days} d")
    if rule.noncurrent_days is not None and rule.noncurrent_days < retention_days:
        parts.append(f"deletes noncurrent versions after {rule.noncurrent_days} d")
    return f"lifecycle rule {rule.rule_id!r} {' and '.join(parts)}, before the {retention_days}-day retention"


def _state(value: bool | None, yes: str, no: str) -> str:
    """A setting in one word."""
    return "unknown" if value is None else yes if value else no
