"""Who is acting, and whether the registry's roles let them: identity and authorization."""

from __future__ import annotations

import getpass
import os

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from regtui.domain.roles import Right, Role, rights_of
from regtui.store.engine import is_sqlite
from regtui.store.tables import UserRow


def os_identity() -> str:
    """The OS login, or REGTUI_USER when set (advisory: a single-host file registry trusts its users)."""
    override = os.environ.get("REGTUI_USER", "").strip()
    if override:
        return override
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


def resolve_identity(engine: Engine) -> str:
    """The acting identity: PostgreSQL's authenticated session user, else the OS login."""
    if is_sqlite(engine):
        return os_identity()
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT session_user")).scalar_one())


def roles_of(session: Session, identity: str) -> frozenset[Role]:
    """The roles the registry grants an identity (none when unknown)."""
    row = session.get(UserRow, identity)
    return frozenset(Role(r) for r in (row.roles if row else []))


def teams_of(session: Session, identity: str) -> frozenset[str]:
    """The teams an identity belongs to."""
    row = session.get(UserRow, identity)
    return frozenset(row.teams if row else [])


def rights_of_identity(session: Session, identity: str) -> frozenset[Right]:
    """The rights an identity's roles grant."""
    return rights_of(roles_of(session, identity))


def has_admin(session: Session) -> bool:
    """Whether any identity holds the admin role (a fresh registry has none)."""
    for roles in session.execute(select(UserRow.roles)).scalars():
        if Role.ADMIN.value in roles:
            return True
    return False
