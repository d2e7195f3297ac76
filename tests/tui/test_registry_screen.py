"""Registry screen flows: filter as you type, stage filters, sort, open a model."""

from __future__ import annotations

import time
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.widgets import Input

from regtui.config import Locations
from regtui.tui.screens import model as model_screen
from regtui.tui.screens.model import ModelScreen
from regtui.tui.screens.registry import RegistryScreen
from regtui.tui.widgets.version_details import VersionDetails
from regtui.tui.widgets.window_table import WindowTable
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle

pytestmark = pytest.mark.anyio

SLOW_READ_S = 0.3


def model_names(table: WindowTable) -> list[str]:
    """The names of the rows the table holds, in order."""
    return [table.row_at(i).name for i in range(table.total or 0)]  # type: ignore[union-attr]


async def test_lists_every_model_with_live_versions(demo_locations: Locations, make_app: AppFactory) -> None:
    """The home screen lists all eight demo models with their Production and Canary versions."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(pilot.app.screen, RegistryScreen)
        table = pilot.app.screen.query_one("#models", WindowTable)
        assert table.total == 8
        text = screen_text(pilot)
        assert "churn-classifier" in text and "ticket-router" in text
        assert "8 models · all stages · by name" in text


async def test_rows_show_open_requests_and_drill_age_flagging_overdue_drills(
    demo_locations: Locations, make_app: AppFactory
) -> None:
    """Each row counts the model's open requests and says how long ago its rollback was last drilled successfully:
    '!' marks one overdue by its policy (demand-forecaster), 'failed' one whose last drill failed (fraud-detector;
    a failed drill does not reset the cadence, so product-embedder and support-assistant are overdue too), '-' a
    model with nothing in Production and no drill; at 80 columns the owners show whole beside them."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one("#models", WindowTable)
        rows = {line.name: line for line in (table.row_at(i) for i in range(table.total or 0)) if line is not None}
        overdue = {name for name, line in rows.items() if line.drill_overdue}
        assert overdue == {"demand-forecaster", "product-embedder", "support-assistant"}
        failed = {name for name, line in rows.items() if line.drill_failed}
        assert failed == {"fraud-detector", "product-embedder", "support-assistant"}
        assert rows["fraud-detector"].open_requests == 0 and rows["churn-classifier"].open_requests == 1
        lines = {line.split()[0]: line.rstrip() for line in screen_text(pilot).splitlines() if line.split()}
        assert lines["demand-forecaster"].endswith("1 ! 102d") and lines["churn-classifier"].endswith("1 25d")
        assert lines["fraud-detector"].endswith("- failed") and lines["ticket-router"].endswith("1 -")
        assert "team-forecasting" in lines["demand-forecaster"] and "team-ml-platform" in lines["product-embedder"]


async def test_filter_as_you_type(demo_locations: Locations, make_app: AppFactory) -> None:
    """'/' focuses the filter; typing narrows the list; escape returns to the list with the filter kept."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"fraud")
        await settle(pilot)
        table = pilot.app.screen.query_one("#models", WindowTable)
        assert model_names(table) == ["fraud-detector"]
        await pilot.press("escape")
        assert pilot.app.screen.focused is table
        assert isinstance(pilot.app.screen, RegistryScreen)
        await pilot.press("slash", *["backspace"] * 5, *"team-assist")
        await settle(pilot)
        assert pilot.app.screen.query_one("#filter").value == "team-assist"
        assert model_names(table) == ["doc-summarizer", "support-assistant", "ticket-router"]


async def test_keys_read_in_one_burst_go_to_the_filter(demo_locations: Locations, make_app: AppFactory) -> None:
    """'/' and 'risk' read at once (posted together, as a slow link delivers them): the filter gets 'risk' and
    the list narrows; r, s, k do not run as Refresh, Has Staging, Up. A paste lands in the focused filter."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, character in (("slash", "/"), ("r", "r"), ("i", "i"), ("s", "s"), ("k", "k")):
            pilot.app.post_message(events.Key(key, character))
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RegistryScreen)
        assert screen.query_one("#filter", Input).value == "risk"
        assert screen.query_state.stage is None
        assert model_names(screen.query_one("#models", WindowTable)) == ["churn-classifier", "fraud-detector"]
        pilot.app.post_message(events.Paste(" team"))
        await settle(pilot)
        assert screen.query_one("#filter", Input).value == "risk team"


async def test_keys_typed_after_enter_reach_the_model_screen(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """j, Enter and 2 read at once, on a slow cache (the model is not read ahead yet): the 2 waits for the model
    screen Enter opens once the model is read (its Metrics tab), and does not go to the registry's list."""
    read = model_screen.read_model

    def slow_read(*args: Any) -> Any:
        """The model's read, after a pause longer than the keys' own handling."""
        time.sleep(SLOW_READ_S)
        return read(*args)

    monkeypatch.setattr(model_screen, "read_model", slow_read)
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, character in (("j", "j"), ("enter", "\r"), ("2", "2")):
            pilot.app.post_message(events.Key(key, character))
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ModelScreen) and screen.model == "demand-forecaster"
        assert screen.query_one(VersionDetails).active == "metrics"


async def test_escape_never_quits_the_home_screen(demo_locations: Locations, make_app: AppFactory) -> None:
    """Escape leaves the filter, then clears it, then does nothing: the app is still up on the registry; the
    footer names q as Quit there, and q quits."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"fraud")
        await settle(pilot)
        table = pilot.app.screen.query_one("#models", WindowTable)
        await pilot.press("escape")
        assert pilot.app.screen.focused is table and model_names(table) == ["fraud-detector"]
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen.query_one("#filter", Input).value == "" and table.total == 8
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert pilot.app.is_running and isinstance(pilot.app.screen, RegistryScreen)
        assert "q Quit" in screen_text(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not pilot.app.is_running


class Frames:
    """The filter text and the table's rows in every frame the app paints."""

    def __init__(self, app: App[object]) -> None:
        self.shown: list[tuple[str, list[str]]] = []

        def displayed() -> None:
            """After each frame, note what it shows."""
            screen = app.screen
            if isinstance(screen, RegistryScreen):
                table = screen.query_one("#models", WindowTable)
                self.shown.append((screen.query_one("#filter", Input).value, model_names(table)))

        app.post_display_hook = displayed  # type: ignore[method-assign]


async def test_a_keystroke_paints_its_echo_with_its_rows(demo_locations: Locations, make_app: AppFactory) -> None:
    """Typing in the filter paints the typed text and the rows it matches in one frame: no frame shows the new
    text over the previous query's rows (a second frame per keystroke would wait for Textual's next frame slot)."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        frames = Frames(pilot.app)
        table = pilot.app.screen.query_one("#models", WindowTable)
        expected = {"": model_names(table)}
        await pilot.press("slash")
        for key, text in (("d", "d"), ("e", "de"), ("t", "det"), ("backspace", "de"), ("backspace", "d")):
            await pilot.press(key)
            await settle(pilot)
            expected[text] = model_names(table)
    assert len({tuple(names) for names in expected.values()}) == 3, "'', 'de' and 'det' match other rows"
    assert {"de", "det"} <= {text for text, _ in frames.shown}
    for text, names in frames.shown:
        assert names == expected[text], f"a frame showed {text!r} over the rows of another filter"


async def test_stage_filters_and_sort(demo_locations: Locations, make_app: AppFactory) -> None:
    """p, c, s keep models with a version in that stage; a shows all; o cycles the order."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one("#models", WindowTable)
        await pilot.press("c")
        await settle(pilot)
        assert set(model_names(table)) == {
            "churn-classifier",
            "fraud-detector",
            "product-embedder",
            "support-assistant",
        }
        await pilot.press("s")
        await settle(pilot)
        assert set(model_names(table)) == {"demand-forecaster", "doc-summarizer", "search-ranker", "ticket-router"}
        await pilot.press("p")
        await settle(pilot)
        assert "ticket-router" not in model_names(table) and table.total == 7
        await pilot.press("a", "o")
        await settle(pilot)
        owners = [table.row_at(i).owner for i in range(8)]  # type: ignore[union-attr]
        assert owners == sorted(owners)
        assert "by owner" in screen_text(pilot)


async def test_enter_opens_model(demo_locations: Locations, make_app: AppFactory) -> None:
    """j moves the cursor; enter opens that model; q comes back to the list."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ModelScreen) and screen.model == "demand-forecaster"
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(pilot.app.screen, RegistryScreen)
