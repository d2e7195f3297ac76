"""CLI tables fit the terminal they are printed on; piped output keeps every character."""

from __future__ import annotations

import pytest

from regtui.cli import output

HEADERS = ["ID", "VERSION", "MOVE", "REQUESTED BY", "MISSING"]
ROWS = [
    [
        251,
        "churn-classifier@2.7.0",
        "Canary -> Production",
        "carol",
        "stakeholder sign-off: team-ml-platform, second reviewer, artifacts verified",
    ],
    [7, "ticket-router@2.0.0-rc.1", "Staging -> Canary", "bob", "threshold latency_p95_ms <= 20"],
]


def printed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int | None) -> list[str]:
    """The table's lines as printed on a terminal of the width (None: not a terminal)."""
    monkeypatch.setattr(output, "terminal_width", lambda: width)
    output.print_table(HEADERS, ROWS)
    return capsys.readouterr().out.splitlines()


def test_on_a_narrow_terminal_every_line_fits(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80 columns the widest cells are clipped with an ellipsis and the columns stay aligned."""
    lines = printed(capsys, monkeypatch, 80)
    assert max(map(len, lines)) <= 80
    assert lines[1].startswith("251  churn-classifier@2.7.0  ")
    assert lines[1].endswith("stakeholder sign…")
    columns = [line.index("carol" if i == 1 else "bob") for i, line in enumerate(lines) if i]
    assert len(set(columns)) == 1


def test_piped_output_keeps_whole_rows(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a terminal: nothing is clipped (scripts read every character)."""
    lines = printed(capsys, monkeypatch, None)
    assert lines[1].endswith("stakeholder sign-off: team-ml-platform, second reviewer, artifacts verified")
    assert "…" not in "".join(lines)


def test_a_terminal_too_narrow_keeps_each_column_readable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Narrower than the columns' floors: the identifying columns stay whole, the others keep their header's
    width (or six characters)."""
    lines = printed(capsys, monkeypatch, 20)
    assert lines[0].split() == ["ID", "VERSION", "MOVE", "REQUESTED", "BY", "MISSING"]
    assert lines[1].split()[:3] == ["251", "churn-classifier@2.7.0", "Canar…"]
