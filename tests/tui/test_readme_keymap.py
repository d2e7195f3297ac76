"""The README's key map and screenshot list are what screenshots/make_screenshots.py generates from the code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from textual.binding import Binding

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "screenshots" / "make_screenshots.py"
FIX = "run `python screenshots/make_screenshots.py` and commit the README and screenshots/"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    """The screenshot script, imported from its file."""
    spec = importlib.util.spec_from_file_location("make_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_readme_keymap_matches_the_bindings(script: ModuleType) -> None:
    """The key map and screenshot list between the README's markers are generated from the current code."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.readme_text(readme) == readme, f"README key map or screens list out of date: {FIX}"


def test_every_screenshot_in_the_readme_exists(script: ModuleType) -> None:
    """Each screenshot the README shows is committed in screenshots/, and no other SVG lies there."""
    names = {shot.svg for shot in script.SHOTS}
    assert {path.name for path in SCRIPT.parent.glob("*.svg")} == names, FIX


def test_every_binding_is_placed_named_and_described(script: ModuleType) -> None:
    """Every regtui class with bindings has its place in the key map; each binding has an id and a description."""
    placed = {cls for cls, _label in script.KEYMAP_ORDER}
    for cls in script.declaring_classes():
        assert cls in placed, f"{cls.__qualname__}: add it to KEYMAP_ORDER in {SCRIPT.name}"
        for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
            assert binding.id and binding.description, f"{cls.__qualname__}: give {binding.key} an id and a description"
