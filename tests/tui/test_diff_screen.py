"""Diff screen flows: from the model screen, default baseline, verdicts and gates in words, picking, swapping."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from regtui.config import Locations
from regtui.tui.screens.diff import DiffScreen, metric_places, metric_row
from regtui.tui.screens.model import ModelScreen
from regtui.tui.screens.rollback import RollbackScreen
from regtui.tui.screens.version_picker import VersionPickerScreen
from regtui.tui.tones import Toned
from regtui.tui.widgets.window_table import WindowTable
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle
from tests.tui.test_model_screen import plain

pytestmark = pytest.mark.anyio


async def open_diff(pilot: object, model: str, *keys: str) -> DiffScreen:
    """Open a model, move through its lineage with keys, then d."""
    pilot.app.open_model(model)  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(pilot.app.screen, ModelScreen)  # type: ignore[attr-defined]
    await pilot.press(*keys, "d")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, DiffScreen) and screen.view is not None
    return screen


def words(cells: list[object]) -> list[str]:
    """The text of each cell of a metric row."""
    return [
        "".join(part.text for part in cell)
        if isinstance(cell, tuple)
        else cell.text
        if isinstance(cell, Toned)
        else str(cell)
        for cell in cells
    ]


async def test_selected_version_against_production(demo_locations: Locations, make_app: AppFactory) -> None:
    """d on the Canary version: B = it, A = the Production version; deltas, verdicts and gates in words."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_diff(pilot, "churn-classifier", "j")
        view = screen.view
        assert view is not None and view.diff is not None and view.a is not None
        assert (view.a.key, view.b.key) == ("2.6.0", "2.7.0")
        text = screen_text(pilot)
        assert "churn-classifier · A 2.6.0 (Production)  ⇄  B 2.7.0 (Canary 10%)" in text
        assert "baseline: the current Production version" in text
        assert "18 better, 1 worse, 1 same" in text
        latency = next(row for row in view.diff.metrics if row.scope == "overall" and row.metric == "latency_p95_ms")
        places = metric_places(view.diff.metrics)
        assert places["latency_p95_ms"] == 1 and places["auc"] == 4
        assert words(metric_row(latency, places["latency_p95_ms"])) == [
            "  latency_p95_ms ↓",
            "22.7",
            "23.1",
            "+0.4",
            "+1.8%",
            "✗ WORSE",
            "pass ≤40",
        ]
        auc = next(row for row in view.diff.metrics if row.scope == "overall" and row.metric == "auc")
        assert words(metric_row(auc, places["auc"]))[5:] == ["✓ better", "pass ≥0.87"]
        assert "segment region=EU" in text
        report = plain(screen.query_one("#diff-report Static", Static).content)
        assert "training data customers-monthly@2026-05 customers-monthly@2026-09" in " ".join(report.split())
        for section in ("Registry fields", "Hyperparameters", "Model card", "evaluation"):
            assert section in report
        await pilot.press("G")
        await settle(pilot)
        assert "responsible" in screen_text(pilot) or "training data" in screen_text(pilot)


async def test_swap_and_pick_candidate(demo_locations: Locations, make_app: AppFactory) -> None:
    """s swaps A and B; c picks another candidate from the windowed list without leaving the screen."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_diff(pilot, "churn-classifier", "j")
        await pilot.press("s")
        await settle(pilot)
        assert screen.view is not None and screen.view.a is not None
        assert (screen.view.a.key, screen.view.b.key) == ("2.7.0", "2.6.0")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, VersionPickerScreen)
        assert "Pick the candidate (B) of churn-classifier · now 2.6.0" in screen_text(pilot)
        picker = pilot.app.screen.query_one("#picker-versions", WindowTable)
        assert picker.cursor_value is not None and picker.cursor_value.key == "2.6.0"
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen and screen.view.b.key == "2.6.0"
        await pilot.press("c", "g", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert (screen.view.a.key, screen.view.b.key) == ("2.7.0", "2.7.1")
        assert "A 2.7.0 (Canary 10%)  ⇄  B 2.7.1 (Development)" in screen_text(pilot)


async def test_production_version_compares_with_its_parent(demo_locations: Locations, make_app: AppFactory) -> None:
    """d on the Production version: the baseline is its parent, and the note says why."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_diff(pilot, "churn-classifier")
        assert screen.view is not None and screen.view.a is not None
        assert (screen.view.a.key, screen.view.b.key) == ("2.5.0", "2.6.0")
        assert "baseline: its parent (it is the Production version)" in screen_text(pilot)
        await pilot.press("q")
        assert isinstance(pilot.app.screen, ModelScreen)


async def test_model_screen_keys_in_help_and_palette(demo_locations: Locations, make_app: AppFactory) -> None:
    """d, p and R are in the model screen's help; the palette runs them too (here: Rollback)."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pilot.app.open_model("fraud-detector")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        ids = {row.binding_id for row in pilot.app.screen.rows}  # type: ignore[attr-defined]
        assert {"diff_version", "promote_version", "rollback_model"} <= ids
        await pilot.press("q", "ctrl+p", *"rollback")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, RollbackScreen) and screen.model == "fraud-detector"
