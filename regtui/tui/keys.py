"""The keys of a screen, generated from its bindings (with the config's keymap applied), for the help screen."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from textual.actions import parse
from textual.app import App
from textual.binding import Binding, BindingsMap
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


def node_bindings(kind: type[DOMNode]) -> BindingsMap:
    """A kind of node's bindings as Textual merges them: each class's BINDINGS over its bases', key by key, from
    the last class that does not inherit its bases' bindings (one that says `BINDINGS_INHERITED = False`)."""
    keys: dict[str, list[Binding]] = {}
    for base in reversed(kind.__mro__):
        if issubclass(base, DOMNode):
            if not vars(base).get("BINDINGS_INHERITED", True):
                keys.clear()
            keys.update(BindingsMap(vars(base).get("BINDINGS", [])).key_to_bindings)
    return BindingsMap.from_keys(keys)


def normalized_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """A keymap with its keys named as Textual names them in bindings ("?" is "question_mark"), as set_keymap does."""
    return {
        ident: ",".join(binding.key for binding in Binding.make_bindings([Binding(keys, "")]))
        for ident, keys in keymap.items()
    }


def bound_action(kind: type[DOMNode], key: str, keymap: Mapping[str, str]) -> str | None:
    """The name of the action a key runs on a kind of node, with the config's keymap applied (None: no binding)."""
    bindings = node_bindings(kind)
    if keymap:
        bindings.apply_keymap(normalized_keymap(keymap))
    bound = bindings.key_to_bindings.get(key)
    return parse(bound[0].action)[1] if bound else None


def _rows_of(app: App[object], node: DOMNode, where: str, keymap: Mapping[str, str]) -> list[KeyRow]:
    """One row per binding of a node (keys merged per binding id/action), keymap applied."""
    bindings = node_bindings(type(node))
    if keymap:
        bindings.apply_keymap(normalized_keymap(keymap))
    merged: dict[tuple[str, str], list[str]] = {}
    described: dict[tuple[str, str], Binding] = {}
    for _key, binding in bindings:
        if binding.system or not _allowed(node, binding):
            continue
        ident = (binding.id or "", binding.action)
        merged.setdefault(ident, []).append(app.get_key_display(binding))
        described.setdefault(ident, binding)
    return [
        KeyRow(
            where,
            ", ".join(dict.fromkeys(merged[ident])),
            described[ident].description or described[ident].action,
            ident[0],
        )
        for ident in merged
    ]


def widget_title(kind: type) -> str:
    """What the help calls a kind of widget: its HELP_TITLE, else its class name in words ("Lineage tree")."""
    title = getattr(kind, "HELP_TITLE", None)
    if isinstance(title, str):
        return title
    words = re.findall(r"[A-Z][a-z0-9]*", kind.__name__)
    return " ".join([words[0], *(word.lower() for word in words[1:])]) if words else kind.__name__


def screen_keys(screen: Screen[object], keymap: Mapping[str, str]) -> list[KeyRow]:
    """Every key of a screen: its own bindings, those of its regtui widgets (one per kind), then the app's; with
    `keymap` (the config's, binding id -> keys) applied."""
    app = screen.app
    rows = _rows_of(app, screen, type(screen).TITLE or type(screen).__name__, keymap)
    seen: set[type] = set()
    for widget in screen.query(Widget):
        kind = type(widget)
        if kind in seen or not kind.__module__.startswith("regtui.") or not widget.can_focus:
            continue
        seen.add(kind)
        rows += _rows_of(app, widget, widget_title(kind), keymap)
    return rows + _rows_of(app, app, "Everywhere", keymap)
