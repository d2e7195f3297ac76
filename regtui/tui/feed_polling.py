"""What the dashboard says about a provider feed fetch (run by the app on a key and on an interval)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from regtui.domain.text import clean_single_line
from regtui.errors import RegtuiError

if TYPE_CHECKING:
    from regtui.services.providers import FeedResult

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
