"""Roles and what each may do: viewer < contributor < reviewer < releaser < admin (each adds rights).

The one table of authorization: every refusal for a missing right is decided by `refusal` from it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The registry roles of the standard."""

    VIEWER = "viewer"
    CONTRIBUTOR = "contributor"
    REVIEWER = "reviewer"
    RELEASER = "releaser"
    ADMIN = "admin"


class Right(StrEnum):
    """Things an identity may do; each role grants a set of rights."""

    READ = "read"
    REGISTER = "register"
    REQUEST = "request"
    REVIEW = "review"
    RELEASE = "release"
    ADMINISTER = "administer"


_RIGHTS: dict[Role, frozenset[Right]] = {
    Role.VIEWER: frozenset({Right.READ}),
    Role.CONTRIBUTOR: frozenset({Right.READ, Right.REGISTER, Right.REQUEST}),
    Role.REVIEWER: frozenset({Right.READ, Right.REVIEW}),
    Role.RELEASER: frozenset({Right.READ, Right.REQUEST, Right.RELEASE}),
    Role.ADMIN: frozenset(Right),
}


def rights_of(roles: frozenset[Role] | set[Role]) -> frozenset[Right]:
    """Union of the rights the given roles grant."""
    granted: set[Right] = set()
    for role in roles:
        granted |= _RIGHTS[role]
    return frozenset(granted)


def role_needed(right: Right) -> str:
    """The roles that grant a right, for refusal messages."""
    return " or ".join(role.value for role, rights in _RIGHTS.items() if right in rights)


def refusal(identity: str, roles: frozenset[Role], right: Right, action: str) -> str | None:
    """Why an identity holding these roles may not do an action that needs `right` (None when it may)."""
    if right in rights_of(roles):
        return None
    return f"{identity} may not {action}: needs the {role_needed(right)} role"
