"""A vertically scrolling pane with vim keys beside the arrows."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll


class ScrollPane(VerticalScroll):
    """VerticalScroll that also answers to j/k/g/G."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "scroll_up", "Scroll up", show=False, id="scroll_up"),
        Binding("j", "scroll_down", "Scroll down", show=False, id="scroll_down"),
        Binding("g", "scroll_home", "Top", show=False, id="scroll_top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="scroll_bottom"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | k / j | Scroll up / down (beside the arrow keys). |
    | g / G | Scroll to the top / bottom. |
    """
