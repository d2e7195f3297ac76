"""The workflow screens' reads (diff, approval queue, gate preview, rollback history), cleaned at this
boundary like regtui.services.reads. Every function reads the local cache; run them in workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from regtui.domain.diff import VersionDiff, diff_versions
from regtui.domain.entry import Stage
from regtui.domain.listing import VersionDetail
from regtui.domain.outcomes import PromotionPreview
from regtui.domain.text import clean_single_line
from regtui.errors import NotFoundError
from regtui.services import promotion
from regtui.services.reads import clean_deep
from regtui.services.registry import RegistryService
from regtui.services.views import VersionLine
from regtui.store import model_versions, queries
from regtui.store.cache_reader import CacheReader, Snapshot
from regtui.store.facts import production_row
from regtui.store.model_versions import latest_version, version_detail
from regtui.store.policies import get_policy
from regtui.store.previews import preview_promotion
from regtui.store.rollbacks import rollback_targets


@dataclass(frozen=True)
class DiffSide:
    """One side of a diff: the stored version (for queries), and its cleaned label and stage."""

    key: str
    version: str
    stage: str
    canary_share: float | None = None


@dataclass(frozen=True)
class DiffView:
    """Baseline A against candidate B, and how the baseline was chosen."""

    model: str
    b: DiffSide
    a: DiffSide | None
    diff: VersionDiff | None
    note: str


def _side(detail: VersionDetail) -> DiffSide:
    """A version detail as a cleaned diff side."""
    manifest = detail.manifest
    return DiffSide(
        manifest.entry.version,
        clean_single_line(manifest.entry.version),
        clean_single_line(manifest.stage),
        manifest.canary_share,
    )


def version_diff(service: RegistryService, model: str, candidate: str | None, baseline: str | None) -> DiffView:
    """Candidate B (default: Production, else the newest semver) against baseline A (default: Production, else B's
    parent)."""
    with (
        service.reading() as session,
        CacheReader(service.locations.cache_path) as reader,
        reader.snapshot() as snapshot,
    ):
        production = production_row(session, model)
        live = production.version if production is not None else None
        candidate = candidate or live or latest_version(snapshot, model)
        if candidate is None:
            queries.require_model(session, model)
            raise NotFoundError(f"{model} has no versions to compare")
        b = version_detail(snapshot, model, candidate)
        note = "baseline: picked (b to change, s to swap)"
        if baseline is None:
            baseline, note = _default_baseline(live, candidate, b.entry.parent)
        a = version_detail(snapshot, model, baseline) if baseline is not None else None
        policy = get_policy(session).for_model(model)
    diff = diff_versions(a.entry, b.entry, policy) if a is not None else None
    return DiffView(
        model=clean_single_line(model),
        b=_side(b),
        a=_side(a) if a is not None else None,
        diff=clean_deep(diff),
        note=note,
    )


def _default_baseline(production: str | None, candidate: str, parent: str | None) -> tuple[str | None, str]:
    """The current Production version, else the candidate's parent; and a note saying which."""
    if production is not None and production != candidate:
        return production, "baseline: the current Production version"
    if parent:
        why = "it is the Production version" if production == candidate else "no Production version"
        return parent, f"baseline: its parent ({why})"
    return None, "no Production version or parent to compare with: press b to pick a baseline"


def count_versions(service: RegistryService, model: str) -> int:
    """How many versions the version picker lists."""
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        return model_versions.count_versions(snapshot, model)


def version_position(service: RegistryService, model: str, version: str) -> int | None:
    """The row of a version in the version picker's newest-first list (None: no such version)."""
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        return model_versions.version_position(snapshot, model, version)


def list_versions(service: RegistryService, model: str, offset: int, limit: int) -> list[VersionLine]:
    """One window of a model's versions, newest first, for the version picker."""
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        summaries = model_versions.list_versions(snapshot, model, offset, limit)
    return [
        VersionLine(
            key=s.version,
            version=clean_single_line(s.version),
            stage=clean_single_line(s.stage),
            canary_share=s.canary_share,
            parent=clean_single_line(s.parent) if s.parent else None,
            change_kind=clean_single_line(s.change_kind),
            created_at=s.created_at,
            registered_by=clean_single_line(s.registered_by),
        )
        for s in summaries
    ]


@dataclass(frozen=True)
class QueueLine:
    """One open request: the stored model and version (for actions) and the cleaned view (for display)."""

    model: str
    version: str
    view: promotion.RequestView

    @property
    def actionable(self) -> bool:
        """Whether the caller can approve or apply it (the `--mine` queue of the CLI)."""
        return bool(self.view.can_approve or self.view.can_apply)


def approval_queue(service: RegistryService) -> list[QueueLine]:
    """Every open request with its gate state and what the caller could do with it."""
    return [QueueLine(view.model, view.version, clean_deep(view)) for view in promotion.open_requests(service)]


def promotion_preview(
    service: RegistryService,
    model: str,
    version: str,
    to_stage: Stage | None,
    evidence: dict[str, Any],
    canary_share: float | None,
    reason: str | None = None,
) -> PromotionPreview:
    """The gate promote would evaluate for the form as typed: promote's plan without its write, on the cache (see
    regtui.store.previews), cleaned."""
    actor = service.identity()
    with service.reading() as session:
        preview = preview_promotion(
            session.connection(),
            actor=actor,
            model=model,
            version=version,
            to_stage=to_stage,
            now=service.clock(),
            evidence=evidence,
            canary_share=canary_share,
            reason=reason,
        )
    return clean_deep(preview)


@dataclass(frozen=True)
class HistoryLine:
    """A version that served in Production: the current one, or an archived rollback target."""

    key: str
    version: str
    current: bool
    archived_at: datetime | None
    retention_ends: datetime | None
    eligible: bool
    artifacts: int
    size: int


@dataclass(frozen=True)
class RollbackView:
    """A model's Production history as the rollback screen lists it."""

    model: str
    production: str | None
    """The stored current Production version (what the operator saw; sent as expected_production)."""
    retention_days: int
    lines: tuple[HistoryLine, ...]


def rollback_view(service: RegistryService, model: str) -> RollbackView:
    """The current Production version, then former ones newest archive first, with retention state."""
    now = service.clock()
    with (
        service.reading() as session,
        CacheReader(service.locations.cache_path) as reader,
        reader.snapshot() as snapshot,
    ):
        queries.require_model(session, model)
        policy = get_policy(session).for_model(model)
        current = production_row(session, model)
        lines = []
        if current is not None:
            lines.append(_history_line(snapshot, model, current.version, True, None, None, False))
        for target in rollback_targets(session, model, policy, now):
            lines.append(
                _history_line(
                    snapshot, model, target.version, False, target.archived_at, target.retention_ends, target.eligible
                )
            )
    return RollbackView(
        clean_single_line(model), current.version if current is not None else None, policy.retention_days, tuple(lines)
    )


def _history_line(
    snapshot: Snapshot,
    model: str,
    version: str,
    current: bool,
    archived_at: datetime | None,
    retention_ends: datetime | None,
    eligible: bool,
) -> HistoryLine:
    """One history line with the size of the artifacts a rollback re-hashes."""
    artifacts = version_detail(snapshot, model, version).entry.artifacts
    return HistoryLine(
        version,
        clean_single_line(version),
        current,
        archived_at,
        retention_ends,
        eligible,
        len(artifacts),
        sum(a.size for a in artifacts),
    )
