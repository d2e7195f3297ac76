"""Attestations: a decision recorded in the log by a registry user with the review right that a section of a
version's model card holds (the fairness assessment), never a name typed into a manifest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from regtui.domain.entry import utc_iso
from regtui.domain.roles import Right, Role, rights_of
from regtui.domain.text import clean_single_line
from regtui.errors import InputError, RuleError

ATTEST = "attest"
"""The promotion log's entry kind of an attestation."""
FAIRNESS = "fairness"
SUBJECTS = (FAIRNESS,)
"""What can be attested."""


@dataclass(frozen=True)
class AttestationFact:
    """One recorded attestation with the attester's current roles (the review right is re-checked at each gate)."""

    identity: str
    subject: str
    comment: str
    at: datetime
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class AttestationState:
    """The attestation a gate counts (None: none counts) and why others do not."""

    current: AttestationFact | None
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        """'attested by bob at T: comment', or why it is not attested."""
        if self.current is None:
            return "; ".join(self.notes)
        who = self.current
        return f"attested by {who.identity} at {utc_iso(who.at)}: {clean_single_line(who.comment)}"


def check_attestation(subject: str, comment: str) -> None:
    """Refuse an attestation of an unknown subject (input error) or without a comment saying what was checked."""
    if subject not in SUBJECTS:
        raise InputError(f"cannot attest {subject!r}; attestable: {', '.join(SUBJECTS)}")
    if not comment.strip():
        raise RuleError(f"attestation rule: an attestation of {subject} needs a comment saying what you checked")


def attestation_state(facts: Iterable[AttestationFact], subject: str, manifest_name: str | None) -> AttestationState:
    """The newest attestation of a subject by someone who holds the review right now; notes for the others and for
    a manifest's `attested_by`, which is not an attestation."""
    current: AttestationFact | None = None
    notes: list[str] = []
    for fact in facts:
        if fact.subject != subject:
            continue
        if Right.REVIEW in rights_of(fact.roles):
            current = fact
        else:
            notes.append(f"{fact.identity}'s attestation does not count: no review right now")
    if current is not None:
        return AttestationState(current)
    notes.insert(0, f"no reviewer has attested the {subject} section (regtui attest MODEL@VERSION {subject})")
    if manifest_name:
        notes.append(f"the manifest's attested_by ({clean_single_line(manifest_name)}) is not an attestation")
    return AttestationState(None, tuple(notes))
