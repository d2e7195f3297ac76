"""The bottom key bar: the screen's shown bindings on one line, in one widget (Textual's Footer mounts a
widget per key and recomposes on every focus change, which costs more than the rest of a screen's first frame)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.screen import Screen


@dataclass(frozen=True)
class KeyHint:
    """One key as the bar shows it: the key to simulate on a click, its display, what it does, if enabled."""

    key: str
    display: str
    description: str
    enabled: bool


class KeyBar(Widget, can_focus=False):
    """Shows ' key Description ' for every shown binding of the screen, the command palette key on the right."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description", "key-bar--rule"}
    """
    | Class | Description |
    | :- | :- |
    | `key-bar--key` | The keys. |
    | `key-bar--description` | What each key does. |
    | `key-bar--rule` | The rule before the command palette key. |
    """

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--rule { color: $foreground 20%; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.hints: tuple[KeyHint, ...] = ()
        self.palette: KeyHint | None = None
        self._spans: list[tuple[int, int, KeyHint]] = []

    def on_mount(self) -> None:
        """Follow the screen's bindings."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        """Stop following them."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        """Repaint when what the bar shows changed (focus moves alone do not repaint)."""
        hints, palette = self._read_hints(screen)
        if (hints, palette) != (self.hints, self.palette):
            self.hints, self.palette = hints, palette
            self.refresh()

    def _read_hints(self, screen: Screen[object]) -> tuple[tuple[KeyHint, ...], KeyHint | None]:
        """The first shown binding of each action, and the command palette's binding."""
        active = screen.active_bindings
        hints: dict[str, KeyHint] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in hints:
                hints[binding.action] = self._hint(binding, enabled)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        return tuple(hints.values()), None if palette is None else self._hint(palette[1], palette[2])

    def _hint(self, binding: Binding, enabled: bool) -> KeyHint:
        """A binding as the bar shows it."""
        return KeyHint(binding.key, self.app.get_key_display(binding), binding.description, enabled)

    def render(self) -> Text:
        """Keys from the left, as many whole ones as fit beside the palette key on the right: the last-shown
        (least important) keys are left out first, and no key is ever cut in two."""
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        right = Text()
        if self.palette is not None:
            right.append("▏", self.get_component_rich_style("key-bar--rule"))
            self._append(right, self.palette, key_style, description_style)
            right.append(" ")
        room = max(0, self.size.width - right.cell_len)
        left = Text(no_wrap=True, overflow="crop")
        spans: list[tuple[int, int, KeyHint]] = []
        for hint in self.hints:
            piece = Text()
            self._append(piece, hint, key_style, description_style)
            if left.cell_len + piece.cell_len > room:
                break
            spans.append((left.cell_len, left.cell_len + piece.cell_len, hint))
            left.append_text(piece)
        left.truncate(room, overflow="crop", pad=True)
        if self.palette is not None:
            spans.append((room, self.size.width, self.palette))
        self._spans = spans
        return left + right

    @staticmethod
    def _append(text: Text, hint: KeyHint, key_style: Style, description_style: Style) -> None:
        """' key Description ' (dimmed when the action is disabled)."""
        dim = Style() if hint.enabled else Style(dim=True)
        text.append(f" {hint.display} ", key_style + dim)
        if hint.description:
            text.append(f"{hint.description} ", description_style + dim)

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it (a disabled one rings the bell)."""
        for start, end, hint in self._spans:
            if start <= event.x < end:
                if hint.enabled:
                    self.app.simulate_key(hint.key)
                else:
                    self.app.bell()
                return
