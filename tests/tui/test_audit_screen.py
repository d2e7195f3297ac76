"""Audit screen flows: the log newest first, model and actor filters, hash-chain verification."""

from __future__ import annotations

import sqlite3

import pytest

from regtui.config import Locations
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.widgets.window_table import WindowTable
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle, until
from tests.tui.flows import logged_models

pytestmark = pytest.mark.anyio


def log_size(locations: Locations) -> int:
    """How many entries the cached log holds."""
    with sqlite3.connect(locations.cache_path) as connection:
        return int(connection.execute("SELECT count(*) FROM event").fetchone()[0])


async def test_log_newest_first_with_chain_intact(demo_locations: Locations, make_app: AppFactory) -> None:
    """L opens the log: newest entry first, and the chain verifies."""
    total = log_size(demo_locations)
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AuditScreen)
        table = screen.query_one("#events", WindowTable)
        assert table.total == total
        positions = [table.row_at(i).position for i in range(min(total, 20))]  # type: ignore[union-attr]
        assert positions == sorted(positions, reverse=True) and positions[0] == total
        assert f"chain intact ({total} entries)" in screen_text(pilot)


async def test_filter_by_model_and_actor(demo_locations: Locations, make_app: AppFactory) -> None:
    """'/' filters by model, '@' by actor, as you type; no match says so."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        table = pilot.app.screen.query_one("#events", WindowTable)
        await pilot.press("slash", *"fraud", "enter")
        await until(pilot, lambda: set(logged_models(pilot)) == {"fraud-detector"}, "the log filtered to fraud")
        await settle(pilot)
        rows = [table.row_at(i) for i in range(min(table.total or 0, 20))]
        assert rows and all(row.model == "fraud-detector" for row in rows)  # type: ignore[union-attr]
        await pilot.press("at", *"nobody-at-all")
        await until(pilot, lambda: table.total == 0, "the log filtered to an actor with no entries")
        await settle(pilot)
        assert table.total == 0
        assert "no log entries match" in screen_text(pilot)


async def test_model_screen_opens_its_log(demo_locations: Locations, make_app: AppFactory) -> None:
    """L on a model screen opens the log filtered to that model."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.open_model("churn-classifier")
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AuditScreen) and screen.query_state.model == "churn-classifier"


async def test_broken_chain_is_shown(demo_locations: Locations, make_app: AppFactory) -> None:
    """An altered entry in the cached log shows 'BROKEN at entry N' (in words, not only colour)."""
    with sqlite3.connect(demo_locations.cache_path) as connection:
        connection.execute("UPDATE event SET actor = 'mallory' WHERE position = 3")
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        assert "BROKEN at entry 3: content does not match its recorded hash" in screen_text(pilot)
