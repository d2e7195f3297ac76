"""A log entry's details as labelled lines: nesting, lists, empty values and hostile text."""

from __future__ import annotations

from regtui.domain.details import NOTHING, DetailLine, detail_lines


def test_nested_values_are_indented_under_their_key() -> None:
    """A mapping and a list of mappings open a keyed line with their fields one level deeper."""
    details = {
        "reason": "INC-1",
        "verified": {"model": "ab12"},
        "approvers": [{"identity": "bob", "capacity": "owner"}],
        "checklist": ["drained", "notified"],
    }
    assert detail_lines(details) == [
        DetailLine(0, "reason", "INC-1"),
        DetailLine(0, "verified", ""),
        DetailLine(1, "model", "ab12"),
        DetailLine(0, "approvers", ""),
        DetailLine(1, "-", ""),
        DetailLine(2, "identity", "bob"),
        DetailLine(2, "capacity", "owner"),
        DetailLine(0, "checklist", "drained, notified"),
    ]


def test_empty_values_read_none_and_keys_lose_underscores() -> None:
    """None, '', [] and {} say '(none)'; 'from_version' reads 'from version'."""
    lines = detail_lines({"from_version": None, "reason": "", "approvers": [], "evidence": {}})
    assert lines == [DetailLine(0, key, NOTHING) for key in ("from version", "reason", "approvers", "evidence")]


def test_control_characters_cannot_reach_the_screen() -> None:
    """Escape sequences in keys and values become visible pictures; a value keeps its line breaks."""
    (line,) = detail_lines({"re\x1b[2Json": "line one\nline two \x1b]52;c;x\x07"})
    assert "\x1b" not in line.key + line.value and "\x07" not in line.value
    assert line.value.startswith("line one\nline two ")
