"""Cold start stays lean: the dashboard's path to its first window of models imports no command module, other
screen, network library or ORM."""

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
from tests.factories import ServiceFactory, build_fixture_registry, version_manifest

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMAND_MODULES = (catalog.CORE, catalog.WORKFLOW, catalog.PROVIDERS, catalog.ARTIFACTS, catalog.VERIFY)
NOT_AT_START = (
    *COMMAND_MODULES,
    "regtui.services.demo",
    "regtui.providers.feeds",
    "httpx",
    "urllib.request",
    "fsspec",
    "s3fs",
    "regtui.providers.object_store",
    "regtui.tui.screens.approvals",
    "regtui.tui.screens.audit",
    "regtui.tui.screens.providers",
    "regtui.tui.screens.help",
    "regtui.tui.screens.model",
    "regtui.tui.screens.promote",
    "regtui.tui.screens.diff",
    "regtui.tui.screens.comment",
    "regtui.tui.screens.version_picker",
    "regtui.tui.screens.rollback",
    "regtui.services.promotion",
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "regtui.services.registry",
    "regtui.store.tables",
    "regtui.store.provider_tables",
    "regtui.store.queries",
    "regtui.services.reads",
)
"""Modules the dashboard does not need before its first frame (the sync worker imports the ORM after it)."""

_PROBE = """
import json, sys
loaded = sys.modules
{code}
print(json.dumps(sorted(m for m in loaded if m in {watched!r})))
"""

FIRST_WINDOW = """
import asyncio
from regtui.cli.main import main
from regtui.tui.app import RegtuiApp

loaded = []

def headless(app, **options):
    'Run the app as `regtui` does, headless.'
    asyncio.run(app.run_async(headless=True, size=(120, 40)))

def first_window_shown(app):
    'The home screen shows its first window: note the modules loaded by then, and quit.'
    loaded.extend(sys.modules)
    app.exit(0)

RegtuiApp.run = headless
RegtuiApp.start_background_work = first_window_shown
assert main([]) == 0 and loaded
"""
"""Run `regtui` (the CLI's main, no command) headless until the home screen shows its first window of models."""


BACKGROUND_DONE = """
import asyncio
from regtui.cli.main import main
from regtui.tui.app import RegtuiApp

start = RegtuiApp.start_background_work

def headless(app, **options):
    'Run the app as `regtui` does, headless.'
    asyncio.run(app.run_async(headless=True, size=(120, 40)))

def start_then_quit(app):
    'Start the background work as the app does, and quit once its first sync and preload have finished.'
    start(app)

    async def quit_when_done():
        while any(w.is_running for w in app.workers if w.group in ('sync', 'preload')):
            await asyncio.sleep(0.05)
        app.exit(0)

    app.run_worker(quit_when_done())

RegtuiApp.run = headless
RegtuiApp.start_background_work = start_then_quit
assert main([]) == 0
"""
"""Run `regtui` headless until the background work started after the first window (sync, preload) is done."""


def loaded_after(code: str, watched: tuple[str, ...] = NOT_AT_START, env: dict[str, str] | None = None) -> list[str]:
    """Which of the watched modules a fresh interpreter has loaded after running the code."""
    paths = [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, **(env or {}), "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code, watched=set(watched))],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    loaded: list[str] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


def synced_fixture_env(url: str, make_service: ServiceFactory, tmp_path: Path) -> dict[str, str]:
    """The fixture registry at url with a synced cache; the environment of a regtui process that reads it (no user
    configuration file)."""
    writer = make_service(url)
    writer.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    writer.sync()
    return {
        "REGTUI_REGISTRY": url,
        "REGTUI_CACHE": str(writer.locations.cache_path),
        "REGTUI_CONFIG": str(tmp_path / "no-config.yaml"),
    }


def test_dashboard_path_imports_only_what_its_first_frame_needs(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """`regtui` up to the first window of models (read from a synced cache) loads none of NOT_AT_START."""
    env = synced_fixture_env(sqlite_url, make_service, tmp_path)
    shown = "regtui.tui.screens.registry"
    assert loaded_after(FIRST_WINDOW, (*NOT_AT_START, shown), env) == [shown]


def test_background_work_after_the_first_window_imports_the_model_screen(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """After the first window, the sync brings the ORM in and the model screen's module is imported in the
    background, so the session's first Enter on a model does not wait for that import."""
    writer = make_service(sqlite_url)
    writer.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    env = {
        "REGTUI_REGISTRY": sqlite_url,
        "REGTUI_CACHE": str(tmp_path / "cache.db"),
        "REGTUI_CONFIG": str(tmp_path / "no-config.yaml"),
    }
    watched = ("sqlalchemy", "regtui.tui.screens.model")
    assert loaded_after(BACKGROUND_DONE, watched, env) == sorted(watched)


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
    code = (
        "from regtui.tui.keymap import known_binding_ids\n"
        "assert {'verify_chain', 'filter_actor'} <= known_binding_ids()"
    )
    assert loaded_after(code, ("regtui.tui.screens.audit",)) == ["regtui.tui.screens.audit"]


HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "textual",
    "httpx",
    "urllib.request",
    "psycopg",
    "regtui.services.registry",
)
"""What a read command must not load on a current cache: the ORM, the TUI, an HTTP client, a database driver."""
READS = (
    ("resolve", "churn@Production", "--json"),
    ("versions", "churn", "--json"),
    ("versions", "churn", "--stage", "Canary"),
    ("models", "--json"),
    ("models",),
    ("show", "churn@Production", "--json"),
    ("audit", "--json"),
    ("verify", "churn@Production", "--json"),
    ("verify", "churn@1.0.0"),
    ("--help",),
)


def test_reads_on_a_current_cache_load_no_orm_tui_or_http_client(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """On a synced cache of an SQLite registry, each read command (and --help) answers without importing any of
    HEAVY; once the registry has changed, the read syncs first (and so loads the ORM)."""
    env = synced_fixture_env(sqlite_url, make_service, tmp_path)
    loaded = {
        args: loaded_after(f"from regtui.cli.main import main\nassert main({list(args)!r}) == 0", HEAVY, env)
        for args in READS
    }
    assert loaded == {args: [] for args in READS}
    another = make_service(sqlite_url, init=False)  # a writer elsewhere, with its own cache
    another.register(version_manifest(tmp_path / "new", "churn", "3.0.0", parent="2.0.0", change_kind="architecture"))
    code = "from regtui.cli.main import main\nassert main(['resolve', 'churn@3.0.0', '--json']) == 0"
    assert "sqlalchemy" in loaded_after(code, HEAVY, env)


def test_a_read_on_a_current_postgresql_cache_asks_psycopg_alone(
    pg_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """On PostgreSQL the freshness check is one psycopg connection: a read on a current cache loads no ORM; after
    a change elsewhere it syncs (the ORM) and answers with the new version."""
    env = synced_fixture_env(pg_url, make_service, tmp_path)
    code = "from regtui.cli.main import main\nassert main(['resolve', 'churn@Production', '--json']) == 0"
    assert loaded_after(code, HEAVY, env) == ["psycopg"]
    make_service(pg_url, init=False).register(
        version_manifest(tmp_path / "new", "churn", "3.0.0", parent="2.0.0", change_kind="architecture")
    )
    code = "from regtui.cli.main import main\nassert main(['resolve', 'churn@3.0.0', '--json']) == 0"
    assert "sqlalchemy" in loaded_after(code, HEAVY, env)
