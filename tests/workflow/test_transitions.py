"""Every allowed transition applies through its gate, every other move is refused and writes nothing (both backends)."""

from __future__ import annotations

import pytest

from regtui.domain.entry import Stage
from regtui.errors import RuleError
from tests.workflow.conftest import PRODUCTION_EVIDENCE, REVIEW_EVIDENCE, World


def test_development_to_staging_applies_exactly_when_every_threshold_passes(world: World) -> None:
    """Development -> Staging applies at once when the offline thresholds pass; a failing version stays, naming each."""
    before = world.log_length()
    outcome = world.promote("alice", "1.4.0", Stage.STAGING)
    assert outcome.applied and outcome.gate.passed and outcome.missing == []
    assert world.stage("1.4.0") == "Staging"
    entries = world.events(before)
    assert [(e.kind, e.actor, e.version) for e in entries] == [
        ("request", "alice", "1.4.0"),
        ("promote", "alice", "1.4.0"),
    ]
    gate = entries[-1].details["gate"]
    assert gate["passed"] and [c["name"] for c in gate["checks"]] == [
        "threshold auc >= 0.85",
        "threshold latency_p95_ms <= 40",
        "threshold auc >= 0.85 in every segment",
    ]
    closed = world.rows("SELECT status, closed_by FROM promotion_request WHERE version = '1.4.0'")
    assert closed == [("applied", "alice")]
    failing = world.promote("alice", "1.4.1", Stage.STAGING)
    assert not failing.applied and world.stage("1.4.1") == "Development"
    assert failing.missing == [
        "threshold auc >= 0.85",
        "threshold latency_p95_ms <= 40",
        "threshold auc >= 0.85 in every segment",
    ]
    segments = failing.gate.checks[2].detail
    assert "region=EU 0.79" in segments and "region=US" not in segments


def test_staging_to_canary_needs_review_naming_evidence_fairness_and_a_complete_card(world: World) -> None:
    """Staging -> Canary waits for a reviewer naming the evidence, then applies with its share; card gaps block it."""
    before = world.snapshot()
    with pytest.raises(RuleError, match=r"canary share rule: 0.5% is below the policy minimum 1%"):
        world.promote("alice", "1.3.0", Stage.CANARY, evidence=REVIEW_EVIDENCE, canary_share=0.5)
    assert world.snapshot() == before
    pending = world.promote("alice", "1.3.0", Stage.CANARY, evidence=REVIEW_EVIDENCE, canary_share=7.5)
    assert not pending.applied and pending.missing == ["human review"]
    with pytest.raises(RuleError, match="must name the evidence it reviewed"):
        world.decide("bob", pending.request_id, comment="  ")
    world.decide("bob", pending.request_id, comment="read report r1: AUC and segment gaps fine")
    outcome = world.promote("alice", "1.3.0", Stage.CANARY)
    assert outcome.applied and outcome.request_id == pending.request_id
    checks = {c.name: c for c in outcome.gate.checks}
    assert set(checks) == {
        "no rejection",
        "human review",
        "fairness attested",
        "model card complete",
        "artifacts verified",
    }
    assert "bob reviewed offline evaluation report r1" in checks["human review"].detail
    assert checks["fairness attested"].detail.startswith("attested by carol")
    assert world.rows("SELECT stage, canary_share FROM model_version WHERE version = '1.3.0'") == [("Canary", 7.5)]
    event = world.events()[-1]
    assert (event.kind, event.details["canary_share"], event.details["evidence"]) == ("promote", 7.5, REVIEW_EVIDENCE)
    assert [a["identity"] for a in event.details["approvers"]] == ["bob"]
    incomplete = world.promote("alice", "1.5.0", Stage.CANARY, evidence=REVIEW_EVIDENCE).request_id
    gate = world.decide("bob", incomplete, comment="read report r1").gate
    assert gate.missing == ["fairness attested", "model card complete", "artifacts verified"]
    assert "limitations" in {c.name: c.detail for c in gate.checks}["model card complete"]
    assert not world.promote("alice", "1.5.0", Stage.CANARY).applied and world.stage("1.5.0") == "Staging"


def test_canary_to_production_names_what_is_missing_then_archives_the_outgoing_version_atomically(world: World) -> None:
    """The Production gate lists every missing item; once all pass, the swap with the outgoing version is one commit."""
    bare = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert not bare.applied and bare.missing == [
        "canary SLO error_rate <= 0.01",
        "stakeholder sign-off: product",
        "owner approval",
        "second reviewer",
        "archival checklist",
    ]
    assert "churn@1.1.0 not yet checked: traffic drained, dashboards updated" in bare.gate.checks[-1].detail
    failing = world.promote("dave", "1.2.0", Stage.PRODUCTION, evidence={"canary_results": {"error_rate": 0.05}})
    assert failing.gate.checks[1].detail == "canary error_rate = 0.05 (needs <= 0.01)"
    request = world.production_request("1.2.0")
    assert request == bare.request_id and world.stage("1.2.0") == "Canary"
    before = world.log_length()
    outcome = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert outcome.applied and outcome.replaced == "1.1.0"
    assert {c.name for c in outcome.gate.checks} == {
        "no rejection",
        "canary SLO error_rate <= 0.01",
        "stakeholder sign-off: product",
        "owner approval",
        "second reviewer",
        "artifacts verified",
        "archival checklist",
    }
    stages = world.stages()
    assert (stages["1.2.0"], stages["1.1.0"]) == ("Production", "Archived")
    assert list(stages.values()).count("Production") == 1
    replaced, promoted = world.events(before)
    assert (replaced.kind, replaced.version, replaced.to_stage) == ("replaced", "1.1.0", "Archived")
    assert (promoted.kind, promoted.version, promoted.to_stage) == ("promote", "1.2.0", "Production")
    assert replaced.change_seq == promoted.change_seq
    assert replaced.details["archival_checklist"] == PRODUCTION_EVIDENCE["archival_checklist"]
    assert [(a["identity"], a["capacity"]) for a in promoted.details["approvers"]] == [
        ("alice", "owner"),
        ("erin", "stakeholder:product"),
        ("bob", "reviewer"),
    ]
    assert (
        promoted.details["evidence"] == {**PRODUCTION_EVIDENCE, "archival_for": "1.1.0"}
        and promoted.details["gate"]["passed"]
    )


def test_abandon_and_failed_canary_need_a_reason_and_withdraw_open_requests(world: World) -> None:
    """Abandon and Canary -> Staging apply with a reason and withdraw open requests; without one nothing is written."""
    request = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE).request_id
    before = world.snapshot()
    for version, stage in (("1.3.0", Stage.ARCHIVED), ("1.2.0", Stage.STAGING)):
        with pytest.raises(RuleError, match="needs a reason"):
            world.promote("alice", version, stage, reason="  ")
    assert world.snapshot() == before
    assert world.promote("alice", "1.3.0", Stage.ARCHIVED, reason="superseded by 1.4.0").applied
    assert world.promote("alice", "1.2.0", Stage.STAGING, reason="INC-7: error rate doubled").applied
    assert world.rows("SELECT stage, canary_share FROM model_version WHERE version = '1.2.0'") == [("Staging", None)]
    assert world.rows(f"SELECT status FROM promotion_request WHERE id = {request}") == [("withdrawn",)]
    abandon, failed = world.events(world.log_length() - 2)
    assert (abandon.kind, abandon.details, abandon.to_stage) == (
        "abandon",
        {"reason": "superseded by 1.4.0"},
        "Archived",
    )
    assert (failed.kind, failed.details["reason"], failed.from_stage) == (
        "canary-failed",
        "INC-7: error rate doubled",
        "Canary",
    )


REFUSED_MOVES = [
    (
        "1.4.0",
        Stage.CANARY,
        (
            "Development -> Canary is not allowed; from Development: Staging (promote), "
            "Archived (abandon, with a reason)"
        ),
    ),
    ("1.4.0", Stage.PRODUCTION, "Development -> Production is not allowed; from Development: Staging"),
    ("1.3.0", Stage.PRODUCTION, "Staging -> Production is not allowed; from Staging: Canary (promote), Archived"),
    ("1.3.0", Stage.DEVELOPMENT, "Staging -> Development is not allowed"),
    ("1.3.0", Stage.STAGING, "the version is already in Staging"),
    (
        "1.2.0",
        Stage.DEVELOPMENT,
        (
            "Canary -> Development is not allowed; from Canary: Production (promote), "
            "Staging (failed canary, with a reason), Archived (abandon, with a reason)"
        ),
    ),
    (
        "1.1.0",
        Stage.STAGING,
        (
            "Production -> Staging is not allowed; from Production: Archived (retire, with a reason and the "
            "two-person rule)"
        ),
    ),
    ("1.0.0", Stage.PRODUCTION, "Archived -> Production is not allowed; a version leaves Archived only by rollback"),
    ("1.0.0", Stage.DEVELOPMENT, "Archived -> Development is not allowed"),
]


def test_every_other_move_is_refused_naming_the_allowed_ones_and_writes_nothing(world: World) -> None:
    """Moves outside the stage machine are refused naming the allowed moves; rows, counter and log stay identical."""
    before = world.snapshot()
    for version, stage, message in REFUSED_MOVES:
        with pytest.raises(RuleError) as refused:
            world.promote("admin", version, stage, reason="because")
        assert message in refused.value.message, (version, stage)
    assert world.snapshot() == before


def test_promote_reuses_the_open_request_and_logs_changed_evidence(world: World) -> None:
    """Promoting again reuses the open request for that version and stage; only new evidence is logged again."""
    first = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence={"canary_results": {"error_rate": 0.003}})
    before = world.log_length()
    again = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence={"canary_results": {"error_rate": 0.003}})
    assert again.request_id == first.request_id and world.log_length() == before
    third = world.promote("dave", "1.2.0", Stage.PRODUCTION, evidence={"archival_checklist": ["traffic drained"]})
    assert third.request_id == first.request_id
    assert [e.kind for e in world.events(before)] == ["evidence"]
    assert world.events(before)[0].details["evidence"] == {
        "canary_results": {"error_rate": 0.003},
        "archival_checklist": ["traffic drained"],
        "archival_for": "1.1.0",
    }
    assert world.rows("SELECT count(*) FROM promotion_request WHERE status = 'open'") == [(1,)]
