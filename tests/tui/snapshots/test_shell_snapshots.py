"""Snapshots of the app shell: offline header, command palette, themes."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from regtui.config import Locations, Settings
from regtui.services.registry import RegistryService
from tests.tui.conftest import AppFactory, fixed_clock
from tests.tui.snapshots.conftest import SIZES, after

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/registry"


@SIZES
def test_offline_header(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """After a sync the app's registry URL becomes an unreachable one and 'r' syncs again: the header turns to
    'offline since 12:00 UTC — read-only', a warning explains (naming the registry the cache holds, the demo's),
    and the cached list stays."""
    app = make_app(snapshot_locations)
    offline = RegistryService(Locations(UNREACHABLE, snapshot_locations.cache_path), clock=fixed_clock)

    def go_offline(pilot: Pilot[Any]) -> None:
        """Point the app at the unreachable registry."""
        pilot.app.service = offline

    try:
        assert snap_compare(app, terminal_size=size, run_before=after(go_offline, "r"))
    finally:
        offline.close()


@SIZES
def test_command_palette(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """ctrl+p then 'open model fr': the palette lists matching models (names shown literally)."""
    steps = after("ctrl+p", *"open model fr")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@pytest.mark.parametrize("theme", ["regtui-light", "regtui-high-contrast"])
def test_themes(snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, theme: str) -> None:
    """The model screen of churn-classifier in the light and high-contrast themes at 80x24."""
    app = make_app(snapshot_locations, settings=Settings(theme=theme))
    assert snap_compare(app, terminal_size=(80, 24), run_before=after("enter"))
