"""How the header words the sync state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from regtui.domain.reports import CacheState
from regtui.services.registry import ReadStatus
from regtui.tui.sync import SyncStatus
from regtui.tui.widgets.status_header import shorten_middle

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_synced_ago() -> None:
    """'synced 12s ago', '5m' for minutes."""
    assert SyncStatus(NOW - timedelta(seconds=12), None, 3).describe(NOW) == "synced 12s ago"
    assert SyncStatus(NOW - timedelta(minutes=5), None, 3).describe(NOW) == "synced 5m ago"


def test_offline_since() -> None:
    """Offline: the UTC time it became unreachable, and read-only."""
    status = SyncStatus(NOW - timedelta(hours=1), NOW.replace(hour=11, minute=7), 3, error="refused")
    assert status.offline and status.describe(NOW) == "offline since 11:07 UTC — read-only"


def test_offline_on_a_cache_of_another_registry_says_whose_it_is() -> None:
    """The offline notice names the registry URL the cache was synced from when it is not the configured one."""
    state = CacheState(3, NOW - timedelta(hours=1), NOW, "refused", registry_url="sqlite:////srv/a.db")
    status = SyncStatus.from_read_status(ReadStatus(False, state, "refused", cache_of="sqlite:////srv/a.db"))
    assert status.offline and status.error == "refused; the cache holds sqlite:////srv/a.db"
    assert SyncStatus.from_read_status(ReadStatus(False, state, "refused")).error == "refused"


def test_shorten_middle_keeps_both_ends() -> None:
    """Long URLs keep their scheme and file name."""
    assert shorten_middle("sqlite:////very/long/path/to/registry.db", 20) == "sqlite://…egistry.db"
    assert shorten_middle("short", 20) == "short"
