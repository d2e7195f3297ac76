"""Gate evaluation: every check of every gate, passing and failing, from plain facts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from regtui.domain.approvals import (
    OWNER,
    REVIEWER,
    ApprovalFact,
    Decision,
    artifact_digest,
    evidence_digest,
)
from regtui.domain.attestations import FAIRNESS, AttestationFact
from regtui.domain.checksums import VerifyResult, VerifyStatus
from regtui.domain.entry import (
    Artifact,
    ChangeKind,
    FairnessAssessment,
    Metrics,
    ModelCard,
    ProviderPin,
    Responsible,
    Stage,
    TrainingDataSummary,
    VersionEntry,
)
from regtui.domain.gates import (
    CheckKind,
    GateFacts,
    GateResult,
    ProviderPinStatus,
    evaluate_gate,
    threshold_checks,
)
from regtui.domain.policy import SloBound, Threshold, load_policy_text
from regtui.domain.roles import Role
from regtui.errors import RuleError

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
D, S, C, P, A = Stage.DEVELOPMENT, Stage.STAGING, Stage.CANARY, Stage.PRODUCTION, Stage.ARCHIVED

POLICY = load_policy_text(
    """
kind: policy
default:
  thresholds:
    - {metric: auc, min: 0.85}
    - {metric: latency_p95_ms, max: 40}
    - {metric: auc, min: 0.80, segments: all}
    - {metric: recall, min: 0.5, segments: [tenure=new]}
  canary_slos:
    - {metric: error_rate, max: 0.01}
    - {metric: latency_p95_ms, max: 45}
  signoff_roles: [product]
  archival_checklist: [traffic drained, dashboards updated]
""",
    "test-policy",
).for_model("churn-classifier")

CARD = ModelCard(
    intended_use="weekly save-offer list",
    limitations="not for pricing",
    evaluation="holdout 2025-04",
    fairness=FairnessAssessment("no gap above 2pt across regions", "frank", NOW - timedelta(days=3)),
    training_data=TrainingDataSummary("crm.subscribers@2025-04", "1.2M rows", "2023-01..2025-03"),
    responsible=Responsible("team-risk", "risk-oncall@example.com"),
)
ARTIFACTS = (
    Artifact("model", "file:///a/model.joblib", "1" * 64, 100),
    Artifact("schema", "file:///a/schema.json", "2" * 64, 10),
)
ENTRY = VersionEntry(
    model="churn-classifier",
    version="2.7.0",
    change_kind=ChangeKind.RETRAINING,
    framework="scikit-learn",
    training_data="crm.subscribers@2025-04",
    owner="team-risk",
    created_at=NOW - timedelta(days=10),
    parent="2.6.0",
    metrics=Metrics(
        overall={"auc": 0.89, "latency_p95_ms": 23.0, "recall": 0.6},
        segments={"tenure=new": {"auc": 0.86, "recall": 0.55}, "region=EU": {"auc": 0.88, "recall": 0.62}},
    ),
    model_card=CARD,
    artifacts=ARTIFACTS,
)
EVIDENCE = {"canary": {"error_rate": 0.004, "latency_p95_ms": 30.0}, "report": "eval-2025-05.html"}
EVI = evidence_digest(EVIDENCE)
ART = artifact_digest(ENTRY)

REVIEWER_ROLES = frozenset({Role.REVIEWER})


def decision(
    identity: str,
    capacity: str,
    *,
    roles: frozenset[Role] = REVIEWER_ROLES,
    teams: frozenset[str] = frozenset(),
    minutes: int = 0,
    kind: Decision = Decision.APPROVE,
    comment: str = "checked eval report",
    art: str = ART,
    evi: str = EVI,
) -> ApprovalFact:
    """A recorded decision bound to the given (default: current) digests."""
    return ApprovalFact(
        identity, kind, capacity, comment, NOW - timedelta(hours=1) + timedelta(minutes=minutes), art, evi, roles, teams
    )


OWNER_OK = decision("alice", OWNER, teams=frozenset({"team-risk"}))
STAKEHOLDER_OK = decision("pat", "stakeholder:product", roles=frozenset(), teams=frozenset({"product"}), minutes=1)
REVIEWER_OK = decision("carol", REVIEWER, minutes=2)
VERIFIED = tuple(
    VerifyResult(a.name, a.uri, VerifyStatus.OK, a.sha256, a.size, a.sha256, a.size, "ok") for a in ARTIFACTS
)

BASE = GateFacts(
    entry=ENTRY,
    policy=POLICY,
    requester="bob",
    owner="team-risk",
    now=NOW,
    owner_members=frozenset({"alice", "bob"}),
    evidence_digest=EVI,
    review_evidence="eval-2025-05.html",
)
FAIRNESS_OK = AttestationFact(
    "dave", FAIRNESS, "checked the regional gap table", NOW - timedelta(days=3), frozenset({Role.REVIEWER})
)
CANARY_FACTS = replace(BASE, approvals=(REVIEWER_OK,), attestations=(FAIRNESS_OK,), verification=VERIFIED)
PRODUCTION_FACTS = replace(
    BASE,
    approvals=(OWNER_OK, STAKEHOLDER_OK, REVIEWER_OK),
    canary_results=EVIDENCE["canary"],
    verification=VERIFIED,
    outgoing_version="2.6.0",
    archival_done=("traffic drained", "dashboards updated"),
)


def check(result: GateResult, name: str):
    """The check with a given name."""
    matches = [c for c in result.checks if c.name == name]
    assert len(matches) == 1, [c.name for c in result.checks]
    return matches[0]


def with_metrics(overall: dict[str, float], segments: dict[str, dict[str, float]] | None = None) -> GateFacts:
    """BASE with other metrics."""
    return replace(BASE, entry=replace(ENTRY, metrics=Metrics(overall, segments or {})))


# Development -> Staging


def test_offline_gate_passes_when_every_threshold_passes() -> None:
    """One check per threshold, all passing, each with a readable detail."""
    result = evaluate_gate(D, S, BASE)
    assert result.passed and result.missing == []
    assert [c.name for c in result.checks] == [
        "threshold auc >= 0.85",
        "threshold latency_p95_ms <= 40",
        "threshold auc >= 0.8 in every segment",
        "threshold recall >= 0.5 in segment tenure=new",
    ]
    assert check(result, "threshold auc >= 0.85").detail == "auc = 0.89 (needs >= 0.85)"
    assert (
        check(result, "threshold auc >= 0.8 in every segment").detail == "2 segment(s) pass; closest: tenure=new 0.86"
    )
    assert {c.kind for c in result.checks} == {CheckKind.THRESHOLD}


def test_overall_threshold_failure() -> None:
    """A value on the wrong side of the bound fails that check only."""
    facts = with_metrics(
        {"auc": 0.84, "latency_p95_ms": 41, "recall": 0.6}, {"tenure=new": {"auc": 0.86, "recall": 0.55}}
    )
    result = evaluate_gate(D, S, facts)
    assert not result.passed
    assert result.missing == ["threshold auc >= 0.85", "threshold latency_p95_ms <= 40"]
    assert check(result, "threshold latency_p95_ms <= 40").detail == "latency_p95_ms = 41 (needs <= 40)"


def test_bound_value_passes() -> None:
    """Bounds are inclusive."""
    facts = with_metrics({"auc": 0.85, "latency_p95_ms": 40}, {"tenure=new": {"auc": 0.8, "recall": 0.5}})
    assert evaluate_gate(D, S, facts).passed


def test_missing_metric_fails_with_clear_detail() -> None:
    """A threshold metric the version does not record fails."""
    facts = with_metrics({"auc": 0.9}, {"tenure=new": {"auc": 0.86, "recall": 0.55}})
    failed = check(evaluate_gate(D, S, facts), "threshold latency_p95_ms <= 40")
    assert not failed.passed
    assert failed.detail == "latency_p95_ms is missing from the version's metrics"


def test_segment_threshold_fails_naming_each_failing_segment() -> None:
    """segments: all — every failing or missing segment is named with its value."""
    facts = with_metrics(
        {"auc": 0.9, "latency_p95_ms": 20},
        {"region=EU": {"auc": 0.79}, "region=US": {"auc": 0.9}, "tenure=new": {"recall": 0.7}},
    )
    failed = check(evaluate_gate(D, S, facts), "threshold auc >= 0.8 in every segment")
    assert not failed.passed
    assert failed.detail == "fails in region=EU 0.79, tenure=new missing"


def test_named_segment_must_be_recorded() -> None:
    """A threshold for a named segment fails when that segment is absent."""
    facts = with_metrics({"auc": 0.9, "latency_p95_ms": 20}, {"region=EU": {"auc": 0.9, "recall": 0.9}})
    failed = check(evaluate_gate(D, S, facts), "threshold recall >= 0.5 in segment tenure=new")
    assert failed.detail == "fails in tenure=new missing"


def test_segment_threshold_without_any_segments_fails() -> None:
    """segments: all on a version that records no segments cannot pass."""
    failed = check(
        evaluate_gate(D, S, with_metrics({"auc": 0.9, "latency_p95_ms": 20})), "threshold auc >= 0.8 in every segment"
    )
    assert failed.detail == "the version records no segment metrics"


def test_lower_is_better_segment_names_the_worst_segment() -> None:
    """For max bounds the closest segment is the highest value."""
    policy = replace(POLICY, thresholds=(Threshold("latency_ms", "lower", 40, "all"),))
    metrics = Metrics({}, {"eu": {"latency_ms": 30}, "us": {"latency_ms": 39}})
    (only,) = threshold_checks(metrics, policy)
    assert only.passed and only.detail == "2 segment(s) pass; closest: us 39"


def test_nan_metric_fails() -> None:
    """NaN never meets a bound."""
    policy = replace(POLICY, thresholds=(Threshold("auc", "higher", 0.5),))
    (only,) = threshold_checks(Metrics({"auc": float("nan")}), policy)
    assert not only.passed


def test_no_thresholds_in_policy_blocks_the_offline_gate() -> None:
    """A model without thresholds cannot pass automated evaluation."""
    result = evaluate_gate(D, S, replace(BASE, policy=replace(POLICY, thresholds=())))
    assert result.missing == ["offline thresholds"]
    assert result.checks[0].detail == "the policy defines no offline-evaluation thresholds for churn-classifier"


# Staging -> Canary


def test_canary_gate_passes_with_review_fairness_and_complete_card() -> None:
    """Review by carol naming the evidence, fairness attested, card complete, artifacts verified now; no provider pin,
    no pin check."""
    result = evaluate_gate(S, C, CANARY_FACTS)
    assert result.passed, result.missing
    assert [c.name for c in result.checks] == [
        "no rejection",
        "human review",
        "fairness attested",
        "model card complete",
        "artifacts verified",
    ]
    review = check(result, "human review")
    assert review.detail == (
        f"carol reviewed eval-2025-05.html (sha256 {EVI[:12]}) at 2025-06-01T11:02:00Z: checked eval report"
    )
    assert check(result, "fairness attested").detail == (
        "attested by dave at 2025-05-29T12:00:00Z: checked the regional gap table"
    )


def test_canary_gate_without_review_is_pending() -> None:
    """No approval: the human review is missing."""
    result = evaluate_gate(S, C, replace(CANARY_FACTS, approvals=()))
    assert result.missing == ["human review"]
    assert check(result, "human review").detail == "no approval yet"
    assert not result.rejected


def test_review_by_the_requester_does_not_count() -> None:
    """bob requested; his recorded review is not a human review by someone else."""
    facts = replace(BASE, approvals=(decision("bob", REVIEWER),))
    assert check(evaluate_gate(S, C, facts), "human review").detail.startswith("self-approval: bob")


def test_review_of_older_evidence_does_not_count() -> None:
    """The evidence changed after bob reviewed it."""
    facts = replace(BASE, approvals=(decision("dave", REVIEWER, evi=evidence_digest({"old": True})),))
    failed = check(evaluate_gate(S, C, facts), "human review")
    assert not failed.passed and failed.detail == "dave's approval predates the current evidence"


def test_review_without_comment_does_not_count() -> None:
    """An imported approval with no comment names no evidence."""
    facts = replace(BASE, approvals=(decision("carol", REVIEWER, comment=" "),))
    assert (
        check(evaluate_gate(S, C, facts), "human review").detail == "carol's approval names no evidence (empty comment)"
    )


def test_review_without_reviewer_role_does_not_count() -> None:
    """A reviewer capacity needs the reviewer role now."""
    facts = replace(BASE, approvals=(decision("ivan", REVIEWER, roles=frozenset({Role.VIEWER})),))
    assert not check(evaluate_gate(S, C, facts), "human review").passed


def test_review_gate_without_named_evidence_file_mentions_request_evidence() -> None:
    """No evidence reference: the detail says what was bound instead."""
    facts = replace(CANARY_FACTS, review_evidence=None)
    assert "reviewed the request evidence (sha256" in check(evaluate_gate(S, C, facts), "human review").detail


@pytest.mark.parametrize(
    ("fairness", "detail"),
    [
        (FairnessAssessment("", "frank"), "the model card's fairness section is empty"),
        (FairnessAssessment(" \n\t ", "frank"), "the model card's fairness section is empty"),
    ],
)
def test_fairness_must_be_present_even_when_attested(fairness: FairnessAssessment, detail: str) -> None:
    """An empty or whitespace-only fairness section fails the fairness check whatever was attested."""
    entry = replace(ENTRY, model_card=replace(CARD, fairness=fairness))
    failed = check(evaluate_gate(S, C, replace(CANARY_FACTS, entry=entry)), "fairness attested")
    assert (failed.passed, failed.detail) == (False, detail)


def test_a_name_in_the_manifest_is_not_an_attestation() -> None:
    """`attested_by: ghost` in the manifest with no recorded attestation fails, saying so."""
    entry = replace(ENTRY, model_card=replace(CARD, fairness=FairnessAssessment("no gaps", "ghost")))
    failed = check(evaluate_gate(S, C, replace(CANARY_FACTS, entry=entry, attestations=())), "fairness attested")
    assert (failed.passed, failed.detail) == (
        False,
        "no reviewer has attested the fairness section (regtui attest MODEL@VERSION fairness); "
        "the manifest's attested_by (ghost) is not an attestation",
    )


def test_an_attestation_counts_only_while_its_author_holds_the_review_right() -> None:
    """An attester who lost the review right does not count; a later reviewer's attestation does."""
    lapsed = replace(FAIRNESS_OK, identity="ivan", roles=frozenset({Role.VIEWER}))
    failed = check(evaluate_gate(S, C, replace(CANARY_FACTS, attestations=(lapsed,))), "fairness attested")
    assert not failed.passed and "ivan's attestation does not count: no review right now" in failed.detail
    passed = check(evaluate_gate(S, C, replace(CANARY_FACTS, attestations=(lapsed, FAIRNESS_OK))), "fairness attested")
    assert passed.passed and passed.detail.startswith("attested by dave")


def test_whitespace_only_card_sections_are_missing() -> None:
    """A section of spaces and newlines is missing, as is a responsible section with a blank contact."""
    card = replace(CARD, limitations="  \n ", responsible=Responsible("team-risk", "\t"))
    assert card.missing_sections() == ["limitations", "responsible"]
    entry = replace(ENTRY, model_card=card)
    failed = check(evaluate_gate(S, C, replace(CANARY_FACTS, entry=entry)), "model card complete")
    assert (failed.passed, failed.detail) == (False, "missing section(s): limitations, responsible")


def test_incomplete_model_card_fails() -> None:
    """Missing sections are named."""
    entry = replace(ENTRY, model_card=replace(CARD, limitations="", responsible=Responsible("team-risk", "")))
    failed = check(evaluate_gate(S, C, replace(CANARY_FACTS, entry=entry)), "model card complete")
    assert failed.detail == "missing section(s): limitations, responsible"


def test_current_rejection_vetoes_canary_request() -> None:
    """A current rejection fails the veto check and marks the result rejected."""
    facts = replace(
        CANARY_FACTS,
        approvals=(REVIEWER_OK, decision("dave", REVIEWER, kind=Decision.REJECT, comment="EU\nsegment regressed")),
    )
    result = evaluate_gate(S, C, facts)
    assert result.rejected and not result.passed
    assert check(result, "no rejection").detail == "rejected by dave: EU segment regressed"


def test_stale_rejection_does_not_veto() -> None:
    """A rejection of older evidence no longer counts."""
    stale = decision("dave", REVIEWER, kind=Decision.REJECT, comment="no", evi=evidence_digest({}))
    result = evaluate_gate(S, C, replace(CANARY_FACTS, approvals=(REVIEWER_OK, stale)))
    assert result.passed and not result.rejected


PIN = ProviderPin("openai", "gpt-4.1", "gpt-4.1-2025-04-14")
PINNED = replace(ENTRY, provider=PIN)


def test_pin_without_known_status_gets_no_provider_check() -> None:
    """provider_status None (no provider registry data yet) means no provider check, as for an unpinned entry."""
    result = evaluate_gate(S, C, replace(CANARY_FACTS, entry=PINNED, provider_status=None))
    assert result.passed and not [c for c in result.checks if c.kind is CheckKind.PROVIDER]


@pytest.mark.parametrize(
    ("status", "passed", "detail"),
    [
        (
            ProviderPinStatus(alias=False, qualified=True),
            True,
            "openai/gpt-4.1@gpt-4.1-2025-04-14 is exact and qualified",
        ),
        (
            ProviderPinStatus(alias=True, qualified=True),
            False,
            "openai/gpt-4.1@gpt-4.1-2025-04-14 is an alias, not an exact version",
        ),
        (ProviderPinStatus(alias=False, qualified=False), False, "openai/gpt-4.1@gpt-4.1-2025-04-14 is not qualified"),
        (
            ProviderPinStatus(alias=True, qualified=False),
            False,
            "openai/gpt-4.1@gpt-4.1-2025-04-14 is an alias, not an exact version and is not qualified",
        ),
        (
            ProviderPinStatus(alias=False, qualified=True, retires_at=NOW - timedelta(days=1)),
            True,
            "openai/gpt-4.1@gpt-4.1-2025-04-14 is exact and qualified",
        ),
    ],
)
def test_canary_provider_pin(status: ProviderPinStatus | None, passed: bool, detail: str) -> None:
    """A pinned provider version must be exact and qualified for Canary (retirement is checked for Production)."""
    facts = replace(CANARY_FACTS, entry=PINNED, provider_status=status)
    pin = check(evaluate_gate(S, C, facts), "provider pin")
    assert (pin.passed, pin.detail, pin.kind) == (passed, detail, CheckKind.PROVIDER)


# Canary -> Production


def test_production_gate_passes_with_everything_in_place() -> None:
    """SLOs, sign-off, owner, reviewer, verified artifacts and the archival checklist all pass."""
    result = evaluate_gate(C, P, PRODUCTION_FACTS)
    assert result.passed, [(c.name, c.detail) for c in result.checks if not c.passed]
    assert [c.name for c in result.checks] == [
        "no rejection",
        "canary SLO error_rate <= 0.01",
        "canary SLO latency_p95_ms <= 45",
        "stakeholder sign-off: product",
        "owner approval",
        "second reviewer",
        "artifacts verified",
        "archival checklist",
    ]
    assert check(result, "canary SLO error_rate <= 0.01").detail == "canary error_rate = 0.004 (needs <= 0.01)"
    assert check(result, "artifacts verified").detail == "2 artifact(s) match their recorded SHA-256 and size"
    assert check(result, "archival checklist").detail == "churn-classifier@2.6.0: 2 item(s) checked"
    assert check(result, "owner approval").kind is CheckKind.TWO_PERSON
    assert check(result, "stakeholder sign-off: product").kind is CheckKind.SIGNOFF


def test_canary_slo_failure_and_missing_result() -> None:
    """A breached SLO fails; an SLO metric absent from the results fails with its own detail."""
    facts = replace(PRODUCTION_FACTS, canary_results={"error_rate": 0.02})
    result = evaluate_gate(C, P, facts)
    assert check(result, "canary SLO error_rate <= 0.01").detail == "canary error_rate = 0.02 (needs <= 0.01)"
    assert (
        check(result, "canary SLO latency_p95_ms <= 45").detail
        == "latency_p95_ms is missing from the recorded canary results"
    )
    assert result.missing == ["canary SLO error_rate <= 0.01", "canary SLO latency_p95_ms <= 45"]


def test_no_canary_results_recorded() -> None:
    """Without recorded canary results every SLO fails."""
    result = evaluate_gate(C, P, replace(PRODUCTION_FACTS, canary_results=None))
    assert {c.detail for c in result.checks if c.kind is CheckKind.CANARY_SLO} == {
        "no canary SLO results recorded in the request evidence"
    }


def test_no_canary_slos_in_policy_blocks_production() -> None:
    """A policy without canary SLOs cannot validate a canary."""
    facts = replace(PRODUCTION_FACTS, policy=replace(POLICY, canary_slos=()))
    assert (
        check(evaluate_gate(C, P, facts), "canary SLOs").detail
        == "the policy defines no canary SLOs for churn-classifier"
    )


def test_higher_is_better_slo() -> None:
    """min SLOs pass at or above the bound."""
    policy = replace(POLICY, canary_slos=(SloBound("acceptance", "higher", 0.7),))
    facts = replace(PRODUCTION_FACTS, policy=policy, canary_results={"acceptance": 0.69})
    assert not check(evaluate_gate(C, P, facts), "canary SLO acceptance >= 0.7").passed


def test_missing_stakeholder_signoff() -> None:
    """Without pat the product sign-off is missing."""
    facts = replace(PRODUCTION_FACTS, approvals=(OWNER_OK, REVIEWER_OK))
    result = evaluate_gate(C, P, facts)
    assert result.missing == ["stakeholder sign-off: product"]


def test_each_signoff_role_needs_its_own_team() -> None:
    """Two sign-off roles need two members, one of each team."""
    facts = replace(PRODUCTION_FACTS, policy=replace(POLICY, signoff_roles=("product", "legal")))
    result = evaluate_gate(C, P, facts)
    assert result.missing == ["stakeholder sign-off: legal"]


def test_no_signoff_roles_means_no_signoff_checks() -> None:
    """signoff_roles: [] removes the stakeholder checks."""
    facts = replace(PRODUCTION_FACTS, policy=replace(POLICY, signoff_roles=()), approvals=(OWNER_OK, REVIEWER_OK))
    result = evaluate_gate(C, P, facts)
    assert result.passed and not [c for c in result.checks if c.kind is CheckKind.SIGNOFF]


def test_two_person_rule_needs_the_owner() -> None:
    """A reviewer and a stakeholder without the owner are not enough."""
    facts = replace(PRODUCTION_FACTS, approvals=(STAKEHOLDER_OK, REVIEWER_OK))
    assert evaluate_gate(C, P, facts).missing == ["owner approval"]


def test_two_person_rule_needs_a_second_reviewer() -> None:
    """The owner alone is not enough."""
    facts = replace(PRODUCTION_FACTS, approvals=(OWNER_OK, STAKEHOLDER_OK))
    assert evaluate_gate(C, P, facts).missing == ["second reviewer"]


def test_requester_as_owner_plus_distinct_reviewer_passes() -> None:
    """bob requested and approved as owner; carol is the second person."""
    bob_owner = decision("bob", OWNER, teams=frozenset({"team-risk"}))
    facts = replace(PRODUCTION_FACTS, approvals=(bob_owner, STAKEHOLDER_OK, REVIEWER_OK))
    assert evaluate_gate(C, P, facts).passed


def test_same_identity_in_two_capacities_counts_once() -> None:
    """alice as owner and as reviewer leaves the reviewer slot open."""
    facts = replace(PRODUCTION_FACTS, approvals=(OWNER_OK, STAKEHOLDER_OK, decision("alice", REVIEWER, minutes=5)))
    result = evaluate_gate(C, P, facts)
    assert result.missing == ["second reviewer"]
    assert check(result, "second reviewer").detail == "alice already signed as owner (one capacity per identity)"


def test_new_evidence_makes_earlier_approvals_stale() -> None:
    """New canary results change the evidence digest: every approval needs renewing."""
    facts = replace(PRODUCTION_FACTS, evidence_digest=evidence_digest({"canary": {"error_rate": 0.001}}))
    result = evaluate_gate(C, P, facts)
    assert result.missing == ["stakeholder sign-off: product", "owner approval", "second reviewer"]
    assert check(result, "second reviewer").detail == "carol's approval predates the current evidence"


def test_changed_artifacts_make_earlier_approvals_stale() -> None:
    """Approvals bound to another artifact digest do not count."""
    other = replace(ENTRY, artifacts=(replace(ARTIFACTS[0], sha256="9" * 64), ARTIFACTS[1]))
    verified = (replace(VERIFIED[0], expected_sha256="9" * 64), VERIFIED[1])
    result = evaluate_gate(C, P, replace(PRODUCTION_FACTS, entry=other, verification=verified))
    assert check(result, "owner approval").detail == "alice's approval predates the current artifacts"


def test_facts_compute_their_artifact_digest_once_and_facts_of_another_entry_their_own() -> None:
    """The digest approvals are bound to is the entry's, computed once per fact set (the gate and the log share it)."""
    assert PRODUCTION_FACTS.current_artifact_digest == ART
    assert PRODUCTION_FACTS.approval_context(P).artifact_digest == ART
    other = replace(ENTRY, artifacts=(replace(ARTIFACTS[0], sha256="9" * 64), ARTIFACTS[1]))
    assert replace(PRODUCTION_FACTS, entry=other).current_artifact_digest == artifact_digest(other) != ART


def test_rejection_vetoes_production() -> None:
    """Any current rejection rejects the request even with every slot filled."""
    veto = decision("dave", REVIEWER, kind=Decision.REJECT, comment="latency regression", minutes=9)
    result = evaluate_gate(C, P, replace(PRODUCTION_FACTS, approvals=(*PRODUCTION_FACTS.approvals, veto)))
    assert result.rejected and result.missing == ["no rejection"]


def test_artifacts_not_verified_now() -> None:
    """Without a fresh verification the gate fails."""
    result = evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=None))
    assert check(result, "artifacts verified").detail == "artifacts were not re-verified for this promotion"


def test_artifact_mismatch_and_unverifiable_are_named() -> None:
    """Each artifact that is not ok is named with its status and message."""
    bad = (
        replace(VERIFIED[0], status=VerifyStatus.MISMATCH, message="sha256 9f3a…, recorded 1111…"),
        replace(
            VERIFIED[1],
            status=VerifyStatus.UNVERIFIABLE,
            message="s3:// artifacts are recorded but cannot be verified here",
        ),
    )
    failed = check(evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=bad)), "artifacts verified")
    assert failed.detail == (
        "model: mismatch (sha256 9f3a…, recorded 1111…); "
        "schema: unverifiable (s3:// artifacts are recorded but cannot be verified here)"
    )


def test_artifact_without_a_result_fails() -> None:
    """Every recorded artifact needs a result."""
    failed = check(evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=VERIFIED[:1])), "artifacts verified")
    assert failed.detail == "schema: not verified"


def test_a_result_for_another_record_of_the_artifact_does_not_count() -> None:
    """A verification made against other recorded values (SHA-256 or size) than the entry's fails the check, even ok."""
    other_sha = (replace(VERIFIED[0], expected_sha256="9" * 64, actual_sha256="9" * 64), VERIFIED[1])
    failed = check(evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=other_sha)), "artifacts verified")
    assert failed.detail == f"model: verified against another record (sha256 {'9' * 12}…, {ARTIFACTS[0].size} bytes)"
    other_size = (VERIFIED[0], replace(VERIFIED[1], expected_size=ARTIFACTS[1].size + 1))
    assert not check(
        evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=other_size)), "artifacts verified"
    ).passed
    upper = (replace(VERIFIED[0], expected_sha256=ARTIFACTS[0].sha256.upper()), VERIFIED[1])
    assert check(evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=upper)), "artifacts verified").passed


def test_a_result_for_another_location_or_object_version_does_not_count() -> None:
    """The same checksums read from another URI, or from another object version than the one pinned, fail the check:
    the bytes hashed must be the ones the record names."""
    moved = (replace(VERIFIED[0], uri="file:///elsewhere/model.joblib"), VERIFIED[1])
    failed = check(evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=moved)), "artifacts verified")
    assert failed.detail == "model: verified against another record (uri file:///elsewhere/model.joblib)"
    other_version = (VERIFIED[0], replace(VERIFIED[1], object_version="v2"))
    failed = check(evaluate_gate(C, P, replace(PRODUCTION_FACTS, verification=other_version)), "artifacts verified")
    assert failed.detail == "schema: verified against another record (object version v2)"


@pytest.mark.parametrize("to_stage", [C, P])
def test_version_without_artifacts_fails_the_artifact_check(to_stage: Stage) -> None:
    """Nothing recorded is nothing deployable: Canary and Production say "no artifacts", never "verified"."""
    entry = replace(ENTRY, artifacts=())
    facts = replace(
        PRODUCTION_FACTS,
        entry=entry,
        verification=(),
        approvals=tuple(replace(a, artifact_digest=artifact_digest(entry)) for a in PRODUCTION_FACTS.approvals),
    )
    failed = check(evaluate_gate(S if to_stage is C else C, to_stage, facts), "artifacts verified")
    assert not failed.passed and failed.detail == "no artifacts: the version records nothing to deploy"


def test_canary_gate_needs_a_fresh_verification() -> None:
    """A Canary promotion re-verifies its artifacts as Production does: without it the check fails."""
    failed = check(evaluate_gate(S, C, replace(CANARY_FACTS, verification=None)), "artifacts verified")
    assert not failed.passed


def test_archival_checklist_incomplete() -> None:
    """Unchecked items of the outgoing version are named."""
    facts = replace(PRODUCTION_FACTS, archival_done=("traffic drained",))
    failed = check(evaluate_gate(C, P, facts), "archival checklist")
    assert failed.detail == "churn-classifier@2.6.0 not yet checked: dashboards updated"


def test_archival_checklist_matches_case_and_spacing_insensitively() -> None:
    """'Traffic  Drained' checks 'traffic drained'."""
    facts = replace(PRODUCTION_FACTS, archival_done=("Traffic  Drained", "DASHBOARDS UPDATED"))
    assert check(evaluate_gate(C, P, facts), "archival checklist").passed


def test_first_production_version_has_no_checklist_to_complete() -> None:
    """No outgoing Production version: the archival check passes and says so."""
    facts = replace(PRODUCTION_FACTS, outgoing_version=None, archival_done=())
    assert check(evaluate_gate(C, P, facts), "archival checklist").detail == "no Production version to replace"


@pytest.mark.parametrize(
    ("retires_at", "passed"),
    [(None, True), (NOW + timedelta(days=1), True), (NOW, False), (NOW - timedelta(days=1), False)],
)
def test_production_refuses_a_retired_provider_version(retires_at: datetime | None, passed: bool) -> None:
    """For Production the pinned provider version must not be past its retirement."""
    status = ProviderPinStatus(alias=False, qualified=True, retires_at=retires_at)
    facts = replace(
        PRODUCTION_FACTS,
        entry=PINNED,
        provider_status=status,
        approvals=tuple(replace(a, artifact_digest=artifact_digest(PINNED)) for a in PRODUCTION_FACTS.approvals),
    )
    pin = check(evaluate_gate(C, P, facts), "provider pin")
    assert pin.passed is passed
    if not passed:
        assert "was retired" in pin.detail


# Retirement: Production -> Archived without a replacement


def test_retirement_needs_a_reason_and_the_two_person_rule() -> None:
    """A stated reason, the owner and a distinct second reviewer; no stakeholder sign-off, no artifacts."""
    facts = replace(BASE, approvals=(OWNER_OK, REVIEWER_OK), request_reason="replaced by the rules engine")
    result = evaluate_gate(P, A, facts)
    assert result.passed, result.missing
    assert [c.name for c in result.checks] == ["no rejection", "retirement reason", "owner approval", "second reviewer"]
    assert check(result, "retirement reason").detail == "replaced by the rules engine"
    pending = evaluate_gate(P, A, replace(BASE, approvals=(OWNER_OK,), request_reason="  "))
    assert pending.missing == ["retirement reason", "second reviewer"]
    assert check(pending, "retirement reason").detail == "the request states no reason (promote --reason)"


def test_retirement_owner_and_reviewer_are_two_people() -> None:
    """alice (owning team, reviewer role) fills one capacity only; the requester bob cannot be the reviewer."""
    alone = replace(BASE, approvals=(decision("alice", OWNER, teams=frozenset({"team-risk"})),), request_reason="x")
    assert evaluate_gate(P, A, alone).missing == ["second reviewer"]
    own = replace(alone, approvals=(*alone.approvals, decision("bob", REVIEWER, minutes=3)))
    assert evaluate_gate(P, A, own).missing == ["second reviewer"]


# Moves without their own gate, result helpers


@pytest.mark.parametrize(("from_stage", "to_stage"), [(D, A), (S, A), (C, A), (C, S)])
def test_gate_less_moves_pass(from_stage: Stage, to_stage: Stage) -> None:
    """Abandon and failed canary have no checks of their own."""
    result = evaluate_gate(from_stage, to_stage, BASE)
    assert result.passed and result.checks == () and result.missing == []


@pytest.mark.parametrize(("from_stage", "to_stage"), [(D, C), (S, P), (A, P), (P, S)])
def test_gate_of_a_move_that_does_not_exist_is_refused(from_stage: Stage, to_stage: Stage) -> None:
    """Evaluating a non-move is a stage-rule refusal, not a silent pass."""
    with pytest.raises(RuleError, match="stage rule"):
        evaluate_gate(from_stage, to_stage, BASE)


def test_gate_result_serializes_for_the_event_log() -> None:
    """to_dict is JSON-ready and mirrors the checks."""
    result = evaluate_gate(C, P, replace(PRODUCTION_FACTS, approvals=()))
    document = json.loads(json.dumps(result.to_dict()))
    assert document["passed"] is False
    assert document["checks"][0] == {
        "name": "no rejection",
        "passed": True,
        "detail": "no current rejection",
        "kind": "veto",
    }
    assert len(document["checks"]) == len(result.checks)
