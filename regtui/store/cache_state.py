"""The cache's sync bookkeeping (regtui_meta), read with plain SQL so a read command can tell how current its cache
is without the ORM. regtui.store.cache writes these keys."""

from __future__ import annotations

from datetime import UTC, datetime

from regtui.domain.reports import CacheState
from regtui.store.cache_reader import Snapshot

LAST_SEEN = "last_seen"
REGISTRY_ID = "registry_id"
REGISTRY_URL = "registry_url"
SYNCED_AT = "synced_at"
OFFLINE_SINCE = "offline_since"
LAST_ERROR = "last_error"
WITNESS = "log_witness"
"""The highest log position this cache has seen and its hash ('POS:HASH'): kept when the registry contradicts it."""
ANCHOR_BREAK = "log_anchor_break"
"""Why the registry's log contradicted the witness at the last pull ('' when it did not)."""


def parse_time(value: str | None) -> datetime | None:
    """A stored ISO timestamp, or None."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def meta_values(snapshot: Snapshot) -> dict[str, str]:
    """Every bookkeeping key of the cache (none for a cache that was never synced)."""
    return dict(snapshot.rows("SELECT key, value FROM regtui_meta"))


def state_of(meta: dict[str, str]) -> CacheState:
    """The cache's freshness from its bookkeeping keys."""
    return CacheState(
        last_seen=int(meta.get(LAST_SEEN, "0")),
        synced_at=parse_time(meta.get(SYNCED_AT)),
        offline_since=parse_time(meta.get(OFFLINE_SINCE)),
        last_error=meta.get(LAST_ERROR) or None,
        registry_url=meta.get(REGISTRY_URL) or None,
        anchor_break=meta.get(ANCHOR_BREAK) or None,
    )
