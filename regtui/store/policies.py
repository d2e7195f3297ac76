"""The registry's governance policy: one validated YAML document stored in the registry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from regtui.domain.manifest import dump_yaml
from regtui.domain.policy import POLICY_SCOPE, Policy, policy_document, policy_of
from regtui.store.log import append_event
from regtui.store.tables import PolicyRow

POLICY_QUERY = select(PolicyRow.__table__.c.document).where(PolicyRow.__table__.c.scope == POLICY_SCOPE)


def get_policy(session: Session) -> Policy:
    """The stored policy, or the built-in default when none was set."""
    return policy_of(session.connection().execute(POLICY_QUERY).scalar_one_or_none())


def set_policy(session: Session, policy: Policy, *, actor: str, now: datetime, seq: int) -> bool:
    """Store a policy (the caller checked the admin role) and log the change; returns whether it changed."""
    if not store_policy(session, policy, actor=actor, now=now, seq=seq):
        return False
    append_event(session, seq=seq, kind="policy", actor=actor, at=now, details={"policy": policy_document(policy)})
    return True


def store_policy(session: Session, policy: Policy, *, actor: str, now: datetime, seq: int) -> bool:
    """Write the policy row without a log entry (a restored log already holds it); returns whether it changed."""
    document = dump_yaml(policy_document(policy))
    row = session.get(PolicyRow, POLICY_SCOPE)
    if row is not None and row.document == document:
        return False
    if row is None:
        session.add(PolicyRow(scope=POLICY_SCOPE, document=document, updated_by=actor, updated_at=now, change_seq=seq))
    else:
        row.document, row.updated_by, row.updated_at, row.change_seq = document, actor, now, seq
    return True


def stored_policy_row(session: Session) -> PolicyRow | None:
    """The stored policy row (for export), or None when the default applies."""
    return session.get(PolicyRow, POLICY_SCOPE)
