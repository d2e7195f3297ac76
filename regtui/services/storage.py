"""`regtui storage check`: each object-store artifact's bucket settings against its version's stage and the
registry's retention policy (versioning, object lock, public access, lifecycle rules)."""

from __future__ import annotations

from urllib.parse import urlsplit

from regtui.domain.checksums import ArtifactScheme, classify_uri
from regtui.domain.storage import BucketSettings, StorageCheck, check_artifact
from regtui.providers.bucket_settings import bucket_settings
from regtui.services.artifact_io import readers
from regtui.services.registry import RegistryService
from regtui.store import queries
from regtui.store.policies import get_policy


def storage_check(service: RegistryService, model: str | None = None) -> list[StorageCheck]:
    """One check per object-store artifact of every version (of one model, or all), read from the cache; each
    bucket's settings are read once."""
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
            checks.append(
                check_artifact(entry.model, entry.version, manifest.stage, artifact, key, buckets[where], retention)
            )
    return checks
