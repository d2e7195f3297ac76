"""Snapshots of the help screen."""

from __future__ import annotations

from typing import Any

from regtui.config import Locations
from tests.tui.conftest import AppFactory
from tests.tui.snapshots.conftest import SIZES, after


@SIZES
def test_help_registry(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """'?' on the registry screen: its keys, the table's keys and the global keys, each with its binding id."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after("question_mark"))


@SIZES
def test_help_model(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """'?' on the model screen: tab keys, verify, metric, and the lineage tree's vim keys."""
    steps = after("enter", "question_mark")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)
