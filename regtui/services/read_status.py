"""How current a read is: the outcome of checking the cache against the registry (no ORM: the read commands'
fast path builds it from plain SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from regtui.domain.reports import CacheState
from regtui.domain.text import format_age


@dataclass(frozen=True)
class ReadStatus:
    """Whether the data just read is current, and how stale it is when it is not."""

    fresh: bool
    state: CacheState
    error: str | None = None
    cache_of: str | None = None
    pulled: bool = False
    """Whether this sync brought anything into the cache."""

    @property
    def anchor_break(self) -> str | None:
        """Why the registry's log contradicts what this cache saw (then nothing is pulled), or None."""
        return self.state.anchor_break

    def describe(self, now: datetime) -> str:
        """One line for people: 'synced 5s ago' or 'offline since 12:01, cache 3m old' (and whose cache it is, when
        it mirrors another registry URL)."""
        age = self.state.age_seconds(now)
        shown = "never synced" if age is None else f"cache {format_age(age)} old"
        if self.fresh:
            return "synced just now"
        since = self.state.offline_since.strftime("%H:%M") if self.state.offline_since else "now"
        return f"registry unreachable since {since} UTC; read-only, {shown}{self.foreign_cache_note}"

    @property
    def foreign_cache_note(self) -> str:
        """'; the cache holds URL' when the cache was last synced from another registry URL (else nothing)."""
        return f"; the cache holds {self.cache_of}" if self.cache_of else ""
