"""The workflow verbs on the command line (both backends): output, exit statuses 0/1/2/3, nothing written on refusal."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.workflow.conftest import (
    POLICY_YAML,
    PRODUCTION_EVIDENCE,
    World,
    WorldCli,
    tampered,
)


def _evidence(tmp_path: Path, name: str, document: dict) -> Path:
    """An evidence file for `promote --evidence`."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_promote_applies_at_once_when_the_gate_passes(world: World, cli_as: WorldCli) -> None:
    """`promote` prints the gate checklist and the move, and exits 0 when it applied."""
    result = cli_as("alice", "promote", "churn@1.4.0", "--to", "staging")
    assert result.code == 0 and result.err == ""
    assert result.out.splitlines() == [
        "  [x] threshold auc >= 0.85: auc = 0.9 (needs >= 0.85)",
        "  [x] threshold latency_p95_ms <= 40: latency_p95_ms = 31.5 (needs <= 40)",
        "  [x] threshold auc >= 0.85 in every segment: 2 segment(s) pass; closest: region=EU 0.89",
        "churn@1.4.0: Development -> Staging",
    ]
    assert world.stage("1.4.0") == "Staging"


def test_a_pending_promotion_exits_3_and_new_evidence_voids_approvals(
    world: World, cli_as: WorldCli, tmp_path: Path
) -> None:
    """Exit 3 with the request id and what is missing; approvals then count until `--evidence` brings new results."""
    evidence = _evidence(tmp_path, "canary.yaml", PRODUCTION_EVIDENCE)
    result = cli_as("alice", "promote", "churn@1.2.0", "--to", "Production", "--evidence", evidence)
    (request,) = world.rows("SELECT id FROM promotion_request WHERE status = 'open'")[0]
    assert result.code == 3
    assert result.err_lines == [
        (
            f"regtui: request #{request} for churn@1.2.0 -> Production is pending; missing: stakeholder sign-off: "
            "product, owner approval, second reviewer"
        )
    ]
    assert "  [ ] owner approval: no approval yet" in result.out.splitlines()
    for identity in ("alice", "erin", "bob"):
        world.decide(identity, request)
    approved = cli_as("alice", "promote", "churn@1.2.0", "--to", "Production", "--json")
    assert approved.code == 3 and approved.json()["request"] == request
    assert approved.json()["missing"] == ["a releaser to apply it"]
    newer = _evidence(tmp_path, "newer.yaml", {"canary_results": {"error_rate": 0.009}})
    voided = cli_as("dave", "promote", "churn@1.2.0", "--to", "Production", "--evidence", newer, "--json")
    assert voided.code == 3 and voided.json()["request"] == request
    assert voided.json()["missing"] == ["stakeholder sign-off: product", "owner approval", "second reviewer"]
    assert world.stage("1.2.0") == "Canary"


def test_the_full_production_path_through_the_cli(world: World, cli_as: WorldCli, tmp_path: Path) -> None:
    """Request, queue, owner, stakeholder and reviewer approvals, then a releaser applies: the old one is archived."""
    evidence = _evidence(tmp_path, "canary.yaml", PRODUCTION_EVIDENCE)
    assert cli_as("alice", "promote", "churn@1.2.0", "--to", "Production", "--evidence", evidence).code == 3
    (request,) = world.rows("SELECT id FROM promotion_request WHERE status = 'open'")[0]
    queue = cli_as("bob", "requests", "--mine", "--json").json()
    assert [(q["id"], q["you_can_approve_as"], q["you_can_apply"]) for q in queue] == [(request, "reviewer", False)]
    assert cli_as("frank", "requests", "--mine", "--json").json() == []
    table = cli_as("frank", "requests").out.splitlines()
    assert table[0].split()[:3] == ["ID", "VERSION", "MOVE"] and f"#{request}" in table[1]
    for who, capacity in (("alice", "owner"), ("erin", "stakeholder:product"), ("bob", "reviewer")):
        approved = cli_as(who, "approve", f"#{request}", "--comment", "canary results read")
        assert approved.code == 0, approved.err
        assert approved.out.splitlines()[0] == f"approved request #{request} (churn@1.2.0) as {capacity}"
    assert cli_as("dave", "requests", "--mine", "--json").json()[0]["you_can_apply"] is True
    applied = cli_as("dave", "promote", "churn@1.2.0", "--to", "Production")
    assert applied.code == 0 and applied.out.splitlines()[-1] == (
        "churn@1.2.0: Canary -> Production; churn@1.1.0 archived"
    )


def test_refusals_exit_2_with_one_line_and_write_nothing(world: World, cli_as: WorldCli) -> None:
    """Self-approval, unknown request or version, missing role, bad move or reason: exit 2, one line, no write."""
    assert cli_as("hank", "promote", "churn@1.3.0", "--to", "Canary").code == 3
    (request,) = world.rows("SELECT id FROM promotion_request WHERE status = 'open'")[0]
    before = world.snapshot()
    cases = [
        (
            ("hank", "approve", str(request), "--comment", "my own work is great"),
            (
                "regtui: hank cannot approve: self-approval: hank requested this promotion and cannot be its reviewer "
                "(nobody reviews their own request)"
            ),
        ),
        (("bob", "approve", "#404"), "regtui: no promotion request #404"),
        (
            ("frank", "promote", "churn@1.4.0", "--to", "Staging"),
            "regtui: frank may not request promotions of churn: needs the contributor or releaser or admin role",
        ),
        (
            ("alice", "promote", "churn@1.4.0", "--to", "Production"),
            (
                "regtui: stage rule: Development -> Production is not allowed; from Development: Staging (promote), "
                "Archived (abandon, with a reason)"
            ),
        ),
        (
            ("alice", "promote", "churn@1.3.0", "--to", "Archived"),
            "regtui: stage rule: abandoning a version needs a reason (--reason)",
        ),
        (("alice", "promote", "churn@9.9.9", "--to", "Staging"), "regtui: churn has no version 9.9.9"),
        (
            ("dave", "rollback", "churn", "--to", "1.2.0", "--reason", "INC-1"),
            "regtui: rollback rule: the target must be an Archived version; churn@1.2.0 is in Canary",
        ),
        (
            ("alice", "rollback", "churn", "--to", "1.0.0", "--reason", "INC-1"),
            "regtui: alice may not roll back churn: needs the releaser or admin role",
        ),
    ]
    for args, line in cases:
        result = cli_as(*args)
        assert (result.code, result.out, result.err_lines) == (2, "", [line]), args
    no_comment = cli_as("bob", "reject", str(request))
    assert no_comment.code == 2 and "the following arguments are required: --comment" in no_comment.err
    assert world.snapshot() == before


def test_reject_closes_the_request_and_later_approvals_are_refused(world: World, cli_as: WorldCli) -> None:
    """`reject` with a comment closes the request; approving it afterwards exits 2 naming who rejected it."""
    cli_as("alice", "promote", "churn@1.3.0", "--to", "Canary")
    (request,) = world.rows("SELECT id FROM promotion_request WHERE status = 'open'")[0]
    rejected = cli_as("bob", "reject", str(request), "--comment", "no evaluation report attached")
    assert rejected.code == 0 and rejected.out.strip() == f"rejected request #{request} (churn@1.3.0) as reviewer"
    late = cli_as("carol", "approve", str(request), "--comment", "fine")
    assert late.code == 2 and late.err_lines == [
        f"regtui: request #{request} (churn@1.3.0 -> Canary) is already rejected by bob"
    ]


def test_roles_and_policy_set_work_for_an_admin_and_are_logged(world: World, cli_as: WorldCli, tmp_path: Path) -> None:
    """`roles set` and `policy set` change the registry for an admin (logged), and exit 2 for anyone else."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_YAML.replace("drill_cadence_days: 7", "drill_cadence_days: 14"), encoding="utf-8")
    before = world.snapshot()
    assert cli_as("dave", "roles", "set", "frank", "reviewer").code == 2
    assert cli_as("dave", "policy", "set", policy).code == 2
    assert world.snapshot() == before
    roles = cli_as("admin", "roles", "set", "frank", "reviewer", "contributor", "--teams", "product")
    assert roles.code == 0 and roles.out.strip() == "frank: roles reviewer, contributor"
    assert cli_as("admin", "policy", "set", policy).out.strip() == "policy updated"
    assert cli_as("admin", "policy", "set", policy).out.strip() == "policy unchanged"
    listed = {u["identity"]: u for u in cli_as("frank", "roles", "list", "--json").json()}
    assert listed["frank"]["roles"] == ["contributor", "reviewer"] and listed["frank"]["teams"] == ["product"]
    assert cli_as("frank", "policy", "show", "--json").json()["default"]["drill_cadence_days"] == 14
    audit = cli_as("frank", "audit", "--actor", "admin", "--limit", "2", "--json").json()["entries"]
    assert [(e["kind"], e["actor"]) for e in audit] == [("policy", "admin"), ("roles", "admin")]
    assert audit[1]["details"] == {"identity": "frank", "roles": ["contributor", "reviewer"], "teams": ["product"]}


def test_rollback_dry_run_checksum_refusal_then_rollback(world: World, cli_as: WorldCli) -> None:
    """`--dry-run` prints the swap, changes nothing; a modified artifact exits 2 naming it; then it rolls back."""
    before = world.snapshot()
    dry = cli_as("dave", "rollback", "churn", "--to", "1.0.0", "--reason", "INC-42", "--dry-run")
    assert dry.code == 0 and dry.out.strip() == (
        "dry run: would roll back churn from 1.1.0 to 1.0.0 (1 artifact(s) verified); 1.1.0 -> Archived"
    )
    with tampered(world.artifact_path("1.0.0")):
        mismatch = cli_as("dave", "rollback", "churn", "--to", "1.0.0", "--reason", "INC-42")
    assert mismatch.code == 2 and len(mismatch.err_lines) == 1
    assert mismatch.err_lines[0].startswith(
        "regtui: checksum rule: churn@1.0.0 cannot go back to Production: model.bin: mismatch"
    )
    assert world.snapshot() == before
    done = cli_as("dave", "rollback", "churn", "--to", "1.0.0", "--reason", "INC-42", "--json")
    assert done.code == 0 and done.json() == {
        "model": "churn",
        "to": "1.0.0",
        "from": "1.1.0",
        "reason": "INC-42",
        "verified": ["model.bin"],
        "dry_run": False,
    }
    assert (world.stage("1.0.0"), world.stage("1.1.0")) == ("Production", "Archived")
    log = cli_as("frank", "audit", "churn", "--limit", "2").out.splitlines()
    assert log[1].split()[3:6] == ["rollback", "dave", "churn@1.0.0"] and "reason: INC-42" in log[1]


def test_drill_reports_pass_and_failure_with_exit_statuses(world: World, cli_as: WorldCli) -> None:
    """`drill` exits 0 when the rollback would succeed and 1 when it would not; both are logged, no stage moves."""
    stages = world.stages()
    passed = cli_as("dave", "drill", "churn")
    assert passed.code == 0 and passed.out.startswith("drill PASSED for churn in ")
    assert passed.out.rstrip().endswith("ms: rollback to 1.0.0 would succeed")
    with tampered(world.artifact_path("1.0.0")):
        failed = cli_as("dave", "drill", "churn")
    assert failed.code == 1 and failed.out.startswith("drill FAILED for churn")
    assert failed.err_lines[0].startswith("regtui: rollback drill of churn failed: checksum rule:")
    assert world.stages() == stages
    assert [e.details["outcome"] for e in world.events() if e.kind == "drill"] == ["passed", "failed"]
