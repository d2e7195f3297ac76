"""Provider services shared by the CLI and the TUI: configure feeds, fetch, qualify, assess, pin.

Network work happens outside any database transaction; then one write transaction records what
changed. A feed that fails or is malformed writes nothing; the others are still recorded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from regtui.domain.checksums import sha256_file
from regtui.domain.entry import ChangeKind, ProviderPin
from regtui.domain.feeds import FeedSnapshot, MalformedFeedError, diff_feed, parse_feed
from regtui.domain.limits import check_text
from regtui.domain.manifest import ManifestSet, VersionManifest
from regtui.domain.providers import (
    CheckName,
    Evidence,
    EvidenceKind,
    FeedConfig,
    Qualification,
    QualificationCheck,
    check_env_var_name,
)
from regtui.domain.roles import Right
from regtui.domain.text import clean_single_line, clean_text
from regtui.domain.versioning import parse_version, propose_next
from regtui.errors import InputError, NotFoundError, RuleError
from regtui.input_files import clip
from regtui.providers.http_artifacts import redact_url
from regtui.services.access import actor_in, require
from regtui.services.registry import RegistryService
from regtui.store.facts import entry_of, require_version
from regtui.store.provider_queries import find_provider_version, list_feeds, provider_versions
from regtui.store.provider_registry import Writer, assess, record_check, record_fetch, save_feed
from regtui.store.provider_tables import ProviderFeedRow
from regtui.store.registry import find_version, import_manifests
from regtui.store.schema import next_change

if TYPE_CHECKING:
    from regtui.providers.feeds import Fetched, FetchSettings


@dataclass(frozen=True)
class FeedResult:
    """What fetching one feed did: status updated | unchanged | not modified | failed."""

    provider: str
    url: str
    status: str
    new: tuple[str, ...] = ()
    deprecated: tuple[str, ...] = ()
    relisted: tuple[str, ...] = ()
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the feed could not be fetched or read."""
        return self.error is not None


@dataclass(frozen=True)
class PinOutcome:
    """The version `providers pin` registered."""

    ref: str
    parent: str
    previous: ProviderPin | None
    pin: ProviderPin
    status: Qualification


def add_feed(service: RegistryService, feed: FeedConfig) -> bool:
    """Create or update a provider's feed configuration (admin); returns whether it changed."""
    if not feed.url.startswith(("http://", "https://")):
        raise InputError(f"feed URL must be http(s): {redact_url(feed.url)}")
    if feed.api_key_env:
        try:
            check_env_var_name(feed.api_key_env)
        except InputError as exc:
            raise InputError(f"--api-key-env {exc.message}") from None
    actor = service.identity()
    with service.writing() as session:
        seq = next_change(session)
        require(actor_in(session, actor), Right.ADMINISTER, "configure provider feeds")
        return save_feed(Writer(session, actor, service.clock(), seq), feed)


def fetch_feeds(
    service: RegistryService,
    names: list[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    settings: FetchSettings | None = None,
) -> list[FeedResult]:
    """Fetch the configured feeds (all, or the named ones) and record what changed, in feed order."""
    from regtui.providers.feeds import FetchSettings, fetch_all  # on first use: the dashboard imports this module

    actor = service.identity()
    with service.reading_registry() as session:
        require(actor_in(session, actor), Right.REGISTER, "fetch provider feeds")
        feeds = list_feeds(session, names)
    if not feeds:
        raise InputError("no provider feeds are configured; add one with `regtui providers add`")
    results: dict[str, FeedResult] = {}
    fetched: list[tuple[FeedConfig, FeedSnapshot, Fetched]] = []
    for outcome in fetch_all(feeds, env=os.environ if env is None else env, settings=settings or FetchSettings()):
        feed, shown = outcome.feed, redact_url(outcome.feed.url)
        if outcome.fetched is None:
            results[feed.provider] = FeedResult(feed.provider, shown, "failed", error=outcome.error)
        elif not outcome.fetched.modified:
            results[feed.provider] = FeedResult(feed.provider, shown, "not modified")
        else:
            try:
                fetched.append(
                    (feed, parse_feed(outcome.fetched.body or b"", feed.format, feed.provider), outcome.fetched)
                )
            except MalformedFeedError as exc:
                results[feed.provider] = FeedResult(
                    feed.provider, shown, "failed", error=f"{feed.provider}, {shown}, {clean_single_line(exc.message)}"
                )
    if fetched:
        results.update(_record(service, actor, fetched))
    return [results[feed.provider] for feed in feeds]


def _record(
    service: RegistryService, actor: str, fetched: list[tuple[FeedConfig, FeedSnapshot, Fetched]]
) -> dict[str, FeedResult]:
    """One write transaction: each fetched feed's changes and validators (skipping feeds reconfigured meanwhile)."""
    results = {}
    with service.writing() as session:
        seq = next_change(session)
        require(actor_in(session, actor), Right.REGISTER, "fetch provider feeds")
        writer = Writer(session, actor, service.clock(), seq)
        for feed, snapshot, response in fetched:
            shown = redact_url(feed.url)
            row = session.get(ProviderFeedRow, feed.provider)
            if row is None or (row.url, row.format) != (feed.url, feed.format.value):
                error = f"{feed.provider}, {shown}, the feed was reconfigured while it was fetched; nothing recorded"
                results[feed.provider] = FeedResult(feed.provider, shown, "failed", error=error)
                continue
            changes = diff_feed(provider_versions(session, feed.provider), snapshot, writer.now, feed.include)
            record_fetch(writer, feed.provider, changes, etag=response.etag, last_modified=response.last_modified)
            results[feed.provider] = FeedResult(
                feed.provider,
                shown,
                "unchanged" if changes.empty else "updated",
                new=tuple(v.version for v in changes.new),
                deprecated=tuple(n.version for n in changes.deprecations),
                relisted=changes.relisted,
            )
    return results


def evidence_of(text: str) -> Evidence:
    """A check's evidence from what was typed: a URL is a link, an existing file is hashed, else a note."""
    value = check_text("evidence", text.strip())
    if not value:
        raise InputError("evidence must not be empty: give a file, a link or a note")
    if value.startswith(("http://", "https://")):
        return Evidence(EvidenceKind.LINK, clean_single_line(value))
    path = Path(value).expanduser()
    if " " not in value and _is_file(path):
        digest, size = sha256_file(path)
        return Evidence(EvidenceKind.FILE, clean_single_line(str(path.resolve())), digest, size)
    if " " not in value and (os.sep in value or value.startswith((".", "~"))):
        shown = clean_single_line(clip(value))
        raise InputError(f"evidence file not found: {shown} (quote a sentence to record a note)")
    return Evidence(EvidenceKind.NOTE, clean_text(value))


def _is_file(path: Path) -> bool:
    """Whether a path names an existing file other than a folder (a name too long for the system is not one); a
    FIFO, socket or device counts, so that hashing it refuses it naming what it is."""
    try:
        return path.exists() and not path.is_dir()
    except OSError:
        return False


def qualify(
    service: RegistryService, provider: str, version: str, check: CheckName, passed: bool, evidence: Evidence
) -> Qualification:
    """Record one qualification check (reviewer role); returns the version's status afterwards."""
    actor = service.identity()
    with service.writing() as session:
        seq = next_change(session)
        require(actor_in(session, actor), Right.REVIEW, "record qualification checks")
        now = service.clock()
        record = QualificationCheck(provider, version, check, passed, evidence, actor, now)
        return record_check(Writer(session, actor, now, seq), record)


def assess_version(service: RegistryService, provider: str, version: str, impact: str, notes: str | None) -> bool:
    """Record a provider version's impact assessment (reviewer role); returns whether it changed."""
    check_text("impact", impact)
    if notes is not None:
        check_text("notes", notes)
    actor = service.identity()
    with service.writing() as session:
        seq = next_change(session)
        require(actor_in(session, actor), Right.REVIEW, "assess provider versions")
        return assess(
            Writer(session, actor, service.clock(), seq),
            provider,
            version,
            impact=clean_text(impact),
            notes=None if notes is None else clean_text(notes),
        )


def pin(
    service: RegistryService,
    model: str,
    version: str,
    provider_version: str,
    *,
    provider: str | None = None,
    new_version: str | None = None,
) -> PinOutcome:
    """Register the next patch version (change kind dependency) of MODEL@VERSION pinning another provider version.

    Only another version of the same provider model is a dependency update; a different model is a
    model-type change and needs a manifest.
    """
    actor = service.identity()
    with service.writing() as session:
        entry = entry_of(session, require_version(session, model, version))
        name = (
            provider or (entry.provider.provider if entry.provider else None) or _provider_of(session, provider_version)
        )
        target = find_provider_version(session, name, provider_version)
        if target.alias:
            raise RuleError(
                f"{name} {provider_version} is an alias, not an exact version: pin the version it points to"
            )
        if entry.provider is not None and (entry.provider.provider, entry.provider.version) == (name, provider_version):
            raise RuleError(f"{entry.ref} already pins {name} {provider_version}")
        if entry.provider is not None and (entry.provider.provider, entry.provider.model) != (name, target.model):
            raise RuleError(
                f"{name} {provider_version} is model {target.model}, not {entry.provider.model}: another "
                "model is a model-type change (major version); register it from a manifest"
            )
        proposed = new_version or _free_patch(session, model, propose_next(version, ChangeKind.DEPENDENCY))
        new_pin = ProviderPin(name, target.model, target.version)
        shown_old = f"{entry.provider.version} -> " if entry.provider else ""
        pinned = replace(
            entry,
            version=proposed,
            parent=version,
            change_kind=ChangeKind.DEPENDENCY,
            created_at=service.clock(),
            provider=new_pin,
            description=f"Pin {name} {shown_old}{provider_version} (provider dependency update)",
        )
        manifests = ManifestSet(versions=[VersionManifest(pinned)])
        require(actor_in(session, actor), *manifests.required_right())
        import_manifests(session, manifests, actor=actor, now=service.clock(), restore=False)
        return PinOutcome(pinned.ref, version, entry.provider, new_pin, target.status)


def _provider_of(session: Session, provider_version: str) -> str:
    """The one provider that lists a version id (refusing an unknown or ambiguous id)."""
    owners = sorted({v.provider for v in provider_versions(session) if v.version == provider_version})
    if not owners:
        raise NotFoundError(f"no provider lists version {provider_version!r}; run `regtui providers fetch`")
    if len(owners) > 1:
        raise InputError(f"{provider_version!r} is listed by {', '.join(owners)}: pass --provider")
    return owners[0]


def _free_patch(session: Session, model: str, proposed: str) -> str:
    """The proposed patch version, or the next free patch after it when a sibling already holds it."""
    candidate = parse_version(proposed)
    while find_version(session, model, str(candidate)) is not None:
        candidate = candidate.bump_patch()
    return str(candidate)
