"""Anchoring the promotion log: a remembered (position, hash) the registry's log must still hold, and the stages
the log implies, so a cut tail, a rewritten entry or a stage changed outside the log is named."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from regtui.domain.transitions import MoveKind
from regtui.errors import InputError

ANCHOR_PATTERN = re.compile(r"^([0-9]{1,18}):([0-9a-f]{64})$")
SHORT_HASH = 12
"""How many hex digits of a hash a message shows."""
STAGE_SETTING_KINDS = frozenset({"register", *(kind.value for kind in MoveKind)})
"""The log entries that put a version in a stage (a request, evidence or decision names a move it does not make)."""


@dataclass(frozen=True)
class LogAnchor:
    """A log position and the hash its entry had when someone saw it (a cache's witness, a record in a ticket)."""

    position: int
    hash: str

    def text(self) -> str:
        """'POS:HASH', the form `audit head` prints and `audit verify --expect` reads."""
        return f"{self.position}:{self.hash}"


def parse_anchor(text: str) -> LogAnchor:
    """Read 'POS:HASH' (a position from 1 and a 64-digit lowercase SHA-256); anything else is an input error."""
    match = ANCHOR_PATTERN.match(text.strip().lower())
    if match is None or int(match.group(1)) < 1:
        raise InputError(f"expected POS:HASH (a log position from 1 and a 64-digit SHA-256), got {text[:80]!r}")
    return LogAnchor(int(match.group(1)), match.group(2))


def anchor_break(anchor: LogAnchor, found_hash: str | None, log_end: int, witness: str) -> str | None:
    """Why the registry's log contradicts an anchor seen by `witness`, or None when it still holds that entry.

    `found_hash` is the hash the registry stores at the anchor's position (None: no such entry), `log_end` the
    registry's last position."""
    if found_hash is None:
        return (
            f"the registry's promotion log ends at entry {log_end}, but {witness} saw entry {anchor.position} "
            f"(hash {anchor.hash[:SHORT_HASH]}): entries were removed"
        )
    if found_hash != anchor.hash:
        return (
            f"the registry's promotion log entry {anchor.position} has hash {found_hash[:SHORT_HASH]}, but "
            f"{witness} saw {anchor.hash[:SHORT_HASH]}: the log was rewritten"
        )
    return None


@dataclass(frozen=True)
class LoggedMove:
    """A log entry that puts a version in a stage: where, and the entry's position."""

    position: int
    model: str
    version: str
    to_stage: str


def implied_stages(moves: Iterable[LoggedMove]) -> dict[tuple[str, str], LoggedMove]:
    """Replay the log's moves in chain order: each version's last move, which names the stage it must be in."""
    last: dict[tuple[str, str], LoggedMove] = {}
    for move in moves:
        last[(move.model, move.version)] = move
    return last


def stage_differences(implied: dict[tuple[str, str], LoggedMove], current: Iterable[tuple[str, str, str]]) -> list[str]:
    """One line per version whose current stage is not the one the log leaves it in (a stage changed outside the
    log), and per version the log moves that the registry does not hold."""
    differences = []
    seen: set[tuple[str, str]] = set()
    for model, version, stage in current:
        key = (model, version)
        seen.add(key)
        move = implied.get(key)
        if move is None:
            differences.append(f"{model}@{version} is in {stage}, but the log never records it entering a stage")
        elif move.to_stage != stage:
            differences.append(
                f"{model}@{version} is in {stage}, but the log leaves it in {move.to_stage} (entry {move.position})"
            )
    for key in sorted(implied.keys() - seen):
        move = implied[key]
        differences.append(
            f"{move.model}@{move.version} is in the log ({move.to_stage}, entry {move.position}) "
            "but not in the registry"
        )
    return differences
