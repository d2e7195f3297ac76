"""The fairness attestation is a reviewer's decision recorded in the log (both backends), not a manifest field."""

from __future__ import annotations

from regtui.domain.entry import Stage
from tests.workflow.conftest import MODEL, REVIEW_EVIDENCE, World, WorldCli


def _canary_gate(world: World, version: str) -> dict[str, tuple[bool, str]]:
    """The checks of a version's Staging -> Canary gate, reviewed by bob, as alice's request sees them."""
    request = world.promote("alice", version, Stage.CANARY, evidence=REVIEW_EVIDENCE).request_id
    assert request is not None
    world.decide("bob", request, comment="read offline evaluation report r1")
    gate = world.promote("alice", version, Stage.CANARY).gate
    return {c.name: (c.passed, c.detail) for c in gate.checks}


def test_attest_records_a_reviewers_decision_that_the_canary_gate_reads(world: World, cli_as: WorldCli) -> None:
    """A contributor or a viewer may not attest; a reviewer's attestation is logged and passes the check."""
    assert cli_as("alice", "attest", f"{MODEL}@1.4.0", "fairness", "--comment", "ok").err_lines == [
        "regtui: alice may not attest fairness of churn@1.4.0: needs the reviewer or admin role"
    ]
    assert cli_as("frank", "attest", f"{MODEL}@1.4.0", "fairness", "--comment", "ok").code == 2
    before = world.log_length()
    done = cli_as("gina", "attest", f"{MODEL}@1.4.0", "fairness", "--comment", "checked the regional gap table")
    assert done.code == 0 and done.out.strip() == "churn@1.4.0: fairness attested by gina"
    (entry,) = world.events(before)
    assert (entry.kind, entry.actor, entry.version) == ("attest", "gina", "1.4.0")
    assert entry.details == {"subject": "fairness", "comment": "checked the regional gap table"}


def test_attest_refuses_unknown_subjects_blank_comments_and_unknown_versions(world: World, cli_as: WorldCli) -> None:
    """Each refusal is one line, exit 2, and nothing is written."""
    before = world.snapshot()
    cases = {
        ("1.4.0", "safety", "ok"): "regtui: cannot attest 'safety'; attestable: fairness",
        ("1.4.0", "fairness", "  "): (
            "regtui: attestation rule: an attestation of fairness needs a comment saying what you checked"
        ),
        ("9.9.9", "fairness", "ok"): "regtui: churn has no version 9.9.9",
    }
    for (version, subject, comment), message in cases.items():
        result = cli_as("gina", "attest", f"{MODEL}@{version}", subject, "--comment", comment)
        assert result.code == 2 and result.err_lines == [message], result.err
    assert world.snapshot() == before


def test_a_name_in_the_manifest_does_not_pass_the_gate_an_attestation_does(world: World) -> None:
    """1.3.0's manifest names carol as attester and carol attested it in the seed: the check passes, naming her
    recorded decision; 1.5.0 has no recorded attestation: the check fails saying how to record one."""
    passed, detail = _canary_gate(world, "1.3.0")["fairness attested"]
    assert passed and detail.startswith("attested by carol at ")
    assert detail.endswith(": checked the regional gap table")
    passed, detail = _canary_gate(world, "1.5.0")["fairness attested"]
    assert (passed, detail) == (
        False,
        "no reviewer has attested the fairness section (regtui attest MODEL@VERSION fairness)",
    )
