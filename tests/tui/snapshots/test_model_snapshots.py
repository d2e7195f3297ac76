"""Snapshots of the model screen: lineage, details tabs, verified artifacts, trend."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from regtui.config import Locations
from tests.tui.conftest import AppFactory
from tests.tui.snapshots.conftest import SIZES, after


def open_model(name: str, version: str | None = None) -> Any:
    """A step that opens a model screen."""

    def step(pilot: Pilot[Any]) -> None:
        """Open it as the palette would."""
        pilot.app.open_model(name, version)

    return step


@SIZES
def test_model_overview(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """churn-classifier opened from the registry (enter on the first row): the 2.x line expanded on the
    Production version 2.6.0, its overview and hyperparameters, and the auc trend; stacked below 100 columns."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after("enter"))


@SIZES
def test_model_metrics(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """churn-classifier 2.6.0, tab 2: every metric overall and per segment; 'm' moved the trend to the next metric."""
    steps = after("enter", "2", "m")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@SIZES
def test_model_card(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """churn-classifier 2.6.0, tab 3: the model card's sections (intended use, limitations, ...)."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after("enter", "3"))


@SIZES
def test_model_artifacts_verified(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """fraud-detector 2.4.0 (the demo's tampered version) after 'v': the model artifact shows MISMATCH with
    both digests, the config artifact ok, and the line under them (no toast over them) says one of two failed."""
    steps = after(open_model("fraud-detector", "2.4.0"), "v")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@SIZES
def test_model_past_retention(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """churn-classifier 2.4.0, a former Production version archived in 2025: the lineage marks it and the other
    versions past retention with the clock mark, and its overview says why (its age against the 180-day retention)."""
    steps = after(open_model("churn-classifier", "2.4.0"))
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)
