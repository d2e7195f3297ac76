"""Provider reads from the cache for the screens and commands: feeds, versions, change log, matrix, pins."""

from __future__ import annotations

from datetime import datetime

from regtui.domain.entry import Stage
from regtui.domain.provider_views import ChangelogEntry, DeprecatedPin, MatrixCell, PinView
from regtui.domain.providers import FeedConfig, ProviderVersion
from regtui.services.registry import RegistryService
from regtui.store import provider_queries

LIVE_STAGES = provider_queries.LIVE_STAGES
"""The stages `providers pins` lists unless asked for all: Staging, Canary, Production."""


def feeds(service: RegistryService) -> list[FeedConfig]:
    """Every configured provider feed."""
    with service.reading() as session:
        return provider_queries.list_feeds(session)


def provider_versions(service: RegistryService, provider: str | None = None) -> list[ProviderVersion]:
    """The provider versions the feeds listed (one provider's, or all), with their qualification."""
    with service.reading() as session:
        return provider_queries.provider_versions(session, provider)


def changelog(service: RegistryService, provider: str | None = None) -> list[ChangelogEntry]:
    """The standard's change log, newest change first."""
    with service.reading() as session:
        return provider_queries.changelog(session, provider)


def qualification_matrix(service: RegistryService, provider: str, version: str) -> list[MatrixCell]:
    """One provider version's checks: the latest record of each and its history."""
    with service.reading() as session:
        return provider_queries.qualification_matrix(session, provider, version)


def provider_version(service: RegistryService, provider: str, version: str) -> tuple[ProviderVersion, list[MatrixCell]]:
    """One provider version and its qualification matrix, read in one snapshot."""
    with service.reading() as session:
        found = provider_queries.find_provider_version(session, provider, version)
        return found, provider_queries.qualification_matrix(session, provider, version)


def pinned_versions(service: RegistryService, now: datetime, stages: tuple[Stage, ...] = LIVE_STAGES) -> list[PinView]:
    """In-house versions in the given stages and the provider versions they pin, with the gates' view at `now`."""
    with service.reading() as session:
        return provider_queries.pinned_versions(session, now, stages)


def pins_and_changelog(
    service: RegistryService, now: datetime, stages: tuple[Stage, ...]
) -> tuple[list[PinView], list[ChangelogEntry]]:
    """The pins in the given stages (the gates' view at `now`) and the whole change log, in one snapshot."""
    with service.reading() as session:
        return provider_queries.pinned_versions(session, now, stages), provider_queries.changelog(session)


def deprecated_pins(service: RegistryService, now: datetime) -> list[DeprecatedPin]:
    """Production versions whose pinned provider version has a deprecation notice."""
    with service.reading() as session:
        return provider_queries.deprecated_pins(session, now)
