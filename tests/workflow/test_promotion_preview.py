"""The promote dialog's preview agrees with the promotion it previews, in every gate situation (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from regtui.domain.entry import Stage
from regtui.domain.gates import CheckKind, GateResult
from regtui.domain.outcomes import PromotionOutcome, PromotionPreview
from regtui.errors import RuleError
from regtui.services import promotion, review
from tests.workflow.conftest import MODEL, PRODUCTION_EVIDENCE, REVIEW_EVIDENCE, World

NOW = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def preview_then_promote(
    world: World,
    identity: str,
    version: str,
    to_stage: Stage,
    evidence: dict[str, Any] | None = None,
    share: float | None = None,
) -> tuple[PromotionPreview, PromotionOutcome]:
    """The preview from a freshly pulled cache, then the promotion itself, both as the identity at one instant."""
    service = world.service(identity, clock=lambda: NOW)
    service.sync()
    preview = review.promotion_preview(service, MODEL, version, to_stage, evidence or {}, share)
    outcome = promotion.promote(service, MODEL, version, to_stage, evidence=evidence, canary_share=share)
    return preview, outcome


def without_artifacts(gate: GateResult | None) -> GateResult:
    """The gate without its artifacts check (only promote re-hashes the artifacts)."""
    assert gate is not None
    return GateResult(tuple(check for check in gate.checks if check.kind is not CheckKind.ARTIFACTS))


def assert_agree(preview: PromotionPreview, outcome: PromotionOutcome, *, reused: bool) -> None:
    """The preview shows the gate (artifacts aside: they are re-hashed only by the promotion), the right to apply and
    the request that the promotion then had."""
    assert without_artifacts(preview.gate) == without_artifacts(outcome.gate)
    assert preview.may_apply == outcome.may_apply
    assert (preview.request_id == outcome.request_id) if reused else preview.request_id is None


def test_the_preview_agrees_with_promote_on_a_missing_approval_and_then_a_passing_gate(world: World) -> None:
    """Staging -> Canary: a new request without approval, then reviewed and applied."""
    preview, outcome = preview_then_promote(world, "alice", "1.3.0", Stage.CANARY, REVIEW_EVIDENCE, share=5)
    assert outcome.gate.missing == ["human review"] and outcome.request_id is not None
    assert_agree(preview, outcome, reused=False)
    world.decide("bob", outcome.request_id)
    preview, outcome = preview_then_promote(world, "alice", "1.3.0", Stage.CANARY)
    assert outcome.applied and preview.canary_share == 5
    assert_agree(preview, outcome, reused=True)


@pytest.mark.parametrize("identity", ["dave", "alice"])
def test_the_preview_agrees_with_promote_to_production_on_missing_evidence_approvals_and_checklist(
    world: World, identity: str
) -> None:
    """Canary -> Production: no evidence, then canary results without approvals, then approved with the checklist
    ticked in the form: the same gate (artifacts aside) and the same right to apply."""
    preview, outcome = preview_then_promote(world, "alice", "1.2.0", Stage.PRODUCTION)
    assert {"canary SLO error_rate <= 0.01", "owner approval", "archival checklist"} <= set(outcome.gate.missing)
    assert without_artifacts(preview.gate) == without_artifacts(outcome.gate) and preview.request_id is None
    canary = {"canary_results": PRODUCTION_EVIDENCE["canary_results"]}
    preview, outcome = preview_then_promote(world, "alice", "1.2.0", Stage.PRODUCTION, canary)
    request = outcome.request_id
    assert request is not None and preview.request_id == request and not without_artifacts(outcome.gate).passed
    assert without_artifacts(preview.gate) == without_artifacts(outcome.gate)
    for approver in ("alice", "erin", "bob"):
        world.decide(approver, request)
    typed = {"archival_checklist": PRODUCTION_EVIDENCE["archival_checklist"]}
    preview, outcome = preview_then_promote(world, identity, "1.2.0", Stage.PRODUCTION, typed)
    assert without_artifacts(preview.gate) == without_artifacts(outcome.gate)
    assert without_artifacts(outcome.gate).passed and outcome.applied is (identity == "dave")
    assert preview.may_apply == outcome.may_apply and preview.request_id == outcome.request_id == request
    assert preview.outgoing == "1.1.0"


def test_the_preview_refuses_a_canary_share_outside_the_policy_as_promote_does(world: World) -> None:
    """A share below the policy's minimum: the same refusal from the preview and from promote, nothing written."""
    service = world.service("alice", clock=lambda: NOW)
    service.sync()
    before = world.snapshot()
    with pytest.raises(RuleError) as previewed:
        review.promotion_preview(service, MODEL, "1.3.0", Stage.CANARY, {}, 0.5)
    with pytest.raises(RuleError) as promoted:
        promotion.promote(service, MODEL, "1.3.0", Stage.CANARY, canary_share=0.5)
    assert previewed.value.message == promoted.value.message and world.snapshot() == before
