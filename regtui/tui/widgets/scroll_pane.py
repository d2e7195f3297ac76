"""A vertically scrolling pane with vim keys beside the arrows."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll


class ScrollPane(VerticalScroll):
    """VerticalScroll that also answers to vim keys (j/k/g/G, ctrl+b/ctrl+f)."""

    HELP_TITLE: ClassVar[str] = "Scrolling panes"
    """What the help screen calls these widgets."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="scroll_up"),
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="scroll_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="page_down"),
        Binding("home,g", "scroll_home", "Top", show=False, id="scroll_top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="scroll_bottom"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, k / down, j | Scroll up / down. |
    | pageup, ctrl+b / pagedown, ctrl+f | A page up / down. |
    | home, g / end, G | Top / bottom. |
    """
