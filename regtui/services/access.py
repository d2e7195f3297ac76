"""Authorization for the services: the acting identity's stored roles against the right an action needs."""

from __future__ import annotations

from sqlmodel import Session

from regtui.domain.approvals import Approver
from regtui.domain.roles import Right, refusal, rights_of
from regtui.errors import NotAllowedError
from regtui.store.access import roles_of, teams_of


def actor_in(session: Session, identity: str) -> Approver:
    """An identity with the roles and teams the registry (or cache) behind the session grants it."""
    return Approver(identity, roles_of(session, identity), teams_of(session, identity))


def require(actor: Approver, right: Right, action: str) -> None:
    """Refuse an action the actor's roles do not allow (NotAllowedError naming the roles that would)."""
    reason = refusal(actor.identity, actor.roles, right, action)
    if reason is not None:
        raise NotAllowedError(reason)


def holds(actor: Approver, right: Right) -> bool:
    """Whether the actor's roles grant a right (what a screen may offer; `require` refuses)."""
    return right in rights_of(actor.roles)
