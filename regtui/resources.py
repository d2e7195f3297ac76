"""Data shipped inside the regtui package (theme files, the demo fixtures), read through importlib.resources."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def data() -> Traversable:
    """The package's data folder, wherever and however regtui is installed (wheel, editable, checkout)."""
    return resources.files("regtui") / "data"


def bundled_themes() -> Traversable:
    """The bundled theme files (data/themes/*.yaml)."""
    return data() / "themes"


def demo_fixtures() -> Traversable:
    """The bundled demo registry fixtures (data/demo)."""
    return data() / "demo"


def copy_tree(source: Traversable, target: Path) -> None:
    """Copy a bundled folder to a real one; works for any Traversable, not only for files on disk."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.is_dir():
            copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
