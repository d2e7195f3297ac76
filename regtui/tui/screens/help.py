"""The help screen: every key of the screen it was opened from, generated from the active bindings."""

from __future__ import annotations

from itertools import groupby

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from regtui.tui.keys import KeyRow, screen_keys
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.widgets.scroll_pane import ScrollPane


def keys_table(rows: list[KeyRow]) -> RenderableType:
    """One table: a heading row per place a key works, then its keys, what they do, and the binding id."""
    table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold", expand=False)
    table.add_column("key", no_wrap=True, min_width=12)
    table.add_column("does", min_width=20)
    table.add_column("binding id (config keys:)", no_wrap=True)
    for where, section in groupby(rows, key=lambda row: row.where):
        table.add_row(Text(where, style="bold underline"), Text(), Text())
        for row in section:
            table.add_row(Text(row.keys, style="bold"), Text(row.description), Text(row.binding_id, style="dim"))
    return table


class HelpScreen(RegtuiScreen):
    """Keys of the screen underneath; remapped keys from the config show as remapped."""

    TITLE = "Help"
    AUTO_FOCUS = "#help-pane"

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target_title = type(target).TITLE or type(target).__name__
        self.rows = screen_keys(target, self.regtui.settings.keys)

    def compose_body(self) -> ComposeResult:
        """A title and the key tables in a scrolling pane."""
        yield Static(Text(f"Keys of the {self.target_title} screen"), id="help-title")
        with ScrollPane(id="help-pane"):
            yield Static(keys_table(self.rows), id="help-keys")
