"""What a sync, an import or a registration did, and how fresh the cache is: reports the front ends show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ImportReport:
    """What an import or registration changed."""

    registered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    log_entries: int = 0
    policy: bool = False
    requests: int = 0
    providers: int = 0

    @property
    def changed(self) -> bool:
        """Whether anything was written."""
        return bool(
            self.registered
            or self.users
            or self.models
            or self.log_entries
            or self.policy
            or self.requests
            or self.providers
        )


@dataclass
class SyncReport:
    """What one pull brought into the cache."""

    from_seq: int
    to_seq: int
    counts: dict[str, int] = field(default_factory=dict)
    versions: list[str] = field(default_factory=list)
    events: int = 0
    reset: bool = False
    seconds: float = 0.0
    anchor_break: str | None = None
    """Why nothing was pulled: the registry's log contradicts what this cache saw (see domain/anchor.py)."""

    @property
    def total(self) -> int:
        """Rows pulled across all tables."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class CacheState:
    """How fresh the cache is: last successful pull, and since when the registry is unreachable."""

    last_seen: int
    synced_at: datetime | None
    offline_since: datetime | None
    last_error: str | None
    registry_url: str | None = None
    anchor_break: str | None = None
    """Why the registry's log contradicted this cache's witness at the last pull (None when it did not)."""

    def age_seconds(self, now: datetime) -> float | None:
        """Seconds since the last successful pull, or None when it never synced."""
        return None if self.synced_at is None else max(0.0, (now - self.synced_at).total_seconds())
