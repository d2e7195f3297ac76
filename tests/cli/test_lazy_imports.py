"""Cold start stays lean: the dashboard's path imports no command module, other screen or network library."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from textual.screen import Screen

from regtui.cli import catalog
from regtui.tui.app import RegtuiApp

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMAND_MODULES = (catalog.CORE, catalog.WORKFLOW, catalog.PROVIDERS)
NOT_AT_START = (
    *COMMAND_MODULES, "regtui.demo", "regtui.providers.feeds", "httpx", "urllib.request",
    "regtui.tui.screens.approvals", "regtui.tui.screens.audit", "regtui.tui.screens.providers",
    "regtui.tui.screens.help", "regtui.tui.screens.model", "regtui.tui.screens.promote",
    "regtui.tui.screens.diff", "regtui.tui.screens.comment", "regtui.tui.screens.version_picker",
    "regtui.tui.screens.rollback", "regtui.workflow",
)
"""Modules the dashboard does not need before its first frame."""

_PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in sys.modules if m in {watched!r})))
"""


def loaded_after(code: str, watched: tuple[str, ...] = NOT_AT_START) -> list[str]:
    """Which of the watched modules a fresh interpreter has loaded after running the code."""
    paths = [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code, watched=set(watched))],
        capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=False, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    loaded: list[str] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


def test_dashboard_path_imports_only_what_its_first_frame_needs() -> None:
    """Importing the CLI and the app (all `regtui` loads before its first frame) loads none of NOT_AT_START."""
    assert loaded_after("import regtui.cli.main, regtui.tui.app, regtui.tui.screens.registry") == []


def test_help_imports_no_command_module() -> None:
    """`regtui --help` lists every command without importing the modules that run them."""
    code = "from regtui.cli.main import main\nassert main(['--help']) == 0"
    assert loaded_after(code) == []


def test_a_command_imports_only_its_own_module() -> None:
    """Parsing `regtui promote --help` imports the workflow commands (and what they use), not the providers'."""
    code = "from regtui.cli.main import main\nassert main(['promote', '--help']) == 0"
    assert loaded_after(code, COMMAND_MODULES) == [catalog.CORE, catalog.WORKFLOW]


def test_catalog_names_every_command_of_its_modules() -> None:
    """Each catalog entry's module defines that command, and no module defines a command the catalog lacks."""
    for module_name in COMMAND_MODULES:
        defined = set(importlib.import_module(module_name).COMMANDS)
        listed = {name for name, (_help, module) in catalog.CATALOG.items() if module == module_name}
        assert defined == listed, module_name


def test_screens_opened_by_name_resolve_to_screens() -> None:
    """Every SCREEN_CLASSES entry names a Screen class in its module."""
    for name, (module, class_name) in RegtuiApp.SCREEN_CLASSES.items():
        assert issubclass(getattr(importlib.import_module(module), class_name), Screen), name


def test_known_binding_ids_include_screens_not_opened_yet() -> None:
    """The config's keys are checked against every screen's bindings, including screens not imported yet."""
    code = "from regtui.tui.app import known_binding_ids\nassert {'verify_chain', 'filter_actor'} <= known_binding_ids()"
    assert loaded_after(code, ("regtui.tui.screens.audit",)) == ["regtui.tui.screens.audit"]
