"""Size limits on what regtui accepts, in one table: files before they are parsed, text fields by name.

A manifest, evidence or policy file over its byte limit is refused before it is read; a text field over its limit
is refused naming the field, whether it came from a file, a command-line argument or a TUI dialog. Limits count
characters (a Python `str`'s length). docs/limits.md lists them; keep the two in step.
"""

from __future__ import annotations

import json
import re

from regtui.errors import InputError

KIB = 1024
MIB = 1024 * KIB

NAME_CHARS = 256
"""Identifiers: model, version, owner, identity, team, framework, artifact and metric names, capacities, ids."""
LINE_CHARS = 2 * KIB
"""One-line texts: the training data reference, card summaries of the data, contacts, checklist items."""
URI_CHARS = 8 * KIB
"""An artifact URI or a link."""
TEXT_CHARS = 64 * KIB
"""Prose: descriptions, model card sections, reasons, comments, notes, reviews."""

FILE_BYTES: dict[str, int] = {
    "manifest": 64 * MIB,
    "policy": MIB,
    "evidence": MIB,
}
"""The largest file of each kind read (a manifest folder's files each). The configuration and theme files' limit is
`CONFIG_FILE_BYTES` in regtui/input_files.py (the leaves read them); a provider feed's cap is its `max_bytes`
setting (5 MiB by default, regtui/providers/feeds.py)."""

FIELD_CHARS: dict[str, int] = {
    "description": TEXT_CHARS,
    "intended_use": TEXT_CHARS,
    "limitations": TEXT_CHARS,
    "evaluation": TEXT_CHARS,
    "summary": TEXT_CHARS,
    "reason": TEXT_CHARS,
    "comment": TEXT_CHARS,
    "note": TEXT_CHARS,
    "notes": TEXT_CHARS,
    "impact": TEXT_CHARS,
    "review": TEXT_CHARS,
    "evidence": TEXT_CHARS,
    "value": TEXT_CHARS,
    "deprecation_note": TEXT_CHARS,
    "training_data": LINE_CHARS,
    "source": LINE_CHARS,
    "size": LINE_CHARS,
    "date_range": LINE_CHARS,
    "escalation_contact": LINE_CHARS,
    "archival_checklist": LINE_CHARS,
    "uri": URI_CHARS,
    "url": URI_CHARS,
    "ref": 2 * NAME_CHARS + 1,
}
"""Text fields by their last name in a manifest path (`model_card.fairness.summary` is `summary`) or by a command
line argument's name (`ref` is MODEL@VERSION); every other text field is an identifier, limited to NAME_CHARS."""

FEED_ID_CHARS = 200
"""A provider feed's version and model ids (a feed over a limit is malformed: regtui/domain/feeds.py)."""
FEED_TEXT_CHARS = 4000
"""A provider feed's texts: impact, notes, deprecation notes."""

DATA_BYTES = 256 * KIB
"""A free-form mapping (hyperparameters, an evidence file's content) as compact JSON."""
LOG_DETAILS_BYTES = MIB
"""An imported log entry's details or request's evidence as compact JSON (a request merges the keys of several
evidence files; a promotion's log entry carries that evidence and the gate's checks)."""

_INDEX = re.compile(r"\[\d+\]")


def field_limit(field: str) -> int:
    """The character limit of a text field named by its path (`requests[3].reason`, `model_card.evaluation`)."""
    name = _INDEX.sub("", field).rpartition(".")[2]
    return FIELD_CHARS.get(name, NAME_CHARS)


def length_problem(field: str, value: str) -> str | None:
    """Why a field's text is too long ('52428800 characters, over the limit of 65536'), or None."""
    limit = field_limit(field)
    if len(value) <= limit:
        return None
    return f"{len(value)} characters, over the limit of {limit}"


def check_text(field: str, value: str) -> str:
    """The text itself when it is within its field's limit; InputError naming the field otherwise."""
    problem = length_problem(field, value)
    if problem is not None:
        raise InputError(f"{field}: {problem}")
    return value


def data_problem(value: object, limit: int = DATA_BYTES) -> str | None:
    """Why a free-form mapping is too large as compact JSON, or None."""
    size = len(json.dumps(value, default=str, separators=(",", ":"), ensure_ascii=False))
    if size <= limit:
        return None
    return f"{size} characters as JSON, over the limit of {limit}"
