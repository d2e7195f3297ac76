"""Rollback screen flows (on call): history with retention, live verification, typed confirmation, done."""

from __future__ import annotations

import pytest
from textual.widgets import Button, ProgressBar

from regtui.config import Locations
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.screens.confirm_rollback import ConfirmRollbackScreen
from regtui.tui.screens.registry import RegistryScreen
from regtui.tui.screens.rollback import RollbackScreen
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle
from tests.tui.flows import flat, log_of, record_notes

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _releaser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Roll back as heidi (releaser): rollbacks need the release right."""
    monkeypatch.setenv("REGTUI_USER", "heidi")


async def open_rollback(pilot: object, model: str) -> RollbackScreen:
    """R on the model's row of the registry screen (one key from home)."""
    await pilot.press("slash", *model, "enter", "R")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, RollbackScreen) and screen.model == model
    return screen


async def test_history_with_retention_and_one_key_from_registry(
    demo_locations: Locations, make_app: AppFactory
) -> None:
    """The Production version first, then former ones with their retention; expired ones say why."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_rollback(pilot, "fraud-detector")
        assert screen.view is not None and screen.view.production == "2.5.0"
        lines = {line.key: line for line in screen.view.lines}
        assert lines["2.5.0"].current and lines["2.2.0"].eligible and not lines["1.0.0"].eligible
        text = flat(pilot)
        assert "Rollback fraud-detector · in Production: 2.5.0 · dry run off · retention 365 d" in text
        assert "2.5.0 serves in Production now: pick an earlier version" in text
        assert "retention ended 2025-04-29" in text
        await pilot.press("G", "enter")
        await settle(pilot)
        assert notes == [
            "Refused: retention rule: 1.0.0's retention ended 2025-04-29; it is no longer a rollback target"
        ]
        assert not isinstance(pilot.app.screen, ConfirmRollbackScreen)
        await pilot.press("q")
        assert isinstance(pilot.app.screen, RegistryScreen)


async def test_title_stays_one_line_at_80_columns(demo_locations: Locations, make_app: AppFactory) -> None:
    """A longer model name at 80x24: the title keeps to one line, leaving out the retention (shown per row)."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_rollback(pilot, "support-assistant")
        lines = screen_text(pilot).splitlines()
        assert lines[1].strip() == "Rollback support-assistant · in Production: 3.3.0 · dry run off"
        assert lines[2].split()[0] == "VERSION"
        await pilot.press("d")
        await settle(pilot)
        assert screen_text(pilot).splitlines()[1].strip().endswith("· DRY RUN on")
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert "in Production: 3.3.0 · DRY RUN on · retention 180 d" in screen_text(pilot).splitlines()[1]


async def test_checksum_mismatch_refuses_before_confirming(demo_locations: Locations, make_app: AppFactory) -> None:
    """2.4.0's model file was tampered with: verification names the artifact and no confirmation opens."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await open_rollback(pilot, "fraud-detector")
        await pilot.press("j", "enter")
        await settle(pilot)
        assert notes == [
            (
                "Refused: checksum rule: fraud-detector@2.4.0 cannot go back to Production: model: MISMATCH "
                "(sha256 63845b8a15ce…, recorded cc1dc508927a…)"
            )
        ]
        text = flat(pilot)
        assert "2.4.0: 1 of 2 artifact(s) failed — refused" in text
        assert "model MISMATCH sha256 63845b8a15ce…, recorded cc1dc508927a…" in text
        assert "config ok" in text
        assert not isinstance(pilot.app.screen, ConfirmRollbackScreen)


async def test_typed_confirmation_then_rollback(demo_locations: Locations, make_app: AppFactory) -> None:
    """Verified live; focus starts on Cancel; a wrong name keeps Roll back disabled; name + reason rolls back."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_rollback(pilot, "fraud-detector")
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        bar = screen.query_one(ProgressBar)
        assert bar.total is not None and bar.progress == bar.total
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmRollbackScreen)
        assert confirm.focused is confirm.query_one("#cancel")
        assert "Production now: 2.5.0 → goes to Archived" in screen_text(pilot)
        assert "focus is on Cancel · enter cancels" in screen_text(pilot)
        button = confirm.query_one("#confirm", Button)
        await pilot.press("tab", *"fraud-detecter")
        await settle(pilot)
        assert "the model name · tab: next field" in screen_text(pilot)
        await pilot.press("tab", *"INC-4711 chargeback spike")
        await settle(pilot)
        assert button.disabled
        assert "the reason · enter: roll back once both are right" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is confirm and confirm.focused is confirm.query_one("#cancel")
        await pilot.press("shift+tab", "shift+tab", *"fraud-detector")
        await settle(pilot)
        assert not button.disabled
        await pilot.press("tab", "tab", "tab")
        await settle(pilot)
        assert confirm.focused is button and "focus is on Roll back · enter: roll back" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        done = "rolled back fraud-detector from 2.5.0 to 2.2.0 (2 artifact(s) verified); 2.5.0 → Archived"
        assert f"done: {done}" in flat(pilot) and not any(done in note for note in notes)
        assert screen.view is not None and screen.view.production == "2.2.0"
        await pilot.press("L")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AuditScreen)
        assert "rollback" in screen_text(pilot)
    log = log_of(demo_locations, "fraud-detector")
    assert log[:2] == [("rollback", "heidi", "2.2.0"), ("replaced", "heidi", "2.5.0")]


async def test_enter_on_cancel_cancels(demo_locations: Locations, make_app: AppFactory) -> None:
    """The confirmation opens on Cancel (its hint on one line at 80x24, following the focus): Enter cancels and
    nothing changes."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = await open_rollback(pilot, "fraud-detector")
        before = log_of(demo_locations, "fraud-detector")
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmRollbackScreen)
        await pilot.press("tab", "tab")
        await settle(pilot)
        assert "the reason · enter: roll back once both are right · escape cancels" in screen_text(pilot)
        await pilot.press("shift+tab", "shift+tab")
        await settle(pilot)
        assert "focus is on Cancel · enter cancels · tab to type · escape cancels" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen and "cancelled: nothing changed" in screen_text(pilot)
    assert log_of(demo_locations, "fraud-detector") == before


async def test_dry_run_changes_nothing(demo_locations: Locations, make_app: AppFactory) -> None:
    """d: the whole procedure runs and is rolled back; the confirmation and the result (in the state line and the
    report, not in a toast over them) say so."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_rollback(pilot, "fraud-detector")
        before = log_of(demo_locations, "fraud-detector")
        await pilot.press("d", "j", "j", "enter")
        await settle(pilot)
        assert "DRY RUN, nothing is changed" in screen_text(pilot)
        await pilot.press("tab", *"fraud-detector", "tab", *"drill INC-0", "enter")
        await settle(pilot)
        assert "done: dry run: would roll back fraud-detector from 2.5.0 to 2.2.0" in flat(pilot)
        assert "Dry run passed" in flat(pilot) and not any("would roll back" in note for note in notes)
        assert screen.view is not None and screen.view.production == "2.5.0"
    assert log_of(demo_locations, "fraud-detector") == before


async def test_readonly_keeps_history_and_verify(demo_locations: Locations, make_app: AppFactory) -> None:
    """--readonly: the history and verification stay; rolling back is not offered and refused."""
    app = make_app(demo_locations, readonly=True)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_rollback(pilot, "fraud-detector")
        assert "R" not in app.screen.active_bindings and "v" in app.screen.active_bindings
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen and "read-only session" in screen_text(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert "2.2.0: 2 artifact(s) verified just now" in flat(pilot)
