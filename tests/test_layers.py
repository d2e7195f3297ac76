"""The layer contracts of pyproject.toml ([tool.importlinter]) hold, and they catch a front end reaching the store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter with the project's contracts on the `regtui` package found under source_root."""
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [shutil.which("lint-imports") or "lint-imports"]
    environment = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [*command, "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=source_root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_layer_contracts_hold() -> None:
    """domain < store < services < tui, cli: every contract is kept."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("tui/screens/peek.py", "from regtui.store import queries\n"),
        ("cli/peek.py", "def peek() -> None:\n    from regtui.providers import feeds\n"),
        ("tui/peek.py", "def peek() -> None:\n    import sqlmodel\n"),
        ("domain/peek.py", "from regtui.services import reads\n"),
        ("store/peek.py", "from regtui.services.registry import RegistryService\n"),
        ("config.py", "\nfrom regtui.store import engine\n"),
    ],
)
def test_a_violation_breaks_a_contract(tmp_path: Path, module: str, source: str) -> None:
    """A copy of the package with one forbidden import added (top level or inside a function) fails the check."""
    copy = tmp_path / "regtui"
    shutil.copytree(ROOT / "regtui", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / module).open("a", encoding="utf-8") as file:
        file.write(source)
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    assert f"regtui.{module.removesuffix('.py').replace('/', '.')}" in result.stdout


def test_front_ends_never_hold_a_session() -> None:
    """No screen or command opens a session on the cache or the registry: they call services functions."""
    session_openers = (".reading(", ".reading_registry(", ".writing(", ".write_connection(")
    offenders = [
        f"{path.relative_to(ROOT)}: {opener}"
        for folder in ("tui", "cli")
        for path in sorted((ROOT / "regtui" / folder).rglob("*.py"))
        for opener in session_openers
        if opener in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
