"""Clean untrusted text at the data boundary so terminal control sequences can never reach the screen."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

REPLACEMENT = "\ufffd"
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _build_table() -> dict[int, str]:
    """Map C0 and DEL to visible Control Pictures, C1 and bidi controls to U+FFFD."""
    table = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"}
    table[0x7F] = "\u2421"
    table.update({code: REPLACEMENT for code in range(0x80, 0xA0)})
    table.update({ord(char): REPLACEMENT for char in BIDI_CONTROLS})
    return table


_TEXT_TABLE: dict[int, str] = _build_table()
_LINE_TABLE: dict[int, str] = {**_TEXT_TABLE, **{ord(c): " " for c in "\n\t\u2028\u2029"}}


def clean_text(value: str) -> str:
    """Make control characters visible (keeping newlines and tabs) so text cannot drive the terminal."""
    return value if value.isprintable() else value.translate(_TEXT_TABLE)


def clean_single_line(value: str) -> str:
    """Like clean_text, and turn line breaks and tabs into spaces, for table cells and one-line messages.

    Every character either table maps is unprintable (Cc, Cf, Zl, Zp), so printable text is returned as is."""
    return value if value.isprintable() else value.translate(_LINE_TABLE)


@lru_cache(maxsize=8192)
def one_line(value: str | None) -> str:
    """A one-line, control-free string ('' for None); memoized, as stages, people and metric names repeat
    in every row of a read."""
    return clean_single_line(value or "")


def format_age(seconds: float) -> str:
    """A compact age: 42s, 5m, 3h, 2d."""
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def clean_data(obj: Any) -> Any:
    """Recursively clean every string (dict keys too) in dicts, lists and tuples; other values unchanged."""
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, dict):
        return {clean_data(key): clean_data(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [clean_data(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(clean_data(item) for item in obj)
    return obj
