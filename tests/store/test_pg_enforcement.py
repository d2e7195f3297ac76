"""PostgreSQL as the security boundary: logins with one registry role each cannot bypass the rules in plain SQL,
and every regtui flow still works for the logins that hold its rights, with the session user as the log's actor."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from regtui.config import Locations
from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.domain.policy import load_policy_text
from regtui.domain.providers import CheckName, FeedConfig, FeedFormat
from regtui.domain.roles import Right, Role, rights_of
from regtui.errors import NotAllowedError
from regtui.providers.feeds import FetchSettings
from regtui.services import admin, audit, promotion, providers
from regtui.services.registry import RegistryService
from regtui.store.pg_rules import ROW_CHECKS, move_rights, role_rights
from regtui.store.pg_security import API_SCHEMA, group_role
from regtui.store.schema import registry_tables
from tests.factories import version_manifest, write_manifest
from tests.pg_server import connect_admin, create_pg_role, libpq_url, replace_url_part
from tests.providers.feed_server import FeedServer, Reply
from tests.workflow.conftest import POLICY_YAML, PRODUCTION_EVIDENCE

MODEL = "churn"
PEOPLE: dict[str, tuple[list[Role], list[str]]] = {
    "viewer": ([Role.VIEWER], []),
    "contributor": ([Role.CONTRIBUTOR], []),
    "reviewer": ([Role.REVIEWER], []),
    "releaser": ([Role.RELEASER], []),
    "owner": ([Role.VIEWER], ["team-risk"]),
    "stakeholder": ([Role.VIEWER], ["product"]),
    "admin": ([Role.ADMIN], []),
}
ATTACKERS = ("viewer", "contributor", "reviewer", "releaser")


@dataclass
class Team:
    """A registry on PostgreSQL initialised by the superuser, with one login per person (unique names)."""

    url: str
    folder: Path
    logins: dict[str, str]
    services: dict[str, RegistryService] = field(default_factory=dict)

    def service(self, person: str) -> RegistryService:
        """A regtui service connected as the person's login."""
        if person not in self.services:
            url = replace_url_part(self.url, user=self.logins[person])
            self.services[person] = RegistryService(Locations(url, self.folder / f"{person}-cache.db"))
        return self.services[person]

    def connect(self, person: str) -> psycopg.Connection:
        """A plain psql-like connection as the person's login (not autocommit)."""
        return psycopg.connect(libpq_url(replace_url_part(self.url, user=self.logins[person])))

    def scalar(self, statement: str) -> object:
        """One value read as the superuser."""
        with connect_admin(self.url) as connection:
            row = connection.execute(statement).fetchone()
            return row[0] if row else None


@pytest.fixture
def team(pg_url: str, tmp_path: Path) -> Iterator[Team]:
    """churn 1.0.0 in Production, 1.1.0 and 1.2.0 in Canary, the test policy, and the people of PEOPLE."""
    suffix = uuid.uuid4().hex[:8]
    logins = {person: f"{person}_{suffix}" for person in PEOPLE}
    superuser = RegistryService(Locations(pg_url, tmp_path / "superuser-cache.db"))
    team = Team(pg_url, tmp_path, logins)
    try:
        superuser.init()
        folder = tmp_path / "manifests"
        registry = {"kind": "registry", "models": [{"name": MODEL, "owner": "team-risk"}]}
        write_manifest(folder, registry, "registry.yaml")
        version_manifest(folder, MODEL, "1.0.0", stage="Production")
        version_manifest(folder, MODEL, "1.1.0", parent="1.0.0", change_kind="retraining", stage="Canary")
        version_manifest(folder, MODEL, "1.2.0", parent="1.1.0", change_kind="retraining", stage="Canary")
        superuser.import_paths([folder])
        for person, (roles, teams) in PEOPLE.items():
            admin.add_user(superuser, logins[person], roles, teams, create_login=True)
        admin.set_registry_policy(team.service("admin"), load_policy_text(POLICY_YAML, "policy.yaml"))
        yield team
    finally:
        superuser.close()
        for service in team.services.values():
            service.close()
        _drop_logins(pg_url, list(logins.values()))


def _drop_logins(url: str, logins: list[str]) -> None:
    """Disconnect and drop the test's logins, with what they own and were granted in the test database."""
    with connect_admin(url) as connection:
        for login in logins:
            connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login,))
            role = sql.Identifier(login)
            if connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
                connection.execute(sql.SQL("DROP OWNED BY {}").format(role))
            connection.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))


def _open_production_request(team: Team, version: str = "1.1.0") -> int:
    """A Canary -> Production request by the contributor with its evidence, approved by nobody yet."""
    outcome = promotion.promote(
        team.service("contributor"), MODEL, version, Stage.PRODUCTION, evidence=PRODUCTION_EVIDENCE
    )
    assert not outcome.applied and outcome.request_id is not None
    return outcome.request_id


def _approve_all(team: Team, request_id: int) -> None:
    """The owner, the stakeholder and the reviewer approve."""
    for person in ("owner", "stakeholder", "reviewer"):
        promotion.decide(team.service(person), request_id, Decision.APPROVE, "read the canary report")


TAKE_COUNTER = "UPDATE change_counter SET value = value + 1 WHERE id = 1"
SEQ = "(SELECT value FROM change_counter WHERE id = 1)"
EVENT = (
    "INSERT INTO event (position, kind, model, version, actor, at, from_stage, to_stage, details, prev_hash, hash,"
    " change_seq) SELECT max(position) + 1, '{kind}', 'churn', '{version}', session_user, now(), '{source}',"
    " '{target}', '{{}}', (SELECT hash FROM event ORDER BY position DESC LIMIT 1), repeat('a', 64), "
    + SEQ
    + " FROM event"
)
STAGE = "UPDATE model_version SET stage = '{target}', stage_changed_by = session_user, change_seq = " + SEQ
BYPASSES: dict[str, list[str]] = {
    "archive the Production version": [
        STAGE.format(target="Archived") + " WHERE model = 'churn' AND version = '1.0.0'",
        EVENT.format(kind="replaced", version="1.0.0", source="Production", target="Archived"),
    ],
    "put another version in Production with no request": [
        STAGE.format(target="Archived") + " WHERE model = 'churn' AND version = '1.0.0'",
        STAGE.format(target="Production") + " WHERE model = 'churn' AND version = '1.1.0'",
        EVENT.format(kind="replaced", version="1.0.0", source="Production", target="Archived"),
        EVENT.format(kind="promote", version="1.1.0", source="Canary", target="Production"),
    ],
    "apply an open request its approvals do not carry": [
        STAGE.format(target="Archived") + " WHERE model = 'churn' AND version = '1.0.0'",
        STAGE.format(target="Production") + " WHERE model = 'churn' AND version = '1.1.0'",
        "UPDATE promotion_request SET status = 'applied', closed_by = session_user, closed_at = now(),"
        f" change_seq = {SEQ} WHERE status = 'open'",
        EVENT.format(kind="replaced", version="1.0.0", source="Production", target="Archived"),
        EVENT.format(kind="promote", version="1.1.0", source="Canary", target="Production"),
    ],
    "approve under another's name": [
        "INSERT INTO approval (request_id, identity, decision, capacity, comment, at, artifact_digest,"
        f" evidence_digest, change_seq) SELECT id, '{{other}}', 'approve', 'reviewer', 'ok', now(),"
        f" repeat('0', 64), repeat('0', 64), {SEQ} FROM promotion_request WHERE status = 'open'",
    ],
    "make oneself admin": [
        f"UPDATE registry_user SET roles = '[\"admin\"]', change_seq = {SEQ} WHERE identity = session_user",
    ],
    "mark a request applied": [
        "UPDATE promotion_request SET status = 'applied', closed_by = session_user, closed_at = now(),"
        f" change_seq = {SEQ} WHERE status = 'open'",
    ],
    "write a log entry": [EVENT.format(kind="promote", version="1.1.0", source="Canary", target="Production")],
    "write the table directly": ["UPDATE public.model_version SET stage = 'Archived' WHERE version = '1.0.0'"],
}


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_each_bypass_in_plain_sql_is_refused_by_the_database(team: Team, attacker: str) -> None:
    """Every bypass the issue found, tried as a viewer, contributor, reviewer and releaser login, is refused
    (by a missing privilege, a checking trigger or the commit-time check), and nothing changes."""
    _open_production_request(team)
    before = team.scalar("SELECT value FROM change_counter")
    for name, statements in BYPASSES.items():
        with team.connect(attacker) as connection:
            with pytest.raises(psycopg.Error) as refused:
                with connection.transaction():
                    connection.execute(TAKE_COUNTER)
                    for statement in statements:
                        connection.execute(statement.replace("{other}", team.logins["owner"]))
            assert refused.value.sqlstate == "42501", f"{name}: {refused.value}"
    assert team.scalar("SELECT value FROM change_counter") == before
    assert team.scalar("SELECT stage FROM model_version WHERE version = '1.0.0'") == "Production"
    assert team.scalar("SELECT count(*) FROM approval") == 0


def test_regtui_flows_work_for_the_logins_that_hold_the_rights(team: Team) -> None:
    """Request, approve, apply, a second promotion, a drill, a rollback, roles and policy, each by its login; the
    log's actor is always the session user."""
    start = int(team.scalar("SELECT max(position) FROM event"))
    request_id = _open_production_request(team)
    _approve_all(team, request_id)
    releaser = team.service("releaser")
    assert promotion.promote(releaser, MODEL, "1.1.0", Stage.PRODUCTION).applied
    second = _open_production_request(team, "1.2.0")
    _approve_all(team, second)
    assert promotion.promote(releaser, MODEL, "1.2.0", Stage.PRODUCTION).applied
    promotion.drill(releaser, MODEL)
    promotion.rollback(releaser, MODEL, "1.1.0", "INC-7")
    admin.set_roles(team.service("admin"), team.logins["viewer"], [Role.VIEWER], ["product"])
    admin.set_registry_policy(team.service("admin"), load_policy_text(POLICY_YAML, "policy.yaml"))
    assert team.scalar("SELECT version FROM model_version WHERE stage = 'Production'") == "1.1.0"
    with connect_admin(team.url) as connection:
        actors = connection.execute("SELECT kind, actor FROM event WHERE position > %s ORDER BY position", (start,))
        logged = actors.fetchall()
    by_login = {login: person for person, login in team.logins.items()}
    assert all(actor in by_login for _, actor in logged), logged
    assert [by_login[a] for k, a in logged if k in ("promote", "rollback", "drill")] == ["releaser"] * 4
    assert {by_login[a] for k, a in logged if k == "approve"} == {"owner", "stakeholder", "reviewer"}
    assert audit.verify_audit_chain(team.service("viewer"))[1] is None


def test_a_viewer_gets_the_rule_text_of_the_domain(team: Team) -> None:
    """regtui refuses first with the domain's sentence; the database refuses the same move on its own."""
    with pytest.raises(NotAllowedError, match="needs the"):
        admin.set_roles(team.service("releaser"), team.logins["releaser"], [Role.ADMIN])


def test_the_database_grants_rights_from_the_domain_table(team: Team) -> None:
    """For every role and right of regtui.domain.roles, the database's regtui_may agrees; so does its move table."""
    assert role_rights() == sorted((r.value, g.value) for r in Role for g in rights_of({r}))
    assert set(ROW_CHECKS) <= {table.name for table in registry_tables()}
    with connect_admin(team.url) as connection:
        for person, login in team.logins.items():
            roles = set(PEOPLE[person][0])
            for right in Right:
                held = connection.execute("SELECT regtui_may(%s, %s)", (login, right.value)).fetchone()[0]
                assert held == (right in rights_of(roles)), (person, right)
        for source, target, kind, right in move_rights():
            row = connection.execute("SELECT kind, right_name FROM regtui_move(%s, %s)", (source, target)).fetchone()
            assert row == (kind, right)


def test_logins_hold_their_group_roles_and_no_write_on_tables(team: Team) -> None:
    """users add grants the group roles; no login may write a registry table, only SELECT it; only the views whose
    triggers check the rows take writes (a table without checks stays read-only for logins)."""
    with connect_admin(team.url) as connection:
        for person, login in team.logins.items():
            for role in Role:
                member = connection.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (login, group_role(role)))
                assert member.fetchone()[0] == (role in PEOPLE[person][0])
            for table in registry_tables():
                privileges = (login, f"public.{table.name}", "INSERT, UPDATE, DELETE, TRUNCATE")
                writable = connection.execute("SELECT has_table_privilege(%s, %s, %s)", privileges).fetchone()[0]
                readable = connection.execute("SELECT has_table_privilege(%s, %s, 'SELECT')", privileges[:2])
                assert not writable and readable.fetchone()[0], (login, table.name)
            for table in registry_tables():
                view = f"{API_SCHEMA}.{table.name}"
                insert = connection.execute("SELECT has_table_privilege(%s, %s, 'INSERT')", (login, view))
                assert insert.fetchone()[0] == (table.name in ROW_CHECKS), (login, view)
            search_path = connection.execute(
                "SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = %s",
                (login,),
            )
            assert search_path.fetchone()[0] == [f"search_path={API_SCHEMA}, public"]


def test_provider_flows_work_for_their_logins_and_refuse_the_others(team: Team) -> None:
    """The admin login configures a feed, the contributor fetches it, the reviewer qualifies and assesses a version;
    a viewer's qualification is refused by regtui, and in plain SQL by the database."""
    with FeedServer() as server:
        url = server.serve("/changelog.json", Reply.fixture("regtui-changelog.json"))
        assert providers.add_feed(team.service("admin"), FeedConfig("acme", url, FeedFormat.REGTUI))
        (result,) = providers.fetch_feeds(team.service("contributor"), settings=FetchSettings(attempts=1))
    assert result.status == "updated", result
    version = "acme-chat-2025-09-15"
    reviewer = team.service("reviewer")
    providers.qualify(reviewer, "acme", version, CheckName.SAFETY, True, providers.evidence_of("red-team report"))
    assert providers.assess_version(reviewer, "acme", version, "longer context, same API", None)
    with pytest.raises(NotAllowedError):
        providers.qualify(team.service("viewer"), "acme", version, CheckName.SAFETY, True, providers.evidence_of("x"))
    with team.connect("viewer") as connection, pytest.raises(psycopg.Error) as refused:
        with connection.transaction():
            connection.execute(TAKE_COUNTER)
            connection.execute(
                "INSERT INTO qualification_check (provider, version, check_name, passed, evidence_kind, evidence,"
                f" recorded_by, recorded_at, change_seq) SELECT 'acme', '{version}', 'regression', true, 'note', 'ok',"
                f" session_user, now(), {SEQ}"
            )
    assert refused.value.sqlstate == "42501"
    recorded = team.scalar("SELECT recorded_by FROM qualification_check")
    assert recorded == team.logins["reviewer"]


def test_a_login_that_may_not_create_roles_is_told_what_to_run(pg_url: str, tmp_path: Path) -> None:
    """init by a plain login creates the schema as before and says in one line how to install the rules."""
    login = f"plain_{uuid.uuid4().hex[:8]}"
    url = create_pg_role(pg_url, login)
    service = RegistryService(Locations(url, tmp_path / "cache.db"))
    try:
        message = service.init()
    finally:
        service.close()
        _drop_logins(pg_url, [login])
    assert "database-enforced rules not installed" in message and "CREATE ROLE regtui_owner NOLOGIN" in message
    assert "\n" not in message


def test_attestation_conditions_retirement_and_provenance_work_for_their_logins(team: Team) -> None:
    """The later rules hold through the checked API too: a reviewer's fairness attestation, a request's conditions,
    retiring Production without a replacement (two-person rule, a reason), and a registration with provenance."""
    attested = promotion.attest(team.service("reviewer"), MODEL, "1.1.0", "fairness", "checked the gap table")
    assert attested is not None
    request_id = _open_production_request(team)
    conditions = {**PRODUCTION_EVIDENCE, "conditions": ["roll back if p95 latency exceeds 40 ms"]}
    promotion.promote(team.service("contributor"), MODEL, "1.1.0", Stage.PRODUCTION, evidence=conditions)
    _approve_all(team, request_id)
    assert promotion.promote(team.service("releaser"), MODEL, "1.1.0", Stage.PRODUCTION).applied
    retire = promotion.promote(
        team.service("contributor"), MODEL, "1.1.0", Stage.ARCHIVED, reason="customer churn model discontinued"
    )
    assert not retire.applied and retire.request_id is not None
    for person in ("owner", "reviewer"):
        promotion.decide(team.service(person), retire.request_id, Decision.APPROVE, "the model is discontinued")
    assert promotion.promote(team.service("releaser"), MODEL, "1.1.0", Stage.ARCHIVED).applied
    assert team.scalar("SELECT count(*) FROM model_version WHERE stage = 'Production'") == 0
    built = version_manifest(
        team.folder / "built", MODEL, "1.3.0", parent="1.2.0", source={"run_id": "run-7", "builder": "ci"}
    )
    assert team.service("contributor").register(built).registered == ["churn@1.3.0"]
    assert team.scalar("SELECT source::text FROM model_version WHERE version = '1.3.0'") is not None
    assert audit.verify_audit_chain(team.service("viewer"))[1] is None
