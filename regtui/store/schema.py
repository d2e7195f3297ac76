"""Schema creation, upgrade and checks, and the database-enforced rules (triggers, partial index)."""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, Connection, Engine, Table, inspect, select, text
from sqlmodel import Session, SQLModel

from regtui.domain.versioning import precedence_key
from regtui.errors import NotARegistryError
from regtui.store import pg_security, provider_tables, tables
from regtui.store.db_errors import APPEND_ONLY, IMMUTABLE, NEVER_DELETED
from regtui.store.engine import is_sqlite
from regtui.store.transaction import writing_session

SCHEMA_VERSION = 5
SCHEMA_KEY = "schema_version"
REGISTRY_ID_KEY = "registry_id"

MUTABLE_VERSION_COLUMNS = frozenset({"stage", "canary_share", "stage_changed_at", "stage_changed_by", "change_seq"})
IMMUTABLE_VERSION_COLUMNS = tuple(
    c.name for c in tables.VersionRow.__table__.columns if c.name not in MUTABLE_VERSION_COLUMNS
)
REGISTERED_COLUMNS = ", ".join(IMMUTABLE_VERSION_COLUMNS)
"""The immutability trigger fires on an UPDATE that sets any of these, then compares their values (schema 3: a stage
change sets none of them; only another BEFORE UPDATE trigger could change a column the UPDATE does not set, and the
registry has no such trigger)."""
JSON_VERSION_COLUMNS = frozenset(c.name for c in tables.VersionRow.__table__.columns if isinstance(c.type, JSON))
APPEND_ONLY_TABLES = ("event", "artifact", "approval", "qualification_check")
REGISTRY_UNUSED_INDEXES = frozenset(
    {
        "ix_event_kind",
        "ix_event_actor",
        "ix_version_listing",
        "ix_model_version_stage",
        "ix_version_model_order",
    }
)
"""Indexes the tables declare that no read of the shared registry uses: the first three serve the cache's reads
(audit filters, version listings), the last two no read at all (the registry's reads by stage go through
uq_one_production or (model, version); the cache leaves both out). Each cost every promotion a page (SQLite) or
index entries (PostgreSQL: a stage change adds an entry to every index of model_version)."""
LEGACY_ORDER_COLUMNS = ("major", "minor", "patch", "prerelease")
"""The columns schemas up to 3 ordered versions by (a pre-release tag sorted as text); schema 4 has semver_key."""
LEGACY_ORDER_INDEXES = ("ix_version_listing", "ix_version_model_order")
"""Indexes of schemas up to 3 over LEGACY_ORDER_COLUMNS (dropped before those columns are)."""
# Takes the next change-counter value; the row lock serializes writers until commit
NEXT_CHANGE = text("UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value")


def registry_tables() -> list:
    """The tables of the shared registry (all SQLModel tables of regtui)."""
    return [
        tables.SchemaMeta.__table__,
        tables.ChangeCounter.__table__,
        tables.ModelRow.__table__,
        tables.VersionRow.__table__,
        tables.ArtifactRow.__table__,
        tables.UserRow.__table__,
        tables.EventRow.__table__,
        tables.RequestRow.__table__,
        tables.ApprovalRow.__table__,
        tables.PolicyRow.__table__,
        provider_tables.ProviderFeedRow.__table__,
        provider_tables.ProviderVersionRow.__table__,
        provider_tables.QualificationRow.__table__,
    ]


def init_schema(engine: Engine) -> str:
    """Create or upgrade the registry schema; returns what was done, in one line.

    Version 2 adds the provider tables, missing indexes and the append-only rule of qualification checks;
    version 3 drops the indexes of REGISTRY_UNUSED_INDEXES and fires the immutability trigger only on updates
    that set a registered column; version 4 replaces the major/minor/patch/prerelease columns by semver_key;
    version 5 adds the provenance columns (source, tags) and the artifacts' object_version and etag.
    """
    current = _stored_version(engine)
    if current is not None and current > SCHEMA_VERSION:
        raise _newer_schema(current)
    if current is None:
        _refuse_foreign_tables(engine)
    with writing_session(engine) as session:  # all of it or nothing
        connection = session.connection()
        if not is_sqlite(engine):
            pg_security.refuse_api_login(connection)
            pg_security.drop_api(connection)
        SQLModel.metadata.create_all(connection, tables=registry_tables())
        _create_missing_indexes(connection)
        _drop_unused_indexes(connection)
        _add_semver_key(connection)
        _add_provenance_columns(connection)
        _add_artifact_pins(connection)
        _install_rules(session, engine)
        _ensure_meta(session)
        note = None
        if not is_sqlite(engine):
            session.flush()
            note = pg_security.install(connection, registry_tables())
    return _init_message(current) + (f"; {note}" if note else "")


def _init_message(current: int | None) -> str:
    """What init did to the schema, in one line."""
    if current is None:
        return f"created registry schema version {SCHEMA_VERSION}"
    if current < SCHEMA_VERSION:
        return f"upgraded registry schema from version {current} to {SCHEMA_VERSION}"
    return f"registry schema is up to date (version {SCHEMA_VERSION})"


def _add_semver_key(connection: Connection) -> None:
    """Schema 4, in the upgrade's transaction: add semver_key, fill it from each version, drop the columns it replaces.

    The immutability trigger goes first (it names the registered columns; _install_rules creates it again) and so do
    the indexes over the old columns. SQLite adds a NOT NULL column only with a default: it keeps an empty one."""
    table = tables.VersionRow.__table__
    if "semver_key" in {c["name"] for c in inspect(connection).get_columns(table.name)}:
        return
    on_table = "" if connection.dialect.name == "sqlite" else f" ON {table.name}"
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS trg_version_immutable{on_table}")
    for name in LEGACY_ORDER_INDEXES:
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    key_type = table.c.semver_key.type.compile(dialect=connection.dialect)
    connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN semver_key {key_type} NOT NULL DEFAULT ''")
    if connection.dialect.name != "sqlite":
        connection.exec_driver_sql(f"ALTER TABLE {table.name} ALTER COLUMN semver_key DROP DEFAULT")
    keys = [
        {"id": row_id, "key": precedence_key(version)}
        for row_id, version in connection.execute(select(table.c.id, table.c.version))
    ]
    if keys:
        connection.execute(text(f"UPDATE {table.name} SET semver_key = :key WHERE id = :id"), keys)
    for column in LEGACY_ORDER_COLUMNS:
        connection.exec_driver_sql(f"ALTER TABLE {table.name} DROP COLUMN {column}")


PROVENANCE_COLUMNS = ("source", "tags")
"""Schema 5: a version's provenance (domain.provenance), registered content like the other JSON columns."""
ARTIFACT_PIN_COLUMNS = ("object_version", "etag")
"""Schema 5: the object version and ETag an object store reported when the artifact was registered."""


def _add_provenance_columns(connection: Connection) -> None:
    """Schema 5: the nullable provenance columns (_install_rules then recreates the immutability trigger over them)."""
    _add_missing_columns(connection, tables.VersionRow.__table__, PROVENANCE_COLUMNS, default=None)


def _add_artifact_pins(connection: Connection) -> None:
    """Schema 5: the artifacts' pin columns, empty for the artifacts already registered."""
    _add_missing_columns(connection, tables.ArtifactRow.__table__, ARTIFACT_PIN_COLUMNS, default="''")


def _add_missing_columns(connection: Connection, table: Table, names: tuple[str, ...], *, default: str | None) -> None:
    """In the upgrade's transaction, add each named column the table lacks (checked first, so running it again
    changes nothing); with a default, as NOT NULL with that SQL default for existing rows."""
    present = {c["name"] for c in inspect(connection).get_columns(table.name)}
    for name in names:
        if name not in present:
            column_type = table.c[name].type.compile(dialect=connection.dialect)
            constraint = "" if default is None else f" NOT NULL DEFAULT {default}"
            connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {column_type}{constraint}")


def _create_missing_indexes(connection: Connection) -> None:
    """Add indexes a newer schema declares on tables an older one created (create_all skips those tables)."""
    for table in registry_tables():
        for index in table.indexes:
            if index.name not in REGISTRY_UNUSED_INDEXES:
                index.create(connection, checkfirst=True)


def _drop_unused_indexes(connection: Connection) -> None:
    """Drop the indexes the registry does not use (create_all makes them with a new table; older schemas had them)."""
    for name in sorted(REGISTRY_UNUSED_INDEXES):
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")


def _refuse_foreign_tables(engine: Engine) -> None:
    """Never create the registry inside another application's database."""
    foreign = sorted(set(inspect(engine).get_table_names()) - {t.name for t in registry_tables()})
    if foreign:
        raise NotARegistryError(
            f"not a regtui registry: the database has other tables ({', '.join(foreign[:3])}); "
            "run `regtui init` on an empty database"
        )


def check_schema(engine: Engine) -> str:
    """Refuse a database that is not a regtui registry or has another schema; return the registry id."""
    inspector = inspect(engine)
    names = set(inspector.get_table_names()) | set(inspector.get_view_names())  # a registry login sees the API views
    if tables.SchemaMeta.__tablename__ not in names:
        if names:
            raise NotARegistryError("not a regtui registry: the database has other tables and no regtui schema")
        raise NotARegistryError("empty database: run `regtui init` to create the registry schema")
    current = _stored_version(engine)
    if current is None:
        raise NotARegistryError("not a regtui registry: no schema version recorded")
    if current > SCHEMA_VERSION:
        raise _newer_schema(current)
    if current < SCHEMA_VERSION:
        raise NotARegistryError(
            f"registry schema version {current} is older than {SCHEMA_VERSION}: run `regtui init` to upgrade"
        )
    with Session(engine) as session:
        return session.get(tables.SchemaMeta, REGISTRY_ID_KEY).value


def _newer_schema(found: int) -> NotARegistryError:
    """The refusal for a registry written by a newer regtui."""
    return NotARegistryError(
        f"registry schema version {found} is newer than this regtui knows ({SCHEMA_VERSION}): upgrade regtui"
    )


def _stored_version(engine: Engine) -> int | None:
    """The schema version recorded in the database, or None when there is none."""
    inspector = inspect(engine)
    if tables.SchemaMeta.__tablename__ not in {*inspector.get_table_names(), *inspector.get_view_names()}:
        return None
    with Session(engine) as session:
        row = session.get(tables.SchemaMeta, SCHEMA_KEY)
    if row is None:
        return None
    try:
        return int(row.value)
    except ValueError:
        raise NotARegistryError(f"not a regtui registry: schema version {row.value!r} is not a number") from None


def _ensure_meta(session: Session) -> None:
    """Record the schema version, a registry id, and the change counter's single row."""
    session.merge(tables.SchemaMeta(key=SCHEMA_KEY, value=str(SCHEMA_VERSION)))
    if session.get(tables.SchemaMeta, REGISTRY_ID_KEY) is None:
        session.add(tables.SchemaMeta(key=REGISTRY_ID_KEY, value=uuid.uuid4().hex))
    if session.exec(select(tables.ChangeCounter).where(tables.ChangeCounter.id == 1)).first() is None:
        session.add(tables.ChangeCounter(id=1, value=0))


def _install_rules(session: Session, engine: Engine) -> None:
    """Create the immutability and append-only triggers for the engine's dialect."""
    statements = _sqlite_rules() if is_sqlite(engine) else _postgres_rules()
    for statement in statements:
        session.connection().exec_driver_sql(statement)


def _sqlite_rules() -> list[str]:
    """SQLite triggers: registered version fields immutable; versions, artifacts, events never deleted.

    Each RAISE message starts with its code (db_errors: IMMUTABLE, NEVER_DELETED, APPEND_ONLY), the contract
    by which a refusal is told apart; every trigger is replaced, so `init` brings older messages up to date."""
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in IMMUTABLE_VERSION_COLUMNS)
    rules = _sqlite_trigger(
        "trg_version_immutable",
        f"BEFORE UPDATE OF {REGISTERED_COLUMNS} ON model_version WHEN {changed}",
        f"{IMMUTABLE}: registered version fields are immutable",
    )
    rules += _sqlite_trigger(
        "trg_version_no_delete",
        "BEFORE DELETE ON model_version",
        f"{NEVER_DELETED}: registered versions are never deleted",
    )
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            rules += _sqlite_trigger(
                f"trg_{table}_no_{operation.lower()}",
                f"BEFORE {operation} ON {table}",
                f"{APPEND_ONLY}: {table} rows are append-only",
            )
    return rules


def _sqlite_trigger(name: str, when: str, message: str) -> list[str]:
    """Statements that (re)create an SQLite trigger refusing with a message."""
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]


def _postgres_rules() -> list[str]:
    """PostgreSQL trigger functions and triggers with the same rules as SQLite (psycopg needs %% for %).

    Each refusal is an integrity violation (SQLSTATE 23000) naming its code as the constraint (db_errors)."""
    old = ", ".join(_pg_compared("OLD", c) for c in IMMUTABLE_VERSION_COLUMNS)
    new = ", ".join(_pg_compared("NEW", c) for c in IMMUTABLE_VERSION_COLUMNS)
    refuse = "RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT"
    rules = [
        "CREATE OR REPLACE FUNCTION regtui_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_TABLE_NAME = 'model_version' AND TG_OP = 'DELETE' THEN {refuse} = '{NEVER_DELETED}', "
        f"MESSAGE = '{NEVER_DELETED}: registered versions are never deleted'; END IF; {refuse} = '{APPEND_ONLY}', "
        f"MESSAGE = format('{APPEND_ONLY}: %%s rows are append-only (%%s refused)', TG_TABLE_NAME, TG_OP); END $$",
        "CREATE OR REPLACE FUNCTION regtui_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF ROW({new}) IS DISTINCT FROM ROW({old}) THEN {refuse} = '{IMMUTABLE}', "
        f"MESSAGE = '{IMMUTABLE}: registered version fields are immutable'; END IF; RETURN NEW; END $$",
        f"CREATE OR REPLACE TRIGGER trg_version_immutable BEFORE UPDATE OF {REGISTERED_COLUMNS} ON model_version "
        "FOR EACH ROW EXECUTE FUNCTION regtui_version_immutable()",
        "CREATE OR REPLACE TRIGGER trg_version_no_delete BEFORE DELETE ON model_version "
        "FOR EACH ROW EXECUTE FUNCTION regtui_refuse()",
        "CREATE OR REPLACE TRIGGER trg_version_no_truncate BEFORE TRUNCATE ON model_version "
        "FOR EACH STATEMENT EXECUTE FUNCTION regtui_refuse()",
    ]
    for table in APPEND_ONLY_TABLES:
        rules.append(
            f"CREATE OR REPLACE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION regtui_refuse()"
        )
        rules.append(
            f"CREATE OR REPLACE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION regtui_refuse()"
        )
    return rules


def _pg_compared(row: str, column: str) -> str:
    """A column of OLD/NEW as the trigger compares it (json has no equality operator: compare its text)."""
    return f"{row}.{column}::text" if column in JSON_VERSION_COLUMNS else f"{row}.{column}"


def next_change(session: Session) -> int:
    """Take the next change-counter value; the row lock serializes writers until commit."""
    return int(session.connection().execute(NEXT_CHANGE).scalar_one())


def current_change(session: Session) -> int:
    """The last committed change-counter value visible to this session."""
    return int(session.connection().execute(text("SELECT value FROM change_counter WHERE id = 1")).scalar_one())
