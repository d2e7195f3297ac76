"""Eight processes race on one model (both backends): one outcome per contested step, one Production, chain intact.

The racers are spawned once per module (a pool of RACERS workers) and meet at a barrier before each write,
so every race really starts all writes at once; each worker takes exactly one task per race because no
task can finish before all RACERS have reached the barrier.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from multiprocessing.pool import Pool
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from regtui.domain.entry import Stage
from regtui.services import audit
from tests.workflow import racers
from tests.workflow.conftest import MODEL, PRODUCTION_EVIDENCE, World

RACERS = 8
RACE_TIMEOUT_S = 180.0
pytestmark = pytest.mark.slow
Race = tuple[Pool, Barrier]


@pytest.fixture(scope="module")
def race_pool() -> Iterator[Race]:
    """RACERS spawned worker processes sharing one start barrier."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(RACERS)
    with context.Pool(RACERS, initializer=racers.init_worker, initargs=(start,)) as pool:
        yield pool, start


def _race(
    race: Race, world: World, tmp_path: Path, plan: list[tuple[str, str, str]]
) -> tuple[list[tuple[str, str]], int]:
    """Run one write per (action, identity, target) at once; returns the outcomes and the most Production seen."""
    pool, start = race
    assert len(plan) == RACERS
    start.reset()
    caches = [tmp_path / f"racer-{i}.db" for i in range(RACERS)]
    _warm_caches(world, caches)
    tasks = [
        racers.Racer(action, world.url_for(identity), identity, str(cache), target)
        for cache, (action, identity, target) in zip(caches, plan)
    ]
    pending = pool.map_async(racers.run, tasks)
    most = 0
    deadline = time.monotonic() + RACE_TIMEOUT_S
    while not pending.ready() and time.monotonic() < deadline:
        most = max(most, _production_count(world))
        time.sleep(0.005)
    return pending.get(timeout=1), max(most, _production_count(world))


def _warm_caches(world: World, paths: list[Path]) -> None:
    """Give every racer a synced copy of the world's cache, so its pull after the write copies only the race's rows."""
    world.service("frank").sync()
    with closing(sqlite3.connect(world.cache_path)) as source:
        for path in paths:
            with closing(sqlite3.connect(path)) as target:
                source.backup(target)


def _production_count(world: World) -> int:
    """How many churn versions are in Production right now."""
    rows = world.rows("SELECT count(*) FROM model_version WHERE model = :m AND stage = 'Production'", m=MODEL)
    return int(rows[0][0])


def _intact(world: World) -> bool:
    """Whether the registry's hash chain verifies end to end."""
    return audit.verify_audit_chain(world.service("frank"))[1] is None


def test_racing_applies_of_one_production_promotion_apply_exactly_once(
    race_pool: Race, world: World, tmp_path: Path
) -> None:
    """Eight releasers applying the same gated Canary -> Production: one applies, seven get a conflict naming who."""
    world.production_request("1.2.0")
    before = world.log_length()
    outcomes, most = _race(race_pool, world, tmp_path, [("apply", "dave", "1.2.0")] * RACERS)
    assert outcomes.count(("done", "applied")) == 1
    conflicts = [detail for kind, detail in outcomes if kind == "ConflictError"]
    assert len(conflicts) == RACERS - 1
    assert all(c.startswith("churn@1.2.0 moved to Production by dave at ") for c in conflicts)
    assert most == 1 and world.stage("1.2.0") == "Production" and world.stage("1.1.0") == "Archived"
    assert [(e.kind, e.version) for e in world.events(before)] == [("replaced", "1.1.0"), ("promote", "1.2.0")]
    assert _intact(world)


def test_racing_approvals_lose_none_and_duplicate_none(race_pool: Race, world: World, tmp_path: Path) -> None:
    """Two processes each for alice, erin, bob, carol approve at once: each capacity filled once, no identity twice."""
    request = world.promote("alice", "1.2.0", Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE).request_id
    plan = [("approve", who, str(request)) for who in ("alice", "erin", "bob", "carol") for _ in range(2)]
    outcomes, _ = _race(race_pool, world, tmp_path, plan)
    recorded = world.rows("SELECT identity, capacity FROM approval WHERE request_id = :r ORDER BY id", r=request)
    successes = sorted(step[1] for step, (kind, _detail) in zip(plan, outcomes) if kind == "done")
    assert sorted(identity for identity, _ in recorded) == successes
    assert len(recorded) == 3 and len({identity for identity, _ in recorded}) == 3
    assert {capacity for _, capacity in recorded} == {"owner", "stakeholder:product", "reviewer"}
    assert ("alice", "owner") in recorded and ("erin", "stakeholder:product") in recorded
    refusals = [detail for kind, detail in outcomes if kind != "done"]
    assert len(refusals) == RACERS - 3 and all(kind == "RuleError" for kind, _ in outcomes if kind != "done")
    assert Counter(e.kind for e in world.events() if e.details.get("request") == request)["approve"] == 3
    assert world.promote("dave", "1.2.0", Stage.PRODUCTION).applied
    assert _intact(world)


def test_rollbacks_racing_a_promotion_never_leave_two_production_versions(
    race_pool: Race, world: World, tmp_path: Path
) -> None:
    """Four rollbacks to 1.0.0 race four applies of 1.2.0: at most one Production at every commit, log consistent.

    The apply wins only if it commits before the first rollback: after a rollback the archival checklist
    was ticked for a version no longer in Production, so the promotion stays pending.
    """
    world.production_request("1.2.0")
    stages, before = world.stages(), world.log_length()
    plan = [("rollback", "dave", "1.0.0"), ("apply", "dave", "1.2.0")] * (RACERS // 2)
    outcomes, most = _race(race_pool, world, tmp_path, plan)
    applied = [o for o in outcomes if o == ("done", "applied")]
    rolled_back = [o for o in outcomes if o[0] == "done" and o[1].startswith("rolled back")]
    assert len(applied) <= 1 and 1 <= len(rolled_back) <= 2
    assert all(kind in ("ConflictError", "RuleError") for kind, _ in outcomes if kind != "done")
    assert most == 1
    by_commit: dict[int, list[tuple[str, str]]] = {}
    for entry in world.events(before):
        by_commit.setdefault(entry.change_seq, []).append((entry.version, entry.to_stage))
    for changes in by_commit.values():
        for version, stage in changes:
            stages[version] = stage
        assert list(stages.values()).count("Production") == 1
    assert stages == world.stages()
    kinds = Counter(e.kind for e in world.events(before))
    assert (kinds["promote"], kinds["rollback"], kinds["replaced"]) == (
        len(applied),
        len(rolled_back),
        len(applied) + len(rolled_back),
    )
    assert _intact(world)
