"""The dashboard's background sync: its state, the worker that pulls the registry, and how the header says it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

from regtui.domain.text import clean_single_line, format_age
from regtui.errors import RegistryUnavailableError, RegtuiError

if TYPE_CHECKING:
    from regtui.services.registry import ReadStatus
    from regtui.tui.host import WorkerHost

SYNC_GROUP = "sync"


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


class SyncFinished(Message):
    """A sync ended: its status (None when it failed for another reason than an unreachable registry)."""

    def __init__(
        self,
        status: SyncStatus | None,
        identity: str | None,
        error: RegtuiError | None = None,
        notices: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.status = status
        self.identity = identity
        self.error = error
        self.notices = notices
        """One-line notices of the sync (a corrupt cache moved aside and rebuilt)."""


@dataclass(frozen=True)
class SyncChange:
    """What one finished sync changed for the app: online/offline flip, new data in the cache."""

    offline_flipped: bool
    data_changed: bool
    went_offline: bool


class RegistrySync:
    """Runs the sync in the app's worker (one at a time) and holds its last status and the acting identity."""

    def __init__(self, app: WorkerHost) -> None:
        self.app = app
        self.status: SyncStatus | None = None
        self.identity: str | None = None

    def start(self) -> None:
        """Pull the registry into the cache in a worker thread (replacing a sync still running)."""
        self.app.run_worker(self.pull, thread=True, exclusive=True, group=SYNC_GROUP, exit_on_error=False)

    def tick(self) -> None:
        """Interval sync: start one unless one is still running."""
        if not any(worker.group == SYNC_GROUP and worker.is_running for worker in self.app.workers):
            self.start()

    def pull(self) -> None:
        """Refresh the cache and ask who is acting (in the worker's thread), then post the outcome."""
        service = self.app.service
        try:
            status = SyncStatus.from_read_status(service.refresh())
        except RegtuiError as exc:
            self.app.post_message(SyncFinished(None, None, exc, tuple(service.take_notices())))
            return
        try:
            identity: str | None = clean_single_line(service.identity())
        except RegistryUnavailableError:
            identity = None
        self.app.post_message(SyncFinished(status, identity, notices=tuple(service.take_notices())))

    def finished(self, message: SyncFinished, *, show_identity: bool) -> SyncChange:
        """Take a finished sync's outcome as the current state; what it changed."""
        previous = self.status
        status = message.status or self.failed_status(message.error)
        self.status = status
        self.identity = (message.identity or self.identity) if show_identity else None
        return SyncChange(
            offline_flipped=previous is None or previous.offline != status.offline,
            data_changed=status.pulled or (previous is not None and previous.last_seen != status.last_seen),
            went_offline=status.offline and (previous is None or not previous.offline),
        )

    def failed_status(self, error: RegtuiError | None) -> SyncStatus:
        """The state after a sync that failed for another reason than an unreachable registry: read-only."""
        previous = self.status
        return SyncStatus(
            synced_at=previous.synced_at if previous else None,
            offline_since=(previous.offline_since if previous else None) or self.app.clock(),
            last_seen=previous.last_seen if previous else 0,
            error=error.message if error else "sync failed",
        )
