"""The config's keymap (binding id -> keys): every binding id regtui declares, and the remap applied to the app."""

from __future__ import annotations

import importlib
import pkgutil

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode


def known_binding_ids() -> set[str]:
    """Every binding id declared by regtui's app, screens and widgets (for checking the config's keys)."""
    import_screens()
    ids: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("regtui."):
            ids.update(b.id for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding) and b.id)
    return ids


def import_screens() -> None:
    """Import every screen module (the app imports most of them only when they first open)."""
    from regtui.tui import screens

    for module in pkgutil.iter_modules(screens.__path__, f"{screens.__name__}."):
        importlib.import_module(module.name)


def apply_keymap(app: App[object], keys: dict[str, str]) -> None:
    """Remap keys from the config's `keys:` section (binding id -> keys), naming unknown ids."""
    if not keys:
        return
    unknown = sorted(set(keys) - known_binding_ids())
    if unknown:
        app.notify(
            f"unknown binding id(s) in keys: {', '.join(unknown)}",
            title="Configuration",
            severity="warning",
            markup=False,
        )
    app.set_keymap(keys)
