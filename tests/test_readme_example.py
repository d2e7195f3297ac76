"""The README's worked example of the promotion workflow, run command by command on a fresh demo registry."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.factories import run_cli

README = Path(__file__).resolve().parents[1] / "README.md"
EXPECTED_STATUS = [0, 3, 0, 0, 0, 0, 0, 0, 0]
"""requests, promote (pending), approve, approve, promote (applied), rollback dry run, rollback, audit, verify."""


def example_commands() -> list[tuple[str | None, list[str]]]:
    """The regtui commands of the worked example: (REGTUI_USER or None, arguments after `regtui`)."""
    section = README.read_text(encoding="utf-8").split("### A worked example", 1)[1].split("\n#", 1)[0]
    commands = []
    for line in section.splitlines():
        code = line[4:].split("#", 1)[0].strip() if line.startswith("    ") else ""
        for part in filter(None, (p.strip() for p in code.split("&&"))):
            user = re.match(r"REGTUI_USER=(\w+)\s+", part)
            words = shlex.split(part[user.end() :] if user else part)
            if words and words[0] == "regtui":
                commands.append((user.group(1) if user else None, words[1:]))
    return commands


def test_the_worked_example_runs_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command of the README's example exits as its comments say, on the demo registry."""
    monkeypatch.setenv("REGTUI_USER", "heidi")
    assert run_cli(capsys, "demo", "--no-tui", "--dir", tmp_path / "demo").code == 0
    monkeypatch.setenv("REGTUI_REGISTRY", f"sqlite:///{tmp_path / 'demo' / 'registry.db'}")
    monkeypatch.setenv("REGTUI_CACHE", str(tmp_path / "demo" / "cache.db"))
    statuses = []
    for user, args in example_commands():
        monkeypatch.setenv("REGTUI_USER", user or "heidi")
        result = run_cli(capsys, *args)
        assert "Traceback" not in result.err
        statuses.append(result.code)
    assert statuses == EXPECTED_STATUS
