"""Database refusals as regtui's typed errors, found by constraint name or SQLSTATE, never by message text.

PostgreSQL names the constraint a statement broke (the registry's triggers raise with their code as the
constraint name); SQLite names a broken unique index by its columns (matched to the declared constraint)
and a trigger by the code its RAISE message starts with (`regtui:immutable: ...`, the contract)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Index, MetaData, PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from regtui.errors import ConflictError, NotAllowedError, RegtuiError, RuleError

IMMUTABLE = "regtui:immutable"
NEVER_DELETED = "regtui:never-deleted"
APPEND_ONLY = "regtui:append-only"
NOT_ALLOWED = "regtui:not-allowed"
SQLITE_UNIQUE_PREFIX = "UNIQUE constraint failed: "
SQLITE_UNIQUE_ERRORS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
SQLITE_TRIGGER_ERROR = "SQLITE_CONSTRAINT_TRIGGER"
REFUSED = "refused by the registry"


@dataclass(frozen=True)
class Refusal:
    """What a named constraint or trigger stands for: the error type, and its sentence (None: the trigger's own)."""

    error: type[RegtuiError]
    message: str | None = None


REFUSALS: dict[str, Refusal] = {
    "uq_one_production": Refusal(ConflictError, "another version of this model is already in Production"),
    "uq_model_version": Refusal(ConflictError, "this version is already registered"),
    "uq_artifact_name": Refusal(ConflictError, "this version already records an artifact of that name"),
    "uq_provider_version": Refusal(ConflictError, "this provider version is already recorded"),
    IMMUTABLE: Refusal(RuleError),
    NEVER_DELETED: Refusal(RuleError),
    APPEND_ONLY: Refusal(RuleError),
    NOT_ALLOWED: Refusal(NotAllowedError),
}
"""Every constraint and trigger code of the registry that a person can run into, with its typed error (SQLite
names no foreign key: a broken one is a conflict on both backends, like any unnamed integrity failure)."""

SQLSTATE_REFUSALS: dict[str, Refusal] = {
    "40001": Refusal(ConflictError, "a concurrent write conflicted with this one; nothing was written: try again"),
    "40P01": Refusal(ConflictError, "a concurrent write deadlocked with this one; nothing was written: try again"),
    "23505": Refusal(ConflictError),
    "42501": Refusal(NotAllowedError),
}
"""PostgreSQL errors without a constraint of the registry's, by SQLSTATE (an unreachable or timed-out registry is
not a refusal: engine.translate_errors reports it)."""


def refusal_error(exc: DBAPIError) -> RegtuiError | None:
    """The typed error of a database refusal, by its constraint (or trigger code), else its SQLSTATE; or None."""
    code = refusal_code(exc)
    refusal = REFUSALS.get(code) if code is not None else None
    if refusal is None:
        refusal = SQLSTATE_REFUSALS.get(getattr(exc.orig, "sqlstate", None) or "")
    if refusal is None:
        return None
    return refusal.error(f"{REFUSED}: {refusal.message or driver_message(exc, code)}")


def refusal_code(exc: DBAPIError) -> str | None:
    """The name of the constraint or trigger code a database error reports, on either backend."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:  # psycopg
        return diag.constraint_name
    kind = getattr(exc.orig, "sqlite_errorname", None)
    if kind == SQLITE_TRIGGER_ERROR:
        return str(exc.orig).partition(": ")[0]
    if kind in SQLITE_UNIQUE_ERRORS:
        return sqlite_unique_name(str(exc.orig))
    return None


def sqlite_unique_name(message: str) -> str | None:
    """The declared name of the unique constraint or index SQLite reports as `UNIQUE constraint failed: t.a, t.b`."""
    if not message.startswith(SQLITE_UNIQUE_PREFIX):
        return None
    columns = tuple(part.strip() for part in message.removeprefix(SQLITE_UNIQUE_PREFIX).split(","))
    return unique_names(SQLModel.metadata).get(columns)


def unique_names(metadata: MetaData) -> dict[tuple[str, ...], str]:
    """Each declared unique constraint, unique index and primary key by its `table.column` list, as SQLite names it."""
    names: dict[tuple[str, ...], str] = {}
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, (UniqueConstraint, PrimaryKeyConstraint)):
                key = tuple(f"{table.name}.{column.name}" for column in constraint.columns)
                names[key] = str(constraint.name or f"pk_{table.name}")
        for index in table.indexes:
            if isinstance(index, Index) and index.unique and index.name:
                names[tuple(f"{table.name}.{column.name}" for column in index.columns)] = str(index.name)
    return names


def driver_message(exc: DBAPIError, code: str | None) -> str:
    """The database's own one-line message, without the trigger code that starts it."""
    diag = getattr(exc.orig, "diag", None)
    message = (diag.message_primary if diag is not None else None) or str(exc.orig)
    line = message.strip().splitlines()[0] if message.strip() else type(exc).__name__
    return line.removeprefix(f"{code}: ") if code else line
