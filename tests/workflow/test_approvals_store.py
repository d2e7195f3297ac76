"""Approvals on the write path: two-person rule, digest binding, rejection, the approval queue (both backends)."""

from __future__ import annotations

import pytest

from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.errors import ConflictError, NotFoundError, RuleError
from regtui.services import promotion
from tests.workflow.conftest import PRODUCTION_EVIDENCE, REVIEW_EVIDENCE, World


def test_the_two_person_rule_owner_and_a_distinct_reviewer_each_identity_once(world: World) -> None:
    """An owning-team member signs as owner, once; a product member as stakeholder; a reviewer as second reviewer."""
    request = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE).request_id
    assert world.decide("gina", request).capacity == "owner"
    before = world.snapshot()
    with pytest.raises(RuleError, match="duplicate decision: gina already chose approve as owner"):
        world.decide("gina", request)
    with pytest.raises(RuleError, match="alice cannot approve: owner already signed by gina"):
        world.decide("alice", request)
    assert world.snapshot() == before
    assert world.decide("erin", request).capacity == "stakeholder:product"
    gate = world.decide("bob", request).gate
    assert gate.missing == ["artifacts verified"]
    rows = world.rows("SELECT identity, capacity, decision FROM approval WHERE request_id = :r ORDER BY id", r=request)
    assert rows == [
        ("gina", "owner", "approve"),
        ("erin", "stakeholder:product", "approve"),
        ("bob", "reviewer", "approve"),
    ]
    assert [e.kind for e in world.events(world.log_length() - 3)] == ["approve"] * 3


def test_new_evidence_makes_earlier_approvals_stop_counting(world: World) -> None:
    """Approvals bind to the reviewed evidence: re-ticking the checklist keeps them, new canary results void them."""
    request = world.production_request("1.2.0")
    ticked = world.promote(
        "alice", "1.2.0", Stage.PRODUCTION, evidence={"archival_checklist": ["dashboards updated", "traffic drained"]}
    )
    assert ticked.gate.passed and ticked.missing == ["a releaser to apply it"]
    changed = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence={"canary_results": {"error_rate": 0.004}})
    assert changed.request_id == request and not changed.applied
    assert changed.missing == ["stakeholder sign-off: product", "owner approval", "second reviewer"]
    owner = {c.name: c.detail for c in changed.gate.checks}["owner approval"]
    assert owner == "alice's approval predates the current evidence"
    assert not world.promote("dave", "1.2.0", Stage.PRODUCTION).applied
    for identity in ("alice", "erin", "bob"):
        world.decide(identity, request)
    assert world.promote("dave", "1.2.0", Stage.PRODUCTION).applied
    approvals = world.events()[-1].details["approvers"]
    assert len(approvals) == 6 and world.stage("1.2.0") == "Production"


def test_approvals_are_bound_to_the_artifact_digest(world: World) -> None:
    """If a version's recorded artifact checksum is altered behind the registry's back, earlier approvals stop
    counting."""
    request = world.production_request("1.2.0")
    world.drop_append_only_triggers("artifact")
    world.execute(
        "UPDATE artifact SET sha256 = :h WHERE version_id = "
        "(SELECT id FROM model_version WHERE model = 'churn' AND version = '1.2.0')",
        h="0" * 64,
    )
    outcome = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert not outcome.applied and outcome.request_id == request
    details = {c.name: c.detail for c in outcome.gate.checks}
    assert details["owner approval"] == "alice's approval predates the current artifacts"
    assert details["second reviewer"] == "bob's approval predates the current artifacts"
    assert details["artifacts verified"].startswith("model.bin: mismatch")


def test_a_rejection_vetoes_and_closes_the_request(world: World) -> None:
    """A rejection (with a comment) closes the request: no more decisions on it; promoting again opens a new one."""
    request = world.production_request("1.2.0")
    with pytest.raises(RuleError, match="a rejection needs a comment"):
        world.decide("carol", request, Decision.REJECT, comment=" ")
    outcome = world.decide("carol", request, Decision.REJECT, comment="canary window too short")
    assert outcome.capacity == "reviewer" and outcome.gate.rejected
    closed = world.rows("SELECT status, closed_by FROM promotion_request WHERE id = :r", r=request)
    assert closed == [("rejected", "carol")]
    event = world.events()[-1]
    assert (event.kind, event.actor, event.details["comment"]) == ("reject", "carol", "canary window too short")
    before = world.snapshot()
    closed_message = rf"request #{request} \(churn@1.2.0 -> Production\) is already rejected by carol"
    with pytest.raises(ConflictError, match=closed_message):
        world.decide("gina", request)
    assert world.snapshot() == before
    again = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert not again.applied and again.request_id != request
    assert "owner approval" in again.missing


def test_self_approval_unknown_requests_and_people_without_a_capacity_are_refused(world: World) -> None:
    """The requester as his own reviewer, an unknown request, people fitting no capacity: refused, nothing written."""
    own = world.promote("hank", "1.2.0", Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE).request_id
    canary = world.promote("alice", "1.3.0", Stage.CANARY, evidence=REVIEW_EVIDENCE).request_id
    before = world.snapshot()
    with pytest.raises(RuleError) as refused:
        world.decide("hank", own)
    assert refused.value.message == (
        "hank cannot approve: self-approval: hank requested this promotion and cannot be "
        "its reviewer (nobody reviews their own request)"
    )
    with pytest.raises(NotFoundError, match="no promotion request #9999"):
        world.decide("bob", 9999)
    with pytest.raises(RuleError, match="frank may not approve this request: needs the reviewer role"):
        world.decide("frank", canary)
    with pytest.raises(RuleError, match="dave may not approve this request"):
        world.decide("dave", canary)
    assert world.snapshot() == before


def test_requests_mine_lists_only_what_the_caller_can_act_on(world: World) -> None:
    """The queue for each person holds the requests they can approve or apply, nothing else."""
    production = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE).request_id
    canary = world.promote("alice", "1.3.0", Stage.CANARY, evidence=REVIEW_EVIDENCE).request_id
    world.promote("alice", "1.4.1", Stage.STAGING)

    def mine(identity: str) -> dict[int, str | None]:
        """Request id -> capacity the identity could approve in, from a freshly synced queue."""
        service = world.service(identity)
        service.sync()
        return {view.id: view.can_approve for view in promotion.open_requests(service, mine=True)}

    assert mine("frank") == {} and len(promotion.open_requests(world.service("frank"))) == 3
    assert mine("bob") == {production: "reviewer", canary: "reviewer"}
    assert mine("erin") == {production: "stakeholder:product"}
    assert mine("alice") == {production: "owner"}
    assert mine("dave") == {}
    for identity in ("alice", "erin", "bob"):
        world.decide(identity, production)
    assert mine("bob") == {canary: "reviewer"}
    assert mine("dave") == {production: None}
