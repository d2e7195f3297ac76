"""The anchored log (both backends): a cut tail, a rewritten entry and a stage changed outside the log are each
reported by `audit verify`; every cache is a witness that refuses to follow a cut log; `audit head` and
`audit verify --expect` check the log against a record kept elsewhere."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.anchor import LogAnchor
from regtui.domain.entry import Stage
from regtui.store.cache import cache_witness, read_state
from regtui.store.log import row_to_entry
from regtui.store.tables import EventRow
from tests.workflow.conftest import MODEL, World, WorldCli


def _cut_tail(world: World, entries: int) -> None:
    """Delete the last entries of the log as the database owner, bypassing the append-only triggers."""
    world.drop_append_only_triggers("event")
    end = world.log_length()
    world.execute("DELETE FROM event WHERE position > :keep", keep=end - entries)


def test_audit_head_prints_the_last_position_and_hash(world: World, cli_as: WorldCli) -> None:
    """`audit head` prints POS:HASH of the registry's last entry; --json gives both fields."""
    last = world.events()[-1]
    result = cli_as("frank", "audit", "head")
    assert result.code == 0 and result.out.strip() == f"{last.position}:{last.hash}"
    assert cli_as("frank", "audit", "head", "--json").json() == {"position": last.position, "hash": last.hash}


def test_expect_matches_an_intact_log_and_catches_a_cut_tail(world: World, cli_as: WorldCli) -> None:
    """--expect with the recorded head passes; after the tail is cut it exits 1 naming the missing entry."""
    head = cli_as("frank", "audit", "head").out.strip()
    intact = cli_as("frank", "audit", "verify", "--expect", head)
    assert intact.code == 0 and intact.err == ""
    assert intact.out.splitlines()[-1] == f"the log still holds entry {head.split(':')[0]} as expected"
    _cut_tail(world, 2)
    cut = cli_as("frank", "audit", "verify", "--expect", head, "--json")
    assert cut.code == 1
    position, digest = head.split(":")
    assert cut.json()["expected"] == (
        f"the registry's promotion log ends at entry {int(position) - 2}, but the expected record saw entry "
        f"{position} (hash {digest[:12]}): entries were removed"
    )
    assert cut.json()["intact"] is True  # the chain that is left verifies: only an anchor sees the cut


def test_expect_mismatch_and_bad_format(world: World, cli_as: WorldCli) -> None:
    """Another hash at the position exits 1 naming both; a malformed record exits 2 in one line."""
    first = world.events()[0]
    wrong = cli_as("frank", "audit", "verify", "--expect", f"1:{'a' * 64}")
    assert wrong.code == 1
    assert wrong.err_lines[-1].startswith(
        f"regtui: the registry's promotion log entry 1 has hash {first.hash[:12]}, but the expected record saw "
        f"{'a' * 12}: the log was rewritten"
    )
    for bad in ("12", "x:" + "a" * 64, "3:abc", "0:" + "a" * 64):
        result = cli_as("frank", "audit", "verify", "--expect", bad)
        assert result.code == 2 and len(result.err_lines) == 1 and "expected POS:HASH" in result.err
    misplaced = cli_as("frank", "audit", "--expect", f"1:{'a' * 64}")
    assert misplaced.code == 2 and misplaced.err_lines == ["regtui: --expect goes with `audit verify`"]


def test_audit_verify_reports_a_cut_tail_through_the_cache_witness(world: World, cli_as: WorldCli) -> None:
    """A cache that saw the whole log makes `audit verify` exit 1 when the last entries are gone."""
    world.service("frank").sync()
    seen = cache_witness(world.service("frank").cache())
    assert seen is not None and seen.position == world.log_length()
    _cut_tail(world, 1)
    result = cli_as("frank", "audit", "verify", "--json")
    assert result.code == 1
    assert result.json()["witness"] == (
        f"the registry's promotion log ends at entry {seen.position - 1}, but this cache saw entry "
        f"{seen.position} (hash {seen.hash[:12]}): entries were removed"
    )


def test_a_sync_refuses_a_cut_tail_and_keeps_its_witness(world: World, cli_as: WorldCli) -> None:
    """`regtui sync` exits 1 with the reason, pulls nothing and keeps the witness, even once new entries fill the
    cut positions; the reason stays in the cache's state for the dashboard."""
    service = world.service("frank")
    service.sync()
    seen = cache_witness(service.cache())
    assert seen is not None
    _cut_tail(world, 1)
    world.promote("alice", "1.5.0", Stage.ARCHIVED, reason="card never completed")  # fills the cut position
    result = cli_as("frank", "sync")
    assert result.code == 1 and len(result.err_lines) == 1
    assert result.err.startswith(f"regtui: LOG ANCHOR BROKEN: the registry's promotion log entry {seen.position}")
    assert "the log was rewritten" in result.err and str(world.cache_path) in result.err
    assert cache_witness(service.cache()) == seen
    state = read_state(service.cache())
    assert state.anchor_break is not None and "rewritten" in state.anchor_break
    again = service.sync()
    assert again.anchor_break == state.anchor_break and again.total == 0
    versions = cli_as("frank", "versions", MODEL)
    assert versions.code == 0 and any("LOG ANCHOR BROKEN" in line for line in versions.err_lines)


def test_a_rewritten_last_entry_keeps_the_chain_but_not_the_anchor(world: World, cli_as: WorldCli) -> None:
    """The last entry rewritten with a recomputed hash leaves a chain that verifies; the witness names it."""
    world.service("frank").sync()
    with Session(world.engine()) as session:
        row = session.execute(select(EventRow).order_by(EventRow.position.desc()).limit(1)).scalar_one()
        forged = replace(row_to_entry(row), actor="mallory")
    world.drop_append_only_triggers("event")
    world.execute(
        "UPDATE event SET actor = 'mallory', hash = :h WHERE position = :p", h=forged.digest(), p=row.position
    )
    result = cli_as("frank", "audit", "verify", "--json")
    assert result.code == 1
    verdict = result.json()
    assert verdict["intact"] is True and verdict["head"] == LogAnchor(row.position, forged.digest()).text()
    assert verdict["witness"] == (
        f"the registry's promotion log entry {row.position} has hash {forged.digest()[:12]}, but this cache saw "
        f"{row.hash[:12]}: the log was rewritten"
    )


def test_a_stage_changed_outside_the_log_is_named(world: World, cli_as: WorldCli) -> None:
    """The owner archives the Canary version and puts 1.3.0 in Production by SQL: `audit verify` names both."""
    last_canary = max(e.position for e in world.events() if e.version == "1.2.0" and e.kind in ("register", "promote"))
    world.execute("UPDATE model_version SET stage = 'Archived' WHERE model = :m AND version = '1.2.0'", m=MODEL)
    world.execute("UPDATE model_version SET stage = 'Staging' WHERE model = :m AND version = '1.4.0'", m=MODEL)
    result = cli_as("frank", "audit", "verify")
    assert result.code == 1
    assert result.out.splitlines() == [
        f"  stage changed outside the log: churn@1.2.0 is in Archived, but the log leaves it in Canary "
        f"(entry {last_canary})",
        "  stage changed outside the log: churn@1.4.0 is in Staging, but the log leaves it in Development "
        f"(entry {_register_position(world, '1.4.0')})",
    ]
    assert result.err_lines == [
        f"regtui: stage changed outside the log: churn@1.2.0 is in Archived, but the log leaves it in Canary "
        f"(entry {last_canary}) (and 1 more problem(s), listed above)"
    ]


def _register_position(world: World, version: str) -> int:
    """The position of a churn version's registration entry."""
    return next(e.position for e in world.events() if e.version == version and e.kind == "register")
