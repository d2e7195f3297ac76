"""ASCII mode's stand-ins: one ASCII character per drawing glyph, letters untouched, on under consoles."""

from __future__ import annotations

import pytest

from regtui.glyphs import ascii_table, ascii_wanted, to_ascii


def test_every_box_drawing_and_block_glyph_has_a_one_character_ascii_stand_in() -> None:
    """Box drawing (U+2500-257F) and block elements (U+2580-259F) are all covered, each by one ASCII character."""
    for code in range(0x2500, 0x25A0):
        assert code in ascii_table(), hex(code)
    assert all(len(stand_in) == 1 and stand_in.isascii() for stand_in in ascii_table().values())


@pytest.mark.parametrize(
    ("drawn", "ascii"),
    [
        ("╭──┬──╮", "+--+--+"),
        ("│ ├┼┤ ┃", "| +++ |"),
        ("━━╸╺━", "-----"),
        ("▁▂▃▄▅▆▇█", "_.,-=+*#"),
        ("← → ↑ ↓ ⇄", "< > ^ v /"),
        ("▶▼▲◀", ">v^<"),
        ("✓ pass · ✗ MISSING", "+ pass - x MISSING"),
        ("Δ ≥0.9 ≤1 — fine…", "d >0.9 <1 - fine~"),
    ],
)
def test_stand_ins(drawn: str, ascii: str) -> None:
    """Lines, corners and crossings; the sparkline ramp keeps its rise; arrows and marks keep their sense."""
    assert to_ascii(drawn) == ascii


def test_letters_and_length_are_kept() -> None:
    """Names in any script show as written; a line keeps its length, so layouts stay aligned."""
    text = "Zoë 日本 ├─ ✓"
    assert to_ascii(text) == "Zoë 日本 +- +"
    assert len(to_ascii(text)) == len(text)


@pytest.mark.parametrize(
    ("setting", "term", "wanted"),
    [
        (None, "linux", True),
        (None, "vt100", True),
        (None, "xterm-256color", False),
        (None, None, False),
        (False, "linux", False),
        (True, "xterm-256color", True),
    ],
)
def test_ascii_mode_is_on_under_consoles_unless_the_config_says(
    setting: bool | None, term: str | None, wanted: bool
) -> None:
    """The config's `ascii` decides; unset, TERM=linux (and other glyph-less terminals) turns it on."""
    assert ascii_wanted(setting, term) is wanted
