"""The provider write path: feed configuration, fetched changes, qualification checks, impact, import.

Every function runs inside the caller's write transaction, after it took the change counter (`seq`)
and checked the caller's role; each change is logged (kinds provider-feed, provider-version,
provider-deprecation, provider-assessment, qualification). Rows are never deleted; checks only grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.entry import utc_iso
from regtui.domain.feeds import DeprecationNotice, FeedChanges, FeedVersion
from regtui.domain.provider_manifest import ProvidersManifest
from regtui.domain.providers import FeedConfig, ProviderVersion, Qualification, QualificationCheck
from regtui.errors import RuleError
from regtui.store.log import append_event
from regtui.store.mapping import as_utc
from regtui.store.provider_queries import find_provider_version, provider_versions
from regtui.store.provider_tables import ProviderFeedRow, ProviderVersionRow, QualificationRow


@dataclass(frozen=True)
class Writer:
    """Who writes, when, under which change-counter value, and whether the write is logged."""

    session: Session
    actor: str
    now: datetime
    seq: int
    log: bool = True

    def event(self, kind: str, detail: str, **details: Any) -> None:
        """Append a log entry (unless the import restores a log that already holds it)."""
        if self.log:
            append_event(
                self.session,
                seq=self.seq,
                kind=kind,
                actor=self.actor,
                at=self.now,
                details={"detail": detail, **details},
            )


def save_feed(w: Writer, feed: FeedConfig) -> bool:
    """Create or update a feed's configuration (admin); returns whether anything changed."""
    row = w.session.get(ProviderFeedRow, feed.provider)
    config = {
        "url": feed.url,
        "format": feed.format.value,
        "api_key_env": feed.api_key_env,
        "aliases": list(feed.aliases),
        "include": list(feed.include),
    }
    if row is not None and all(getattr(row, key) == value for key, value in config.items()):
        return False
    if row is None:
        row = ProviderFeedRow(provider=feed.provider, updated_by=w.actor, updated_at=w.now, change_seq=w.seq, **config)
        w.session.add(row)
    else:
        for key, value in config.items():
            setattr(row, key, value)
        row.etag, row.last_modified = None, None  # another URL or format: fetch in full next time
        row.updated_by, row.updated_at, row.change_seq = w.actor, w.now, w.seq
    w.session.flush()
    w.event("provider-feed", f"{feed.provider} feed {feed.format.value} {feed.url}", provider=feed.provider, **config)
    return True


def record_fetch(
    w: Writer, provider: str, changes: FeedChanges, *, etag: str | None, last_modified: str | None
) -> None:
    """Write what one fetched feed changed, and remember its validators for the next conditional request."""
    for listed in changes.new:
        _insert_version(w, provider, listed)
    for version in changes.relisted:
        row = _version_row(w.session, provider, version)
        row.deprecated_at, row.retires_at, row.deprecation_note, row.change_seq = None, None, "", w.seq
        w.event(
            "provider-version",
            f"{provider} {version} is listed again",
            provider=provider,
            version=version,
            change="listed again",
        )
    for notice in changes.deprecations:
        _deprecate(w, provider, notice)
    feed = w.session.get(ProviderFeedRow, provider)
    feed.etag, feed.last_modified, feed.fetched_at, feed.change_seq = etag, last_modified, w.now, w.seq
    w.session.flush()


def _insert_version(w: Writer, provider: str, listed: FeedVersion) -> None:
    """Record a version a feed lists for the first time (unqualified: no checks yet)."""
    w.session.add(
        ProviderVersionRow(
            provider=provider,
            version=listed.version,
            model=listed.model,
            released_at=listed.released_at,
            impact=listed.impact,
            notes=listed.notes,
            alias_of=listed.alias_of,
            first_seen_at=w.now,
            recorded_by=w.actor,
            change_seq=w.seq,
        )
    )
    w.session.flush()
    released = utc_iso(listed.released_at) if listed.released_at else None
    w.event(
        "provider-version",
        f"{provider} {listed.version} recorded as {Qualification.UNQUALIFIED.value}",
        provider=provider,
        version=listed.version,
        model=listed.model,
        released=released,
        change="new",
    )


def _deprecate(w: Writer, provider: str, notice: DeprecationNotice) -> None:
    """Record a deprecation notice on a version."""
    row = _version_row(w.session, provider, notice.version)
    row.deprecated_at, row.retires_at, row.deprecation_note = notice.deprecated_at, notice.retires_at, notice.note
    row.change_seq = w.seq
    retires = utc_iso(notice.retires_at) if notice.retires_at else None
    w.event(
        "provider-deprecation",
        f"{provider} {notice.version} deprecated ({notice.note}); retires {retires[:10] if retires else 'unknown'}",
        provider=provider,
        version=notice.version,
        deprecated_at=utc_iso(notice.deprecated_at),
        retires_at=retires,
        note=notice.note,
    )


def _version_row(session: Session, provider: str, version: str) -> ProviderVersionRow:
    """A provider version's row (callers know it exists)."""
    return session.execute(
        select(ProviderVersionRow).where(ProviderVersionRow.provider == provider, ProviderVersionRow.version == version)
    ).scalar_one()


def record_check(w: Writer, check: QualificationCheck) -> Qualification:
    """Append one qualification check (aliases are never qualified); returns the version's new status."""
    found = find_provider_version(w.session, check.provider, check.version)
    if found.alias:
        raise RuleError(
            f"{check.provider} {check.version} is an alias, not an exact version: qualify the exact "
            "version it points to"
        )
    _insert_check(w.session, check, w.seq)
    status = find_provider_version(w.session, check.provider, check.version).status
    verdict = "pass" if check.passed else "fail"
    w.event(
        "qualification",
        f"{check.provider} {check.version} {check.check.label}: {verdict} -> {status.value}",
        provider=check.provider,
        version=check.version,
        check=check.check.value,
        result=verdict,
        evidence={
            "kind": check.evidence.kind.value,
            "value": check.evidence.value,
            "sha256": check.evidence.sha256,
            "size": check.evidence.size,
        },
        status=status.value,
    )
    return status


def _insert_check(session: Session, check: QualificationCheck, seq: int) -> None:
    """Write one check row."""
    session.add(
        QualificationRow(
            provider=check.provider,
            version=check.version,
            check_name=check.check.value,
            passed=check.passed,
            evidence_kind=check.evidence.kind.value,
            evidence=check.evidence.value,
            evidence_sha256=check.evidence.sha256,
            evidence_size=check.evidence.size,
            recorded_by=check.recorded_by,
            recorded_at=check.recorded_at,
            change_seq=seq,
        )
    )
    session.flush()


def assess(w: Writer, provider: str, version: str, *, impact: str, notes: str | None) -> bool:
    """Set a version's impact assessment (and notes); returns whether anything changed."""
    find_provider_version(w.session, provider, version)
    row = _version_row(w.session, provider, version)
    new_notes = row.notes if notes is None else notes
    if (row.impact, row.notes) == (impact, new_notes):
        return False
    row.impact, row.notes, row.change_seq = impact, new_notes, w.seq
    w.event(
        "provider-assessment",
        f"{provider} {version} impact: {impact}",
        provider=provider,
        version=version,
        impact=impact,
        notes=new_notes,
    )
    return True


def import_providers(w: Writer, manifest: ProvidersManifest) -> int:
    """Restore feeds, versions and checks from a manifest (admin); returns how many records were written."""
    written = 0
    for feed in manifest.feeds:
        written += _restore_feed(w, feed)
    stored = {(v.provider, v.version): v for v in provider_versions(w.session)}
    for version in manifest.versions:
        written += _restore_version(w, version, stored.get((version.provider, version.version)))
    return written


def _restore_feed(w: Writer, feed: FeedConfig) -> int:
    """Write a feed exactly as exported (validators and provenance included)."""
    if not save_feed(w, feed):
        return 0
    row = w.session.get(ProviderFeedRow, feed.provider)
    row.etag, row.last_modified, row.fetched_at = feed.etag, feed.last_modified, feed.fetched_at
    row.updated_by, row.updated_at = feed.updated_by or w.actor, feed.updated_at or w.now
    w.session.flush()
    return 1


def _restore_version(w: Writer, version: ProviderVersion, stored: ProviderVersion | None) -> int:
    """Write a version and the checks it does not hold yet; returns the records written."""
    written = 0
    fields = _version_fields(
        version, stored.first_seen_at if stored else w.now, stored.recorded_by if stored else w.actor
    )
    if stored is None:
        w.session.add(
            ProviderVersionRow(provider=version.provider, version=version.version, change_seq=w.seq, **fields)
        )
        w.session.flush()
        w.event(
            "provider-version",
            f"{version.provider} {version.version} imported",
            provider=version.provider,
            version=version.version,
            model=version.model,
            change="imported",
        )
        written += 1
    elif _version_fields(stored, stored.first_seen_at, stored.recorded_by) != fields:
        row = _version_row(w.session, version.provider, version.version)
        for key, value in fields.items():
            setattr(row, key, value)
        row.change_seq = w.seq
        w.event(
            "provider-version",
            f"{version.provider} {version.version} updated by import",
            provider=version.provider,
            version=version.version,
            change="updated",
        )
        written += 1
    have = {_check_key(c) for c in (stored.checks if stored else ())}
    for check in version.checks:
        if _check_key(check) not in have:
            _insert_check(w.session, check, w.seq)
            w.event(
                "qualification",
                f"{check.provider} {check.version} {check.check.label} imported",
                provider=check.provider,
                version=check.version,
                check=check.check.value,
                result="pass" if check.passed else "fail",
            )
            written += 1
    return written


def _version_fields(version: ProviderVersion, seen_at: datetime | None, by: str) -> dict[str, Any]:
    """A version's stored columns, with defaults for the provenance a hand-written manifest leaves out."""
    return {
        "model": version.model,
        "released_at": version.released_at,
        "impact": version.impact,
        "notes": version.notes,
        "alias_of": version.alias_of,
        "deprecated_at": version.deprecated_at,
        "retires_at": version.retires_at,
        "deprecation_note": version.deprecation_note,
        "first_seen_at": version.first_seen_at or seen_at,
        "recorded_by": version.recorded_by or by,
    }


def _check_key(check: QualificationCheck) -> tuple[Any, ...]:
    """What makes two check records the same record."""
    return (check.check, check.passed, check.evidence, check.recorded_by, as_utc(check.recorded_at))
