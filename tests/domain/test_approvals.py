"""Approvals: capacities, the two-person rule, self-approval, duplicates, stale digests, vetoes, digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from regtui.domain.approvals import (
    OWNER,
    REVIEWER,
    ApprovalContext,
    ApprovalFact,
    Approver,
    Decision,
    artifact_digest,
    capacity_for,
    check_can_approve,
    current_rejections,
    evidence_digest,
    fill_slots,
    ineligible_reason,
    required_capacities,
    stakeholder,
    two_person_rule,
)
from regtui.domain.entry import Artifact, ChangeKind, Stage, VersionEntry
from regtui.domain.roles import Role
from regtui.errors import RuleError

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
ART = "a" * 64
EVI = "e" * 64
PROD = ApprovalContext(
    to_stage=Stage.PRODUCTION,
    requester="bob",
    owner="team-risk",
    owner_members=frozenset({"alice", "bob", "ivan"}),
    signoff_roles=("product",),
    artifact_digest=ART,
    evidence_digest=EVI,
)
CANARY = replace(PROD, to_stage=Stage.CANARY)

REVIEWER_ROLES = frozenset({Role.REVIEWER})
ALICE = Approver("alice", frozenset({Role.CONTRIBUTOR, Role.REVIEWER}), frozenset({"team-risk"}))
BOB = Approver("bob", frozenset({Role.CONTRIBUTOR, Role.REVIEWER}), frozenset({"team-risk"}))
CAROL = Approver("carol", REVIEWER_ROLES, frozenset({"team-ml-platform"}))
PAT = Approver("pat", frozenset({Role.VIEWER}), frozenset({"product"}))
IVAN = Approver("ivan", frozenset({Role.VIEWER}), frozenset({"team-risk"}))
VICTOR = Approver("victor", frozenset({Role.VIEWER}), frozenset())


def approval(
    who: Approver,
    capacity: str,
    *,
    minutes: int = 0,
    decision: Decision = Decision.APPROVE,
    comment: str = "reviewed the eval report",
    art: str = ART,
    evi: str = EVI,
) -> ApprovalFact:
    """A recorded decision by an approver, bound to the given digests."""
    return ApprovalFact(
        who.identity, decision, capacity, comment, T0 + timedelta(minutes=minutes), art, evi, who.roles, who.teams
    )


def approve(who: Approver, approvals: list[ApprovalFact], ctx: ApprovalContext = PROD, comment: str = "ok") -> str:
    """check_can_approve for an approval."""
    return check_can_approve(who, ctx, approvals, decision=Decision.APPROVE, comment=comment)


def entry(*artifacts: Artifact) -> VersionEntry:
    """A minimal entry with the given artifacts."""
    return VersionEntry(
        model="churn-classifier",
        version="2.7.0",
        change_kind=ChangeKind.RETRAINING,
        framework="scikit-learn",
        training_data="ds@1",
        owner="team-risk",
        created_at=T0,
        parent="2.6.0",
        artifacts=artifacts,
    )


def test_required_capacities_per_stage() -> None:
    """Canary needs a reviewer; Production the owner, each stakeholder and a reviewer; others nothing."""
    assert required_capacities(Stage.CANARY, ("product",)) == (REVIEWER,)
    assert required_capacities(Stage.PRODUCTION, ("product", "legal")) == (
        OWNER,
        "stakeholder:product",
        "stakeholder:legal",
        REVIEWER,
    )
    assert required_capacities(Stage.STAGING, ("product",)) == ()
    assert PROD.capacities == (OWNER, stakeholder("product"), REVIEWER)


def test_owner_team_member_fills_the_owner_slot_first() -> None:
    """alice, in the owning team and a reviewer, signs as owner while the slot is open."""
    assert capacity_for(ALICE, PROD, []) == OWNER
    assert approve(ALICE, []) == OWNER


def test_owner_person_fills_the_owner_slot() -> None:
    """When the owner is a person, that person is the owner."""
    ctx = replace(PROD, owner="carol", owner_members=frozenset())
    assert capacity_for(CAROL, ctx, []) == OWNER


def test_ownership_is_the_authority_for_the_owner_slot() -> None:
    """An owning-team member needs no reviewer role to approve as owner."""
    assert approve(IVAN, []) == OWNER


def test_requester_may_approve_as_owner() -> None:
    """The requester can be the owner approval; the two-person rule needs someone else as reviewer."""
    assert approve(BOB, []) == OWNER


def test_second_owner_team_member_becomes_the_reviewer() -> None:
    """Once alice signed as owner, another eligible reviewer fills the reviewer slot."""
    signed = [approval(ALICE, OWNER)]
    assert approve(CAROL, signed) == REVIEWER


def test_stakeholder_slot_goes_to_a_member_of_the_signoff_team() -> None:
    """pat, in team product, signs as stakeholder:product without any reviewer role."""
    assert approve(PAT, []) == "stakeholder:product"


def test_stakeholders_are_offered_before_the_reviewer_slot() -> None:
    """A reviewer who is also in the sign-off team fills the scarcer stakeholder slot first."""
    both = replace(CAROL, teams=frozenset({"product"}))
    assert capacity_for(both, PROD, []) == "stakeholder:product"
    assert capacity_for(both, PROD, [approval(PAT, "stakeholder:product")]) == REVIEWER


def test_self_approval_as_second_reviewer_is_refused() -> None:
    """bob requested; with the owner slot taken he cannot be the reviewer."""
    with pytest.raises(RuleError) as caught:
        approve(BOB, [approval(ALICE, OWNER)])
    assert caught.value.message == (
        "bob cannot approve: owner already signed by alice; self-approval: bob requested this promotion and "
        "cannot be its reviewer (nobody reviews their own request)"
    )


def test_self_review_for_canary_is_refused() -> None:
    """A requester cannot give the human review of their own Canary request."""
    with pytest.raises(RuleError, match="self-approval: bob requested this promotion"):
        approve(BOB, [], CANARY)


def test_duplicate_decision_by_the_same_identity_is_refused() -> None:
    """One current decision per identity: alice cannot sign again in another capacity."""
    with pytest.raises(RuleError, match="^duplicate decision: alice already chose approve as owner on this request"):
        approve(ALICE, [approval(ALICE, OWNER)])


def test_rejecting_after_approving_is_a_duplicate_decision() -> None:
    """An identity that approved cannot also reject (and vice versa) while the digests are unchanged."""
    with pytest.raises(RuleError, match="duplicate decision"):
        check_can_approve(ALICE, PROD, [approval(ALICE, OWNER)], decision=Decision.REJECT, comment="no")


@pytest.mark.parametrize(("art", "evi"), [("b" * 64, EVI), (ART, "f" * 64)])
def test_stale_decision_frees_the_identity_to_decide_again(art: str, evi: str) -> None:
    """After the artifacts or evidence changed, alice's earlier approval no longer counts and she may re-approve."""
    old = [approval(ALICE, OWNER, art=art, evi=evi)]
    assert approve(ALICE, old) == OWNER


def test_identity_without_any_capacity_is_refused_naming_what_would_do() -> None:
    """A viewer outside every relevant team is told what would let them approve."""
    with pytest.raises(RuleError) as caught:
        approve(VICTOR, [])
    assert caught.value.message == (
        "victor may not approve this request: needs the reviewer role or ownership of the model (team-risk) "
        "or membership of team product"
    )


def test_canary_review_without_reviewer_role_is_refused() -> None:
    """The owning team alone cannot give the human review for Canary: it needs the reviewer role."""
    with pytest.raises(RuleError, match="^ivan may not approve this request: needs the reviewer role$"):
        approve(IVAN, [], CANARY)


def test_nothing_left_to_sign_when_every_slot_is_taken() -> None:
    """A third eligible reviewer finds every capacity already signed."""
    signed = [
        approval(ALICE, OWNER),
        approval(PAT, "stakeholder:product", minutes=1),
        approval(CAROL, REVIEWER, minutes=2),
    ]
    dana = Approver("dana", REVIEWER_ROLES, frozenset())
    with pytest.raises(RuleError, match="^dana cannot approve: reviewer already signed by carol$"):
        approve(dana, signed)


def test_canary_approval_must_name_its_evidence() -> None:
    """A Canary review approval without a comment is refused up front."""
    with pytest.raises(RuleError, match="human review: an approval for Canary must name the evidence it reviewed"):
        approve(CAROL, [], CANARY, comment="  ")
    assert approve(CAROL, [], CANARY, comment="read eval-2025-05.html, segment gaps acceptable") == REVIEWER


def test_production_approval_comment_is_optional() -> None:
    """Production approvals may carry no comment."""
    assert approve(ALICE, [], comment="") == OWNER


def test_rejection_needs_a_comment() -> None:
    """A rejection must say why."""
    with pytest.raises(RuleError, match="^a rejection needs a comment saying why$"):
        check_can_approve(CAROL, PROD, [], decision=Decision.REJECT, comment="")


def test_rejection_by_an_eligible_identity_records_its_capacity() -> None:
    """Anyone who could approve may reject, even when their slot is already filled."""
    signed = [approval(ALICE, OWNER)]
    assert check_can_approve(IVAN, PROD, signed, decision=Decision.REJECT, comment="drift in EU") == OWNER
    assert check_can_approve(CAROL, PROD, signed, decision=Decision.REJECT, comment="no") == REVIEWER


def test_requester_with_review_right_may_reject_their_own_request() -> None:
    """Rejecting one's own Canary request withdraws it; only approving it is forbidden."""
    assert check_can_approve(BOB, CANARY, [], decision=Decision.REJECT, comment="withdrawn: bad data") == REVIEWER


def test_rejection_by_an_outsider_is_refused() -> None:
    """A viewer outside every team cannot reject either."""
    with pytest.raises(RuleError, match="victor may not approve this request"):
        check_can_approve(VICTOR, PROD, [], decision=Decision.REJECT, comment="no")


def test_requests_without_approvals_refuse_decisions() -> None:
    """Development -> Staging is automated: there is nothing to approve."""
    with pytest.raises(RuleError, match="^a promotion to Staging needs no approvals: its gate is automated$"):
        approve(CAROL, [], replace(PROD, to_stage=Stage.STAGING))


def test_two_person_rule_satisfied_by_owner_and_distinct_reviewer() -> None:
    """Owner-team alice plus reviewer carol fill both slots."""
    owner, reviewer = two_person_rule([approval(ALICE, OWNER), approval(CAROL, REVIEWER, minutes=1)], PROD)
    assert owner.filled and owner.approval.identity == "alice"
    assert reviewer.filled and reviewer.approval.identity == "carol"
    assert owner.detail == "approved by alice at 2025-05-01T09:00:00Z"


def test_two_person_rule_open_slots_say_no_approval_yet() -> None:
    """Nothing signed: both slots open."""
    owner, reviewer = two_person_rule([], PROD)
    assert (owner.filled, reviewer.filled) == (False, False)
    assert owner.detail == reviewer.detail == "no approval yet"


def test_same_identity_cannot_fill_two_capacities() -> None:
    """Recorded data with alice as owner and as reviewer counts her once."""
    owner, reviewer = two_person_rule([approval(ALICE, OWNER), approval(ALICE, REVIEWER, minutes=1)], PROD)
    assert owner.filled and not reviewer.filled
    assert reviewer.detail == "alice already signed as owner (one capacity per identity)"


def test_recorded_self_approval_does_not_count() -> None:
    """An imported reviewer approval by the requester is not a second person."""
    _, reviewer = two_person_rule([approval(BOB, REVIEWER)], PROD)
    assert not reviewer.filled
    assert reviewer.detail.startswith("self-approval: bob requested this promotion")


def test_owner_slot_needs_current_team_membership() -> None:
    """An owner approval by someone who has since left the owning team no longer counts."""
    ctx = replace(PROD, owner_members=frozenset({"bob"}))
    owner, _ = two_person_rule([approval(ALICE, OWNER)], ctx)
    assert not owner.filled
    assert owner.detail == "alice is not the owner team-risk nor a member of the owning team (two-person rule)"


def test_reviewer_slot_needs_current_reviewer_role() -> None:
    """A reviewer approval by someone whose reviewer role was revoked no longer counts."""
    demoted = replace(CAROL, roles=frozenset({Role.VIEWER}))
    _, reviewer = two_person_rule([approval(demoted, REVIEWER)], PROD)
    assert reviewer.detail == "carol lacks the reviewer role (approving as reviewer needs it)"


def test_stakeholder_slot_needs_team_membership() -> None:
    """A stakeholder approval by a non-member does not fill the sign-off."""
    slots = {s.capacity: s for s in fill_slots([approval(CAROL, "stakeholder:product")], PROD)}
    assert (
        slots["stakeholder:product"].detail
        == "carol is not a member of team product (stakeholder sign-off for product)"
    )


@pytest.mark.parametrize(
    ("art", "evi", "detail"),
    [
        ("b" * 64, EVI, "carol's approval predates the current artifacts"),
        (ART, "f" * 64, "carol's approval predates the current evidence"),
    ],
)
def test_stale_approvals_do_not_count_and_say_why(art: str, evi: str, detail: str) -> None:
    """Approvals bound to other digests leave the slot open with the reason."""
    _, reviewer = two_person_rule([approval(CAROL, REVIEWER, art=art, evi=evi)], PROD)
    assert not reviewer.filled
    assert reviewer.detail == detail


def test_first_counting_approval_fills_a_capacity() -> None:
    """Two reviewers: the earlier fills the slot, the later is noted."""
    dana = Approver("dana", REVIEWER_ROLES, frozenset())
    _, reviewer = two_person_rule([approval(dana, REVIEWER, minutes=5), approval(CAROL, REVIEWER, minutes=1)], PROD)
    assert reviewer.approval.identity == "carol"


def test_rejections_never_fill_slots() -> None:
    """A rejection is a veto, not a signature."""
    owner, _ = two_person_rule([approval(ALICE, OWNER, decision=Decision.REJECT)], PROD)
    assert not owner.filled


def test_two_person_rule_on_a_canary_context_uses_production_capacities() -> None:
    """two_person_rule always evaluates the owner and reviewer slots."""
    owner, reviewer = two_person_rule([approval(ALICE, OWNER), approval(CAROL, REVIEWER)], CANARY)
    assert owner.filled and reviewer.filled


def test_current_rejections_ignore_stale_ones() -> None:
    """Only rejections bound to the current digests veto."""
    current = approval(CAROL, REVIEWER, decision=Decision.REJECT, comment="EU drift")
    stale = approval(ALICE, OWNER, decision=Decision.REJECT, comment="old", evi="f" * 64)
    assert current_rejections([stale, current, approval(PAT, "stakeholder:product")], PROD) == [current]


def test_ineligible_reason_for_capacity_the_request_does_not_need() -> None:
    """An owner capacity on a Canary request is not needed."""
    assert ineligible_reason(ALICE, OWNER, CANARY) == "a promotion to Canary needs no owner approval"


def test_artifact_digest_is_order_independent_and_content_bound() -> None:
    """Same artifacts in any order give one digest; any name, checksum or size change gives another."""
    model = Artifact("model", "file:///m.pt", "1" * 64, 10)
    schema = Artifact("schema", "file:///s.json", "2" * 64, 5)
    base = artifact_digest(entry(model, schema))
    assert base == artifact_digest(entry(schema, model))
    assert base == artifact_digest(entry(replace(model, uri="https://elsewhere/m.pt"), schema))
    for changed in (replace(model, sha256="3" * 64), replace(model, size=11), replace(model, name="weights")):
        assert artifact_digest(entry(changed, schema)) != base
    assert len(base) == 64


def test_evidence_digest_is_canonical() -> None:
    """Key order does not matter; values do."""
    assert evidence_digest({"a": 1, "b": {"x": [1, 2]}}) == evidence_digest({"b": {"x": [1, 2]}, "a": 1})
    assert evidence_digest({"a": 1}) != evidence_digest({"a": 2})
