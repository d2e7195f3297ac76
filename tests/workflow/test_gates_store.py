"""Gates and roles on the store's write path: what blocks, who may do what, stale views (both backends)."""

from __future__ import annotations

import pytest

from regtui.domain.entry import Stage
from regtui.domain.policy import load_policy_text
from regtui.domain.roles import Role
from regtui.errors import ConflictError, RuleError
from regtui.services import admin, promotion
from tests.workflow.conftest import (
    MODEL,
    POLICY_YAML,
    PRODUCTION_EVIDENCE,
    World,
    tampered,
)


def test_the_production_gate_at_apply_time_checklist_artifacts_and_the_releaser_role(world: World) -> None:
    """Checklist items match loosely but all are needed; artifacts are re-hashed at apply; only a releaser applies."""
    partial = {**PRODUCTION_EVIDENCE, "archival_checklist": ["Traffic  DRAINED"]}
    request = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence=partial).request_id
    for identity in ("alice", "erin", "bob"):
        world.decide(identity, request)
    unchecked = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert not unchecked.applied and unchecked.missing == ["archival checklist"]
    assert "not yet checked: dashboards updated" in unchecked.gate.checks[-1].detail
    by_contributor = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE)
    assert not by_contributor.applied and by_contributor.gate.passed
    assert by_contributor.missing == ["a releaser to apply it"] and by_contributor.request_id == request
    with tampered(world.artifact_path("1.2.0")):
        mismatch = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert not mismatch.applied and mismatch.missing == ["artifacts verified"]
    assert mismatch.gate.checks[-2].detail.startswith("model.bin: mismatch")
    assert world.stage("1.2.0") == "Canary" and world.stage("1.1.0") == "Production"
    applied = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert applied.applied and world.events()[-1].actor == "dave"


def test_a_stale_view_and_a_viewer_are_refused_and_nothing_is_written(world: World) -> None:
    """A caller who saw another stage gets a conflict naming who moved it; a viewer may not request or abandon."""
    before = world.snapshot()
    with pytest.raises(ConflictError) as conflict:
        world.promote("alice", "1.1.0", Stage.PRODUCTION, expected_stage=Stage.CANARY)
    assert conflict.value.message.startswith("churn@1.1.0 moved to Production by dave at ")
    assert "while you looked (you saw Canary); nothing was changed" in conflict.value.message
    with pytest.raises(RuleError, match="frank may not request promotions of churn: needs the contributor or releaser"):
        world.promote("frank", "1.4.0", Stage.STAGING)
    with pytest.raises(RuleError, match="frank may not move versions of churn"):
        world.promote("frank", "1.4.0", Stage.ARCHIVED, reason="no longer needed")
    assert world.snapshot() == before


def test_a_reviewer_approves_but_cannot_request_or_roll_back(world: World) -> None:
    """The reviewer role grants approving only: it may not open requests nor roll back."""
    request = world.promote("alice", "1.3.0", Stage.CANARY, evidence={"review": "report r1"}).request_id
    assert world.decide("carol", request, comment="report r1 read").capacity == "reviewer"
    with pytest.raises(RuleError, match="carol may not request promotions"):
        world.promote("carol", "1.4.0", Stage.STAGING)
    with pytest.raises(RuleError, match="carol may not roll back churn: needs the releaser or admin role"):
        promotion.rollback(world.service("carol"), MODEL, "1.0.0", "INC-1")


def test_only_an_admin_sets_roles_and_policy_and_both_are_logged(world: World) -> None:
    """set_roles and set_registry_policy need the admin role (the last admin stays); changes are logged and apply."""
    policy = load_policy_text(POLICY_YAML.replace("retention_days: 30", "retention_days: 60"), "p.yaml")
    before = world.snapshot()
    with pytest.raises(RuleError, match="dave may not manage roles: needs the admin role"):
        admin.set_roles(world.service("dave"), "frank", [Role.CONTRIBUTOR])
    with pytest.raises(RuleError, match="dave may not change the policy: needs the admin role"):
        admin.set_registry_policy(world.service("dave"), policy)
    with pytest.raises(RuleError, match="admin rule: admin is the last admin; grant admin to someone else first"):
        admin.set_roles(world.service("admin"), "admin", [Role.RELEASER])
    assert world.snapshot() == before
    admin.set_roles(world.service("admin"), "frank", [Role.CONTRIBUTOR], ["team-risk"])
    assert admin.set_registry_policy(world.service("admin"), policy)
    roles, changed = world.events(world.log_length() - 2)
    assert (roles.kind, roles.actor, roles.details) == (
        "roles",
        "admin",
        {"identity": "frank", "roles": ["contributor"], "teams": ["team-risk"]},
    )
    assert (changed.kind, changed.details["policy"]["default"]["retention_days"]) == ("policy", 60)
    assert world.promote("frank", "1.4.0", Stage.STAGING).applied


def test_a_per_model_policy_override_replaces_the_default_thresholds(world: World) -> None:
    """A model override set through the real policy path decides the gate for that model only."""
    lenient = POLICY_YAML + "models:\n  churn:\n    thresholds: [{metric: auc, min: 0.75}]\n"
    admin.set_registry_policy(world.service("admin"), load_policy_text(lenient, "lenient.yaml"))
    outcome = world.promote("alice", "1.4.1", Stage.STAGING)
    assert outcome.applied and [c.name for c in outcome.gate.checks] == ["threshold auc >= 0.75"]
