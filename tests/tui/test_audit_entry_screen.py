"""The audit entry view: Enter on a log entry shows it in full at 80x24; back returns to the log where it was."""

from __future__ import annotations

import pytest

from regtui.config import Locations
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.screens.audit_entry import AuditEntryScreen
from regtui.tui.widgets.window_table import WindowTable
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle
from tests.tui.flows import cursor_to_rollback

pytestmark = pytest.mark.anyio

ROLLBACK_REASON = "INC-2291: p95 latency regression in EU"
ROLLBACK_HASH = "b0802b0f012d3819f38bd9e338960ac57f99c0d7b305ca49108f60fed0021f6c"
"""The demo's rollback of search-ranker to 1.4.0 (entry 674): its reason and its recorded hash."""


async def test_enter_opens_a_rollback_in_full(demo_locations: Locations, make_app: AppFactory) -> None:
    """At 80x24, Enter on the rollback shows its reason and hash; Esc returns to the log on the same row."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        index = await cursor_to_rollback(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AuditEntryScreen)
        text = screen_text(pilot)
        assert "Entry 674 · rollback · search-ranker@1.4.0" in text
        assert ROLLBACK_REASON in text and "Archived → Production" in text
        await pilot.press("G")
        await settle(pilot)
        assert ROLLBACK_HASH in screen_text(pilot).replace("\n", "").replace(" ", "")
        await pilot.press("escape")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AuditScreen)
        assert screen.query_one("#events", WindowTable).cursor_row == index


async def test_missing_entry_says_so(demo_locations: Locations, make_app: AppFactory) -> None:
    """An entry the cache does not hold (a position past the log's end) is reported, not shown empty."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(AuditEntryScreen(10**6))
        await settle(pilot)
        assert "no log entry at position 1000000" in screen_text(pilot)
