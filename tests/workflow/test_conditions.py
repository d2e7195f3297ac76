"""Conditions of a promotion (both backends): given with --condition, shown in the approval queue, bound to the
approvals like the rest of the reviewed evidence, and written to the promotion's log entry."""

from __future__ import annotations

from pathlib import Path

import yaml

from regtui.services import audit
from tests.workflow.conftest import PRODUCTION_EVIDENCE, World, WorldCli

CONDITIONS = ["roll back if error_rate exceeds 0.01 in week one", "re-review after the Q3 data refresh"]


def test_conditions_reach_the_queue_and_the_log_entry(world: World, cli_as: WorldCli, tmp_path: Path) -> None:
    """Two --condition options: the queue lists them (JSON and table); the applied promotion's entry records them."""
    evidence = tmp_path / "canary.yaml"
    evidence.write_text(yaml.safe_dump(PRODUCTION_EVIDENCE), encoding="utf-8")
    options = [item for text in CONDITIONS for item in ("--condition", text)]
    pending = cli_as("alice", "promote", "churn@1.2.0", "--to", "Production", "--evidence", evidence, *options)
    assert pending.code == 3
    (queued,) = cli_as("bob", "requests", "--json").json()
    assert queued["conditions"] == CONDITIONS
    table = cli_as("bob", "requests").out
    assert "CONDITIONS" in table.splitlines()[0] and "re-review after the Q3" in table
    for who in ("alice", "erin", "bob"):
        world.decide(who, queued["id"])
    applied = cli_as("dave", "promote", "churn@1.2.0", "--to", "Production")
    assert applied.code == 0, applied.err
    promoted = next(e for e in reversed(world.events()) if e.kind == "promote")
    assert promoted.details["conditions"] == CONDITIONS
    world.service("dave").sync()
    entry = audit.read_entry(world.service("dave"), promoted.position)  # what the audit entry view shows
    assert entry is not None
    assert (0, "conditions", ", ".join(CONDITIONS)) in [(line.depth, line.key, line.value) for line in entry.details]


def test_new_conditions_void_earlier_approvals(world: World, cli_as: WorldCli) -> None:
    """Approvals bind to the conditions: changing them asks the approvers again."""
    world.production_request("1.2.0")
    changed = cli_as("alice", "promote", "churn@1.2.0", "--to", "Production", "--condition", "only EU traffic")
    assert changed.code == 3
    assert "owner approval" in changed.err and "second reviewer" in changed.err


def test_a_blank_or_multi_line_condition_is_refused(world: World, cli_as: WorldCli) -> None:
    """One line, exit 2, naming the argument; nothing written."""
    before = world.snapshot()
    for bad in ("  ", "two\nlines"):
        result = cli_as("alice", "promote", "churn@1.2.0", "--to", "Production", "--condition", bad)
        assert result.code == 2 and len(result.err_lines) == 1
        assert result.err_lines[0].startswith("regtui: --condition: conditions[1]: expected one non-empty line")
    assert world.snapshot() == before
