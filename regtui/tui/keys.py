"""The keys of a screen, generated from its bindings (with the config's keymap applied), for the help screen."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class KeyRow:
    """One binding as the help screen lists it."""

    where: str
    keys: str
    description: str
    binding_id: str


def _allowed(node: DOMNode, binding: Binding) -> bool:
    """Whether the node shows this binding now (read-only sessions hide write actions)."""
    _namespace, name, parameters = parse(binding.action)
    return node.check_action(name, parameters) is not False


def _rows_of(app: App[object], node: DOMNode, where: str) -> list[KeyRow]:
    """One row per binding of a node (keys merged per binding id/action), keymap applied."""
    bindings = node._bindings.copy()
    if app._keymap:
        bindings.apply_keymap(app._keymap)
    merged: dict[tuple[str, str], list[str]] = {}
    described: dict[tuple[str, str], Binding] = {}
    for _key, binding in bindings:
        if binding.system or not _allowed(node, binding):
            continue
        ident = (binding.id or "", binding.action)
        merged.setdefault(ident, []).append(app.get_key_display(binding))
        described.setdefault(ident, binding)
    return [
        KeyRow(where, ", ".join(dict.fromkeys(merged[ident])), described[ident].description or described[ident].action,
               ident[0])
        for ident in merged
    ]


def widget_title(kind: type) -> str:
    """What the help calls a kind of widget: its HELP_TITLE, else its class name in words ("Lineage tree")."""
    title = getattr(kind, "HELP_TITLE", None)
    if isinstance(title, str):
        return title
    words = re.findall(r"[A-Z][a-z0-9]*", kind.__name__)
    return " ".join([words[0], *(word.lower() for word in words[1:])]) if words else kind.__name__


def screen_keys(screen: Screen[object]) -> list[KeyRow]:
    """Every key of a screen: its own bindings, those of its regtui widgets (one per kind), then the app's."""
    app = screen.app
    rows = _rows_of(app, screen, type(screen).TITLE or type(screen).__name__)
    seen: set[type] = set()
    for widget in screen.query(Widget):
        kind = type(widget)
        if kind in seen or not kind.__module__.startswith("regtui.") or not widget.can_focus:
            continue
        seen.add(kind)
        rows += _rows_of(app, widget, widget_title(kind))
    return rows + _rows_of(app, app, "Everywhere")
