"""Promote dialog flows: allowed targets, the gate before submitting, pending, applied, conflict."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from regtui.config import Locations
from regtui.domain.entry import Stage
from regtui.errors import InputError
from regtui.services import promotion
from regtui.services.registry import RegistryService
from regtui.tui.screens.approvals import ApprovalsScreen
from regtui.tui.screens.model import ModelScreen
from regtui.tui.screens.promote import PromoteScreen, parse_results
from tests.tui.conftest import AppFactory, fixed_clock, screen_text
from tests.tui.driving import settle, until
from tests.tui.flows import attest_fairness, flat, log_of, record_notes
from tests.tui.test_approvals_screen import SIGNOFF, highlight, open_queue

pytestmark = pytest.mark.anyio


async def open_promote(pilot: object, model: str, version: str) -> PromoteScreen:
    """Open the model on a version, then p."""
    pilot.app.open_model(model, version)  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(pilot.app.screen, ModelScreen)  # type: ignore[attr-defined]
    await pilot.press("p")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, PromoteScreen)
    return screen


def targets(screen: PromoteScreen) -> list[str]:
    """The offered target stages, in order."""
    options = screen.query_one("#targets", OptionList)
    return [str(options.get_option_at_index(i).id) for i in range(options.option_count)]


def test_canary_results_are_typed_as_pairs() -> None:
    """'metric=value' pairs separated by spaces or commas; anything else names the bad item."""
    assert parse_results("error_rate=0.004, latency_p95_ms=38") == {"error_rate": 0.004, "latency_p95_ms": 38.0}
    assert parse_results("  ") == {}
    with pytest.raises(InputError, match="'fast' is not metric=value"):
        parse_results("fast")
    with pytest.raises(InputError, match="'low' \\(error_rate\\) is not a number"):
        parse_results("error_rate=low")


async def test_gate_shows_before_submitting_and_pending_says_what_is_missing(
    demo_locations: Locations, make_app: AppFactory
) -> None:
    """Staging version: only its allowed moves; the Canary gate shows before submit; submit leaves it pending (its
    fairness attested first: what is missing is the review)."""
    attest_fairness(demo_locations, "search-ranker@2.4.1")
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_promote(pilot, "search-ranker", "2.4.1")
        assert targets(screen) == ["Canary", "Archived"]
        text = flat(pilot)
        assert "Promote search-ranker@2.4.1 · now Staging" in text
        assert "Gate Staging → Canary" in text and "✗ MISSING human review" in text
        assert "submitting opens a new request · canary share 1%" in text
        await pilot.press("tab", "tab", *"5", "tab", *"eval report 2.4.1")
        await until(pilot, lambda: "canary share 5%" in flat(pilot), "the preview redone (debounced) with a 5% share")
        await settle(pilot)
        assert "canary share 5%" in flat(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ModelScreen)
        assert len(notes) == 1 and notes[0].startswith("Pending: request #")
        assert notes[0].endswith("for search-ranker@2.4.1 → Canary is pending; missing: human review")
    assert ("request", "alice", "2.4.1") in log_of(demo_locations, "search-ranker")


async def test_applied_when_the_gate_passes(demo_locations: Locations, make_app: AppFactory) -> None:
    """Development -> Staging with every threshold passing applies at once; the model screen shows it."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_promote(pilot, "churn-classifier", "2.7.1")
        assert targets(screen) == ["Staging", "Archived"]
        assert "submitting applies it now" in flat(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        model = pilot.app.screen
        assert isinstance(model, ModelScreen)
        assert notes == ["Promoted: churn-classifier@2.7.1: Development → Staging"]
        assert model.view is not None and model.view.manifest.stage is Stage.STAGING
    assert ("promote", "alice", "2.7.1") in log_of(demo_locations, "churn-classifier")


async def test_abandon_needs_a_reason(demo_locations: Locations, make_app: AppFactory) -> None:
    """Archived target: no gate; without a reason the stage rule refuses it and the dialog stays."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_promote(pilot, "churn-classifier", "2.7.1")
        await pilot.press("down")
        await settle(pilot)
        assert screen.target is Stage.ARCHIVED and "no gate" in flat(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert notes == ["Refused: stage rule: abandoning a version needs a reason (--reason)"]
        await pilot.press("tab", *"superseded by 2.7.2", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ModelScreen)
        assert notes[-1] == "Promoted: churn-classifier@2.7.1: Development → Archived"


async def test_retiring_production_opens_a_gated_request(demo_locations: Locations, make_app: AppFactory) -> None:
    """A Production version offers Archived as a retirement behind its gate: the reason typed is a check, and
    submitting opens a request pending on the two-person rule."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_promote(pilot, "churn-classifier", "2.6.0")
        assert targets(screen) == ["Archived"] and screen.target is Stage.ARCHIVED
        text = flat(pilot)
        assert "Gate Production → Archived" in text and "✗ MISSING retirement reason" in text
        await pilot.press("tab", *"sunset: replaced by rules")
        await until(pilot, lambda: "✓ pass retirement reason" in flat(pilot), "the preview redone with the reason")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ModelScreen)
        assert notes[-1].startswith("Pending: request #")
        assert notes[-1].endswith(
            "for churn-classifier@2.6.0 → Archived is pending; missing: owner approval, second reviewer"
        )
    assert ("request", "alice", "2.6.0") in log_of(demo_locations, "churn-classifier")


async def test_conflict_refreshes_and_says_who_moved_it(
    demo_locations: Locations, make_app: AppFactory, tmp_path: Path
) -> None:
    """The version moves underneath (another operator, another cache) between opening and submitting:
    promote refuses with who moved it, the dialog refreshes to the new stage, nothing else is written."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_promote(pilot, "search-ranker", "2.4.1")
        other = RegistryService(
            Locations(demo_locations.registry_url, tmp_path / "dave-cache.db"), clock=fixed_clock, identity="dave"
        )
        try:
            promotion.promote(other, "search-ranker", "2.4.1", Stage.ARCHIVED, reason="superseded by 2.5.0")
        finally:
            other.close()
        assert "now Staging" in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert notes == [
            (
                "Conflict: search-ranker@2.4.1 moved to Archived by dave at 2026-11-27 12:00 UTC while you "
                "looked (you saw Staging); nothing was changed — refresh and retry"
            )
        ]
        text = flat(pilot)
        assert "now in Archived: moved by dave at 2026-11-27 12:00 UTC — refreshed" in text
        assert "Promote search-ranker@2.4.1 · now Archived" in text
        assert screen.seen_stage is Stage.ARCHIVED and targets(screen) == []
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ModelScreen)
    assert ("request", "alice", "2.4.1") not in log_of(demo_locations, "search-ranker")


async def test_apply_from_the_queue_once_approved(demo_locations: Locations, make_app: AppFactory) -> None:
    """p in the queue opens the dialog on the requested move; it reuses the open request."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        queue = await open_queue(pilot)
        await highlight(pilot, queue, SIGNOFF)
        await pilot.press("p")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PromoteScreen) and screen.target is Stage.PRODUCTION
        text = flat(pilot)
        assert "reuses open request #243 by grace" in text
        assert "you may not apply it" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ApprovalsScreen)
