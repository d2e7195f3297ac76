"""The one-line header: product, registry URL, acting identity and sync state (ticking every second)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from regtui.tui.sync import SyncStatus
from regtui.tui.tones import foreground_style


def shorten_middle(text: str, width: int) -> str:
    """Fit text in width by replacing its middle with an ellipsis (URLs keep host and file name)."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


class StatusHeader(Widget):
    """Shows where the dashboard reads from, as whom, and how fresh the data is."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"status-header--title", "status-header--state", "status-header--badge"}
    """
    | Class | Description |
    | :- | :- |
    | `status-header--title` | The product name. |
    | `status-header--state` | The sync state on the right. |
    | `status-header--badge` | The READ-ONLY badge of a --readonly session. |
    """

    DEFAULT_CSS = """
    StatusHeader {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        & > .status-header--title { color: $text-accent; text-style: bold; }
        & > .status-header--state { color: $text-success; }
        & > .status-header--badge { color: $text-warning; text-style: bold reverse; }
        &.-offline { background: $error-muted; }
        &.-offline > .status-header--state { color: $text-error; text-style: bold; }
        &.-anchor-broken { background: $error-muted; }
        &.-anchor-broken > .status-header--state { color: $text-error; text-style: bold reverse; }
    }
    """

    BADGE = " READ-ONLY "
    """Shown after the product name in a session started with --readonly."""

    def __init__(
        self, url: str, clock: Callable[[], datetime], *, readonly: bool = False, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.url = url
        self.clock = clock
        self.readonly = readonly
        self.identity: str | None = None
        self.status: SyncStatus | None = None

    def on_mount(self) -> None:
        """Tick once a second so 'synced Ns ago' stays true (a cheap one-line repaint)."""
        self.set_interval(1.0, self.refresh)

    def show(self, status: SyncStatus | None, identity: str | None) -> None:
        """Show a new sync state and identity."""
        self.status, self.identity = status, identity
        self.set_class(status is not None and status.offline, "-offline")
        self.set_class(status is not None and status.anchor_break is not None, "-anchor-broken")
        self.refresh()

    def describe_state(self) -> str:
        """The right-hand sync text."""
        return "syncing…" if self.status is None else self.status.describe(self.clock())

    def render(self) -> Text:
        """' regtui  URL  as IDENTITY        synced 3s ago ' fitted to the width, always literal text."""
        state = self.describe_state()
        who = f"  as {self.identity}" if self.identity else ""
        badge = f" {self.BADGE}" if self.readonly else ""
        room = self.size.width - len(" regtui  ") - len(badge) - len(who) - len(state) - 3
        url = shorten_middle(self.url, max(0, room))
        left = Text(" ")
        left.append("regtui", foreground_style(self, "status-header--title"))
        if badge:
            left.append(" ")
            left.append(self.BADGE, self.get_component_rich_style("status-header--badge"))
        left.append(f"  {url}{who}" if url else who)
        gap = max(1, self.size.width - left.cell_len - len(state) - 1)
        left.append(" " * gap)
        left.append(state, foreground_style(self, "status-header--state"))
        return left
