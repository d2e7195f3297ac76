"""Rollback drills: the full procedure without committing it, its logged outcome, and overdue flags (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from regtui.errors import NotFoundError, RuleError
from regtui.services import promotion
from tests.factories import drill_states, model_state
from tests.workflow.conftest import MODEL, World, tampered


def test_a_drill_logs_outcome_and_duration_changes_no_stage_and_resets_the_overdue_flag(world: World) -> None:
    """A passing drill appends one entry and moves nothing; a never-drilled model is flagged until 7 days after one."""
    dave = world.service("dave")
    dave.sync()
    assert drill_states(dave, [MODEL]) == {MODEL: (None, True)}
    stages, before = world.stages(), world.log_length()
    outcome = promotion.drill(dave, MODEL)
    assert outcome.passed and outcome.target == "1.0.0" and outcome.duration_ms >= 0
    assert outcome.detail == "rollback to 1.0.0 would succeed"
    assert world.stages() == stages
    (entry,) = world.events(before)
    assert (entry.kind, entry.actor, entry.version) == ("drill", "dave", "1.0.0")
    assert entry.from_stage is None and entry.to_stage is None
    assert entry.details == {
        "outcome": "passed",
        "detail": "rollback to 1.0.0 would succeed",
        "duration_ms": outcome.duration_ms,
    }
    dave.sync()
    ((at, overdue),) = drill_states(dave, [MODEL]).values()
    assert at is not None and not overdue
    later = world.service("dave", clock=lambda: at + timedelta(days=7, seconds=1))
    assert drill_states(later, [MODEL]) == {MODEL: (at, True)}


def test_failing_drills_are_logged_as_failed_naming_the_problem(world: World) -> None:
    """A drill whose target no longer verifies, or without a target within retention, fails and is logged; no move."""
    stages = world.stages()
    with tampered(world.artifact_path("1.0.0")):
        mismatch = promotion.drill(world.service("dave"), MODEL)
    assert not mismatch.passed and "model.bin: mismatch" in mismatch.detail
    later = datetime.now(UTC) + timedelta(days=400)
    expired = promotion.drill(world.service("dave", clock=lambda: later), MODEL)
    assert not expired.passed and expired.target is None
    assert expired.detail == "churn has no former Production version within its 30-day retention to roll back to"
    assert world.stages() == stages
    assert [e.details["outcome"] for e in world.events() if e.kind == "drill"] == ["failed", "failed"]


def test_a_failed_drill_does_not_reset_the_cadence_and_shows_as_failed(world: World) -> None:
    """After a passed drill, a failed one leaves the cadence counting from the passed one (overdue 7 days after it)
    and marks the model's last drill failed; the next passed drill clears both."""
    dave = world.service("dave")
    assert promotion.drill(dave, MODEL).passed
    dave.sync()
    ((passed_at, _),) = drill_states(dave, [MODEL]).values()
    with tampered(world.artifact_path("1.0.0")):
        assert not promotion.drill(dave, MODEL).passed
    dave.sync()
    assert drill_states(dave, [MODEL]) == {MODEL: (passed_at, False)}
    assert model_state(dave, MODEL).drill_failed
    later = world.service("dave", clock=lambda: passed_at + timedelta(days=7, seconds=1))
    assert drill_states(later, [MODEL]) == {MODEL: (passed_at, True)}
    assert promotion.drill(dave, MODEL).passed
    dave.sync()
    state = model_state(dave, MODEL)
    assert not state.drill_failed and state.last_drill is not None and state.last_drill > passed_at


def test_a_drill_needs_the_releaser_role_and_a_known_model_and_then_logs_nothing(world: World) -> None:
    """A contributor's drill, or a drill of an unknown model, is refused before anything runs; nothing is logged."""
    before = world.snapshot()
    with pytest.raises(RuleError, match="alice may not run rollback drills for churn: needs the releaser or admin"):
        promotion.drill(world.service("alice"), MODEL)
    with pytest.raises(NotFoundError, match="no model named 'fraud'"):
        promotion.drill(world.service("dave"), "fraud")
    assert world.snapshot() == before


def test_a_drill_never_rehearses_going_back_to_a_version_an_incident_took_out(world: World) -> None:
    """A version a rollback took out of Production is no drill target: after 1.1.0 -> 1.0.0 the drill names 1.1.0
    and fails; after the swap back (1.0.0 -> 1.1.0) it names 1.0.0."""
    promotion.rollback(world.service("dave"), MODEL, "1.0.0", "INC-42 score drift")
    outcome = promotion.drill(world.service("dave"), MODEL)
    assert not outcome.passed and outcome.target is None
    assert outcome.detail == (
        "churn has no former Production version within its 30-day retention to roll back to "
        "(not counting 1.1.0, rolled back away from)"
    )
    promotion.rollback(world.service("admin"), MODEL, "1.1.0", "INC-42 false alarm")
    assert promotion.drill(world.service("dave"), MODEL).detail.endswith("(not counting 1.0.0, rolled back away from)")
