"""`regtui storage check`: each object-store artifact's bucket settings against its version's stage and the
registry's retention policy (versioning, object lock, public access, lifecycle rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from regtui.domain.checksums import ArtifactScheme, classify_uri
from regtui.domain.storage import BucketSettings, StorageCheck, check_artifact
from regtui.providers.bucket_settings import bucket_settings, object_settings
from regtui.services.artifact_io import readers
from regtui.services.registry import RegistryService
from regtui.store import queries
from regtui.store.policies import get_policy


@dataclass(frozen=True)
class StorageReport:
    """The checks, and per bucket the settings its store or these credentials cannot tell."""

    checks: list[StorageCheck]
    unread: dict[str, tuple[str, ...]] = field(default_factory=dict)


def storage_check(service: RegistryService, model: str | None = None) -> StorageReport:
    """One check per object-store artifact of every version (of one model, or all), read from the cache; each
    bucket's settings are read once, then refined by what the artifact's object tells (GCS holds, Azure version
    ids)."""
    with service.reading() as session:
        if model is not None:
            queries.require_model(session, model)
        manifests = queries.iter_manifests(session, model)
        policy = get_policy(session)
    reader = readers().objects
    buckets: dict[str, BucketSettings] = {}
    checks = []
    for manifest in manifests:
        entry = manifest.entry
        retention = policy.for_model(entry.model).retention_days
        for artifact in entry.artifacts:
            if classify_uri(artifact.uri) is not ArtifactScheme.OBJECT:
                continue
            parts = urlsplit(artifact.uri)
            where = f"{parts.scheme.lower()}://{parts.netloc}"
            if where not in buckets:
                buckets[where] = bucket_settings(reader, artifact.uri)
            key = parts.path.lstrip("/")
            settings = object_settings(reader, artifact, buckets[where])
            stage = manifest.stage
            checks.append(check_artifact(entry.model, entry.version, stage, artifact, key, settings, retention))
    return StorageReport(checks, {name: s.unread for name, s in buckets.items() if s.unread})
