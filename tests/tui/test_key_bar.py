"""The key bar: as many whole key hints as fit, the last-shown left out first, never one cut in two."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from regtui.tui.widgets.key_bar import KeyBar

pytestmark = pytest.mark.anyio

HINTS = (" a Approve ", " r Reject ", " R Rollback ", " d Diff ", " L Audit log ")
"""How the bar shows each of BarApp's bindings, in order."""


class BarApp(App[None]):
    """Five shown bindings (five actions: the bar shows one key per action) over a key bar, no palette."""

    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "bell", "Approve"),
        Binding("r", "app.bell", "Reject"),
        Binding("R", "focus_next", "Rollback"),
        Binding("d", "focus_previous", "Diff"),
        Binding("L", "app.focus_next", "Audit log"),
    ]

    def compose(self) -> ComposeResult:
        """Just the bar."""
        yield KeyBar()


@pytest.mark.parametrize("width", range(8, 60, 3))
async def test_only_whole_hints_are_shown(width: int) -> None:
    """At every width the bar is the longest run of whole hints from the first that fits, padded to the width."""
    async with BarApp().run_test(size=(width, 3)) as pilot:
        await pilot.pause()
        shown = pilot.app.query_one(KeyBar).render().plain
        assert len(shown) == width
        fitting = ""
        for hint in HINTS:
            if len(fitting + hint) > width:
                break
            fitting += hint
        assert shown == fitting.ljust(width)
