"""Output for people (aligned tables, one-line messages) and for scripts (--json)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Sequence

from regtui.domain.entry import utc_iso
from regtui.domain.text import clean_single_line


def to_plain(value: Any) -> Any:
    """Dataclasses, enums and datetimes as JSON-ready values."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_plain(asdict(value))
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return value


def print_json(value: Any) -> None:
    """Write a value as indented JSON to stdout."""
    sys.stdout.write(json.dumps(to_plain(value), indent=2, ensure_ascii=False) + "\n")


def cell(value: Any) -> str:
    """A table cell: one line, control characters made harmless, dates as UTC minutes."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return utc_iso(value)[:16].replace("T", " ")
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v) for v in value) or "-"
    if isinstance(value, float):
        return f"{value:g}"
    return clean_single_line(str(value))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """An aligned plain-text table (the last column is not padded)."""
    text_rows = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in text_rows)]) for i, h in enumerate(headers)]
    for row in [list(headers), *text_rows]:
        padded = [value.ljust(width) for value, width in zip(row[:-1], widths)]
        sys.stdout.write("  ".join([*padded, row[-1]]).rstrip() + "\n")


def say(message: str) -> None:
    """One line for a person on stdout."""
    sys.stdout.write(clean_single_line(message) + "\n")


def warn(message: str) -> None:
    """One line for a person on stderr (staleness, notices)."""
    sys.stderr.write(f"regtui: {clean_single_line(message)}\n")
