"""ASCII mode: one character for each drawing glyph (box drawing, blocks, sparklines, arrows, check marks), so that a
console without those glyphs (TERM=linux) shows every frame and table readably, cell for cell.

Every replacement is a single ASCII character, so a line keeps its width and a layout stays aligned. Letters are
never replaced: names and descriptions show as written."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

PAST_RETENTION = "◷"
"""The mark of a version past retention (a clock face: its time as a rollback target is up); x in ASCII mode."""

ASCII_TERMS = frozenset({"linux", "vt100", "vt102", "vt220", "ansi", "dumb"})
"""Terminals whose font has no box drawing or arrows: ASCII mode is on there unless the config says otherwise."""

SPARKLINE_RAMP = dict(zip("▁▂▃▄▅▆▇█", "_.,-=+*#"))
"""Eighth blocks from low to full, as characters of growing ink."""

NAMED = {
    "…": "~",
    "·": "-",
    "•": "*",
    "—": "-",
    "–": "-",
    "−": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "Δ": "d",
    "≥": ">",
    "≤": "<",
    "≠": "#",
    "⇄": "/",
    "✓": "+",
    "✔": "+",
    "✗": "x",
    "✘": "x",
    "░": ":",
    "▒": "%",
    "▓": "#",
    "▔": "-",
    PAST_RETENTION: "x",
    **SPARKLINE_RAMP,
}
"""Glyphs with a replacement of their own; the rest of each drawing block is replaced by its Unicode name."""

DIAGONALS = {"UPPER RIGHT TO LOWER LEFT": "/", "UPPER LEFT TO LOWER RIGHT": "\\"}
"""Box-drawing diagonals by the rest of their name; a crossing is X."""

DRAWING_BLOCKS = (
    (0x2190, 0x21FF),  # arrows
    (0x2500, 0x257F),  # box drawing
    (0x2580, 0x259F),  # block elements
    (0x25A0, 0x25FF),  # geometric shapes
    (0x2800, 0x28FF),  # braille patterns (spinners)
)


def _by_name(char: str) -> str | None:
    """The ASCII stand-in for a drawing glyph, read from its Unicode name; None for one with no fitting stand-in."""
    name = unicodedata.name(char, "")
    words = set(name.replace("-", " ").split())
    if name.startswith("BRAILLE"):
        return " " if char == "\u2800" else "."
    if "DIAGONAL" in words:
        return DIAGONALS.get(name.partition("DIAGONAL ")[2], "X")
    for direction, stand_in in (("LEFTWARDS", "<"), ("RIGHTWARDS", ">"), ("UPWARDS", "^"), ("DOWNWARDS", "v")):
        if direction in words or (direction[:-5] in words and ("TRIANGLE" in words or "POINTING" in words)):
            return stand_in
    if "CIRCLE" in words:
        return "o" if "WHITE" in words else "*"
    if "SQUARE" in words or "RECTANGLE" in words or "DIAMOND" in words:
        return "#"
    if "BLOCK" in words or "QUADRANT" in words:
        return _block(words)
    across = bool(words & {"HORIZONTAL", "LEFT", "RIGHT"})
    upright = bool(words & {"VERTICAL", "UP", "DOWN"})
    if across != upright:
        return "-" if across else "|"
    return "+" if name.startswith("BOX DRAWINGS") else None


def _block(words: set[str]) -> str:
    """A block element by its shape: quadrants as corners, side bars as bars, top bars as lines, the rest as ink."""
    if "QUADRANT" in words:
        return "+"
    if words & {"LEFT", "RIGHT"}:
        return "|"
    return "-" if "UPPER" in words else "#"


@cache
def ascii_table() -> Mapping[int, str]:
    """str.translate's table: every glyph of the drawing blocks with a stand-in, and the named ones."""
    table = {
        code: stand_in
        for first, last in DRAWING_BLOCKS
        for code in range(first, last + 1)
        if (stand_in := _by_name(chr(code))) is not None
    }
    table.update({ord(glyph): stand_in for glyph, stand_in in NAMED.items()})
    return table


def to_ascii(text: str) -> str:
    """The text with every drawing glyph replaced by one ASCII character (same length, letters untouched)."""
    return text.translate(ascii_table()) if not text.isascii() else text


def ascii_wanted(setting: bool | None, term: str | None) -> bool:
    """ASCII mode from the config's `ascii` (true/false), or by default on a terminal without drawing glyphs."""
    if setting is not None:
        return setting
    return (term or "").strip().lower() in ASCII_TERMS
