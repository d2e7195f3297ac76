"""Theme files (*.yaml), bundled and the user's own: each maps to Textual's Theme; a broken file is reported,
never fatal."""

from __future__ import annotations

from dataclasses import fields
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

from regtui.errors import InputError
from regtui.input_files import CONFIG_FILE_BYTES, read_text, refuse_anchors
from regtui.resources import bundled_themes

COLOR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
OTHER_FIELDS = {"name": str, "dark": bool, "luminosity_spread": float, "text_alpha": float, "variables": dict}
KNOWN_FIELDS = {f.name for f in fields(Theme)} - {"ansi"}
FALLBACK_THEME = "textual-dark"
"""The theme used when no bundled theme loads."""


def load_themes(folder: Traversable) -> tuple[list[Theme], list[str]]:
    """Every valid theme in the folder (by file name), and one message per file that could not be used."""
    themes: list[Theme] = []
    errors: list[str] = []
    files = (entry for entry in folder.iterdir() if entry.name.endswith(".yaml") and entry.is_file())
    for path in sorted(files, key=lambda entry: entry.name):
        try:
            themes.append(load_theme(path))
        except ValueError as exc:
            errors.append(f"{path.name}: {exc}")
    return themes, errors


def load_theme(path: Traversable) -> Theme:
    """One theme file as a Textual Theme; ValueError says what is wrong with it."""
    try:
        text = read_text(path, CONFIG_FILE_BYTES, "theme") if isinstance(path, Path) else path.read_text("utf-8")
        refuse_anchors(text, path.name)
        document = yaml.safe_load(text)
    except InputError as exc:
        raise ValueError(exc.message.removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValueError(f"invalid YAML{f' at line {mark.line + 1}' if mark else ''}") from None
    if not isinstance(document, dict):
        raise ValueError("expected a mapping of theme fields")
    unknown = sorted(set(document) - KNOWN_FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(map(str, unknown))}")
    values: dict[str, Any] = {"name": path.name.removesuffix(".yaml"), **document}
    if "primary" not in values:
        raise ValueError("'primary' colour is required")
    for name in COLOR_FIELDS:
        if values.get(name) is not None:
            _check_color(name, values[name])
    for name, kind in OTHER_FIELDS.items():
        if name in values and not isinstance(values[name], kind if kind is not float else (int, float)):
            raise ValueError(f"{name!r} must be {kind.__name__}")
    for name, value in values.get("variables", {}).items():
        if not isinstance(value, str):
            raise ValueError(f"variable {name!r} must be a string")
    return Theme(**values)


def _check_color(name: str, value: Any) -> None:
    """Refuse a value Textual cannot parse as a colour."""
    try:
        Color.parse(value)
    except (ColorParseError, TypeError, ValueError):
        raise ValueError(f"{name!r} is not a colour: {value!r}") from None


def apply_themes(app: App[object], wanted: str, user_folder: Path | None = None) -> None:
    """Register the bundled themes, then the user's (a user theme may replace a bundled one of the same name), and
    pick the wanted one; report broken files and unknown names, using a default."""
    themes, errors = load_themes(bundled_themes())
    for theme in themes:
        app.register_theme(theme)
    for error in errors:
        app.notify(f"theme file skipped: {error}", title="Theme", severity="warning", markup=False)
    if user_folder is not None:
        register_user_themes(app, user_folder)
    if wanted not in app.available_themes:
        fallback = themes[0].name if themes else FALLBACK_THEME
        app.notify(f"unknown theme {wanted!r}; using {fallback}", title="Theme", severity="warning", markup=False)
        wanted = fallback
    app.theme = wanted


def register_user_themes(app: App[object], folder: Path) -> None:
    """Register the user's theme files (none when the folder does not exist); the broken ones are named in one
    notice, with what is wrong with each, and skipped."""
    if not folder.is_dir():
        return
    try:
        themes, errors = load_themes(folder)
    except OSError as exc:
        themes, errors = [], [f"cannot list {folder}: {exc}"]
    for theme in themes:
        app.register_theme(theme)
    if errors:
        app.notify(
            f"{len(errors)} theme file(s) in {folder} skipped:\n" + "\n".join(errors),
            title="Theme",
            severity="warning",
            markup=False,
        )
