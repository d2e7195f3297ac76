"""What a running app shows, read through Textual's public API: the screen's text, and the strips its widgets paint."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from rich.cells import cell_len
from textual.app import App
from textual.geometry import Region
from textual.strip import Strip

SVG_CELL_WIDTH = 12.2
"""The width of one cell in the SVG Textual exports (rich's export_svg: 0.61 x its 20 px font)."""
SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="[0-9.]+" '
    r'clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>'
)
"""One run of text in the export: its x position, its line, its characters (HTML-escaped)."""


def screen_lines(app: App[object]) -> list[str]:
    """The screen as the terminal shows it, one string per line (wide characters once), from a screenshot."""
    width, height = app.size
    cells: list[list[str]] = [[" "] * width for _ in range(height)]
    for x, line, escaped in SVG_TEXT.findall(app.export_screenshot()):
        row = cells[int(line)]
        column = round(float(x) / SVG_CELL_WIDTH)
        for char in html.unescape(escaped).replace("\xa0", " "):
            if column < width:
                row[column] = char
                for covered in range(column + 1, min(width, column + cell_len(char))):
                    row[covered] = ""
            column += cell_len(char)
    return ["".join(row) for row in cells]


def painted_strips(app: App[object]) -> Iterator[Strip]:
    """Every line each displayed widget of the screen on top paints (its whole region, as the compositor asks)."""
    for widget in app.screen.query("*"):
        if widget.display and widget.visible and widget.outer_size.area:
            yield from widget.render_lines(Region(0, 0, *widget.outer_size))


def shown_notifications(app: App[object]) -> list[str]:
    """The text (title and message) of every notification the screen on top shows."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]
