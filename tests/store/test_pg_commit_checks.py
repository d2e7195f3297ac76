"""PostgreSQL's commit-time checks (regtui.store.pg_rules.commit_checks) on their own: a login that holds write grants
on the tables themselves (so no view trigger stands in the way) is refused at COMMIT, with each check's own text,
SQLSTATE and constraint name, and a promotion whose gate the database confirms commits."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine

from regtui.config import Locations
from regtui.domain.approvals import OWNER, REVIEWER, evidence_digest
from regtui.services.registry import RegistryService
from regtui.store import pg_security
from regtui.store.db_errors import NOT_ALLOWED
from regtui.store.pg_rules import CHECKS_INDEX
from tests.factories import version_manifest, write_manifest
from tests.pg_server import connect_admin, create_pg_role, libpq_url

MODEL = "churn"
EMPTY_DIGEST = evidence_digest({})
SEQ = "(SELECT value FROM change_counter WHERE id = 1)"
TAKE_COUNTER = "UPDATE change_counter SET value = value + 1 WHERE id = 1"
PEOPLE = {
    "requester": (["contributor"], []),
    "reviewer": (["reviewer"], []),
    "owner": (["viewer"], ["team-risk"]),
    "lead": (["reviewer"], ["team-risk"]),
}


@dataclass
class Registry:
    """A registry initialised by the superuser, with a login that writes the tables directly (`writer`)."""

    url: str
    writer_url: str
    people: dict[str, str]

    def admin(self, statement: str, params: tuple[object, ...] = ()) -> object:
        """Run one statement as the superuser (whose writes the checks skip); return its first value, if any."""
        with connect_admin(self.url) as connection:
            cursor = connection.execute(statement, params)
            row = cursor.fetchone() if cursor.description else None
            return row[0] if row else None

    def commit_as_writer(self, statements: list[str]) -> None:
        """Run the statements as the writer in one transaction and commit it."""
        with psycopg.connect(libpq_url(self.writer_url)) as connection:
            with connection.transaction():
                connection.execute(TAKE_COUNTER)
                for statement in statements:
                    connection.execute(statement)

    def refused(self, statements: list[str]) -> str:
        """Run the statements as the writer; assert the commit is refused as not allowed, return the message."""
        before = self.admin("SELECT value FROM change_counter")
        with pytest.raises(psycopg.Error) as refusal:
            self.commit_as_writer(statements)
        assert refusal.value.sqlstate == "42501", refusal.value
        assert refusal.value.diag.constraint_name == NOT_ALLOWED
        assert self.admin("SELECT value FROM change_counter") == before
        return str(refusal.value)

    def request(self, requested_by: str) -> int:
        """An open Canary -> Production request for 1.1.0 (written by the superuser); its id."""
        return int(
            str(
                self.admin(
                    "INSERT INTO promotion_request (model, version, from_stage, to_stage, status, requested_by, "
                    "requested_at, reason, evidence, change_seq) VALUES (%s, '1.1.0', 'Canary', 'Production', 'open', "
                    f"%s, now(), '', '{{}}', {SEQ}) RETURNING id",
                    (MODEL, self.people[requested_by]),
                )
            )
        )

    def decide(self, request_id: int, person: str, capacity: str, decision: str = "approve", digest: str = "") -> None:
        """A decision on the request by a person (written by the superuser), bound to a digest (default: {})."""
        self.admin(
            "INSERT INTO approval (request_id, identity, decision, capacity, comment, at, artifact_digest, "
            f"evidence_digest, change_seq) VALUES (%s, %s, %s, %s, '', now(), repeat('0', 64), %s, {SEQ})",
            (request_id, self.people[person], decision, capacity, digest or EMPTY_DIGEST),
        )


@pytest.fixture
def registry(pg_url: str, tmp_path: Path) -> Iterator[Registry]:
    """churn 1.0.0 in Production, 1.1.0 in Canary, 1.2.0 in Canary; registry users; a direct-writing login."""
    superuser = RegistryService(Locations(pg_url, tmp_path / "superuser-cache.db"))
    suffix = uuid.uuid4().hex[:8]
    people = {person: f"{person}_{suffix}" for person in PEOPLE}
    writer = f"writer_{suffix}"
    try:
        superuser.init()
        folder = tmp_path / "manifests"
        write_manifest(folder, {"kind": "registry", "models": [{"name": MODEL, "owner": "team-risk"}]}, "reg.yaml")
        version_manifest(folder, MODEL, "1.0.0", stage="Production")
        version_manifest(folder, MODEL, "1.1.0", parent="1.0.0", change_kind="retraining", stage="Canary")
        version_manifest(folder, MODEL, "1.2.0", parent="1.1.0", change_kind="retraining", stage="Canary")
        superuser.import_paths([folder])
        registry = Registry(pg_url, create_pg_role(pg_url, writer), people)
        for person, (roles, teams) in PEOPLE.items():
            registry.admin(
                f"INSERT INTO registry_user (identity, name, roles, teams, change_seq) VALUES (%s, %s, %s, %s, {SEQ})",
                (people[person], person, json.dumps(roles), json.dumps(teams)),
            )
        yield registry
    finally:
        superuser.close()
        with connect_admin(pg_url) as connection:
            connection.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(writer)))
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(writer)))


def stage(version: str, target: str) -> str:
    """The writer moves a version of churn to a stage."""
    return (
        f"UPDATE model_version SET stage = '{target}', stage_changed_by = session_user, change_seq = {SEQ} "
        f"WHERE model = '{MODEL}' AND version = '{version}'"
    )


def entry(kind: str, version: str, source: str, target: str, details: str = "{}") -> str:
    """The writer appends a log entry at the chain's tail (its hash is not checked at commit)."""
    return (
        "INSERT INTO event (position, kind, model, version, actor, at, from_stage, to_stage, details, prev_hash, hash, "
        f"change_seq) SELECT max(position) + 1, '{kind}', '{MODEL}', '{version}', session_user, now(), '{source}', "
        f"'{target}', '{details}', (SELECT hash FROM event ORDER BY position DESC LIMIT 1), repeat('a', 64), {SEQ} "
        "FROM event"
    )


def applied(request_id: int) -> str:
    """The writer marks a request applied."""
    return (
        "UPDATE promotion_request SET status = 'applied', closed_by = session_user, closed_at = now(), "
        f"change_seq = {SEQ} WHERE id = {request_id}"
    )


def promotion(request_id: int) -> list[str]:
    """The writer applies a Canary -> Production request for 1.1.0: 1.0.0 archived, 1.1.0 in, both logged."""
    return [
        stage("1.0.0", "Archived"),
        stage("1.1.0", "Production"),
        applied(request_id),
        entry("replaced", "1.0.0", "Production", "Archived"),
        entry("promote", "1.1.0", "Canary", "Production"),
    ]


def test_a_stage_change_needs_its_log_entry(registry: Registry) -> None:
    """A stage change with no log entry by its actor in the same change is refused."""
    message = registry.refused([stage("1.2.0", "Staging")])
    assert f"{MODEL}@1.2.0 moved to Staging without its log entry" in message


def test_a_move_the_stage_machine_lacks_is_refused_even_with_a_replaced_entry(registry: Registry) -> None:
    """Canary -> Development is no move: a 'replaced' entry for it does not stand in for its log entry."""
    statements = [stage("1.2.0", "Development"), entry("replaced", "1.2.0", "Canary", "Development")]
    assert f"{MODEL}@1.2.0 moved to Development without its log entry" in registry.refused(statements)


def test_a_promotion_needs_an_applied_request(registry: Registry) -> None:
    """A logged promotion to Production with no request applied in the same change is refused."""
    statements = [stage("1.0.0", "Archived"), stage("1.1.0", "Production")]
    statements += [
        entry("replaced", "1.0.0", "Production", "Archived"),
        entry("promote", "1.1.0", "Canary", "Production"),
    ]
    assert f"{MODEL}@1.1.0 moved to Production without an approved request" in registry.refused(statements)


def test_production_is_left_only_for_a_replacement(registry: Registry) -> None:
    """Archiving the Production version as replaced, with nothing entering Production, is refused."""
    statements = [stage("1.0.0", "Archived"), entry("replaced", "1.0.0", "Production", "Archived")]
    assert f"{MODEL}@1.0.0 left Production without a replacement" in registry.refused(statements)


def test_a_rollback_goes_only_to_a_former_production_version(registry: Registry) -> None:
    """Rolling back to an archived version that was never in Production is refused."""
    registry.admin(f"UPDATE model_version SET stage = 'Archived' WHERE model = '{MODEL}' AND version = '1.2.0'")
    statements = [stage("1.0.0", "Archived"), stage("1.2.0", "Production")]
    statements += [
        entry("replaced", "1.0.0", "Production", "Archived"),
        entry("rollback", "1.2.0", "Archived", "Production"),
    ]
    assert f"{MODEL}@1.2.0 was never in Production" in registry.refused(statements)


@pytest.mark.parametrize(
    ("kind", "details", "text"),
    [
        ("promote", "{}", "a promote log entry without the stage change it records"),
        ("approve", '{"request": 1}', "a approve log entry without the decision it records"),
        ("register", "{}", "a register log entry without the change it records"),
    ],
)
def test_a_log_entry_needs_the_change_it_records(registry: Registry, kind: str, details: str, text: str) -> None:
    """A log entry alone, of a stage change, a decision or another change, is refused."""
    assert text in registry.refused([entry(kind, "1.1.0", "Canary", "Production", details)])


def test_a_request_is_applied_only_with_its_stage_change(registry: Registry) -> None:
    """Marking a request applied without moving its version is refused."""
    request_id = registry.request("requester")
    assert f"request #{request_id} marked applied without its stage change" in registry.refused([applied(request_id)])


def test_a_request_is_rejected_only_with_a_rejection(registry: Registry) -> None:
    """Closing a request as rejected without a rejection by the closer is refused."""
    request_id = registry.request("requester")
    closing = (
        "UPDATE promotion_request SET status = 'rejected', closed_by = session_user, closed_at = now(), "
        f"change_seq = {SEQ} WHERE id = {request_id}"
    )
    assert f"request #{request_id} rejected without a rejection" in registry.refused([closing])


def test_a_request_s_evidence_changes_only_with_its_log_entry(registry: Registry) -> None:
    """Changing a request's evidence without an evidence log entry for it is refused."""
    request_id = registry.request("requester")
    change = (
        f"""UPDATE promotion_request SET evidence = '{{"slo": "ok"}}', change_seq = {SEQ} WHERE id = {request_id}"""
    )
    assert f"request #{request_id} evidence changed without its log entry" in registry.refused([change])


GATE_FAILURES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "no approval": ("requester", []),
    "no owner": ("requester", [("reviewer", REVIEWER, "approve")]),
    "the requester reviews": ("lead", [("lead", REVIEWER, "approve"), ("owner", OWNER, "approve")]),
    "the reviewer lacks the review right": ("requester", [("owner", REVIEWER, "approve"), ("lead", OWNER, "approve")]),
    "one person in both capacities": ("requester", [("lead", REVIEWER, "approve"), ("lead", OWNER, "approve")]),
    "the owner is not in the owning team": (
        "requester",
        [("lead", REVIEWER, "approve"), ("reviewer", OWNER, "approve")],
    ),
    "a current rejection": (
        "requester",
        [("reviewer", REVIEWER, "approve"), ("owner", OWNER, "approve"), ("lead", REVIEWER, "reject")],
    ),
}
"""Each case: who requests, then the decisions (person, capacity, decision) on the current evidence."""


@pytest.mark.parametrize("case", sorted(GATE_FAILURES))
def test_a_promotion_whose_gate_fails_is_refused(registry: Registry, case: str) -> None:
    """Each way the two-person gate can fail refuses the applied promotion at commit."""
    requester, decisions = GATE_FAILURES[case]
    request_id = registry.request(requester)
    for person, capacity, decision in decisions:
        registry.decide(request_id, person, capacity, decision)
    assert f"{MODEL}@1.1.0 moved to Production without an approved request" in registry.refused(promotion(request_id))


@pytest.mark.parametrize(("reviewer", "owner"), [("reviewer", "owner"), ("lead", "owner"), ("reviewer", "lead")])
def test_a_promotion_whose_gate_the_database_confirms_commits(registry: Registry, reviewer: str, owner: str) -> None:
    """A reviewer who is not the requester and an owner who is not the reviewer, on the current evidence: applied."""
    request_id = registry.request("requester")
    registry.decide(request_id, reviewer, REVIEWER)
    registry.decide(request_id, owner, OWNER)
    registry.commit_as_writer(promotion(request_id))
    version = f"SELECT stage FROM model_version WHERE model = '{MODEL}' AND version = '1.1.0'"
    assert registry.admin(version) == "Production"


def test_approvals_count_only_on_the_current_evidence(registry: Registry) -> None:
    """Approvals bound to the evidence before the request's last evidence log entry do not confirm the gate; bound to
    the digest that entry recorded, they do."""
    request_id = registry.request("requester")
    registry.decide(request_id, "reviewer", REVIEWER)
    registry.decide(request_id, "owner", OWNER)
    registry.admin(
        "INSERT INTO event (position, kind, model, version, actor, at, details, prev_hash, hash, change_seq) "
        f"SELECT max(position) + 1, 'evidence', '{MODEL}', '1.1.0', 'someone', now(), %s, repeat('a', 64), "
        f"repeat('b', 64), {SEQ} FROM event",
        (json.dumps({"request": request_id, "evidence_digest": "f" * 64}),),
    )
    assert "moved to Production without an approved request" in registry.refused(promotion(request_id))
    registry.decide(request_id, "reviewer", REVIEWER, digest="f" * 64)
    registry.decide(request_id, "owner", OWNER, digest="f" * 64)
    registry.commit_as_writer(promotion(request_id))


def test_the_owner_s_writes_are_not_queued_for_checks(registry: Registry) -> None:
    """The superuser (a member of every role, regtui_owner included) moves a stage without a log entry: no check."""
    registry.admin(f"UPDATE model_version SET stage = 'Staging' WHERE model = '{MODEL}' AND version = '1.2.0'")
    assert registry.admin(f"SELECT stage FROM model_version WHERE model = '{MODEL}' AND version = '1.2.0'") == "Staging"


def test_a_login_s_own_pg_has_role_does_not_turn_the_checks_off(registry: Registry) -> None:
    """A login that defines pg_has_role in a schema it puts before pg_catalog is still checked at commit."""
    own = "CREATE FUNCTION public.pg_has_role(name, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'"
    registry.commit_as_writer([own])
    message = registry.refused(["SET LOCAL search_path = public, pg_catalog", stage("1.2.0", "Staging")])
    assert f"{MODEL}@1.2.0 moved to Staging without its log entry" in message


def test_init_gives_an_existing_registry_the_current_rules(registry: Registry, tmp_path: Path) -> None:
    """Running init again (after an upgrade) replaces the rules' functions and adds the checks' index."""
    registry.admin(f"DROP INDEX {CHECKS_INDEX}")
    registry.admin(
        "CREATE OR REPLACE FUNCTION regtui_seq() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT 0::bigint $$"
    )
    service = RegistryService(Locations(registry.url, tmp_path / "again-cache.db"))
    try:
        service.init()
    finally:
        service.close()
    assert registry.admin(f"SELECT count(*) FROM pg_indexes WHERE indexname = '{CHECKS_INDEX}'") == 1
    assert registry.admin("SELECT regtui_seq() = value FROM change_counter") is True


def test_init_takes_from_public_the_right_to_create_in_the_data_schema(registry: Registry, tmp_path: Path) -> None:
    """PostgreSQL before 15 lets every login create objects in schema public, where its own function or operator
    could be picked over a built-in by the checking functions: init takes that right from PUBLIC, and says nothing
    more."""
    registry.admin("GRANT CREATE ON SCHEMA public TO PUBLIC")
    assert registry.admin("SELECT has_schema_privilege('public', 'public', 'CREATE')") is True
    service = RegistryService(Locations(registry.url, tmp_path / "again-cache.db"))
    try:
        message = service.init()
    finally:
        service.close()
    assert registry.admin("SELECT has_schema_privilege('public', 'public', 'CREATE')") is False
    assert "REVOKE" not in message


def test_a_login_that_may_not_take_the_right_says_what_to_run(registry: Registry) -> None:
    """A login that does not own schema public cannot take the right from PUBLIC (PostgreSQL only warns): the line it
    gets back names the statement its owner should run."""
    registry.admin("GRANT CREATE ON SCHEMA public TO PUBLIC")
    engine = create_engine(registry.writer_url)
    try:
        with engine.begin() as connection:
            assert pg_security.close_public_create(connection) == pg_security.PUBLIC_CREATE
    finally:
        engine.dispose()
    assert registry.admin("SELECT has_schema_privilege('public', 'public', 'CREATE')") is True
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC" in pg_security.PUBLIC_CREATE
