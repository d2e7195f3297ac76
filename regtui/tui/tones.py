"""Tones: what a piece of text means (good, warning, bad, ...), styled by each widget from its theme."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from regtui.domain.entry import Stage


class Tone(StrEnum):
    """The meaning of a piece of text; widgets map each tone to a component class styled in TCSS."""

    PLAIN = "plain"
    GOOD = "good"
    WARN = "warn"
    BAD = "bad"
    INFO = "info"
    MUTED = "muted"


@dataclass(frozen=True)
class Toned:
    """Literal text with a tone (never parsed as markup)."""

    text: str
    tone: Tone = Tone.PLAIN


Cell = str | Toned | tuple[Toned, ...]
"""What a table column or label renders: plain text, toned text, or several toned parts."""

TONE_CLASSES: dict[Tone, str] = {tone: f"tone--{tone.value}" for tone in Tone}
"""The component class each widget that renders tones declares and styles."""

STAGE_TONES: dict[str, Tone] = {
    Stage.PRODUCTION: Tone.GOOD,
    Stage.CANARY: Tone.WARN,
    Stage.STAGING: Tone.INFO,
    Stage.DEVELOPMENT: Tone.PLAIN,
    Stage.ARCHIVED: Tone.MUTED,
}


def stage_badge(stage: str, canary_share: float | None = None) -> Toned:
    """A stage as words (so it reads without colour), with the canary share when there is one."""
    label = f"{stage} {canary_share:g}%" if canary_share is not None else stage
    return Toned(label, STAGE_TONES.get(stage, Tone.PLAIN))


def stage_move(from_stage: str, to_stage: str) -> tuple[Toned, ...]:
    """'Canary → Production' in words and tones; '→ Development' for a first stage, 'Staging →' for a move to no
    stage, a muted '-' for none."""
    if not from_stage and not to_stage:
        return (Toned("-", Tone.MUTED),)
    if not from_stage:
        return (Toned("→ "), stage_badge(to_stage))
    if not to_stage:
        return (stage_badge(from_stage), Toned(" →"))
    return (stage_badge(from_stage), Toned(" → "), stage_badge(to_stage))


def to_text(cell: Cell, style_of: Callable[[Tone], Style]) -> Text:
    """A cell as Rich Text, each part styled by its tone; the text itself is always literal."""
    if isinstance(cell, str):
        return Text(cell)
    parts = (cell,) if isinstance(cell, Toned) else cell
    text = Text()
    for part in parts:
        text.append(part.text, style_of(part.tone) if part.tone is not Tone.PLAIN else None)
    return text


def foreground_style(widget: Widget, component: str) -> Style:
    """A component class's colour and text style without its background, so it can sit on a cursor row.

    Taken from the full style, so translucent colours ($text-muted) are blended on the widget's own
    background (a partial style would blend them on black, unreadable in light themes)."""
    full = widget.get_component_rich_style(component)
    return Style(
        color=full.color,
        bold=full.bold,
        dim=full.dim,
        italic=full.italic,
        underline=full.underline,
        strike=full.strike,
        reverse=full.reverse,
    )
