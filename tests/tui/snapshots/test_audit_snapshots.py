"""Snapshots of the audit screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from regtui.config import Locations
from tests.tui.conftest import AppFactory
from tests.tui.driving import until
from tests.tui.flows import cursor_to_rollback, logged_models
from tests.tui.snapshots.conftest import SIZES, after


async def filtered_to_search(pilot: Pilot[Any]) -> None:
    """Wait for the filter, applied after a debounce, to show search models only."""
    await until(
        pilot,
        lambda: (models := logged_models(pilot)) and all("search" in str(m) for m in models),
        "the log filtered to models matching 'search'",
    )


@SIZES
def test_audit_log(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """'L' from the registry: the promotion log newest first with 'chain intact (N entries)' on the right."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after("L"))


@SIZES
def test_audit_filtered(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """The log filtered to model 'search' with '/', focus back on the log after enter."""
    steps = after("L", "slash", *"search", "enter", filtered_to_search)
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@SIZES
def test_audit_entry(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """Enter on the demo's rollback (frank's search-ranker entries): the entry in full, reason and checksums."""
    steps = after("L", cursor_to_rollback, "enter")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)
