"""Rollback to a former Production version: the allowed path, every refusal, and the dry run (both backends)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from regtui.domain.entry import Stage
from regtui.errors import RuleError
from regtui.services import promotion
from regtui.store.policies import get_policy
from regtui.store.rollbacks import rollback_targets
from tests.workflow.conftest import MODEL, World, tampered


def test_rollback_restores_a_former_production_version_and_archives_the_current_one(world: World) -> None:
    """A releaser rolls back to 1.0.0 with an incident reference (1.1.0 archived, logged); once more swaps back."""
    before = world.log_length()
    outcome = promotion.rollback(world.service("dave"), MODEL, "1.0.0", "INC-42 score drift")
    assert (outcome.from_version, outcome.to_version, outcome.verified) == ("1.1.0", "1.0.0", ("model.bin",))
    stages = world.stages()
    assert (stages["1.0.0"], stages["1.1.0"]) == ("Production", "Archived")
    assert list(stages.values()).count("Production") == 1
    replaced, rolled = world.events(before)
    assert (replaced.kind, replaced.version, replaced.details["reason"]) == ("replaced", "1.1.0", "INC-42 score drift")
    assert (rolled.kind, rolled.actor, rolled.version, rolled.to_stage) == ("rollback", "dave", "1.0.0", "Production")
    assert rolled.details["from_version"] == "1.1.0" and set(rolled.details["verified"]) == {"model.bin"}
    assert rolled.change_seq == replaced.change_seq
    promotion.rollback(world.service("admin"), MODEL, "1.1.0", "INC-42 false alarm")
    assert (world.stage("1.1.0"), world.stage("1.0.0")) == ("Production", "Archived")


REFUSED_ROLLBACKS = [
    ("alice", "1.0.0", "INC-1", "alice may not roll back churn: needs the releaser or admin role"),
    ("bob", "1.0.0", "INC-1", "bob may not roll back churn: needs the releaser or admin role"),
    ("dave", "1.0.0", "  ", "rollback rule: a rollback needs a reason (an incident reference, --reason)"),
    ("dave", "1.2.0", "INC-1", "rollback rule: the target must be an Archived version; churn@1.2.0 is in Canary"),
    ("dave", "1.1.0", "INC-1", "rollback rule: the target must be an Archived version; churn@1.1.0 is in Production"),
    ("dave", "1.3.0", "INC-1", "rollback rule: churn@1.3.0 was never in Production, so it is not a rollback target"),
]


def test_rollback_refusals_name_the_rule_and_write_nothing(world: World) -> None:
    """Missing role or reason, non-Archived or never-Production target, checksum mismatch: refused, nothing written."""
    world.promote("alice", "1.3.0", Stage.ARCHIVED, reason="abandoned")
    before = world.snapshot()
    for identity, version, reason, message in REFUSED_ROLLBACKS:
        with pytest.raises(RuleError) as refused:
            promotion.rollback(world.service(identity), MODEL, version, reason)
        assert refused.value.message == message
    with tampered(world.artifact_path("1.0.0")), pytest.raises(RuleError) as mismatch:
        promotion.rollback(world.service("dave"), MODEL, "1.0.0", "INC-3")
    assert mismatch.value.message.startswith(
        "checksum rule: churn@1.0.0 cannot go back to Production: model.bin: mismatch ("
    )
    assert world.snapshot() == before


def test_the_retention_window_bounds_rollback_targets(world: World) -> None:
    """1.0.0 is a target until 30 days after its archive (the policy's retention), refused naming the window after."""
    archived_at = world.changed_at("1.0.0")
    with world.service("dave").reading_registry() as session:
        targets = rollback_targets(session, MODEL, get_policy(session).for_model(MODEL), archived_at)
    assert [(t.version, t.eligible, t.retention_ends - t.archived_at) for t in targets] == [
        ("1.0.0", True, timedelta(days=30))
    ]
    before = world.snapshot()
    with pytest.raises(RuleError) as refused:
        late = world.service("dave", clock=lambda: archived_at + timedelta(days=31))
        promotion.rollback(late, MODEL, "1.0.0", "INC-9")
    assert refused.value.message.startswith("retention rule: churn@1.0.0 was archived ")
    assert "its 30-day retention ended" in refused.value.message
    assert world.snapshot() == before
    on_the_last_day = world.service("dave", clock=lambda: archived_at + timedelta(days=29, hours=23))
    assert promotion.rollback(on_the_last_day, MODEL, "1.0.0", "INC-9").to_version == "1.0.0"


def test_a_dry_run_changes_nothing_and_says_what_would_happen(world: World) -> None:
    """--dry-run runs every check and reports the swap, but no row, counter value or log entry changes."""
    before = world.snapshot()
    outcome = promotion.rollback(world.service("dave"), MODEL, "1.0.0", "INC-42", dry_run=True)
    assert (outcome.from_version, outcome.to_version, outcome.reason) == ("1.1.0", "1.0.0", "INC-42")
    assert world.snapshot() == before
    with pytest.raises(RuleError, match="needs the releaser or admin role"):
        promotion.rollback(world.service("alice"), MODEL, "1.0.0", "INC-42", dry_run=True)
