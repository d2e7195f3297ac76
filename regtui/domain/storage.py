"""Storage aligned with the lifecycle: an object-store artifact's bucket settings (versioning, object lock, public
access, lifecycle rules) judged against the version's stage and the registry's retention policy.

A finding is something that can lose or expose a registered object: a bucket without versioning (or whose
versioning the store cannot tell), a public one, an object lock shorter than the retention of a Production or
Archived version (unless the object is under a hold), a lifecycle rule that expires the artifact's object, or its
noncurrent versions, before that retention ends or once enough newer versions exist.
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
    newer_versions: int | None = None
    """Deletes a noncurrent version once this many newer versions exist (GCS numNewerVersions), whatever its age."""
    suffixes: tuple[str, ...] = ()
    """The rule covers only keys ending with one of these (none: any key under the prefix)."""


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
    lock_detail: str = ""
    """What kind of lock, or what else protects deleted objects (shown beside the lock in days)."""
    held: bool = False
    """The object is under a hold (GCS event-based or temporary hold, Azure legal hold): not deletable until
    released, whatever its retention."""
    versioning_unknown: str = ""
    """Why versioning is not known (a finding then: the registered bytes may not survive an overwrite)."""
    unread: tuple[str, ...] = ()
    """Settings these credentials, or this store's data plane, cannot tell."""


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
    if settings.versioning is None and settings.versioning_unknown:
        findings.append(f"versioning unknown: {settings.versioning_unknown}")
    if settings.public:
        findings.append("public access: anyone can read the bucket")
    retained = stage in RETAINED_STAGES
    if retained and not settings.held and settings.lock_days and settings.lock_days < retention_days:
        findings.append(
            f"object lock of {settings.lock_days} d is shorter than the {retention_days}-day retention of {stage}"
        )
    findings += dict.fromkeys(
        _expiry(rule, retention_days) for rule in settings.lifecycle if _expires_early(rule, key, retention_days)
    )
    return StorageCheck(
        model,
        version,
        stage.value,
        artifact.name,
        settings.bucket,
        _state(settings.versioning, "on", "off"),
        _lock(settings),
        _state(settings.public, "public", "private"),
        tuple(findings),
    )


def _lock(settings: BucketSettings) -> str:
    """The lock in words: held, unknown, off or its days, and what kind it is."""
    days = settings.lock_days
    word = "held" if settings.held else "unknown" if days is None else f"{days} d" if days else "off"
    return f"{word} ({settings.lock_detail})" if settings.lock_detail else word


def _expires_early(rule: LifecycleRule, key: str, retention_days: int) -> bool:
    """Whether a rule covers the key and deletes its object or an older version of it before the retention ends (a
    rule that counts newer versions may delete a registered version at any age)."""
    if not key.startswith(rule.prefix) or (rule.suffixes and not key.endswith(rule.suffixes)):
        return False
    days = [d for d in (rule.expire_days, rule.noncurrent_days) if d is not None]
    return rule.newer_versions is not None or any(d < retention_days for d in days)


def _expiry(rule: LifecycleRule, retention_days: int) -> str:
    """A lifecycle finding in words."""
    parts = []
    if rule.expire_days is not None and rule.expire_days < retention_days:
        parts.append(f"expires the object after {rule.expire_days} d")
    if rule.noncurrent_days is not None and rule.noncurrent_days < retention_days:
        parts.append(f"deletes noncurrent versions after {rule.noncurrent_days} d")
    when = f"before the {retention_days}-day retention" if parts else "whatever their age"
    if rule.newer_versions is not None:
        parts.append(f"deletes noncurrent versions once {rule.newer_versions} newer version(s) exist")
    return f"lifecycle rule {rule.rule_id!r} {' and '.join(parts)}, {when}"


def _state(value: bool | None, yes: str, no: str) -> str:
    """A setting in one word."""
    return "unknown" if value is None else yes if value else no
