"""Retiring a Production version without a replacement (both backends): a request with a reason, the two-person
rule, applied by a releaser, logged as `retire`."""

from __future__ import annotations

from tests.workflow.conftest import World, WorldCli


def test_retirement_goes_through_request_two_approvals_and_a_releaser(world: World, cli_as: WorldCli) -> None:
    """alice asks with a reason (pending on the two-person rule), owner and reviewer approve, alice may not apply,
    dave does: 1.1.0 is Archived, nothing is in Production, the log says why and `audit verify` agrees."""
    asked = cli_as("alice", "promote", "churn@1.1.0", "--to", "Archived", "--reason", "INC-7: churn scoring retired")
    assert asked.code == 3
    (request,) = world.rows("SELECT id FROM promotion_request WHERE status = 'open'")[0]
    assert asked.err_lines == [
        f"regtui: request #{request} for churn@1.1.0 -> Archived is pending; missing: owner approval, second reviewer"
    ]
    assert "  [x] retirement reason: INC-7: churn scoring retired" in asked.out.splitlines()
    for who, capacity in (("alice", "owner"), ("bob", "reviewer")):
        approved = cli_as(who, "approve", f"#{request}", "--comment", "no consumers left")
        assert approved.out.splitlines()[0] == f"approved request #{request} (churn@1.1.0) as {capacity}"
    refused = cli_as("alice", "promote", "churn@1.1.0", "--to", "Archived", "--json")
    assert refused.code == 3 and refused.json()["missing"] == ["a releaser to apply it"]
    assert cli_as("dave", "requests", "--mine", "--json").json()[0]["you_can_apply"] is True
    applied = cli_as("dave", "promote", "churn@1.1.0", "--to", "Archived")
    assert applied.code == 0 and applied.out.splitlines()[-1] == "churn@1.1.0: Production -> Archived"
    assert "Production" not in world.stages().values()
    retired = world.events()[-1]
    assert (retired.kind, retired.actor, retired.from_stage, retired.to_stage) == (
        "retire",
        "dave",
        "Production",
        "Archived",
    )
    assert retired.details["reason"] == "INC-7: churn scoring retired"
    assert {a["identity"] for a in retired.details["approvers"]} == {"alice", "bob"}
    assert cli_as("frank", "audit", "verify").code == 0


def test_a_retirement_without_a_reason_stays_pending(world: World, cli_as: WorldCli) -> None:
    """No --reason: the request opens, and the gate names the missing reason."""
    asked = cli_as("alice", "promote", "churn@1.1.0", "--to", "Archived", "--json")
    assert asked.code == 3
    assert asked.json()["missing"] == ["retirement reason", "owner approval", "second reviewer"]
    assert world.stage("1.1.0") == "Production"


def test_one_person_cannot_fill_both_capacities(world: World, cli_as: WorldCli) -> None:
    """gina (owning team and reviewer) approves once, as owner; her second approval is refused."""
    assert cli_as("alice", "promote", "churn@1.1.0", "--to", "Archived", "--reason", "sunset").code == 3
    (request,) = world.rows("SELECT id FROM promotion_request WHERE status = 'open'")[0]
    assert cli_as("gina", "approve", f"#{request}", "--comment", "ok").code == 0
    again = cli_as("gina", "approve", f"#{request}", "--comment", "ok again")
    assert again.code == 2 and len(again.err_lines) == 1
    assert cli_as("dave", "promote", "churn@1.1.0", "--to", "Archived").code == 3
    assert world.stage("1.1.0") == "Production"
