"""The promotion log: what it records, its append-only triggers, `audit verify` catching tampering (both backends)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.services import audit, promotion
from regtui.store.log import row_to_entry
from regtui.store.tables import EventRow
from tests.workflow.conftest import MODEL, PRODUCTION_EVIDENCE, World, WorldCli


def test_every_workflow_step_is_logged_with_actor_time_and_details(world: World) -> None:
    """Requests, evidence, approvals, rejections, promotions, replacements, abandons, rollbacks, drills: all logged."""
    before = world.log_length()
    rejected = world.promote("alice", "1.3.0", Stage.CANARY, evidence={"review": "r1"}).request_id
    world.decide("bob", rejected, Decision.REJECT, "fairness summary is vague")
    world.production_request("1.2.0")
    world.promote("dave", "1.2.0", Stage.PRODUCTION)
    world.promote("alice", "1.5.0", Stage.ARCHIVED, reason="card never completed")
    promotion.rollback(world.service("dave"), MODEL, "1.1.0", "INC-8")
    promotion.drill(world.service("dave"), MODEL)
    entries = world.events(before)
    assert [(e.kind, e.actor) for e in entries] == [
        ("request", "alice"),
        ("evidence", "alice"),
        ("reject", "bob"),
        ("request", "alice"),
        ("evidence", "alice"),
        ("approve", "alice"),
        ("approve", "erin"),
        ("approve", "bob"),
        ("replaced", "dave"),
        ("promote", "dave"),
        ("abandon", "alice"),
        ("replaced", "dave"),
        ("rollback", "dave"),
        ("drill", "dave"),
    ]
    promoted = entries[9]
    assert promoted.details["evidence"] == {**PRODUCTION_EVIDENCE, "archival_for": "1.1.0"}
    assert {a["identity"] for a in promoted.details["approvers"]} == {"alice", "erin", "bob"}
    assert all(set(a) == {"identity", "capacity", "at"} for a in promoted.details["approvers"])
    assert entries[2].details["comment"] == "fairness summary is vague"
    assert entries[12].details["reason"] == "INC-8"
    assert audit.verify_audit_chain(world.service("frank")) == (before + len(entries), None)


def test_the_log_is_append_only_and_audit_verify_exits_0_when_intact(world: World, cli_as: WorldCli) -> None:
    """Triggers on both backends refuse UPDATE and DELETE of log rows; `audit verify` then reports the chain intact."""
    for statement in ("UPDATE event SET actor = 'mallory' WHERE position = 3", "DELETE FROM event WHERE position = 3"):
        with pytest.raises(DBAPIError, match="append-only"):
            world.execute(statement)
    result = cli_as("frank", "audit", "verify")
    assert result.code == 0 and result.err == ""
    assert result.out.strip() == f"promotion log intact: {world.log_length()} entries, hash chain verified"


def test_audit_verify_exits_1_naming_the_first_altered_entry(world: World, cli_as: WorldCli) -> None:
    """After an attacker drops the trigger and edits an actor, then details, `audit verify` names the first one."""
    world.drop_append_only_triggers("event")
    world.execute("UPDATE event SET actor = 'mallory' WHERE position = 9")
    result = cli_as("frank", "audit", "verify")
    assert result.code == 1 and result.out == ""
    assert result.err_lines == [
        "regtui: promotion log broken at entry 9: content does not match its recorded hash (entry altered)"
    ]
    world.execute("UPDATE event SET details = (SELECT details FROM event WHERE position = 10) WHERE position = 6")
    assert cli_as("frank", "audit", "verify").err_lines == [
        "regtui: promotion log broken at entry 6: content does not match its recorded hash (entry altered)"
    ]


def test_audit_verify_detects_a_rehashed_forgery_and_a_deleted_entry(world: World, cli_as: WorldCli) -> None:
    """Entry 12 rewritten with a recomputed hash breaks at entry 13's link; deleting entry 5 shows as a gap (--json)."""
    with Session(world.engine()) as session:
        row = session.execute(select(EventRow).where(EventRow.position == 12)).scalar_one()
        forged = replace(row_to_entry(row), actor="mallory")
    world.drop_append_only_triggers("event")
    world.execute("UPDATE event SET actor = 'mallory', hash = :h WHERE position = 12", h=forged.digest())
    result = cli_as("frank", "audit", "verify")
    assert result.code == 1 and result.err_lines == [
        "regtui: promotion log broken at entry 13: previous-hash link does not match the entry before it"
    ]
    world.execute("DELETE FROM event WHERE position = 5")
    gap = cli_as("frank", "audit", "verify", "--json")
    assert gap.code == 1
    head = world.events()[-1]
    assert gap.json() == {
        "entries": world.log_length(),
        "intact": False,
        "broken_at": 6,
        "reason": "expected entry 5, found 6 (entry missing)",
        "head": f"{head.position}:{head.hash}",
        "witness": None,
        "expected": None,
        "stage_differences": ["churn@1.4.0 is in Development, but the log never records it entering a stage"],
    }
