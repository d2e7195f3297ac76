"""The demo registry: copy the bundled fixtures into a folder and build a registry from them, once; later
launches reuse it until the fixtures or regtui change, or the user asks for a reset."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from importlib.resources.abc import Traversable
from pathlib import Path

from platformdirs import user_data_dir

from regtui import __version__
from regtui.config import Locations
from regtui.domain.entry import utc_now
from regtui.errors import InputError
from regtui.resources import copy_tree, demo_fixtures
from regtui.services.registry import RegistryService
from regtui.store.schema import SCHEMA_VERSION

DEMO_USER = "alice"
"""Who `regtui demo` acts as unless told: a contributor and reviewer of team-risk, so the queue is workable."""


STAMP = "demo-built-from.txt"
"""Written last by a build: which fixtures and regtui release the demo registry beside it was built from."""


def default_dir() -> Path:
    """Where `regtui demo` builds by default."""
    return Path(user_data_dir("regtui")) / "demo"


def fixtures_stamp() -> str:
    """The regtui release, the registry schema version and a digest of every bundled fixture file: a demo built
    by another release or schema, or from other fixtures, is rebuilt."""
    digest = hashlib.sha256()
    for name, content in tree_files(demo_fixtures(), ""):
        digest.update(name.encode() + b"\0" + content + b"\0")
    return f"regtui {__version__} schema {SCHEMA_VERSION} fixtures sha256:{digest.hexdigest()}\n"


def tree_files(folder: Traversable, prefix: str) -> Iterator[tuple[str, bytes]]:
    """Each file under the folder as (relative path, bytes), in name order."""
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        name = f"{prefix}/{entry.name}"
        if entry.is_dir():
            yield from tree_files(entry, name)
        else:
            yield name, entry.read_bytes()


def demo_locations(folder: Path) -> Locations:
    """The registry and cache of a demo folder."""
    return Locations(registry_url=f"sqlite:///{folder / 'registry.db'}", cache_path=folder / "cache.db")


def open_or_build(folder: Path, reset: bool = False) -> Locations:
    """The demo registry in the folder: reused when an earlier build from the same fixtures and release
    finished there (unless reset), else built anew."""
    folder = folder.expanduser().resolve()
    stamp = folder / STAMP
    current = stamp.is_file() and (folder / "registry.db").is_file() and stamp.read_text() == fixtures_stamp()
    return demo_locations(folder) if current and not reset else build(folder)


def build(folder: Path, clock: Callable[[], datetime] = utc_now) -> Locations:
    """Build a fresh demo registry in the folder (replacing an earlier demo there) and fill its cache.

    `clock` stamps registrations and log entries (tests pass a fixed one for reproducible screens)."""
    folder = folder.expanduser().resolve()
    if folder.exists() and any(folder.iterdir()) and not (folder / "registry.db").exists():
        raise InputError(f"{folder}: not empty and not an earlier demo; choose another --dir")
    for name in (
        STAMP,
        "registry.db",
        "registry.db-wal",
        "registry.db-shm",
        "cache.db",
        "cache.db-wal",
        "cache.db-shm",
    ):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "fixtures", ignore_errors=True)
    copy_tree(demo_fixtures(), folder / "fixtures")
    locations = demo_locations(folder)
    service = RegistryService(locations, clock=clock)
    try:
        service.init()
        service.import_paths([folder / "fixtures"])
    finally:
        service.close()
    (folder / STAMP).write_text(fixtures_stamp())
    return locations
