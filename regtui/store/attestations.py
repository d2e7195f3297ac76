"""Recording an attestation: one log entry by the attester, in the caller's write transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from regtui.domain.attestations import ATTEST, check_attestation
from regtui.store.facts import require_version
from regtui.store.log import append_event
from regtui.store.schema import next_change


def record_attestation(
    session: Session, *, actor: str, model: str, version: str, subject: str, comment: str, now: datetime
) -> None:
    """Append the attestation of a version's model-card section (the caller checked the actor's review right)."""
    check_attestation(subject, comment)
    seq = next_change(session)
    require_version(session, model, version)
    append_event(
        session,
        seq=seq,
        kind=ATTEST,
        actor=actor,
        at=now,
        model=model,
        version=version,
        details={"subject": subject, "comment": comment},
    )
