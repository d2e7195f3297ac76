"""Approvals screen flows: the queue, the gate checklist, approve, reject, a refused approval, the diff."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from regtui.config import Locations, Settings
from regtui.services.registry import RegistryService
from regtui.tui.screens.approvals import ApprovalsScreen
from regtui.tui.screens.comment import CommentScreen
from regtui.tui.screens.diff import DiffScreen
from regtui.tui.screens.registry import RegistryScreen
from tests.tui.conftest import AppFactory, fixed_clock, screen_text
from tests.tui.driving import settle
from tests.tui.flows import flat, log_of, record_notes

pytestmark = pytest.mark.anyio

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/registry"

SIGNOFF = "support-assistant@3.4.0"
"""Canary -> Production by grace (demo request #243): alice can sign as the second reviewer."""
REVIEW = "demand-forecaster@2.7.0"
"""Staging -> Canary by erin (#245): alice can approve as reviewer."""
DOCS = "doc-summarizer@3.3.0"
"""Staging -> Canary by grace (#249): alice can approve as reviewer."""
OWN = "churn-classifier@2.7.0"
"""Canary -> Production requested by alice herself (#251); bob signed as owner."""


async def open_queue(pilot: Pilot[object], *, mine: bool = True) -> ApprovalsScreen:
    """A from anywhere opens the queue (yours first); m switches to every open request."""
    await pilot.press("A")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ApprovalsScreen)
    if not mine:
        await pilot.press("m")
        await settle(pilot)
    return screen


async def highlight(pilot: Pilot[object], screen: ApprovalsScreen, ref: str) -> None:
    """Move the cursor to a request with the keys, from the top."""
    await pilot.press("g")
    refs = [line.view.ref for line in screen.shown]
    for _ in range(refs.index(ref)):
        await pilot.press("j")
    await settle(pilot)
    assert screen.query_one("#requests").cursor_value.view.ref == ref  # type: ignore[attr-defined]


async def test_queue_lists_yours_then_all_with_checklist(demo_locations: Locations, make_app: AppFactory) -> None:
    """Yours: what alice can act on; all: every open request; the checklist says what passed and what is missing."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot)
        refs = [line.view.ref for line in screen.shown]
        assert {SIGNOFF, REVIEW, DOCS} <= set(refs) and OWN not in refs
        await highlight(pilot, screen, SIGNOFF)
        text = flat(pilot)
        assert "you can approve as reviewer" in text
        assert "✓ pass canary SLO error_rate <= 0.01" in text
        assert "✗ MISSING owner approval" in text and "✗ MISSING second reviewer" in text
        assert "… on apply artifacts verified" in text
        await pilot.press("m")
        await settle(pilot)
        assert OWN in [line.view.ref for line in screen.shown]
        assert "all" in screen_text(pilot).splitlines()[1]


async def test_approve_with_comment(demo_locations: Locations, make_app: AppFactory) -> None:
    """a, a comment naming the evidence, Enter: recorded as reviewer through the write path; the queue refreshes
    and the line over it (not a toast over the checklist) says what was recorded."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot)
        await highlight(pilot, screen, REVIEW)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CommentScreen)
        await pilot.press(*"forecast eval 2.7.0 vs 2.5.0 read", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        decided = "approved request #245 (demand-forecaster@2.7.0) as reviewer; still missing: nothing"
        assert screen_text(pilot).splitlines()[2].strip() == decided and not any(decided in note for note in notes)
        line = next(line for line in screen.lines or [] if line.view.ref == REVIEW)
        assert line.view.can_approve is None and line.view.can_apply
        assert next(check for check in line.view.gate.checks if check.name == "human review").passed
        await highlight(pilot, screen, REVIEW)
        assert "you can apply it" in flat(pilot) and "gate passes" in flat(pilot)
    assert ("approve", "alice", "2.7.0") in log_of(demo_locations, "demand-forecaster")


async def test_reject_needs_a_comment(demo_locations: Locations, make_app: AppFactory) -> None:
    """x opens the comment; an empty one is refused in the modal; with a reason the request closes."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot)
        await highlight(pilot, screen, DOCS)
        await pilot.press("x")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, CommentScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is modal
        assert "a comment is required" in screen_text(pilot)
        await pilot.press(*"groundedness regressed on contracts", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert DOCS not in [line.view.ref for line in screen.lines or []]
        note = screen_text(pilot).splitlines()[2].strip()
        assert note.startswith("rejected request #249") and not any("rejected request" in n for n in notes)
    assert ("reject", "alice", "3.3.0") in log_of(demo_locations, "doc-summarizer")


async def test_cancelled_comment_records_nothing(demo_locations: Locations, make_app: AppFactory) -> None:
    """escape in the comment modal: no decision."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot)
        await highlight(pilot, screen, REVIEW)
        await pilot.press("a", *"looks fine", "escape")
        await settle(pilot)
        assert pilot.app.screen is screen
    assert log_of(demo_locations, "demand-forecaster")[0][0] != "approve"


async def test_self_approval_is_refused_naming_the_rule(demo_locations: Locations, make_app: AppFactory) -> None:
    """Approving your own request: the notification names the rule, nothing is written, the app stays up."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot, mine=False)
        await highlight(pilot, screen, OWN)
        assert "nothing for you to sign here" in flat(pilot)
        before = log_of(demo_locations, "churn-classifier")
        await pilot.press("a", *"my own canary", "enter")
        await settle(pilot)
        assert notes == [
            (
                "Refused: alice cannot approve: owner already signed by bob; self-approval: alice requested "
                "this promotion and cannot be its reviewer (nobody reviews their own request)"
            )
        ]
        assert "self-approval: alice requested this" in screen_text(pilot)
        assert app.is_running and pilot.app.screen is screen
        assert OWN in [line.view.ref for line in screen.lines or []]
    assert log_of(demo_locations, "churn-classifier") == before


async def test_enter_opens_the_evidence_diff(demo_locations: Locations, make_app: AppFactory) -> None:
    """Enter on a request: the requested version against the current Production version; b switches baseline."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot)
        await highlight(pilot, screen, REVIEW)
        await pilot.press("enter")
        await settle(pilot)
        diff = pilot.app.screen
        assert isinstance(diff, DiffScreen) and diff.view is not None
        assert (diff.model, diff.view.b.key, diff.view.a and diff.view.a.key) == ("demand-forecaster", "2.7.0", "2.5.0")
        assert "demand-forecaster · A 2.5.0 (Production)  ⇄  B 2.7.0 (Staging)" in screen_text(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press(*"jjjj", "enter")
        await settle(pilot)
        assert diff.view.a is not None and diff.view.a.key not in ("2.5.0", "2.7.0")
        assert diff.view.b.key == "2.7.0"
        assert f"A {diff.view.a.version} (" in screen_text(pilot)
        assert "baseline: picked" in screen_text(pilot)


async def test_readonly_hides_and_refuses_decisions(demo_locations: Locations, make_app: AppFactory) -> None:
    """--readonly: approve, reject and promote are not offered; their keys (and a key the config remaps to
    approve) say that the session is read-only, and change nothing."""
    app = make_app(demo_locations, readonly=True, settings=Settings(keys={"approve_request": "v"}))
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot)
        bindings = app.screen.active_bindings
        assert "v" not in bindings and "x" not in bindings and "p" not in bindings
        assert "Approve" not in screen_text(pilot)
        assert "read-only session: no decisions here" in flat(pilot) and "a approve" not in flat(pilot)
        for key in ("v", "x", "p"):
            await pilot.press(key)
            await settle(pilot)
            assert pilot.app.screen is screen
            assert notes.pop() == "Read-only: read-only session (started with --readonly)"
        await pilot.press("a")
        await settle(pilot)
        assert notes == []
        await pilot.press("q")
        assert isinstance(pilot.app.screen, RegistryScreen)
    assert log_of(demo_locations, "demand-forecaster")[0][0] != "approve"


async def test_offline_decision_keys_say_why(demo_locations: Locations, make_app: AppFactory) -> None:
    """Registry unreachable: a and p on the queue say it is offline (with the sync state) and change nothing."""
    app = make_app(demo_locations)
    notes = record_notes(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_queue(pilot)
        await highlight(pilot, screen, REVIEW)
        offline = RegistryService(Locations(UNREACHABLE, demo_locations.cache_path), clock=fixed_clock)
        app.service = offline
        try:
            await pilot.press("r")
            await settle(pilot)
            assert app.screen.active_bindings["a"].enabled is False
            notes.clear()
            for key in ("a", "p"):
                await pilot.press(key)
                await settle(pilot)
                assert pilot.app.screen is screen
                assert notes.pop() == "Offline: offline since 12:00 UTC — read-only"
        finally:
            offline.close()
    assert log_of(demo_locations, "demand-forecaster")[0][0] != "approve"


async def test_palette_and_help(demo_locations: Locations, make_app: AppFactory) -> None:
    """The queue opens from the command palette; ? lists its keys from the bindings."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"approvals")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ApprovalsScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        ids = {row.binding_id for row in pilot.app.screen.rows}  # type: ignore[attr-defined]
        assert {
            "approve_request",
            "reject_request",
            "open_evidence",
            "promote_request",
            "toggle_mine",
            "select_cursor",
            "open_audit",
        } <= ids
        assert "open_approvals" not in ids, "the key of the screen already showing is not offered"
