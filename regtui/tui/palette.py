"""Command palette: 'open model NAME' for every cached model, and the bindings of the screen and the app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import Screen

from regtui.domain.text import clean_single_line

if TYPE_CHECKING:
    from regtui.tui.app import RegtuiApp

DISCOVERED_MODELS = 10


def literal_highlight(matcher: Matcher, candidate: str) -> Content:
    """The candidate as literal content with the matched characters highlighted (never parsed as markup)."""
    content = Content(candidate)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    for offset in offsets:
        content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ModelCommands(Provider):
    """Open any model of the cache by name."""

    async def startup(self) -> None:
        """Read the model names in a thread (the event loop never waits on the database)."""
        app: RegtuiApp = self.app  # type: ignore[assignment]
        try:
            self._names = await asyncio.to_thread(_model_names, app)
        except Exception as exc:  # noqa: BLE001 - a failed read is reported, never fatal
            app.report_error(exc)
            self._names = []

    def _prompt(self, name: str) -> str:
        """What the palette shows for a model."""
        return f"open model {clean_single_line(name)}"

    async def discover(self) -> Hits:
        """A few models when nothing is typed yet."""
        app: RegtuiApp = self.app  # type: ignore[assignment]
        for name in self._names[:DISCOVERED_MODELS]:
            prompt = self._prompt(name)
            yield DiscoveryHit(
                Content(prompt),
                partial(app.open_model, name),
                text=prompt,
                help="lineage, version details, card, artifacts, metric trend",
            )

    async def search(self, query: str) -> Hits:
        """Models whose 'open model NAME' matches what was typed."""
        app: RegtuiApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for name in self._names:
            prompt = self._prompt(name)
            score = matcher.match(prompt)
            if score > 0:
                yield Hit(
                    score,
                    literal_highlight(matcher, prompt),
                    partial(app.open_model, name),
                    text=prompt,
                    help="lineage, version details, card, artifacts, metric trend",
                )


def _model_names(app: RegtuiApp) -> list[str]:
    """Every cached model's name (in a thread: the first read may build the service and import the ORM)."""
    from regtui.services import reads

    return reads.model_names(app.service)


def binding_commands(app: RegtuiApp, screen: Screen[object]) -> Iterable[SystemCommand]:
    """A palette command for every described binding of the screen and the app (what the footer knows)."""
    seen: set[tuple[int, str]] = set()
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        if node is not screen and node is not app or not binding.description or binding.action == "command_palette":
            continue
        if (id(node), binding.action) in seen:
            continue
        seen.add((id(node), binding.action))
        where = "everywhere" if node is app else type(screen).__name__.removesuffix("Screen")
        key = app.get_key_display(binding)
        yield SystemCommand(
            binding.description, escape(f"key {key} · {where}"), partial(_run, app, binding.action, node)
        )


SCREEN_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("providers", "Providers", "pinned provider versions, change log, qualification checks"),
)
"""Screens the palette opens from anywhere: (SCREEN_CLASSES name, title, help)."""


def screen_commands(app: RegtuiApp, screen: Screen[object]) -> Iterable[SystemCommand]:
    """'Providers' and the like: open a screen by name (skipped when a binding of this screen already offers it)."""
    offered = {active.binding.action for active in screen.active_bindings.values()}
    for name, title, help_text in SCREEN_COMMANDS:
        if f"open_screen('{name}')" not in offered:
            yield SystemCommand(title, escape(help_text), partial(app.action_open_screen, name))


async def _run(app: RegtuiApp, action: str, node: DOMNode) -> None:
    """Run a binding's action in its node's namespace."""
    await app.run_action(action, node)
