"""The one write transaction (both backends): all or nothing, dry runs, refusals as typed errors, prepared
statements."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from regtui.config import Locations
from regtui.domain.entry import Stage
from regtui.errors import ConflictError, RegtuiError, RuleError
from regtui.services import promotion
from regtui.services.registry import RegistryService
from regtui.store.facts import version_artifacts
from regtui.store.log import NewEvent, append_event_rows
from regtui.store.provider_tables import ProviderVersionRow
from regtui.store.schema import NEXT_CHANGE
from regtui.store.tables import ArtifactRow, UserRow, VersionRow
from regtui.store.transaction import writing, writing_session
from tests.workflow.conftest import ADMIN, MODEL, World

PSYCOPG_DEFAULT_THRESHOLD = 5
AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
PROVIDER_VERSION = {
    "provider": "openai",
    "version": "gpt-x-2026-01-01",
    "model": "gpt-x",
    "impact": "",
    "notes": "",
    "deprecation_note": "",
    "first_seen_at": AT,
    "recorded_by": ADMIN,
    "change_seq": 1,
}


class Interrupted(Exception):
    """A failure raised in the middle of a write."""


def _copy(table: str, columns: list[str], where: str) -> str:
    """An INSERT copying a row of a table into the same table (every column but the id)."""
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) SELECT {names} FROM {table} WHERE {where}"


VERSION_COLUMNS = [c.name for c in VersionRow.__table__.columns if c.name != "id"]
ARTIFACT_COLUMNS = [c.name for c in ArtifactRow.__table__.columns if c.name != "id"]
REFUSALS: dict[str, tuple[list[str], type[RegtuiError], str]] = {
    "uq_one_production": (
        ["UPDATE model_version SET stage = 'Production' WHERE model = 'churn' AND version = '1.3.0'"],
        ConflictError,
        "another version of this model is already in Production",
    ),
    "uq_model_version": (
        [_copy("model_version", VERSION_COLUMNS, "model = 'churn' AND version = '1.4.0'")],
        ConflictError,
        "this version is already registered",
    ),
    "uq_artifact_name": (
        [_copy("artifact", ARTIFACT_COLUMNS, "id = (SELECT min(id) FROM artifact)")],
        ConflictError,
        "already records an artifact of that name",
    ),
    "regtui:immutable": (
        ["UPDATE model_version SET owner = 'mallory' WHERE model = 'churn' AND version = '1.4.0'"],
        RuleError,
        "registered version fields are immutable",
    ),
    "regtui:never-deleted": (
        ["DELETE FROM model_version WHERE model = 'churn' AND version = '1.4.0'"],
        RuleError,
        "registered versions are never deleted",
    ),
    "regtui:append-only": (
        ["UPDATE event SET actor = 'mallory' WHERE position = 1"],
        RuleError,
        "event rows are append-only",
    ),
}


def test_a_failure_in_the_middle_of_a_write_leaves_nothing(world: World) -> None:
    """Counter taken, a stage changed and a log entry appended, then a failure: none of it is in the registry."""
    before = world.snapshot()
    with pytest.raises(Interrupted), writing(world.engine()) as connection:
        seq = int(connection.execute(NEXT_CHANGE).scalar_one())
        connection.execute(
            text(
                "UPDATE model_version SET stage = 'Staging', change_seq = :seq WHERE model = :m AND version = '1.4.0'"
            ),
            {"seq": seq, "m": MODEL},
        )
        append_event_rows(connection, [NewEvent("note", MODEL, "1.4.0")], seq=seq, actor=ADMIN, at=AT)
        raise Interrupted
    assert world.snapshot() == before


def test_a_dry_run_writes_nothing_and_a_committed_write_stays(world: World) -> None:
    """commit=False rolls back what the block wrote; the default commits it."""
    before = world.snapshot()
    with writing(world.engine(), commit=False) as connection:
        connection.execute(NEXT_CHANGE)
    assert world.snapshot() == before
    with writing(world.engine()) as connection:
        connection.execute(NEXT_CHANGE)
    assert world.snapshot()[1] == before[1] + 1


def test_an_orm_session_writes_in_the_same_transaction(world: World) -> None:
    """writing_session flushes its pending rows at the end of the block; a failure first leaves nothing."""
    before = world.snapshot()
    with pytest.raises(Interrupted), writing_session(world.engine()) as session:
        session.add(UserRow(identity="zoe", roles=["reviewer"], teams=[], change_seq=before[1]))
        session.flush()
        raise Interrupted
    assert world.snapshot() == before
    with writing_session(world.engine()) as session:
        session.add(UserRow(identity="zoe", roles=["reviewer"], teams=[], change_seq=before[1]))
    assert world.rows("SELECT identity FROM registry_user WHERE identity = 'zoe'") == [("zoe",)]


@pytest.mark.parametrize("code", list(REFUSALS))
def test_each_refusal_of_the_database_is_its_typed_error(world: World, code: str) -> None:
    """Every named constraint and trigger of the registry comes out as its typed error, the same on both backends,
    and nothing is written."""
    statements, error, message = REFUSALS[code]
    before = world.snapshot()
    with pytest.raises(error, match=f"^refused by the registry: .*{message}"), writing(world.engine()) as connection:
        for statement in statements:
            connection.execute(text(statement))
    assert world.snapshot() == before


def test_a_second_record_of_a_provider_version_is_a_conflict(world: World) -> None:
    """uq_provider_version: the same provider version recorded twice."""
    table = ProviderVersionRow.__table__
    before = world.snapshot()
    with (
        pytest.raises(ConflictError, match="this provider version is already recorded"),
        writing(world.engine()) as connection,
    ):
        connection.execute(insert(table), [PROVIDER_VERSION, PROVIDER_VERSION])
    assert world.snapshot() == before


def test_a_refusal_reaches_the_service_as_its_typed_error(world: World) -> None:
    """RegistryService.writing (every write of the services) raises the same typed error."""
    with (
        pytest.raises(RuleError, match="registered version fields are immutable"),
        world.service(ADMIN).writing() as session,
    ):
        session.connection().execute(text(REFUSALS["regtui:immutable"][0][0]))


@pytest.mark.parametrize("threshold", [None, 0], ids=["default", "prepare"])
def test_postgresql_prepares_statements_only_when_the_setting_asks(
    world: World, tmp_path: Path, threshold: int | None
) -> None:
    """By default no statement is prepared on the connection a promotion and repeated reads ran on (PgBouncer in
    transaction mode works), not even after psycopg's own threshold; with prepare_threshold set, they are."""
    if not world.is_pg:
        pytest.skip("prepared statements are PostgreSQL's")
    world.production_request("1.2.0")
    service = RegistryService(Locations(world.url_for("dave"), tmp_path / "dave.db", prepare_threshold=threshold))
    try:
        with service.registry().connect() as connection:
            outcome = promotion.promote_on(
                connection, actor="dave", model=MODEL, version="1.2.0", to_stage=Stage.PRODUCTION, clock=service.clock
            )
            for _ in range(PSYCOPG_DEFAULT_THRESHOLD + 1):  # psycopg's own default would prepare this read
                version_artifacts(connection, MODEL, "1.2.0")
            prepared = connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
    finally:
        service.close()
    assert outcome.applied
    assert (prepared > 0) == (threshold is not None)
