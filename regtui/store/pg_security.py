"""PostgreSQL as the security boundary: the owner role, the registry roles' group roles, the API views and grants.

`regtui init` makes the registry's tables belong to OWNER_ROLE (NOLOGIN), creates one group role per registry role
and API_SCHEMA: a view per table, through which a login's writes reach the tables only via the checking triggers
of regtui.store.pg_rules. Logins get SELECT on what they read and no write on any table. `regtui users add`
grants a login its group roles and points its search_path at API_SCHEMA (in this database), which is how regtui
finds the API; the rows it writes are the same."""

from __future__ import annotations

from sqlalchemy import Connection, Table, text
from sqlalchemy.exc import DBAPIError

from regtui.domain.roles import Role
from regtui.errors import ConflictError, NotAllowedError, NotFoundError
from regtui.store import pg_rules

OWNER_ROLE = "regtui_owner"
API_SCHEMA = "regtui_api"
DATA_SCHEMA = "public"


def group_role(role: Role) -> str:
    """The PostgreSQL group role of a registry role."""
    return f"regtui_{role.value}"


def refuse_api_login(connection: Connection) -> None:
    """`init` runs as the administrator who owns the schema, never through the API a registry login uses."""
    if connection.execute(text("SELECT current_schema()")).scalar_one() == API_SCHEMA:
        raise NotAllowedError(
            f"regtui init on PostgreSQL is run by the database administrator (a superuser or a member of "
            f"{OWNER_ROLE}), not by a registry login"
        )


NOT_INSTALLED = (
    "database-enforced rules not installed: this login may not create roles; run `regtui init` as a superuser "
    f"(or a login with CREATEROLE), or ask one to run `CREATE ROLE {OWNER_ROLE} NOLOGIN; GRANT {OWNER_ROLE} TO "
    "{login};` first"
)


def drop_api(connection: Connection) -> None:
    """Drop the API views before an upgrade changes the tables under them (install creates them again)."""
    if _may_install(connection):
        _run(connection, f"DROP SCHEMA IF EXISTS {API_SCHEMA} CASCADE")


def install(connection: Connection, tables: list[Table]) -> str | None:
    """Owner, group roles, API views, their checking triggers and the grants; idempotent (run by every init).

    Returns None, or the one line saying what to run when this login may not create or become the owner role (the
    schema is then created without them, as before) or may not take from PUBLIC the right to create objects in the
    data schema."""
    if not _may_install(connection):
        return NOT_INSTALLED.format(login=connection.execute(text("SELECT current_user")).scalar_one())
    _ensure_roles(connection)
    quoted = [_quote(connection, table.name) for table in tables]
    for name in quoted:
        _run(connection, f"ALTER TABLE {DATA_SCHEMA}.{name} OWNER TO {OWNER_ROLE}")
    for function in ("regtui_refuse()", "regtui_version_immutable()"):
        _run(connection, f"ALTER FUNCTION {DATA_SCHEMA}.{function} OWNER TO {OWNER_ROLE}")
    _run(connection, f"GRANT USAGE, CREATE ON SCHEMA {DATA_SCHEMA} TO {OWNER_ROLE}")
    _run(connection, f"CREATE SCHEMA IF NOT EXISTS {API_SCHEMA} AUTHORIZATION {OWNER_ROLE}")
    _run(connection, f"SET LOCAL ROLE {OWNER_ROLE}")
    for table in tables:
        _run(connection, f"DROP VIEW IF EXISTS {API_SCHEMA}.{table.name} CASCADE")
        _run(connection, f"CREATE VIEW {API_SCHEMA}.{table.name} AS SELECT * FROM {DATA_SCHEMA}.{table.name}")
    statements = pg_rules.helper_functions(DATA_SCHEMA)
    statements += pg_rules.api_triggers(DATA_SCHEMA, API_SCHEMA, writable_columns(tables))
    statements += pg_rules.commit_checks(DATA_SCHEMA)
    for statement in statements:
        _run(connection, statement)
    _run(connection, "RESET ROLE")
    _grant(connection, tables)
    return close_public_create(connection)


PUBLIC_CREATE = (
    f"every login may create objects in schema {DATA_SCHEMA} (PostgreSQL before 15), where one could stand in for a "
    f"built-in the database-enforced rules call; ask its owner to run `REVOKE CREATE ON SCHEMA {DATA_SCHEMA} FROM "
    "PUBLIC`"
)


def close_public_create(connection: Connection) -> str | None:
    """Take from PUBLIC the right to create objects in the data schema (PostgreSQL before 15 grants it by default): a
    login's own function or operator there could be picked over a built-in by the checking functions, whose
    search_path names that schema. Returns the line to show when this login may not take it."""
    granted = text(f"SELECT has_schema_privilege('public', '{DATA_SCHEMA}', 'CREATE')")
    if not connection.execute(granted).scalar_one():
        return None
    try:
        with connection.begin_nested():
            _run(connection, f"REVOKE CREATE ON SCHEMA {DATA_SCHEMA} FROM PUBLIC")
    except DBAPIError:
        return PUBLIC_CREATE
    return None if not connection.execute(granted).scalar_one() else PUBLIC_CREATE


def _may_install(connection: Connection) -> bool:
    """Whether this login is a superuser, may create roles, or already belongs to the owner role."""
    return bool(
        connection.execute(
            text(
                "SELECT r.rolsuper OR r.rolcreaterole OR (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :owner) "
                "AND pg_has_role(current_user, :owner, 'USAGE')) FROM pg_roles r WHERE r.rolname = current_user"
            ),
            {"owner": OWNER_ROLE},
        ).scalar_one()
    )


def writable_columns(tables: list[Table]) -> pg_rules.Columns:
    """Each table a login writes through the API: its columns (without a generated id) and its key."""
    columns: pg_rules.Columns = {}
    for table in tables:
        if table.name not in pg_rules.ROW_CHECKS:
            continue
        key = table.primary_key.columns.values()[0].name
        generated = key == "id" and table.name != "change_counter"
        listed = tuple(c.name for c in table.columns if not (generated and c.name == key))
        columns[table.name] = (listed, "id" if generated else key)
    return columns


def _ensure_roles(connection: Connection) -> None:
    """Create the owner and group roles when missing (concurrent inits may race: a duplicate is fine)."""
    for name in (OWNER_ROLE, *(group_role(role) for role in Role)):
        exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}).first()
        if exists is None:
            _create_role(connection, name)
    superuser = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar_one()
    if not superuser:
        _run(connection, f"GRANT {OWNER_ROLE} TO current_user")
        for role in Role:
            _run(connection, f"GRANT {group_role(role)} TO current_user WITH ADMIN OPTION")


def _create_role(connection: Connection, name: str) -> None:
    """CREATE ROLE name NOLOGIN (a concurrent init may have created it meanwhile)."""
    try:
        with connection.begin_nested():
            _run(connection, f"CREATE ROLE {name} NOLOGIN")
    except DBAPIError as exc:  # told apart by SQLSTATE
        state = getattr(getattr(exc, "orig", None), "sqlstate", None)
        if state in ("42710", "23505"):  # created meanwhile by a concurrent init
            return
        raise


def _grant(connection: Connection, tables: list[Table]) -> None:
    """SELECT for every group on tables and views, INSERT and UPDATE on the writable views (a viewer may approve as
    a model's owner or a stakeholder: the views' triggers decide, never the grant)."""
    writable = [t.name for t in tables if t.name in pg_rules.ROW_CHECKS]
    for role in Role:
        group = group_role(role)
        _run(connection, f"GRANT USAGE ON SCHEMA {DATA_SCHEMA}, {API_SCHEMA} TO {group}")
        for table in tables:
            _run(connection, f"GRANT SELECT ON {DATA_SCHEMA}.{table.name}, {API_SCHEMA}.{table.name} TO {group}")
        for name in writable:
            _run(connection, f"GRANT INSERT, UPDATE ON {API_SCHEMA}.{name} TO {group}")


def enroll_login(connection: Connection, login: str, roles: list[Role], *, create: bool) -> None:
    """Give a login exactly the group roles of these registry roles and the API search_path in this database.

    With `create`, the login is created first (without a password: set one with psql's \\password)."""
    quoted = _quote(connection, login)
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": login}).first()
    if create and exists is not None:
        raise ConflictError(f"login {login} already exists on the server: run users add without --create-login")
    if not create and exists is None:
        raise NotFoundError(f"no login {login} on the server: pass --create-login, or create it first")
    try:
        with connection.begin_nested():
            if create:
                _run(connection, f"CREATE ROLE {quoted} LOGIN")
            for role in Role:
                verb = "GRANT {} TO {}" if role in roles else "REVOKE {} FROM {}"
                _run(connection, verb.format(group_role(role), quoted))
            database = _quote(connection, connection.execute(text("SELECT current_database()")).scalar_one())
            _run(connection, f"ALTER ROLE {quoted} IN DATABASE {database} SET search_path = {API_SCHEMA}, public")
    except DBAPIError as exc:  # told apart by SQLSTATE
        if getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501":
            raise NotAllowedError(
                f"this login may not manage login {login}: users add on PostgreSQL needs CREATEROLE "
                "(or run it as the database administrator)"
            ) from None
        raise


def _quote(connection: Connection, name: str) -> str:
    """A PostgreSQL identifier, quoted when it needs to be."""
    return connection.dialect.identifier_preparer.quote(name)


def _run(connection: Connection, statement: str) -> None:
    """One DDL statement, sent without parameters (the driver reads %% as a literal %)."""
    connection.exec_driver_sql(statement.replace("%", "%%"))
