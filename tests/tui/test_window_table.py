"""The windowed table: only visible pages are fetched, in workers; cursor keys; messages; column fitting."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.strip import Strip

from regtui.tui.tones import Tone, Toned
from regtui.tui.widgets.window_table import Column, WindowTable, fit_cell, fit_columns
from tests.tui.conftest import screen_text

pytestmark = pytest.mark.anyio
ROWS = 100_000


@dataclass(frozen=True)
class Item:
    """A synthetic row."""

    index: int
    name: str


class Source:
    """A 100k-row source that records what was asked of it, and from which thread."""

    def __init__(self) -> None:
        self.fetches: list[tuple[int, int]] = []
        self.counts = 0
        self.threads: set[str] = set()

    def fetch(self, offset: int, limit: int) -> list[Item]:
        """One window of rows."""
        self.fetches.append((offset, limit))
        self.threads.add(threading.current_thread().name)
        return [Item(i, f"item-{i:06d} [b]not bold[/b]") for i in range(offset, min(ROWS, offset + limit))]

    def count(self) -> int:
        """The row count."""
        self.counts += 1
        return ROWS


class TableApp(App[None]):
    """A table over a Source, recording the messages it posts."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source
        self.highlighted: list[int] = []
        self.selected: list[int] = []

    def compose(self) -> ComposeResult:
        """Just the table."""
        yield WindowTable(
            [
                Column("#", lambda r: str(r.index), 7, align="right", priority=5),
                Column("NAME", lambda r: r.name, 30, flex=True, priority=9),
                Column("STATE", lambda r: Toned("ok", Tone.GOOD), 10, priority=1),
            ],
            self.source.fetch,
            self.source.count,
            page_size=50,
        )

    def on_window_table_row_highlighted(self, message: WindowTable.RowHighlighted) -> None:
        """Record highlights."""
        self.highlighted.append(message.index)

    def on_window_table_row_selected(self, message: WindowTable.RowSelected) -> None:
        """Record selections."""
        self.selected.append(message.index)


async def settle(pilot: object) -> None:
    """Let page workers finish and their messages land."""
    for _ in range(2):
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_only_visible_pages_are_fetched_in_workers() -> None:
    """100k rows: one count, one page at start, and one page (not 100k rows) after jumping to the end."""
    source = Source()
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        table = app.query_one(WindowTable)
        assert table.total == ROWS and source.counts == 1
        assert source.fetches == [(0, 50)]
        assert threading.main_thread().name not in source.threads
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_row == ROWS - 1
        assert source.fetches[-1] == (99_950, 50) and len(source.fetches) <= 3
        assert "item-099999 [b]not bold[/b]" in screen_text(pilot)
        assert app.highlighted[-1] == ROWS - 1


async def test_cursor_keys_and_selection() -> None:
    """j/k/down/up, pagedown, g and enter move and select; the cursor stays on screen."""
    source = Source()
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        table = app.query_one(WindowTable)
        await pilot.press("j", "j", "down", "k")
        assert table.cursor_row == 2
        await pilot.press("pagedown")
        await settle(pilot)
        assert table.cursor_row > 2 and table.scroll_offset.y <= table.cursor_row
        await pilot.press("g", "up")
        assert table.cursor_row == 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.selected == [0]
        assert app.highlighted[0] == 0


async def test_reload_keeps_rows_until_fresh_ones_arrive() -> None:
    """A reload counts again and refetches only the visible page."""
    source = Source()
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        table = app.query_one(WindowTable)
        table.reload()
        assert table.row_at(0) is not None, "stale rows stay visible while the reload runs"
        await settle(pilot)
        assert source.counts == 2 and source.fetches[-1] == (0, 50)


def test_fit_columns_hides_low_priority_first() -> None:
    """Narrow widths hide the lowest-priority columns; spare width goes to the flexible column."""
    columns = [
        Column("A", str, 10, priority=9),
        Column("B", str, 10, priority=1),
        Column("C", str, 10, min_width=5, flex=True, priority=5),
    ]
    assert [(c.label, w) for c, w in fit_columns(columns, 40)] == [("A", 10), ("B", 10), ("C", 18)]
    assert [(c.label, w) for c, w in fit_columns(columns, 20)] == [("A", 10), ("C", 9)]
    assert [(c.label, w) for c, w in fit_columns(columns, 8)] == [("A", 10)]


PLAIN, TONED, PAD = Style(), Style(bold=True), Style(italic=True)


def test_fit_cell_pads_on_the_aligned_side() -> None:
    """A short cell is padded to its width, after the text (left) or before it (right), in the row's style."""
    assert [(s.text, s.style) for s in fit_cell([("ab", TONED)], 5, "left", PAD)] == [("ab", TONED), ("   ", PAD)]
    assert [(s.text, s.style) for s in fit_cell([("ab", TONED)], 5, "right", PAD)] == [("   ", PAD), ("ab", TONED)]
    assert [s.text for s in fit_cell([("abcde", PLAIN)], 5, "left", PAD)] == ["abcde"]


def test_fit_cell_cuts_with_an_ellipsis_in_the_style_of_what_it_cuts() -> None:
    """A long cell keeps width - 1 cells and an ellipsis styled like the first part that did not fit."""
    cut = fit_cell([("→ ", PLAIN), ("Production", TONED)], 3, "left", PAD)
    assert [(s.text, s.style) for s in cut] == [("→ ", PLAIN), ("…", TONED)]
    assert "".join(s.text for s in fit_cell([("Production", TONED)], 6, "left", PAD)) == "Produ…"


def test_fit_cell_counts_wide_characters_as_two_cells() -> None:
    """East Asian wide characters take two cells: the cut and the padding follow cells, not characters."""
    assert "".join(s.text for s in fit_cell([("模型模型", PLAIN)], 5, "left", PAD)) == "模型…"
    assert "".join(s.text for s in fit_cell([("模型", PLAIN)], 5, "left", PAD)) == "模型 "


class Painted:
    """The lines a table renders (spying on render_line)."""

    def __init__(self, table: WindowTable[Item]) -> None:
        self.lines: list[int] = []
        render = table.render_line

        def render_line(y: int) -> Strip:
            """Render, and note the line."""
            self.lines.append(y)
            return render(y)

        table.render_line = render_line  # type: ignore[method-assign]

    def take(self) -> list[int]:
        """The lines rendered since the last take."""
        lines, self.lines = sorted(set(self.lines)), []
        return lines


async def test_only_lines_that_change_are_repainted() -> None:
    """A cursor move repaints the two lines it changes; a reload that brings the same rows repaints none; a
    source whose rows differ from the third line on repaints those lines, and every line shows the new rows."""
    source = Source()
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        table = app.query_one(WindowTable)
        painted = Painted(table)
        await pilot.press("j")
        await settle(pilot)
        assert painted.take() == [1, 2]
        table.reload()
        await settle(pilot)
        assert painted.take() == []

        def fetch(offset: int, limit: int) -> list[Item]:
            """The same rows but for a new name from index 2 on."""
            return [Item(r.index, r.name if r.index < 2 else f"renamed-{r.index}") for r in source.fetch(offset, limit)]

        table.set_source(fetch, source.count, reset_cursor=False)
        await settle(pilot)
        assert painted.take() == list(range(3, table.size.height))
        assert "renamed-2" in screen_text(pilot) and "item-000001" in screen_text(pilot)


def test_a_line_is_one_segment_per_run_of_one_style() -> None:
    """Cells, gaps and padding in the row's style join one segment; toned text gets its own."""
    columns = [Column("A", str, 4), Column("B", str, 4), Column("C", str, 4)]
    table: WindowTable[str] = WindowTable(columns, lambda offset, limit: [], lambda: 0)
    layout = fit_columns(columns, 14)
    strip = table._strip([[("ab", PLAIN)], [("cd", TONED)], [("ef", PLAIN)]], layout, PLAIN, 16)
    assert [(s.text, s.style) for s in strip] == [(" ab   ", PLAIN), ("cd", TONED), ("   ef   ", PLAIN)]
    assert strip.cell_length == 16
