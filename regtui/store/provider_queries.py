"""Read queries over provider feeds, versions and checks (cache or registry), returned as domain data.

The providers screen and the CLI call: list_feeds, provider_versions, changelog, qualification_matrix,
pinned_versions and deprecated_pins; the gates call pin_status.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.entry import ProviderPin, Stage
from regtui.domain.gates import ProviderPinStatus
from regtui.domain.provider_manifest import ProvidersManifest
from regtui.domain.provider_views import ChangelogEntry, DeprecatedPin, MatrixCell, PinView
from regtui.domain.providers import (
    CheckName,
    Evidence,
    EvidenceKind,
    FeedConfig,
    FeedFormat,
    ProviderVersion,
    QualificationCheck,
    days_left,
    latest_checks,
    provider_pin_status,
    with_aliases,
)
from regtui.errors import NotFoundError
from regtui.store.mapping import as_utc
from regtui.store.provider_tables import (
    ProviderFeedRow,
    ProviderVersionRow,
    QualificationRow,
)
from regtui.store.queries import IN_LIVE_STAGE, SEMVER_ASC
from regtui.store.tables import VersionRow

LIVE_STAGES = (Stage.STAGING, Stage.CANARY, Stage.PRODUCTION)


def feed_of(row: ProviderFeedRow) -> FeedConfig:
    """The domain form of a feed row."""
    return FeedConfig(
        provider=row.provider,
        url=row.url,
        format=FeedFormat(row.format),
        api_key_env=row.api_key_env,
        aliases=tuple(row.aliases or ()),
        include=tuple(row.include or ()),
        etag=row.etag,
        last_modified=row.last_modified,
        fetched_at=as_utc(row.fetched_at) if row.fetched_at else None,
        updated_by=row.updated_by,
        updated_at=as_utc(row.updated_at),
    )


def list_feeds(session: Session, names: list[str] | None = None) -> list[FeedConfig]:
    """Configured feeds by provider name (only the named ones when given; an unknown name is an error)."""
    rows = {
        row.provider: row
        for row in session.execute(select(ProviderFeedRow).order_by(ProviderFeedRow.provider)).scalars()
    }
    unknown = sorted(set(names or ()) - set(rows))
    if unknown:
        raise NotFoundError(
            f"no feed configured for provider(s) {', '.join(unknown)}; add one with `regtui providers add`"
        )
    return [feed_of(row) for name, row in rows.items() if not names or name in names]


def _check_of(row: QualificationRow) -> QualificationCheck:
    """The domain form of a check row."""
    return QualificationCheck(
        provider=row.provider,
        version=row.version,
        check=CheckName(row.check_name),
        passed=row.passed,
        evidence=Evidence(EvidenceKind(row.evidence_kind), row.evidence, row.evidence_sha256, row.evidence_size),
        recorded_by=row.recorded_by,
        recorded_at=as_utc(row.recorded_at),
    )


def _version_of(row: ProviderVersionRow, checks: tuple[QualificationCheck, ...]) -> ProviderVersion:
    """The domain form of a version row with its checks (alias is derived afterwards)."""
    return ProviderVersion(
        provider=row.provider,
        model=row.model,
        version=row.version,
        released_at=as_utc(row.released_at) if row.released_at else None,
        impact=row.impact,
        notes=row.notes,
        alias_of=row.alias_of,
        deprecated_at=as_utc(row.deprecated_at) if row.deprecated_at else None,
        retires_at=as_utc(row.retires_at) if row.retires_at else None,
        deprecation_note=row.deprecation_note,
        first_seen_at=as_utc(row.first_seen_at),
        recorded_by=row.recorded_by,
        checks=checks,
    )


def provider_versions(session: Session, provider: str | None = None) -> list[ProviderVersion]:
    """Every provider version (of one provider, or all) with checks and derived alias flags, by provider and id."""
    query = select(ProviderVersionRow).order_by(ProviderVersionRow.provider, ProviderVersionRow.version)
    checks_query = select(QualificationRow).order_by(QualificationRow.id)
    if provider is not None:
        query = query.where(ProviderVersionRow.provider == provider)
        checks_query = checks_query.where(QualificationRow.provider == provider)
    checks: dict[tuple[str, str], list[QualificationCheck]] = {}
    for row in session.execute(checks_query).scalars():
        checks.setdefault((row.provider, row.version), []).append(_check_of(row))
    rows = session.execute(query).scalars().all()
    configured = {row.provider: tuple(row.aliases or ()) for row in session.execute(select(ProviderFeedRow)).scalars()}
    result: list[ProviderVersion] = []
    for name in sorted({row.provider for row in rows}):
        mine = [_version_of(r, tuple(checks.get((r.provider, r.version), ()))) for r in rows if r.provider == name]
        result += with_aliases(mine, configured.get(name, ()))
    return result


def find_provider_version(session: Session, provider: str, version: str) -> ProviderVersion:
    """One provider version, or a clear not-found error."""
    for candidate in provider_versions(session, provider):
        if candidate.version == version:
            return candidate
    raise NotFoundError(
        f"provider {provider!r} has no version {version!r} in the registry; run `regtui providers fetch`"
    )


def pin_status(session: Session, pin: ProviderPin) -> ProviderPinStatus:
    """What the gates need about a pin (a provider version the registry does not know is not qualified)."""
    return provider_pin_status(pin, provider_versions(session, pin.provider))


def changelog(session: Session, provider: str | None = None) -> list[ChangelogEntry]:
    """The change log, newest change first (versions without a change date last)."""
    entries = [
        ChangelogEntry(
            v.provider,
            v.model,
            v.version,
            v.released_at,
            v.impact,
            v.status,
            v.alias,
            v.deprecated_at,
            v.retires_at,
            v.notes,
        )
        for v in provider_versions(session, provider)
    ]
    return sorted(
        entries,
        key=lambda e: (e.changed_at is None, -(e.changed_at.timestamp() if e.changed_at else 0), e.provider, e.version),
    )


def qualification_matrix(session: Session, provider: str, version: str) -> list[MatrixCell]:
    """The four checks of one version: the latest record of each and its full history."""
    found = find_provider_version(session, provider, version)
    latest = latest_checks(found.checks)
    return [
        MatrixCell(check, latest.get(check), tuple(c for c in found.checks if c.check is check)) for check in CheckName
    ]


def pinned_versions(session: Session, now: datetime, stages: tuple[Stage, ...] = LIVE_STAGES) -> list[PinView]:
    """In-house versions in the given stages that pin a provider version, with the pin's status and countdown."""
    query = (
        select(VersionRow.model, VersionRow.version, VersionRow.stage, VersionRow.provider)
        .where(VersionRow.stage.in_([s.value for s in stages]), VersionRow.provider.is_not(None))
        .order_by(VersionRow.model, SEMVER_ASC)
    )
    if set(stages) <= set(LIVE_STAGES):
        query = query.where(IN_LIVE_STAGE)  # the cache reads them through its partial index of live versions
    rows = session.execute(query).all()
    known = provider_versions(session)
    index = {(v.provider, v.version): v for v in known}
    views = []
    for model, version, stage, plain in rows:
        if not plain:
            continue
        pin = ProviderPin(**plain)
        found = index.get((pin.provider, pin.version))
        retires = found.retires_at if found else None
        views.append(
            PinView(
                model=model,
                version=version,
                stage=Stage(stage),
                pin=pin,
                status=provider_pin_status(pin, known),
                qualification=found.status if found else None,
                retires_at=retires,
                days_left=days_left(retires, now),
                deprecated=bool(found and found.deprecated),
                deprecation_note=found.deprecation_note if found else "",
            )
        )
    return views


def deprecated_pins(session: Session, now: datetime) -> list[DeprecatedPin]:
    """Production versions whose pinned provider version is deprecated, soonest retirement first."""
    result = [
        DeprecatedPin(v.model, v.version, v.pin.provider, v.pin.version, v.retires_at, v.days_left, v.deprecation_note)
        for v in pinned_versions(session, now, (Stage.PRODUCTION,))
        if v.deprecated
    ]
    return sorted(result, key=lambda d: (d.days_left is None, d.days_left or 0, d.model))


def providers_manifest(session: Session) -> ProvidersManifest:
    """Everything the provider registry holds, as a manifest (for export)."""
    return ProvidersManifest(feeds=tuple(list_feeds(session)), versions=tuple(provider_versions(session)))
