"""Snapshots of the providers screen."""

from __future__ import annotations

from typing import Any

from regtui.config import Locations
from tests.tui.conftest import AppFactory
from tests.tui.snapshots.conftest import SIZES, after


@SIZES
def test_providers(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """'P' from the registry: live pins with countdowns, the change log newest first, the first version's matrix."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after("P"))


@SIZES
def test_providers_filtered(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """The change log filtered to 'gpt-4o' with '/', sorted by provider and version, cursor on the second row."""
    steps = after("P", "slash", *"gpt-4o", "enter", "o", "down")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)
