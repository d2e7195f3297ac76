"""ASCII mode in the dashboard: a line filter that draws every frame with ASCII stand-ins for drawing glyphs."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from regtui.glyphs import to_ascii


class AsciiFilter(LineFilter):
    """Replaces box drawing, blocks, sparklines, arrows and check marks in each rendered line (one cell each)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """The line's segments with their text in ASCII stand-ins; styles and control codes kept."""
        return [
            segment if segment.control or segment.text.isascii() else Segment(to_ascii(segment.text), segment.style)
            for segment in segments
        ]
