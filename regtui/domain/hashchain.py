"""The promotion log's hash chain: each entry carries the SHA-256 of the previous one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from regtui.domain.entry import canonical_json, utc_iso

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class LogEntry:
    """One promotion-log entry as hashed: what happened, to what, by whom, when, and why."""

    position: int
    kind: str
    actor: str
    at: datetime
    model: str | None = None
    version: str | None = None
    from_stage: str | None = None
    to_stage: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH

    def canonical(self) -> str:
        """The canonical serialization the hash is taken over."""
        return canonical_json(
            {
                "position": self.position,
                "kind": self.kind,
                "actor": self.actor,
                "at": utc_iso(self.at),
                "model": self.model,
                "version": self.version,
                "from_stage": self.from_stage,
                "to_stage": self.to_stage,
                "details": self.details,
                "prev_hash": self.prev_hash,
            }
        )

    def digest(self) -> str:
        """SHA-256 of the canonical serialization."""
        return hashlib.sha256(self.canonical().encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where and why a chain stops verifying."""

    position: int
    reason: str


def verify_chain(
    entries: Iterable[tuple[LogEntry, str]], *, after_position: int = 0, after_hash: str = GENESIS_HASH
) -> ChainBreak | None:
    """Walk (entry, stored hash) pairs in order; return the first break, or None when intact.

    `after_position` and `after_hash` continue an earlier walk that verified entries 1..after_position
    (the last of them with stored hash `after_hash`), so only the new entries are hashed."""
    expected_prev = after_hash
    expected_position = after_position + 1
    for entry, stored_hash in entries:
        if entry.position != expected_position:
            return ChainBreak(
                entry.position, f"expected entry {expected_position}, found {entry.position} (entry missing)"
            )
        if entry.prev_hash != expected_prev:
            return ChainBreak(entry.position, "previous-hash link does not match the entry before it")
        if entry.digest() != stored_hash:
            return ChainBreak(entry.position, "content does not match its recorded hash (entry altered)")
        expected_prev = stored_hash
        expected_position += 1
    return None
