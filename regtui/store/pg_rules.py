"""The rules PostgreSQL enforces itself, as SQL generated from the domain's tables (roles, moves, capacities).

Logins write only through the views of API_SCHEMA, whose INSTEAD OF triggers are SECURITY DEFINER functions with a
fixed search_path: each re-checks, with `session_user`, the actor of the row and the right it needs, then writes
the table as the owner. Deferred constraint triggers check at commit what spans rows: a stage change comes with its
log entry and, for a promotion, from an applied request whose approvals the database can confirm; a log entry comes
with the change it records. The Python domain stays the source of each rule's text; this module turns its tables
into SQL, so the two cannot drift apart (tests/store/test_pg_enforcement.py checks them against each other)."""

from __future__ import annotations

from regtui.domain.approvals import OWNER, REVIEWER, STAKEHOLDER_PREFIX, evidence_digest
from regtui.domain.attestations import ATTEST
from regtui.domain.entry import Stage
from regtui.domain.hashchain import GENESIS_HASH
from regtui.domain.roles import Right, Role, rights_of
from regtui.domain.transitions import GATED_MOVES, MoveKind, allowed_moves, required_right
from regtui.store.db_errors import NOT_ALLOWED

DRILL_KIND = "drill"
"""A drill's entry records the drill itself (nothing else changes): it needs the release right."""
STAGE_KINDS = tuple(kind.value for kind in MoveKind)
_GATED_KIND_LIST = ", ".join(f"'{kind.value}'" for kind in sorted(GATED_MOVES))


def role_rights() -> list[tuple[str, str]]:
    """Every (role, right) pair the domain grants: the one table both Python and SQL authorize from."""
    return sorted((role.value, right.value) for role in Role for right in rights_of({role}))


def move_rights() -> list[tuple[str, str, str, str]]:
    """Every (from, to, kind, right) move of the stage machine, rollback included, with the right that applies it."""
    moves = [
        (source.value, target.value, kind.value, required_right(kind, target).value)
        for source in Stage
        for target, kind in allowed_moves(source).items()
    ]
    rollback = (Stage.ARCHIVED.value, Stage.PRODUCTION.value, MoveKind.ROLLBACK.value)
    moves.append((*rollback, required_right(MoveKind.ROLLBACK, Stage.PRODUCTION).value))
    return sorted(moves)


def _values(rows: list[tuple[str, ...]]) -> str:
    """A VALUES list of string literals (the rows come from the domain's enums: no quotes in them)."""
    return ", ".join("(" + ", ".join(f"'{cell}'" for cell in row) + ")" for row in rows)


def _moves_table() -> str:
    """The stage machine's moves as an SQL table `m(from_stage, to_stage, kind, right_name)` (from move_rights)."""
    return f"(VALUES {_values(move_rights())}) AS m(from_stage, to_stage, kind, right_name)"


def _holds(who: str, roles: str) -> str:
    """An SQL condition: the registry user `who` holds one of `roles` (an SQL text array); regtui_may's query."""
    return f"EXISTS (SELECT 1 FROM registry_user u WHERE u.identity = {who} AND u.roles::jsonb ?| {roles})"


def _in_team(who: str, team: str) -> str:
    """An SQL condition: the registry user `who` is a member of `team`; regtui_in_team's query."""
    return (
        "EXISTS (SELECT 1 FROM registry_user u CROSS JOIN LATERAL json_array_elements_text(u.teams) AS t(name) "
        f"WHERE u.identity = {who} AND t.name = {team})"
    )


def _move_kind_case(from_stage: str, to_stage: str) -> str:
    """An SQL expression of the kind of the move between two stage expressions, NULL for a move the machine lacks (no
    query: PL/pgSQL evaluates it without the executor)."""
    cases = " ".join(
        f"WHEN {from_stage} = '{source}' AND {to_stage} = '{target}' THEN '{kind}'"
        for source, target, kind, _ in move_rights()
    )
    return f"CASE {cases} END"


def _roles_with(right: str) -> str:
    """An SQL array of the roles that grant a right (from role_rights)."""
    return "ARRAY[" + ", ".join(f"'{role}'" for role, granted in role_rights() if granted == right) + "]::text[]"


def helper_functions(data: str) -> list[str]:
    """Functions the triggers share: the refusal, the rights of the session user, membership of a team.

    They run inside the checking triggers (as the owner, with their fixed search_path), so they are plain
    functions; those that query are PL/pgSQL, whose plans a session keeps (a non-inlined SQL function is planned
    again in every transaction). Called directly by a login they run as that login, which may only read."""
    cases = " ".join(f"WHEN '{right.value}' THEN {_roles_with(right.value)}" for right in Right)
    return [
        f"CREATE OR REPLACE FUNCTION {data}.regtui_deny(message text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', CONSTRAINT = '{NOT_ALLOWED}', "
        f"MESSAGE = '{NOT_ALLOWED}: ' || message; END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_may(who text, wanted text) RETURNS boolean LANGUAGE plpgsql "
        f"STABLE AS $$ BEGIN RETURN {_holds('who', f'(CASE wanted {cases} ELSE ARRAY[]::text[] END)')}; END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_in_team(who text, team text) RETURNS boolean LANGUAGE plpgsql "
        f"STABLE AS $$ BEGIN RETURN {_in_team('who', 'team')}; END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_require(wanted text, action text) RETURNS void LANGUAGE plpgsql "
        "AS $$ BEGIN IF NOT regtui_may(session_user, wanted) THEN "
        "PERFORM regtui_deny(format('%s may not %s: needs the %s right', session_user, action, wanted)); "
        "END IF; END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_actor(actual text, what text) RETURNS void LANGUAGE plpgsql "
        "AS $$ BEGIN IF actual IS DISTINCT FROM session_user::text THEN "
        "PERFORM regtui_deny(format('%s is written by %s, not %s', what, session_user, coalesce(actual, 'nobody'))); "
        "END IF; END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_seq() RETURNS bigint LANGUAGE plpgsql STABLE AS $$ BEGIN "
        "RETURN (SELECT value FROM change_counter WHERE id = 1); END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_restoring() RETURNS boolean LANGUAGE plpgsql STABLE AS $$ BEGIN "
        "RETURN NOT coalesce((SELECT min(change_seq) FROM event) < regtui_seq(), false) "
        "AND regtui_may(session_user, 'administer'); END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_refuse_unless_restoring(message text) RETURNS void "
        "LANGUAGE plpgsql AS $$ BEGIN IF NOT regtui_restoring() THEN PERFORM regtui_deny(message); END IF; END $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_move(from_stage text, to_stage text, OUT kind text, "
        f"OUT right_name text) LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN SELECT m.kind, m.right_name "
        f"INTO kind, right_name FROM {_moves_table()} WHERE m.from_stage = $1 AND m.to_stage = $2; END $$",
        f"DROP FUNCTION IF EXISTS {data}.regtui_evidence_digest(bigint)",  # read by the gate's one query now
        f"CREATE OR REPLACE FUNCTION {data}.regtui_gate_confirmed(request_id bigint) RETURNS boolean LANGUAGE plpgsql "
        f"STABLE AS $$ {_GATE_BODY} $$",
    ]


_GATE_BODY = f"""
DECLARE to_stage text; requested_by text; owner_name text; digest text; rejected boolean; reviewer_by text;
  owner_by text;
BEGIN
  SELECT r.to_stage, r.requested_by, (SELECT m.owner FROM model m WHERE m.name = r.model), d.digest,
      EXISTS (SELECT 1 FROM approval a WHERE a.request_id = r.id AND a.decision = 'reject'
      AND a.evidence_digest = d.digest)
    INTO to_stage, requested_by, owner_name, digest, rejected
    FROM promotion_request r CROSS JOIN LATERAL (SELECT coalesce((SELECT e.details->>'evidence_digest'
      FROM event e WHERE e.model = r.model AND e.version = r.version AND e.kind = 'evidence'
      AND e.details->>'request' = r.id::text ORDER BY e.position DESC LIMIT 1), '{evidence_digest({})}') AS digest) AS d
    WHERE r.id = request_id;
  IF rejected THEN RETURN false; END IF;
  IF to_stage = '{Stage.STAGING.value}' THEN RETURN true; END IF;
  SELECT rv.identity, ow.identity INTO reviewer_by, owner_by
    FROM (SELECT a.identity FROM approval a WHERE a.request_id = $1 AND a.decision = 'approve'
          AND a.capacity = '{REVIEWER}' AND a.evidence_digest = digest AND a.identity <> requested_by
          AND {_holds("a.identity", _roles_with(Right.REVIEW.value))} LIMIT 1) AS rv
    LEFT JOIN LATERAL (SELECT a.identity FROM approval a WHERE a.request_id = $1 AND a.decision = 'approve'
          AND a.capacity = '{OWNER}' AND a.evidence_digest = digest AND a.identity <> rv.identity
          AND (a.identity = owner_name OR {_in_team("a.identity", "owner_name")}) LIMIT 1) AS ow ON true;
  IF reviewer_by IS NULL THEN RETURN false; END IF;
  RETURN to_stage = '{Stage.CANARY.value}' OR owner_by IS NOT NULL;
END"""
"""A request's gate as far as the database can confirm it: no current rejection; Canary and Production: an
approval as reviewer by someone with the review right who is not the requester; Production also one as owner by
another identity (the two-person rule). Approvals count only while bound to the request's current evidence digest
(the last one its evidence log entries recorded)."""


Columns = dict[str, tuple[tuple[str, ...], str]]
"""Each writable table's columns (without a generated id) and its key column."""


def api_triggers(data: str, api: str, columns: Columns) -> list[str]:
    """The INSTEAD OF trigger functions of the API views: each checks the row, then writes the table."""
    checks = _row_checks(columns)
    statements = []
    for table, (check, columns, key) in checks.items():
        body = _write_body(data, table, columns, key)
        statements.append(
            f"CREATE OR REPLACE FUNCTION {data}.regtui_api_{table}() RETURNS trigger LANGUAGE plpgsql "
            f"SECURITY DEFINER SET search_path = {data}, pg_temp AS $$ BEGIN {check} {body} RETURN NEW; END $$"
        )
        statements.append(
            f"CREATE TRIGGER trg_api_{table} INSTEAD OF INSERT OR UPDATE ON {api}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {data}.regtui_api_{table}()"
        )
    return statements


def _write_body(data: str, table: str, columns: tuple[str, ...], key: str) -> str:
    """The write of a checked row into the owner's table (a generated id returned into NEW for RETURNING)."""
    if table == "change_counter":
        return f"UPDATE {data}.change_counter SET value = value + 1 WHERE id = 1 RETURNING value INTO NEW.value;"
    listed = ", ".join(columns)
    values = ", ".join(f"NEW.{c}" for c in columns)
    returning = " RETURNING id INTO NEW.id" if key == "id" else ""
    update_columns = [c for c in columns if c != key]
    update_values = ", ".join(f"NEW.{c}" for c in update_columns)
    return (
        f"IF TG_OP = 'INSERT' THEN INSERT INTO {data}.{table} ({listed}) VALUES ({values}){returning}; "
        f"ELSE UPDATE {data}.{table} SET ({', '.join(update_columns)}) = ROW({update_values}) "
        f"WHERE {key} = OLD.{key}; END IF;"
    )


def _row_checks(columns: Columns) -> dict[str, tuple[str, tuple[str, ...], str]]:
    """Each writable table's checks (plpgsql), with its columns and key."""
    return {table: (check, *columns[table]) for table, check in ROW_CHECKS.items()}


_VERSION_CHECK = f"""
IF TG_OP = 'INSERT' THEN
  PERFORM regtui_require('register', 'register versions');
  IF NOT regtui_may(session_user, 'administer') THEN
    PERFORM regtui_actor(NEW.registered_by, 'a registration');
    PERFORM regtui_actor(NEW.stage_changed_by, 'a registration');
    IF NEW.stage <> '{Stage.DEVELOPMENT.value}' THEN
      PERFORM regtui_deny('a version is registered in {Stage.DEVELOPMENT.value}');
    END IF;
  END IF;
ELSE
  IF NEW.stage IS NOT DISTINCT FROM OLD.stage THEN PERFORM regtui_deny('a version changes only its stage'); END IF;
  DECLARE move record; BEGIN
    SELECT m.kind, m.right_name INTO move FROM {_moves_table()} WHERE m.from_stage = OLD.stage
      AND m.to_stage = NEW.stage;
    IF move.kind IS NULL THEN
      PERFORM regtui_deny(format('stage rule: %s -> %s is not allowed', OLD.stage, NEW.stage));
    END IF;
    PERFORM regtui_require(move.right_name, format('move versions to %s', NEW.stage));
  END;
  PERFORM regtui_actor(NEW.stage_changed_by, 'a stage change');
  IF NEW.change_seq IS DISTINCT FROM regtui_seq() THEN PERFORM regtui_deny('a write takes the change counter'); END IF;
END IF;"""

_EVENT_CHECK = f"""
DECLARE tail event%ROWTYPE; BEGIN
  IF NEW.actor IS DISTINCT FROM session_user::text AND NOT regtui_restoring() THEN
    PERFORM regtui_actor(NEW.actor, 'a log entry');
  END IF;
  IF NEW.change_seq IS DISTINCT FROM regtui_seq() THEN PERFORM regtui_deny('a log entry takes the change counter');
  END IF;
  IF NEW.kind = '{DRILL_KIND}' THEN PERFORM regtui_require('{Right.RELEASE.value}', 'log rollback drills'); END IF;
  IF NEW.kind = '{ATTEST}' THEN PERFORM regtui_require('{Right.REVIEW.value}', 'attest model cards'); END IF;
  SELECT * INTO tail FROM event ORDER BY position DESC LIMIT 1;
  IF NEW.position IS DISTINCT FROM coalesce(tail.position, 0) + 1
     OR NEW.prev_hash IS DISTINCT FROM coalesce(tail.hash, '{GENESIS_HASH}') THEN
    PERFORM regtui_deny('a log entry links to the tail of the chain');
  END IF;
END;"""

_REQUEST_CHECK = """
IF TG_OP = 'INSERT' THEN
  IF (NEW.requested_by = session_user::text AND NEW.status = 'open' AND NEW.closed_by IS NULL)
     OR NOT regtui_restoring() THEN
    PERFORM regtui_require('request', 'request promotions');
    PERFORM regtui_actor(NEW.requested_by, 'a promotion request');
    IF NEW.status <> 'open' OR NEW.closed_by IS NOT NULL THEN PERFORM regtui_deny('a request opens open'); END IF;
  END IF;
ELSE
  IF OLD.status <> 'open' THEN PERFORM regtui_deny(format('request #%s is already %s', OLD.id, OLD.status)); END IF;
  IF (NEW.model, NEW.version, NEW.from_stage, NEW.to_stage, NEW.requested_by, NEW.requested_at, NEW.reason)
     IS DISTINCT FROM (OLD.model, OLD.version, OLD.from_stage, OLD.to_stage, OLD.requested_by, OLD.requested_at,
     OLD.reason) THEN PERFORM regtui_deny('a request keeps what it asks for'); END IF;
  IF NEW.change_seq IS DISTINCT FROM regtui_seq() THEN PERFORM regtui_deny('a write takes the change counter'); END IF;
  IF NEW.status = 'open' THEN
    PERFORM regtui_require('request', 'change promotion requests');
  ELSE
    PERFORM regtui_actor(NEW.closed_by, 'a request''s closing');
    IF NEW.status = 'rejected' THEN PERFORM regtui_require('read', 'reject requests');
    ELSIF NEW.status = 'applied' THEN PERFORM regtui_require(
      (SELECT right_name FROM regtui_move(OLD.from_stage, OLD.to_stage)), 'apply promotions');
    ELSIF NEW.status IN ('superseded', 'withdrawn') THEN PERFORM regtui_require('request', 'close requests');
    ELSE PERFORM regtui_deny(format('a request cannot become %s', NEW.status));
    END IF;
  END IF;
END IF;"""

_APPROVAL_CHECK = f"""
DECLARE r promotion_request%ROWTYPE; owner_name text; BEGIN
  SELECT * INTO r FROM promotion_request WHERE id = NEW.request_id;
  IF (NEW.identity = session_user::text AND r.status = 'open') OR NOT regtui_restoring() THEN
    PERFORM regtui_actor(NEW.identity, 'a decision');
    IF r.status IS DISTINCT FROM 'open' THEN PERFORM regtui_deny('decisions are made on open requests'); END IF;
    IF NEW.decision NOT IN ('approve', 'reject') THEN PERFORM regtui_deny('a decision approves or rejects'); END IF;
    IF NEW.capacity = '{REVIEWER}' THEN
      PERFORM regtui_require('review', 'review requests');
      IF NEW.identity = r.requested_by THEN PERFORM regtui_deny('self-approval: nobody reviews their own request');
      END IF;
    ELSIF NEW.capacity = '{OWNER}' THEN
      SELECT m.owner INTO owner_name FROM model m WHERE m.name = r.model;
      IF NEW.identity <> owner_name AND NOT regtui_in_team(NEW.identity, owner_name) THEN
        PERFORM regtui_deny(format('%s does not own %s', NEW.identity, r.model));
      END IF;
    ELSIF NEW.capacity LIKE '{STAKEHOLDER_PREFIX}%' THEN
      IF NOT regtui_in_team(NEW.identity, substr(NEW.capacity, {len(STAKEHOLDER_PREFIX) + 1})) THEN
        PERFORM regtui_deny(format('%s is not in the team of %s', NEW.identity, NEW.capacity));
      END IF;
    ELSE PERFORM regtui_deny(format('no capacity %s', NEW.capacity));
    END IF;
    IF EXISTS (SELECT 1 FROM approval a WHERE a.request_id = NEW.request_id AND a.identity = NEW.identity
               AND a.evidence_digest = NEW.evidence_digest AND a.artifact_digest = NEW.artifact_digest) THEN
      PERFORM regtui_deny('one current decision per identity and request');
    END IF;
  END IF;
END;"""


ROW_CHECKS: dict[str, str] = {
    "change_counter": "IF NOT EXISTS (SELECT 1 FROM registry_user WHERE identity = session_user) THEN "
    "PERFORM regtui_deny(session_user || ' is not a registry user'); END IF;",
    "model": "IF TG_OP = 'INSERT' THEN IF NOT regtui_may(session_user, 'register') THEN "
    "PERFORM regtui_require('administer', 'add models'); END IF; "
    "ELSE PERFORM regtui_require('administer', 'change models'); END IF;",
    "model_version": _VERSION_CHECK,
    "artifact": "PERFORM regtui_require('register', 'record artifacts'); "
    "IF NOT EXISTS (SELECT 1 FROM model_version v WHERE v.id = NEW.version_id AND v.change_seq = regtui_seq()) "
    "THEN PERFORM regtui_deny('artifacts are recorded only with the version they belong to'); END IF;",
    "registry_user": "PERFORM regtui_require('administer', 'manage roles');",
    "event": _EVENT_CHECK,
    "promotion_request": _REQUEST_CHECK,
    "approval": _APPROVAL_CHECK,
    "policy": "PERFORM regtui_require('administer', 'change the policy'); "
    "PERFORM regtui_actor(NEW.updated_by, 'a policy');",
    "provider_feed": "IF TG_OP = 'INSERT' OR NOT regtui_may(session_user, 'register') THEN "
    "PERFORM regtui_require('administer', 'configure provider feeds'); END IF; "
    "IF TG_OP = 'INSERT' THEN PERFORM regtui_actor(NEW.updated_by, 'a provider feed'); END IF;",
    "provider_version": "IF NOT regtui_may(session_user, 'register') THEN "
    "PERFORM regtui_require('review', 'record provider versions'); END IF;",
    "qualification_check": "PERFORM regtui_require('review', 'record qualification checks'); "
    "PERFORM regtui_actor(NEW.recorded_by, 'a qualification check');",
}
"""The tables a login writes through the API, each with the checks of its INSTEAD OF trigger; any other table's
view gets SELECT only (a table added later stays read-only for logins until it has its checks here)."""


CHECKS_INDEX = "ix_event_checked"
"""A version's evidence and Production log entries, the ones the commit-time checks look up by version (the
current evidence digest of its request, a rollback's former Production): a probe per version, however long the
model's log grows. Created with the database-enforced rules (SQLite and the cache have no use for it)."""


CHECKED = "NOT pg_catalog.pg_has_role(session_user, 'regtui_owner', 'MEMBER')"
"""Whether the session user's writes are checked at commit: not the owner's (a superuser is a member of every role).
In a trigger's WHEN clause it is resolved once, when the trigger is created: the login's search_path at the time of
the write cannot put another pg_has_role in its place (a login's own function would be found first if the login put
its schema before pg_catalog)."""


def commit_checks(data: str) -> list[str]:
    """Deferred constraint triggers: what one row cannot show, checked at commit for every checked login.

    Each trigger's WHEN clause (evaluated with the row, not deferred) leaves out the rows it has nothing to check
    and the owner's writes, so those are never queued."""
    definer = f"SECURITY DEFINER SET search_path = {data}, pg_temp"
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    return [
        f"CREATE INDEX IF NOT EXISTS {CHECKS_INDEX} ON {data}.event (model, version) "
        f"WHERE kind = 'evidence' OR to_stage = '{Stage.PRODUCTION.value}'",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_commit_version() RETURNS trigger LANGUAGE plpgsql {definer} AS "
        f"$$ {_COMMIT_VERSION} $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_commit_event() RETURNS trigger LANGUAGE plpgsql {definer} AS "
        f"$$ {_COMMIT_EVENT} $$",
        f"CREATE OR REPLACE FUNCTION {data}.regtui_commit_request() RETURNS trigger LANGUAGE plpgsql {definer} AS "
        f"$$ {_COMMIT_REQUEST} $$",
        f"DROP TRIGGER IF EXISTS trg_commit_version ON {data}.model_version",
        f"CREATE CONSTRAINT TRIGGER trg_commit_version AFTER UPDATE OF stage ON {data}.model_version {deferred} "
        f"WHEN (OLD.stage IS DISTINCT FROM NEW.stage AND {CHECKED}) EXECUTE FUNCTION {data}.regtui_commit_version()",
        f"DROP TRIGGER IF EXISTS trg_commit_event ON {data}.event",
        f"CREATE CONSTRAINT TRIGGER trg_commit_event AFTER INSERT ON {data}.event {deferred} "
        f"WHEN (NEW.kind NOT IN ('{DRILL_KIND}', '{ATTEST}') AND {CHECKED}) "
        f"EXECUTE FUNCTION {data}.regtui_commit_event()",
        f"DROP TRIGGER IF EXISTS trg_commit_request ON {data}.promotion_request",
        f"CREATE CONSTRAINT TRIGGER trg_commit_request AFTER UPDATE ON {data}.promotion_request {deferred} "
        "WHEN ((OLD.status IS DISTINCT FROM NEW.status OR OLD.evidence::text IS DISTINCT FROM NEW.evidence::text) "
        f"AND {CHECKED}) EXECUTE FUNCTION {data}.regtui_commit_request()",
        f"DROP FUNCTION IF EXISTS {data}.regtui_checked()",  # the triggers' WHEN clauses hold CHECKED instead
    ]


_COMMIT_VERSION = f"""
DECLARE move_kind text := {_move_kind_case("OLD.stage", "NEW.stage")}; replaced boolean := false; BEGIN
  IF move_kind = '{MoveKind.RETIRE.value}' THEN
    replaced := EXISTS (SELECT 1 FROM event e WHERE e.change_seq = NEW.change_seq AND e.model = NEW.model
      AND e.version = NEW.version AND e.kind = '{MoveKind.REPLACED.value}' AND e.actor = NEW.stage_changed_by);
  END IF;
  IF replaced THEN
    IF NOT EXISTS (SELECT 1 FROM model_version v WHERE v.model = NEW.model AND v.stage = '{Stage.PRODUCTION.value}'
                   AND v.change_seq = NEW.change_seq) THEN
      PERFORM regtui_deny(format('%s@%s left Production without a replacement', NEW.model, NEW.version));
    END IF;
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM event e WHERE e.change_seq = NEW.change_seq AND e.model = NEW.model
                 AND e.version = NEW.version AND e.from_stage = OLD.stage AND e.to_stage = NEW.stage
                 AND e.kind = move_kind AND e.actor = NEW.stage_changed_by) THEN
    PERFORM regtui_deny(format('%s@%s moved to %s without its log entry', NEW.model, NEW.version, NEW.stage));
  END IF;
  IF move_kind IN ({_GATED_KIND_LIST}) THEN
    IF NOT EXISTS (SELECT 1 FROM promotion_request r WHERE r.model = NEW.model AND r.version = NEW.version
                   AND r.from_stage = OLD.stage AND r.to_stage = NEW.stage AND r.status = 'applied'
                   AND r.change_seq = NEW.change_seq AND regtui_gate_confirmed(r.id)) THEN
      PERFORM regtui_deny(format('%s@%s moved to %s without an approved request', NEW.model, NEW.version, NEW.stage));
    END IF;
  ELSIF move_kind = '{MoveKind.ROLLBACK.value}' THEN
    IF NOT EXISTS (SELECT 1 FROM event e WHERE e.model = NEW.model AND e.version = NEW.version
                   AND e.to_stage = '{Stage.PRODUCTION.value}' AND e.change_seq < NEW.change_seq) THEN
      PERFORM regtui_deny(format('%s@%s was never in Production', NEW.model, NEW.version));
    END IF;
  END IF;
  RETURN NULL;
END"""
"""At commit, each stage change: its log entry by the same actor; a promotion or a retirement applied from a request
whose gate the database confirms (a retirement needs the owner and a reviewer, as Production does); a version
replaced in Production only with its replacement there; a rollback only to a former Production version."""

_STAGE_KIND_LIST = ", ".join(f"'{kind}'" for kind in STAGE_KINDS)
_COMMIT_EVENT = f"""
BEGIN
  IF NEW.kind IN ({_STAGE_KIND_LIST}) THEN
    IF NOT EXISTS (SELECT 1 FROM model_version v WHERE v.model = NEW.model AND v.version = NEW.version
                   AND v.stage = NEW.to_stage AND v.change_seq = NEW.change_seq) THEN
      PERFORM regtui_refuse_unless_restoring(format('a %s log entry without the stage change it records', NEW.kind));
    END IF;
  ELSIF NEW.kind IN ('approve', 'reject') THEN
    IF NOT EXISTS (SELECT 1 FROM approval a WHERE a.identity = NEW.actor AND a.change_seq = NEW.change_seq
                   AND a.decision = NEW.kind AND a.request_id::text = NEW.details->>'request') THEN
      PERFORM regtui_refuse_unless_restoring(format('a %s log entry without the decision it records', NEW.kind));
    END IF;
  ELSIF NOT (EXISTS (SELECT 1 FROM model_version WHERE change_seq = NEW.change_seq)
          OR EXISTS (SELECT 1 FROM promotion_request WHERE change_seq = NEW.change_seq)
          OR EXISTS (SELECT 1 FROM registry_user WHERE change_seq = NEW.change_seq)
          OR EXISTS (SELECT 1 FROM policy WHERE change_seq = NEW.change_seq)
          OR EXISTS (SELECT 1 FROM provider_feed WHERE change_seq = NEW.change_seq)
          OR EXISTS (SELECT 1 FROM provider_version WHERE change_seq = NEW.change_seq)
          OR EXISTS (SELECT 1 FROM qualification_check WHERE change_seq = NEW.change_seq)
          OR EXISTS (SELECT 1 FROM model WHERE change_seq = NEW.change_seq)) THEN
    PERFORM regtui_refuse_unless_restoring(format('a %s log entry without the change it records', NEW.kind));
  END IF;
  RETURN NULL;
END"""

_COMMIT_REQUEST = """
BEGIN
  IF NEW.status = 'applied' THEN
    IF NOT EXISTS (SELECT 1 FROM model_version v WHERE v.model = NEW.model AND v.version = NEW.version
                   AND v.stage = NEW.to_stage AND v.change_seq = NEW.change_seq) THEN
      PERFORM regtui_deny(format('request #%s marked applied without its stage change', NEW.id));
    END IF;
  ELSIF NEW.status = 'rejected' THEN
    IF NOT EXISTS (SELECT 1 FROM approval a WHERE a.request_id = NEW.id AND a.decision = 'reject'
                   AND a.identity = NEW.closed_by AND a.change_seq = NEW.change_seq) THEN
      PERFORM regtui_deny(format('request #%s rejected without a rejection', NEW.id));
    END IF;
  END IF;
  IF OLD.evidence::text IS DISTINCT FROM NEW.evidence::text THEN
    IF NOT EXISTS (SELECT 1 FROM event e WHERE e.kind = 'evidence' AND e.change_seq = NEW.change_seq
                   AND e.details->>'request' = NEW.id::text) THEN
      PERFORM regtui_deny(format('request #%s evidence changed without its log entry', NEW.id));
    END IF;
  END IF;
  RETURN NULL;
END"""
