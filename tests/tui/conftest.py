"""Fixtures for the dashboard's tests: the demo registry built once at a fixed time, apps on copies of it."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot

from regtui.config import Locations, Settings
from regtui.services import demo
from regtui.services.registry import RegistryService
from regtui.tui.app import RegtuiApp
from tests.tui.rendered import painted_strips, screen_lines

FIXED_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
"""The demo's story is told as of 2026-11-27 (scripts/demo_history.py)."""
SNAPSHOT_DEMO = Path(tempfile.gettempdir()) / "regtui-snapshot-demo"
"""A fixed path, so the registry URL and artifact URIs on screen are the same in every run."""

AppFactory = Callable[..., RegtuiApp]


def fixed_clock() -> datetime:
    """The time every test runs at."""
    return FIXED_NOW


def _build_demo(folder: Path) -> Locations:
    """Build the demo registry as `admin` at the fixed time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGTUI_USER", "admin")
        return demo.build(folder, clock=fixed_clock)


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (through anyio's pytest plugin, marked in each module)."""
    return "asyncio"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo registry, built once per session; tests work on copies."""
    folder = tmp_path_factory.mktemp("demo-template") / "demo"
    _build_demo(folder)
    return folder


@pytest.fixture
def demo_locations(demo_template: Path, tmp_path: Path) -> Locations:
    """A private copy of the demo registry and its cache."""
    target = tmp_path / "demo"
    target.mkdir()
    for path in demo_template.glob("*.db*"):
        shutil.copy2(path, target / path.name)
    return Locations(registry_url=f"sqlite:///{target / 'registry.db'}", cache_path=target / "cache.db")


@contextlib.contextmanager
def _snapshot_demo_lock() -> Iterator[None]:
    """Hold the fixed demo path against the other workers and test sessions on this machine."""
    SNAPSHOT_DEMO.parent.mkdir(parents=True, exist_ok=True)
    with open(SNAPSHOT_DEMO.parent / "regtui-snapshot-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def snapshot_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Locations]:
    """The demo built once per session at the fixed path (paths show on screen), then kept aside as a copy."""
    kept = tmp_path_factory.mktemp("snapshot-demo") / "demo"
    with _snapshot_demo_lock():
        locations = _build_demo(SNAPSHOT_DEMO)
        shutil.copytree(SNAPSHOT_DEMO, kept)
    return kept, locations


@pytest.fixture(scope="module")
def snapshot_locations(snapshot_demo: tuple[Path, Locations]) -> Iterator[Locations]:
    """The demo at the fixed path for one module's snapshots: put back from the session's copy and held only
    while the module runs (held for the whole session, it kept the other worker and sessions waiting)."""
    kept, locations = snapshot_demo
    with _snapshot_demo_lock():
        shutil.rmtree(SNAPSHOT_DEMO, ignore_errors=True)
        shutil.copytree(kept, SNAPSHOT_DEMO)
        yield locations


@pytest.fixture(autouse=True)
def _identity(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Act as alice; no user configuration file."""
    monkeypatch.setenv("REGTUI_USER", "alice")
    monkeypatch.setenv("REGTUI_CONFIG", str(tmp_path / "no-config.yaml"))


@pytest.fixture
def make_app() -> Iterator[AppFactory]:
    """Factory of dashboard apps on given locations, at the fixed time."""
    services: list[RegistryService] = []

    def factory(
        locations: Locations,
        *,
        readonly: bool = False,
        settings: Settings | None = None,
        config_file: Path | None = None,
    ) -> RegtuiApp:
        """An app over a fresh service on the locations (with a configuration file only when given one)."""
        service = RegistryService(locations, clock=fixed_clock)
        services.append(service)
        return RegtuiApp(service, readonly=readonly, settings=settings, config_file=config_file)

    yield factory
    for service in services:
        service.close()


def screen_text(pilot: Pilot[object]) -> str:
    """The screen as plain text, line by line, as the terminal shows it."""
    return "\n".join(screen_lines(pilot.app))


def segment_texts(pilot: Pilot[object]) -> list[str]:
    """Every text segment the screen's widgets paint."""
    return [segment.text for strip in painted_strips(pilot.app) for segment in strip]
