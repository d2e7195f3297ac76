"""The demo registry: copy the bundled fixtures into a folder and build a fresh registry from them."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Callable

from platformdirs import user_data_dir

from regtui.config import Locations
from regtui.domain.entry import utc_now
from regtui.errors import InputError
from regtui.resources import demo_fixtures_dir
from regtui.services.registry import RegistryService

DEMO_USER = "alice"
"""Who `regtui demo` acts as unless told: a contributor and reviewer of team-risk, so the queue is workable."""


def default_dir() -> Path:
    """Where `regtui demo` builds by default."""
    return Path(user_data_dir("regtui")) / "demo"


def build(folder: Path, clock: Callable[[], datetime] = utc_now) -> Locations:
    """Build a fresh demo registry in the folder (replacing an earlier demo there) and fill its cache.

    `clock` stamps registrations and log entries (tests pass a fixed one for reproducible screens)."""
    folder = folder.expanduser().resolve()
    if folder.exists() and any(folder.iterdir()) and not (folder / "registry.db").exists():
        raise InputError(f"{folder}: not empty and not an earlier demo; choose another --dir")
    for name in ("registry.db", "registry.db-wal", "registry.db-shm", "cache.db", "cache.db-wal", "cache.db-shm"):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "fixtures", ignore_errors=True)
    shutil.copytree(demo_fixtures_dir(), folder / "fixtures")
    locations = Locations(registry_url=f"sqlite:///{folder / 'registry.db'}", cache_path=folder / "cache.db")
    service = RegistryService(locations, clock=clock)
    try:
        service.init()
        service.import_paths([folder / "fixtures"])
    finally:
        service.close()
    return locations
