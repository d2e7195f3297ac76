"""Unexpected failures of the layers below, worded for a person: a database error in one line."""

from __future__ import annotations

import sys


def database_error(exc: Exception) -> str | None:
    """'database error: ...' for an SQLAlchemy error, else None (SQLAlchemy is imported only when used: when it
    was not, the error cannot be one of its own)."""
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None or not isinstance(exc, errors.SQLAlchemyError):
        return None
    return f"database error: {str(getattr(exc, 'orig', exc) or exc).strip().splitlines()[0]}"
