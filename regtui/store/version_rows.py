"""New version and artifact rows from a manifest, for the registration's write transaction."""

from __future__ import annotations

from datetime import datetime

from regtui.domain.entry import VersionEntry
from regtui.domain.manifest import VersionManifest
from regtui.domain.versioning import precedence_key
from regtui.store.tables import ArtifactRow, VersionRow


def entry_to_row(manifest: VersionManifest, *, seq: int, actor: str, now: datetime) -> VersionRow:
    """A new version row from a manifest; state fields come from the manifest only when it carries them."""
    entry = manifest.entry
    plain = entry.to_dict()
    return VersionRow(
        model=entry.model,
        version=entry.version,
        semver_key=precedence_key(entry.version),
        change_kind=entry.change_kind.value,
        parent=entry.parent,
        framework=entry.framework,
        training_data=entry.training_data,
        owner=entry.owner,
        created_at=entry.created_at,
        description=entry.description,
        hyperparameters=plain["hyperparameters"],
        metrics=plain["metrics"],
        model_card=plain["model_card"],
        provider=plain["provider"],
        source=plain["source"],
        tags=plain["tags"] or None,
        content_hash=entry.content_hash(),
        registered_by=manifest.registered_by or actor,
        registered_at=manifest.registered_at or now,
        stage=manifest.stage.value,
        canary_share=manifest.canary_share,
        stage_changed_at=manifest.stage_changed_at or manifest.registered_at or now,
        stage_changed_by=manifest.stage_changed_by or manifest.registered_by or actor,
        change_seq=seq,
    )


def artifact_rows(entry: VersionEntry, version_id: int, seq: int) -> list[ArtifactRow]:
    """Artifact rows for a newly inserted version, keeping the manifest's order."""
    return [
        ArtifactRow(
            version_id=version_id,
            name=a.name,
            uri=a.uri,
            sha256=a.sha256,
            size=a.size,
            position=i,
            change_seq=seq,
            object_version=a.object_version,
            etag=a.etag,
        )
        for i, a in enumerate(entry.artifacts)
    ]
