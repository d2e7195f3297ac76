"""Untrusted text is cleaned at the data boundary: no control sequence survives, markup is left alone."""

from __future__ import annotations

import pytest

from regtui.domain.text import clean_data, clean_single_line, clean_text

ESC_PICTURE = "\u241b"
REPLACEMENT = "\ufffd"


def test_plain_text_unchanged() -> None:
    """Ordinary text, including non-ASCII, newlines and tabs, passes through untouched."""
    value = "Churn model – données 2026\n\tsegment: région=EU 🚀"
    assert clean_text(value) == value


def test_ansi_escape_sequence_made_visible() -> None:
    """An SGR colour sequence loses its ESC, shown as the Control Picture ␛."""
    assert clean_text("\x1b[31mred\x1b[0m") == f"{ESC_PICTURE}[31mred{ESC_PICTURE}[0m"


def test_osc8_hyperlink_neutralized() -> None:
    """An OSC 8 hyperlink (ESC ] 8 ;; url BEL/ST) cannot reach the terminal."""
    value = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x1b\\"
    cleaned = clean_text(value)
    assert "\x1b" not in cleaned and "\x07" not in cleaned
    assert cleaned == "␛]8;;https://evil.example␇click␛]8;;␛\\"


def test_c1_csi_replaced() -> None:
    """The single-byte C1 CSI (U+009B) and every other C1 control become U+FFFD."""
    assert clean_text("\x9b2J") == f"{REPLACEMENT}2J"
    assert clean_text("".join(map(chr, range(0x80, 0xA0)))) == REPLACEMENT * 32


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"])
def test_bidi_controls_replaced(control: str) -> None:
    """Bidi overrides and isolates (Trojan Source) become U+FFFD."""
    assert clean_text(f"approved{control}devorppa") == f"approved{REPLACEMENT}devorppa"


def test_c0_and_del_become_control_pictures() -> None:
    """C0 controls other than newline and tab, and DEL, become their Control Pictures."""
    assert clean_text("a\x00b\rc\x08d\x7f") == "a\u2400b\u240dc\u2408d\u2421"


def test_markup_is_not_a_control_concern() -> None:
    """Rich/Textual markup is plain text here; escaping it is the renderer's job."""
    value = "[bold red]not markup[/] [link=https://x]y[/link]"
    assert clean_text(value) == value


def test_clean_single_line_flattens_line_breaks() -> None:
    """Newlines, tabs and Unicode line separators become spaces; controls are still cleaned."""
    assert clean_single_line("a\nb\tc\u2028d\u2029e\x1b") == f"a b c d e{ESC_PICTURE}"


def test_clean_data_recurses_into_keys_and_values() -> None:
    """Strings nested in dicts, lists and tuples are cleaned, keys included; other types untouched."""
    data = {"k\x1b": ["v\x9b", ("t\u202e", 3)], "n": None, "f": 1.5, "b": True}
    assert clean_data(data) == {
        f"k{ESC_PICTURE}": [f"v{REPLACEMENT}", (f"t{REPLACEMENT}", 3)],
        "n": None,
        "f": 1.5,
        "b": True,
    }


def test_every_cleaned_character_is_unprintable() -> None:
    """The cleaners return printable text as is, so each character they map must be one str.isprintable() refuses."""
    from regtui.domain.text import _LINE_TABLE, _TEXT_TABLE

    assert all(not chr(code).isprintable() for code in (*_TEXT_TABLE, *_LINE_TABLE))
    assert clean_single_line("plain text · ünïcode") == "plain text · ünïcode"
