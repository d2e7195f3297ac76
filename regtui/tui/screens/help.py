"""The help screen: every key of the screen it was opened from, generated from the active bindings."""

from __future__ import annotations

from itertools import groupby

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from regtui.tui.keys import KeyRow, screen_keys
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.widgets.scroll_pane import ScrollPane


def keys_table(rows: list[KeyRow]) -> RenderableType:
    """Sections by where a key works, each a table of keys, what they do, and the binding id."""
    parts: list[RenderableType] = []
    for where, section in groupby(rows, key=lambda row: row.where):
        table = Table(title=Text(where, style="bold"), title_justify="left", box=None, padding=(0, 2),
                      show_header=False, expand=False)
        table.add_column(no_wrap=True, min_width=10)
        table.add_column(min_width=20)
        table.add_column(no_wrap=True)
        for row in section:
            table.add_row(Text(row.keys, style="bold"), Text(row.description), Text(row.binding_id, style="dim"))
        parts += [table, Text()]
    return Group(*parts)


class HelpScreen(RegtuiScreen):
    """Keys of the screen underneath; remapped keys from the config show as remapped."""

    TITLE = "Help"
    AUTO_FOCUS = "#help-pane"

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target_title = type(target).TITLE or type(target).__name__
        self.rows = screen_keys(target)

    def compose_body(self) -> ComposeResult:
        """A title and the key tables in a scrolling pane."""
        yield Static(Text(f"Keys of the {self.target_title} screen (binding ids are what config keys: remaps)"),
                     id="help-title")
        with ScrollPane(id="help-pane"):
            yield Static(keys_table(self.rows), id="help-keys")
