"""Data shipped with regtui: theme files and the demo fixtures (installed, or from a source checkout)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from regtui.errors import InputError

_CHECKOUT = Path(__file__).resolve().parent.parent


def _bundled(package: str, checkout_folder: str) -> Path:
    """The folder of a data package as installed, else the same folder in the source checkout."""
    try:
        installed = Path(str(resources.files(package)))
        if installed.is_dir():
            return installed
    except (ModuleNotFoundError, TypeError):
        pass
    checkout = _CHECKOUT / checkout_folder
    if checkout.is_dir():
        return checkout
    raise InputError(f"regtui data folder {checkout_folder}/ not found: reinstall regtui")


def themes_dir() -> Path:
    """The folder of bundled theme files (themes/*.yaml)."""
    return _bundled("regtui.themes", "themes")


def demo_fixtures_dir() -> Path:
    """The bundled demo registry fixtures (fixtures/demo)."""
    return _bundled("regtui.fixtures", "fixtures") / "demo"
