"""The Core write path: batched log appends keep the chain whole, and reads name what is missing (both backends)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from regtui.config import Locations
from regtui.domain.entry import Stage
from regtui.errors import ConflictError, NotFoundError, RegistryUnavailableError
from regtui.services import audit, promotion
from regtui.store import engine as engine_module
from regtui.store import promotions
from regtui.store.engine import writer
from regtui.store.facts import reads_before_transaction, version_artifacts
from regtui.store.log import NewEvent, append_event, append_events, row_to_entry
from regtui.store.schema import next_change
from tests.workflow.conftest import ADMIN, MODEL, LocalService, World

AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_a_batch_appended_after_a_single_entry_in_one_transaction_continues_the_chain(world: World) -> None:
    """One entry, then a batch of two, in one transaction: consecutive positions, each linked to the one before."""
    before = world.log_length()
    with Session(writer(world.service(ADMIN).registry())) as session:
        seq = next_change(session)
        append_event(session, seq=seq, kind="note", actor=ADMIN, at=AT, details={"n": 1})
        append_events(
            session,
            [NewEvent("note", MODEL, None, None, None, {"n": 2}), NewEvent("note", details={"n": 3})],
            seq=seq,
            actor=ADMIN,
            at=AT,
        )
        session.commit()
    entries = world.events(before - 1)
    assert [e.position for e in entries] == list(range(before, before + 4))
    for previous, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == previous.hash
        assert row_to_entry(entry).digest() == entry.hash
    assert [e.details for e in entries[1:]] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert {e.change_seq for e in entries[1:]} == {seq}
    assert audit.verify_audit_chain(world.service(ADMIN)) == (before + 3, None)


def test_an_empty_batch_writes_nothing(world: World) -> None:
    """Appending no entries leaves the log as it was."""
    before = world.log_length()
    with Session(writer(world.service(ADMIN).registry())) as session:
        append_events(session, [], seq=next_change(session), actor=ADMIN, at=AT)
        session.commit()
    assert world.log_length() == before


@pytest.mark.parametrize(
    ("model", "version", "message"),
    [
        (MODEL, "9.9.9", f"{MODEL} has no version 9.9.9"),
        ("no-such-model", "1.0.0", "no model named 'no-such-model'"),
    ],
)
def test_verifying_an_unknown_version_names_what_is_missing(
    world: World, model: str, version: str, message: str
) -> None:
    """The one-query artifact read still tells a missing model from a missing version."""
    with pytest.raises(NotFoundError, match=message):
        promotion.verify_version(world.service(ADMIN), model, version)


def test_an_applied_promotion_whose_writes_fail_writes_nothing_and_the_next_one_applies(world: World) -> None:
    """The apply's writes fail as a whole (the write transaction rolls back): nothing is written, and the next
    promotion on the same pooled connection applies."""
    world.production_request("1.2.0")
    _refuse_promotion_entries(world, refuse=True)
    before = world.snapshot()
    with pytest.raises((ConflictError, DBAPIError), match="no promotion entries today"):
        world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert world.snapshot() == before
    _refuse_promotion_entries(world, refuse=False)
    assert world.promote("dave", "1.2.0", Stage.PRODUCTION).applied
    assert (world.stage("1.2.0"), world.stage("1.1.0")) == ("Production", "Archived")
    assert audit.verify_audit_chain(world.service(ADMIN))[1] is None


def _refuse_promotion_entries(world: World, *, refuse: bool) -> None:
    """A trigger (added or dropped) that makes appending a promotion's log entry fail, as a registry fault would."""
    if not world.is_pg:
        world.execute(
            "CREATE TRIGGER refuse_promote BEFORE INSERT ON event WHEN NEW.kind = 'promote' "
            "BEGIN SELECT RAISE(ABORT, 'no promotion entries today'); END"
            if refuse
            else "DROP TRIGGER refuse_promote"
        )
        return
    if not refuse:
        world.execute("DROP TRIGGER refuse_promote ON event")
        return
    world.execute(
        "CREATE FUNCTION refuse_promote() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'no promotion entries today'; END $$"
    )
    world.execute(
        "CREATE TRIGGER refuse_promote BEFORE INSERT ON event FOR EACH ROW WHEN (NEW.kind = 'promote') "
        "EXECUTE FUNCTION refuse_promote()"
    )


def test_a_pooled_postgresql_connection_dropped_while_idle_is_replaced_at_checkout(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pre-ping on every checkout: a connection idle past the threshold is pinged, and a dead one replaced."""
    if not world.is_pg:
        pytest.skip("the idle ping is PostgreSQL's (SQLite has no server to drop a connection)")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)
    engine = world.service("dave").registry()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    world.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'dave'")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT session_user")).scalar_one() == "dave"


def test_a_postgresql_connection_dropped_before_the_artifact_read_reports_the_registry_unreachable(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A promotion whose pooled connection died (not pinged: used within the idle threshold) fails on its artifact
    read with the one-line unreachable error, not with an error from putting the dead connection back to
    transactions; nothing is written, and the next promotion applies."""
    if not world.is_pg:
        pytest.skip("SQLite has no server to drop a connection")
    world.production_request("1.2.0")
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 3600.0)
    with writer(world.service("dave").registry()).connect() as connection:
        connection.execute(text("SELECT 1"))
    world.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'dave'")
    before = world.snapshot()
    with pytest.raises(RegistryUnavailableError, match="registry unreachable"):
        world.promote("dave", "1.2.0", Stage.PRODUCTION)
    assert world.snapshot() == before
    assert world.promote("dave", "1.2.0", Stage.PRODUCTION).applied


def test_a_production_promotion_reads_its_artifacts_outside_a_transaction_then_writes_in_one(world: World) -> None:
    """The artifact records are read on the write's own connection before its transaction (no lock held while the
    artifacts are hashed: another writer commits meanwhile); the transaction after is a real one (rolled back,
    its write is gone)."""
    registry = world.service(ADMIN).registry()
    with writer(registry).connect() as connection:
        with reads_before_transaction(connection) as reading:
            assert [a.name for a in version_artifacts(reading, MODEL, "1.2.0")]
        with writer(registry).begin() as other:
            other.execute(text("UPDATE change_counter SET value = value + 1 WHERE id = 1"))
        before = world.snapshot()
        transaction = connection.begin()
        connection.execute(
            text("UPDATE model_version SET canary_share = 7 WHERE model = :model AND version = '1.2.0'"),
            {"model": MODEL},
        )
        transaction.rollback()
    assert world.snapshot() == before


def test_a_production_apply_refuses_a_verification_of_other_artifact_records(world: World) -> None:
    """The transaction checks that the results it is given were verified against the records it applies: another
    version's verification (same artifact names, other checksums) leaves the request pending: no stage change, no
    log entry."""
    world.production_request("1.2.0")
    other = promotion.verify_version(world.service(ADMIN), MODEL, "1.1.0")
    entries = world.log_length()
    with writer(world.service("dave").registry()).begin() as connection:
        outcome = promotions.promote(
            connection,
            actor="dave",
            model=MODEL,
            version="1.2.0",
            to_stage=Stage.PRODUCTION,
            now=AT,
            verification=other,
        )
    assert not outcome.applied and outcome.missing == ["artifacts verified"]
    assert "verified against another record" in next(c.detail for c in outcome.gate.checks if not c.passed)
    assert (world.stage("1.2.0"), world.stage("1.1.0"), world.log_length()) == ("Canary", "Production", entries)


def test_a_production_promotion_takes_its_time_after_hashing_its_artifacts(world: World) -> None:
    """promote_on reads the clock once the artifacts are re-hashed: the stage change is stamped after the hashing."""
    world.production_request("1.2.0")
    order: list[str] = []

    def clock() -> datetime:
        """AT, noting when it was read."""
        order.append("clock")
        return AT

    with writer(world.service("dave").registry()).connect() as connection:
        outcome = promotion.promote_on(
            connection,
            actor="dave",
            model=MODEL,
            version="1.2.0",
            to_stage=Stage.PRODUCTION,
            clock=clock,
            on_bytes=lambda _count: order.append("bytes"),
        )
    assert outcome.applied
    assert order[-1] == "clock" and order.count("clock") == 1 and "bytes" in order


def _registry_statements(world: World, identity: str) -> list[str]:
    """The statements the identity's registry engine runs from now on (a list that fills as they run)."""
    statements: list[str] = []
    event.listen(world.service(identity).registry(), "before_cursor_execute", lambda *a: statements.append(a[2]))
    return statements


def _artifact_reads(statements: list[str]) -> list[str]:
    """The statements that read a version's artifact records before a promotion's transaction."""
    return [s for s in statements if s.lstrip().startswith("SELECT artifact.name")]


def test_a_production_promotion_on_a_server_hashes_the_records_the_cache_holds(world: World) -> None:
    """The cache holds the version (records are immutable once registered): on PostgreSQL the hashing before the
    transaction reads them there and the registry sees no artifact read; a SQLite registry file, as cheap to read as
    the cache, is read. Either way the promotion applies."""
    world.production_request("1.2.0")
    world.service("dave").sync()
    statements = _registry_statements(world, "dave")
    assert world.promote("dave", "1.2.0", Stage.PRODUCTION).applied
    assert statements and len(_artifact_reads(statements)) == (0 if world.is_pg else 1)


def test_a_cache_without_the_version_leaves_the_artifact_read_to_the_registry(world: World, tmp_path: Path) -> None:
    """A cache that has not synced the version yet (here: a new one) has no records: they are read from the registry
    before the transaction, and the promotion applies."""
    world.production_request("1.2.0")
    service = LocalService(Locations(world.url_for("dave"), tmp_path / "new-cache.db"), identity="dave")
    statements: list[str] = []
    event.listen(service.registry(), "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        assert promotion.promote(service, MODEL, "1.2.0", Stage.PRODUCTION).applied
    finally:
        service.close()
    assert len(_artifact_reads(statements)) == 1


@pytest.mark.parametrize("tampered", ["uri", "sha256"])
def test_a_cached_record_unlike_the_registrys_does_not_pass_the_gate(
    world: World, tmp_path: Path, tampered: str
) -> None:
    """A cache whose record of an artifact differs from the registry's (another file with the same bytes, or another
    checksum): on PostgreSQL, where the promotion hashes the cache's records, the gate compares each with the one the
    transaction reads and the promotion stays pending, nothing written; on SQLite the registry's records are hashed
    and it applies."""
    world.production_request("1.2.0")
    world.service("dave").sync()
    copy = tmp_path / "copy.bin"
    copy.write_bytes(world.artifact_path("1.2.0").read_bytes())
    value = copy.as_uri() if tampered == "uri" else "0" * 64
    with sqlite3.connect(world.cache_path) as cache:
        cache.execute(
            f"UPDATE artifact SET {tampered} = ? WHERE version_id = "
            "(SELECT id FROM model_version WHERE model = ? AND version = '1.2.0')",
            (value, MODEL),
        )
    entries = world.log_length()
    outcome = world.promote("dave", "1.2.0", Stage.PRODUCTION)
    if not world.is_pg:
        assert outcome.applied and world.stage("1.2.0") == "Production"
        return
    assert not outcome.applied and outcome.missing == ["artifacts verified"]
    detail = next(c.detail for c in outcome.gate.checks if not c.passed)
    assert f"verified against another record ({tampered} " in detail
    assert (world.stage("1.2.0"), world.stage("1.1.0"), world.log_length()) == ("Canary", "Production", entries)


def test_a_cache_that_cannot_be_opened_has_no_records_to_offer(world: World, tmp_path: Path) -> None:
    """The cache's records are an offer, not a requirement: a cache path that cannot be opened (here a folder) gives
    none, and the promotion's hashing reads the registry's."""
    service = LocalService(Locations(world.url_for("dave"), tmp_path), identity="dave")
    try:
        assert promotion.cached_records(service)(MODEL, "1.2.0") is None
    finally:
        service.close()
