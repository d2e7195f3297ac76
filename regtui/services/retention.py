"""Versions past their retention: former Production versions whose rollback window has ended, and the artifacts
that no version still in use or still a rollback target needs. Reported only: deleting is the store's lifecycle's
job, never regtui's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regtui.domain.entry import Artifact, Stage
from regtui.domain.text import clean_single_line
from regtui.services.registry import RegistryService
from regtui.store import queries
from regtui.store.policies import get_policy
from regtui.store.rollbacks import RollbackTarget, rollback_targets

ArtifactKey = tuple[str, str]
"""An artifact's bytes as the registry pins them: (URI, object version)."""


@dataclass(frozen=True)
class FreedArtifact:
    """An artifact of a version past retention that nothing else still needs."""

    name: str
    uri: str
    object_version: str


@dataclass(frozen=True)
class PastRetention:
    """A former Production version whose rollback window has ended."""

    model: str
    version: str
    stage: str
    archived_at: datetime
    retention_days: int
    retention_ended: datetime
    freed: tuple[FreedArtifact, ...]


def past_retention(service: RegistryService) -> list[PastRetention]:
    """Every former Production version past its model's retention (newest archive first per model), with the
    artifacts no longer needed for a rollback, read from the cache."""
    now = service.clock()
    with service.reading() as session:
        manifests = queries.iter_manifests(session)
        policy = get_policy(session)
        entries = {(m.entry.model, m.entry.version): m for m in manifests}
        needed: set[ArtifactKey] = {
            _key(a) for m in manifests if m.stage is not Stage.ARCHIVED for a in m.entry.artifacts
        }
        past: list[tuple[str, RollbackTarget, int]] = []
        for model in sorted({m.entry.model for m in manifests}):
            model_policy = policy.for_model(model)
            for target in rollback_targets(session, model, model_policy, now):
                artifacts = entries[(model, target.version)].entry.artifacts
                if target.eligible:
                    needed.update(_key(a) for a in artifacts)
                else:
                    past.append((model, target, model_policy.retention_days))
    return [
        PastRetention(
            clean_single_line(model),
            clean_single_line(target.version),
            Stage.ARCHIVED.value,
            target.archived_at,
            days,
            target.retention_ends,
            tuple(
                FreedArtifact(clean_single_line(a.name), clean_single_line(a.uri), a.object_version)
                for a in entries[(model, target.version)].entry.artifacts
                if _key(a) not in needed
            ),
        )
        for model, target, days in past
    ]


def _key(artifact: Artifact) -> ArtifactKey:
    """What identifies an artifact's bytes across versions."""
    return artifact.uri, artifact.object_version
