"""The dashboard's sync state and how the header says it: 'synced 12s ago' or 'offline since 12:01 UTC'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from regtui.domain.text import format_age

if TYPE_CHECKING:
    from regtui.services.registry import ReadStatus


@dataclass(frozen=True)
class SyncStatus:
    """The outcome of the last sync attempt, as the header and write actions need it."""

    synced_at: datetime | None
    offline_since: datetime | None
    last_seen: int
    error: str | None = None
    pulled: bool = False
    """Whether this sync brought anything into the cache."""

    @classmethod
    def from_read_status(cls, status: ReadStatus) -> SyncStatus:
        """Build from what RegistryService.refresh() returned."""
        offline = None if status.fresh else status.state.offline_since
        error = status.error + status.foreign_cache_note if status.error else None
        return cls(status.state.synced_at, offline, status.state.last_seen, error, status.pulled)

    @property
    def offline(self) -> bool:
        """Whether the registry was unreachable at the last attempt (the session is then read-only)."""
        return self.offline_since is not None or self.error is not None

    def describe(self, now: datetime) -> str:
        """One line for the header."""
        if self.offline:
            since = f"{self.offline_since:%H:%M} UTC" if self.offline_since else "now"
            return f"offline since {since} — read-only"
        if self.synced_at is None:
            return "never synced"
        return f"synced {format_age(max(0.0, (now - self.synced_at).total_seconds()))} ago"
