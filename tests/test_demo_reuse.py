"""`regtui demo` builds its registry once: later launches reuse it until the fixtures or the release change,
or --reset asks for a fresh one; a build that did not finish is never reused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from regtui.services import demo
from tests.factories import run_cli


def mark(folder: Path) -> None:
    """Leave a trace in the registry file that a rebuild would erase."""
    with sqlite3.connect(folder / "registry.db") as connection:
        connection.execute("CREATE TABLE trace (note TEXT)")


def has_trace(folder: Path) -> bool:
    """Whether the trace left by mark() is still there."""
    with sqlite3.connect(folder / "registry.db") as connection:
        return connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'trace'").fetchone()[0] == 1


def test_a_finished_build_is_reused_until_reset(tmp_path: Path) -> None:
    """The second open finds the first build (the trace survives); --reset and a stamp from other fixtures
    rebuild; a folder whose build never wrote its stamp is rebuilt."""
    folder = tmp_path / "demo"
    first = demo.open_or_build(folder)
    assert (folder / demo.STAMP).read_text() == demo.fixtures_stamp()
    mark(folder)
    assert demo.open_or_build(folder) == first and has_trace(folder)
    demo.open_or_build(folder, reset=True)
    assert not has_trace(folder)
    mark(folder)
    (folder / demo.STAMP).write_text("regtui 0.0.1 fixtures sha256:0\n")
    demo.open_or_build(folder)
    assert not has_trace(folder) and (folder / demo.STAMP).read_text() == demo.fixtures_stamp()
    mark(folder)
    (folder / demo.STAMP).unlink()
    demo.open_or_build(folder)
    assert not has_trace(folder)


def test_the_stamp_follows_the_fixtures(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A changed fixture file changes the stamp (so the demo is rebuilt after an upgrade that changed it)."""
    copy = tmp_path / "fixtures"
    demo.copy_tree(demo.demo_fixtures(), copy)
    monkeypatch.setattr(demo, "demo_fixtures", lambda: copy)
    before = demo.fixtures_stamp()
    (copy / "policy.yaml").write_text((copy / "policy.yaml").read_text() + "\n")
    assert demo.fixtures_stamp() != before


def test_demo_refuses_another_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`demo --registry URL` says why it cannot, in one line, exit 2, and builds nothing."""
    result = run_cli(capsys, "demo", "--no-tui", "--dir", tmp_path / "demo", "--registry", "sqlite:///x.db")
    assert result.code == 2 and result.err_lines == [
        "regtui: demo builds its own SQLite registry and cache in --dir; it takes no --registry or --cache (to load "
        "the demo into another registry: regtui --registry URL import on an export of it)"
    ]
    assert not (tmp_path / "demo").exists()
