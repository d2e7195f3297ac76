"""Versions past retention on the dashboard: counted per model on the registry screen, marked in the lineage, and
explained in the version's overview; in ASCII mode the mark is an x."""

from __future__ import annotations

import pytest

from regtui.config import Locations, Settings
from regtui.glyphs import PAST_RETENTION
from regtui.services.registry import RegistryService
from regtui.services.retention import past_retention
from regtui.tui.screens.model import ModelScreen
from regtui.tui.widgets.lineage_tree import LineageTree, VersionItem
from regtui.tui.widgets.window_table import WindowTable
from tests.tui.conftest import AppFactory, fixed_clock, screen_text
from tests.tui.driving import settle

pytestmark = pytest.mark.anyio


def retention_listing(locations: Locations) -> dict[str, set[str]]:
    """What `regtui retention` lists for the demo at the tests' time: the versions past retention, by model."""
    service = RegistryService(locations, clock=fixed_clock)
    try:
        by_model: dict[str, set[str]] = {}
        for past in past_retention(service):
            by_model.setdefault(past.model, set()).add(past.version)
        return by_model
    finally:
        service.close()


async def test_the_registry_counts_what_regtui_retention_lists(demo_locations: Locations, make_app: AppFactory) -> None:
    """At 120 columns each model's EXPIRED cell counts its versions past retention, as `regtui retention` lists
    them; a model with none shows '-'; at 80 columns the column gives way (the owners keep their width)."""
    listed = retention_listing(demo_locations)
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = pilot.app.screen.query_one("#models", WindowTable)
        rows = [table.row_at(i) for i in range(table.total or 0)]
        assert {row.name: row.past_retention for row in rows if row} == {
            row.name: len(listed.get(row.name, ())) for row in rows if row
        }
        lines = {line.split()[0]: line.rstrip() for line in screen_text(pilot).splitlines() if line.split()}
        assert "EXPIRED" in lines["MODEL"]
        assert f"{PAST_RETENTION} {len(listed['support-assistant'])}" in lines["support-assistant"]
        assert "ticket-router" not in listed and PAST_RETENTION not in lines["ticket-router"]
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "EXPIRED" not in screen_text(pilot)


async def test_the_lineage_marks_each_version_past_retention_and_its_overview_says_why(
    demo_locations: Locations, make_app: AppFactory
) -> None:
    """churn-classifier: the lineage marks exactly the versions `regtui retention` lists (2.2.0, archived but never
    in Production, is not marked); 2.4.0's overview gives its age against the 180-day retention, and 2.5.0, still a
    rollback target, says until when."""
    listed = retention_listing(demo_locations)["churn-classifier"]
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pilot.app.open_model("churn-classifier", "2.4.0")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ModelScreen)
        assert screen.overview is not None
        marked = {line.key for line in screen.overview.versions if line.retention and line.retention.past}
        assert marked == listed and "2.2.0" not in marked
        tree = screen.query_one(LineageTree)
        labels = {
            node.data.line.key: "".join(part.text for part in node.data.parts)
            for node in (tree.get_node_at_line(y) for y in range(tree.last_line + 1))
            if node is not None and isinstance(node.data, VersionItem)
        }
        assert labels["2.4.0"].startswith(f"2.4.0  Archived {PAST_RETENTION}  ")
        assert PAST_RETENTION not in labels["2.2.0"] and PAST_RETENTION not in labels["2.6.0"]
        text = screen_text(pilot)
        assert f"retention      {PAST_RETENTION} past retention: archived 337 days ago, retention 180" in text
        await pilot.press("j")
        await settle(pilot)
        assert "retention      rollback target: archived 142 days ago, retention 180" in screen_text(pilot)


async def test_the_mark_is_an_x_in_ascii_mode(demo_locations: Locations, make_app: AppFactory) -> None:
    """With `ascii: true` the lineage's mark is drawn as x, beside the stage it qualifies."""
    async with make_app(demo_locations, settings=Settings(ascii=True)).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pilot.app.open_model("churn-classifier", "2.4.0")
        await settle(pilot)
        text = screen_text(pilot)
        assert "2.4.0  Archived x  " in text and text.isascii()
