"""How a read command gets a current cache: a plain check first (a registry whose change counter the cache has
already pulled needs no sync, and so no ORM), else a sync through the registry service; then the rules for
answering from a cache that could not be brought up to date (`--fresh`, a cache of another registry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from regtui.config import Locations
from regtui.domain.entry import utc_iso
from regtui.errors import RegistryUnavailableError, RegtuiError
from regtui.services.handle import ServiceHandle
from regtui.services.read_status import ReadStatus
from regtui.store.cache_reader import CacheCorruptError
from regtui.store.cache_state import ANCHOR_BREAK, LAST_SEEN, REGISTRY_ID, meta_values, state_of
from regtui.store.registry_probe import probe_registry


class RegistryPlace(Protocol):
    """Where a read comes from: a ServiceHandle or a RegistryService (either names its registry and its cache)."""

    @property
    def url(self) -> str:
        """The registry URL, password hidden."""
        ...

    @property
    def locations(self) -> Locations:
        """The registry URL and the cache file."""
        ...

    @property
    def clock(self) -> Callable[[], datetime]:
        """The clock ages are told by."""
        ...


class ForeignCacheError(RegtuiError):
    """The registry asked for is unreachable and the cache holds another one: its answer would be about the wrong
    registry."""

    title = "Wrong cache"


def current_without_sync(handle: ServiceHandle) -> ReadStatus | None:
    """A fresh status when the registry's id and change counter (read without the ORM) are the ones the cache
    already holds: nothing to pull. None when that cannot be told without the registry service (and for a corrupt
    cache, or one whose log anchor the registry broke: the service's sync handles and reports those)."""
    mark = probe_registry(handle.locations.registry_url)
    if mark is None:
        return None
    try:
        with handle.reader.snapshot() as snapshot:
            meta = meta_values(snapshot)
    except CacheCorruptError:
        return None  # the service's sync sets the file aside and rebuilds it
    if meta.get(ANCHOR_BREAK):
        return None  # the sync says, once more, why the registry's log contradicts this cache
    if meta.get(REGISTRY_ID) != mark.registry_id or int(meta.get(LAST_SEEN, "0")) != mark.top:
        return None
    return ReadStatus(fresh=True, state=replace(state_of(meta), synced_at=handle.clock()))


def settled(status: ReadStatus, handle: RegistryPlace, *, require_live: bool) -> ReadStatus:
    """The status to answer with, or the error that forbids answering: the live registry was required
    (`--fresh`), the cache holds another registry, or there is no cache at all."""
    if status.fresh:
        return status
    if require_live:
        raise RegistryUnavailableError(f"{status.error}; --fresh needs the live registry, not the cache")
    if status.cache_of:
        raise ForeignCacheError(
            f"the registry {handle.url} is unreachable ({status.error}) and the cache "
            f"{handle.locations.cache_path} holds another registry, {status.cache_of}"
        )
    if status.state.synced_at is None:
        raise RegistryUnavailableError(f"{status.error}; no local cache to read from yet")
    return status


def provenance(status: ReadStatus, handle: ServiceHandle) -> dict[str, Any]:
    """What every --json read carries: the registry, when the cache last matched it, and whether it may be behind."""
    synced: datetime | None = status.state.synced_at
    return {"registry": handle.url, "synced_at": synced and utc_iso(synced), "stale": not status.fresh}
