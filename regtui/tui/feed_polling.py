"""The dashboard's provider feed fetches (on a key and on an interval): the worker, and what the app says about them."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from regtui.domain.text import clean_single_line
from regtui.errors import RegtuiError

if TYPE_CHECKING:
    from regtui.services.providers import FeedResult
    from regtui.tui.host import WorkerHost

FETCH_GROUP = "providers-fetch"


class FeedsFetched(Message):
    """A feed fetch ended: the per-feed results, or the error that stopped it; `asked` when a key started it."""

    def __init__(self, results: list[FeedResult], error: RegtuiError | None, asked: bool) -> None:
        super().__init__()
        self.results = results
        self.error = error
        self.asked = asked


def fetch_summary(results: list[FeedResult]) -> str:
    """One line: each provider's outcome, then the reasons of the failed ones."""
    summary = ", ".join(f"{r.provider} {r.status}" for r in results) or "no feeds"
    errors = "; ".join(clean_single_line(r.error or "") for r in results if r.failed)
    return f"{summary}. {errors}" if errors else summary


def worth_telling(message: FeedsFetched) -> bool:
    """Asked-for fetches always report; interval fetches only when a feed changed something or failed."""
    return message.asked or any(r.failed or r.status == "updated" for r in message.results)


class FeedPolling:
    """Fetches every configured provider feed in the app's worker, reports the outcome, and syncs on a change."""

    def __init__(self, app: WorkerHost) -> None:
        self.app = app

    def tick(self) -> None:
        """Interval fetch: quietly skipped while read-only, offline, or a fetch is still running."""
        busy = any(worker.group == FETCH_GROUP and worker.is_running for worker in self.app.workers)
        if self.app.writable and not busy:
            self.fetch(asked=False)

    def fetch(self, *, asked: bool) -> None:
        """Fetch in a worker thread; a fetch asked for by a key says so at once."""
        if asked:
            self.app.notify("fetching provider feeds…", title="Providers", markup=False)
        self.app.run_worker(
            partial(self.run, asked), thread=True, exclusive=True, group=FETCH_GROUP, exit_on_error=False
        )

    def run(self, asked: bool) -> None:
        """Fetch and record (in the worker's thread), then post the outcome."""
        from regtui.services import providers as provider_services  # on first use: the first frame does without

        try:
            results = provider_services.fetch_feeds(self.app.service)
        except RegtuiError as exc:
            self.app.post_message(FeedsFetched([], exc, asked))
            return
        self.app.post_message(FeedsFetched(results, None, asked))

    def fetched(self, message: FeedsFetched) -> None:
        """Report the outcome (an interval fetch only when it matters) and sync when the registry changed."""
        if message.error is not None:
            if message.asked:
                self.app.report_error(message.error)
            return
        if worth_telling(message):
            failed = any(result.failed for result in message.results)
            self.app.notify(
                fetch_summary(message.results),
                title="Fetch failed" if failed else "Provider feeds",
                severity="error" if failed else "information",
                markup=False,
                timeout=8,
            )
        if any(result.status == "updated" for result in message.results):
            self.app.sync_registry()
