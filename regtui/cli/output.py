"""Output for people (aligned tables, one-line messages) and for scripts (--json)."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import asdict, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from regtui.domain.entry import utc_iso
from regtui.domain.text import clean_single_line
from regtui.glyphs import to_ascii

ascii_only: ContextVar[bool] = ContextVar("ascii_only", default=False)
"""ASCII mode (config `ascii`, or a console such as TERM=linux): tables and messages for people use ASCII stand-ins
for check marks, arrows and ellipses; --json output is never changed."""


def for_people(text: str) -> str:
    """Text as this terminal shows it: in ASCII stand-ins when ASCII mode is on."""
    return to_ascii(text) if ascii_only.get() else text


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


GAP = "  "
"""Between two table columns."""
NARROWEST = 6
"""A column shrunk to fit the terminal keeps at least this many characters (or its header's, if fewer)."""
IDENTIFYING = 2
"""The first columns name the row (ID, MODEL@VERSION, PROVIDER, VERSION): they are never clipped."""


def terminal_width() -> int | None:
    """The terminal's width when stdout is one (tables are fitted to it); None for pipes and files (full rows)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def fitted_widths(widths: list[int], floors: list[int], room: int) -> list[int]:
    """Column widths whose table fits in room: the widest column gives up a character until it fits, no column
    below its floor (a table that cannot fit keeps every column at its floor)."""
    fitted = list(widths)
    excess = sum(fitted) + len(GAP) * (len(fitted) - 1) - room
    while excess > 0:
        shrinkable = [i for i, width in enumerate(fitted) if width > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: fitted[i])
        fitted[widest] -= 1
        excess -= 1
    return fitted


def clipped(text: str, width: int) -> str:
    """Text cut to width with an ellipsis when it is longer."""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """An aligned plain-text table (the last column is not padded); on a terminal, cells are clipped so that
    each line fits its width: the identifying columns are kept whole, columns of free text give way first."""
    text_rows = [[cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in text_rows)]) for i, h in enumerate(headers)]
    room = terminal_width()
    if room is not None:
        floors = [
            width if i < IDENTIFYING else min(width, max(len(header), NARROWEST))
            for i, (width, header) in enumerate(zip(widths, headers))
        ]
        words = [any(" " in row[i] for row in text_rows) for i in range(len(headers))]
        text_first = [floor if has_words else width for floor, width, has_words in zip(floors, widths, words)]
        widths = fitted_widths(fitted_widths(widths, text_first, room), floors, room)
    for row in [list(headers), *text_rows]:
        cells = [clipped(value, width) for value, width in zip(row, widths)]
        padded = [value.ljust(width) for value, width in zip(cells[:-1], widths)]
        sys.stdout.write(for_people(GAP.join([*padded, cells[-1]]).rstrip()) + "\n")


def say(message: str) -> None:
    """One line for a person on stdout."""
    sys.stdout.write(for_people(clean_single_line(message)) + "\n")


def warn(message: str) -> None:
    """One line for a person on stderr (staleness, notices)."""
    sys.stderr.write(f"regtui: {for_people(clean_single_line(message))}\n")
