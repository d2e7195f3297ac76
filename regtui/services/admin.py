"""Administration services: the registry's users and roles, and its policy (changes are admin only, logged)."""

from __future__ import annotations

from sqlmodel import Session

from regtui.domain.limits import check_text
from regtui.domain.manifest import UserSpec
from regtui.domain.policy import Policy
from regtui.domain.roles import Right, Role
from regtui.errors import InputError, RuleError
from regtui.services.access import actor_in, require
from regtui.services.registry import RegistryService
from regtui.store.access import has_admin
from regtui.store.engine import is_sqlite
from regtui.store.log import append_event
from regtui.store.pg_security import enroll_login
from regtui.store.policies import get_policy, set_policy
from regtui.store.queries import list_users
from regtui.store.schema import next_change
from regtui.store.tables import UserRow


def users(service: RegistryService) -> list[UserSpec]:
    """Every registry user with roles and teams, from the cache."""
    with service.reading() as session:
        return list_users(session)


def policy(service: RegistryService) -> Policy:
    """The registry's policy as the cache holds it (the default when none was set)."""
    with service.reading() as session:
        return get_policy(session)


def set_registry_policy(service: RegistryService, policy: Policy) -> bool:
    """Replace the registry's policy (admin only); logged."""
    actor = service.identity()
    with service.writing() as session:
        seq = next_change(session)
        require(actor_in(session, actor), Right.ADMINISTER, "change the policy")
        return set_policy(session, policy, actor=actor, now=service.clock(), seq=seq)


def set_roles(service: RegistryService, identity: str, roles: list[Role], teams: list[str] | None = None) -> None:
    """Grant exactly these roles (and optionally teams) to an identity (admin only); logged."""
    with service.writing() as session:
        _record_roles(session, service, identity, roles, teams)


def add_user(
    service: RegistryService, login: str, roles: list[Role], teams: list[str] | None = None, *, create_login: bool
) -> None:
    """Record a person's roles (as set_roles) and, on PostgreSQL, grant their login the group roles and the API
    search_path, creating the login when asked; all in one transaction (admin only)."""
    postgres = not is_sqlite(service.registry())
    if create_login and not postgres:
        raise InputError("--create-login is for PostgreSQL registries (an SQLite registry has no logins)")
    with service.writing() as session:
        _record_roles(session, service, login, roles, teams)
        if postgres:
            enroll_login(session.connection(), login, roles, create=create_login)


def _record_roles(
    session: Session, service: RegistryService, identity: str, roles: list[Role], teams: list[str] | None
) -> None:
    """Write an identity's roles and teams and log it, in the caller's transaction (admin only)."""
    check_text("identity", identity)
    for team in teams or ():
        check_text("team", team)
    actor = service.identity()
    seq = next_change(session)
    require(actor_in(session, actor), Right.ADMINISTER, "manage roles")
    row = session.get(UserRow, identity) or UserRow(
        identity=identity, name=identity, roles=[], teams=[], change_seq=seq
    )
    row.roles = sorted({r.value for r in roles})
    if teams is not None:
        row.teams = sorted(set(teams))
    row.change_seq = seq
    session.add(row)
    session.flush()
    if not has_admin(session):  # an admin-less registry makes whoever runs `init` next its admin
        raise RuleError(f"admin rule: {identity} is the last admin; grant admin to someone else first")
    append_event(
        session,
        seq=seq,
        kind="roles",
        actor=actor,
        at=service.clock(),
        details={"identity": identity, "roles": row.roles, "teams": row.teams},
    )
