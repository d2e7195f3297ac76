"""Snapshots of the registry screen (home)."""

from __future__ import annotations

from typing import Any

from regtui.config import Locations
from tests.tui.conftest import AppFactory
from tests.tui.snapshots.conftest import SIZES, after


@SIZES
def test_registry(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """The home screen: eight demo models with Production / Canary / Staging versions, synced 0s ago, and how many
    versions of each are past retention (EXPIRED); at 80x24 the versions and description columns give way."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after())


@SIZES
def test_registry_filtered(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """Filter 'team' typed after '/', then 'c' (models with a Canary version) and 'o' (sorted by owner):
    the summary says '4 models · has Canary · by owner'."""
    steps = after("slash", *"team", "enter", "c", "o")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)
