"""A virtual table for lists of any length: it knows the row count, fetches only the pages on screen in
thread workers, and renders them with the Line API (Textual's DataTable measures every row it holds)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Generic, Literal, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker, WorkerState

from regtui.domain.text import clean_single_line
from regtui.tui.tones import TONE_CLASSES, Cell, Tone, Toned, foreground_style

RowT = TypeVar("RowT")
Fetch = Callable[[int, int], Sequence[RowT]]
"""fetch(offset, limit) -> the rows of one window; called in a thread worker."""
Count = Callable[[], int]
"""count() -> how many rows there are; called in a thread worker."""

PLACEHOLDER = "…"


@dataclass(frozen=True)
class Column(Generic[RowT]):
    """One column: its header, how a row renders in it, and how it gives way when the table is narrow."""

    label: str
    render: Callable[[RowT], Cell]
    width: int
    """Preferred width."""
    min_width: int | None = None
    """Narrowest useful width (default: the preferred width)."""
    flex: bool = False
    """Share the width left over once every column has its preferred width."""
    priority: int = 1
    """Columns with the lowest priority are hidden first, and grow last, when space is short."""
    align: Literal["left", "right"] = "left"

    @property
    def narrowest(self) -> int:
        """The minimum width."""
        return self.min_width or self.width


def fit_columns(columns: Sequence[Column[RowT]], width: int, gap: int = 1) -> list[tuple[Column[RowT], int]]:
    """Columns and widths for `width`: hide the lowest priority until the minimums fit, then grow
    columns toward their preferred width by priority, then give what is left to flexible columns."""
    shown = list(columns)

    def needed(widths: Sequence[int]) -> int:
        """Cells needed for these widths and the gaps between them."""
        return sum(widths) + gap * (len(widths) - 1)

    while len(shown) > 1 and needed([c.narrowest for c in shown]) > width:
        lowest = min(c.priority for c in shown)
        shown.remove([c for c in shown if c.priority == lowest][-1])
    widths = [c.narrowest for c in shown]
    spare = max(0, width - needed(widths))
    for i in sorted(range(len(shown)), key=lambda i: -shown[i].priority):
        grow = min(spare, shown[i].width - widths[i])
        widths[i] += grow
        spare -= grow
    flexible = [i for i, c in enumerate(shown) if c.flex] or [len(shown) - 1]
    share, extra = divmod(spare, len(flexible))
    for rank, i in enumerate(flexible):
        widths[i] += share + (1 if rank < extra else 0)
    return list(zip(shown, widths))


@dataclass(frozen=True)
class Paint(Generic[RowT]):
    """What every line of one repaint shares: the column layout and the styles (worked out once a pass)."""

    width: int
    layout: list[tuple[Column[RowT], int]]
    base: Style
    cursor: Style
    tones: dict[Tone, Style]
    """Each tone's style on a row (the row's style with the tone's colour over it)."""


def cell_parts(cell: Cell) -> list[tuple[str, Tone]]:
    """A cell as (text, tone) parts on one line."""
    if isinstance(cell, str):
        parts = [(cell, Tone.PLAIN)]
    elif isinstance(cell, Toned):
        parts = [(cell.text, cell.tone)]
    else:
        parts = [(part.text, part.tone) for part in cell]
    for text, _ in parts:
        if "\n" in text or "\t" in text:
            return [(clean_single_line(text), tone) for text, tone in parts]
    return parts


def fit_cell(parts: list[tuple[str, Style]], width: int, align: Literal["left", "right"], pad: Style) -> list[Segment]:
    """Styled parts in exactly `width` cells: cut with an ellipsis when too long, else padded on the aligned side."""
    length = sum(_cells(text) for text, _ in parts) if len(parts) != 1 else _cells(parts[0][0])
    if length > width:
        return _cut(parts, width)
    segments = [Segment(text, style) for text, style in parts if text]
    if length == width:
        return segments
    padding = Segment(" " * (width - length), pad)
    return [padding, *segments] if align == "right" else [*segments, padding]


def _same_or_new(old: Style, new: Style) -> Style:
    """`old` itself when `new` equals it (so that text in either style joins one segment)."""
    return old if new == old else new


def _cells(text: str) -> int:
    """Terminal cells a string takes (ASCII: one per character)."""
    return len(text) if text.isascii() else cell_len(text)


def _cut(parts: list[tuple[str, Style]], width: int) -> list[Segment]:
    """Parts cut to width - 1 cells, then an ellipsis in the style of the first part that did not fit."""
    segments: list[Segment] = []
    room = width - 1
    for text, style in parts:
        length = _cells(text)
        if length <= room:
            if text:
                segments.append(Segment(text, style))
            room -= length
            continue
        segments.append(Segment(set_cell_size(text, room) + "…", style))
        break
    return segments


class WindowTable(ScrollView, Generic[RowT], can_focus=True, inherit_bindings=False):
    """A keyboard-driven table over `count()` rows, of which only the visible pages are ever loaded."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="page_down"),
        Binding("home,g", "cursor_first", "First row", show=False, id="cursor_first"),
        Binding("end,G", "cursor_last", "Last row", show=False, id="cursor_last"),
        Binding("enter", "select_cursor", "Open", id="select_cursor"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, k | Move the cursor up a row. |
    | down, j | Move the cursor down a row. |
    | pageup, ctrl+b | Move the cursor up a page. |
    | pagedown, ctrl+f | Move the cursor down a page. |
    | home, g | Move the cursor to the first row. |
    | end, G | Move the cursor to the last row. |
    | enter | Select the row under the cursor. |
    """
    BINDINGS_INHERITED: ClassVar[bool] = False
    """As `inherit_bindings=False` says (ScrollView's scrolling keys are not the table's), for the help screen's key
    list (regtui.tui.keys): Textual keeps that class keyword to itself."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "window-table--header",
        "window-table--cursor",
        "window-table--placeholder",
        *TONE_CLASSES.values(),
    }
    """
    | Class | Description |
    | :- | :- |
    | `window-table--header` | The column header line. |
    | `window-table--cursor` | The row under the cursor. |
    | `window-table--placeholder` | Rows still loading, and the empty message. |
    | `tone--good`, `tone--warn`, `tone--bad`, `tone--info`, `tone--muted` | Toned cell text. |
    """

    DEFAULT_CSS = """
    WindowTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        height: 1fr;
        & > .window-table--header { background: $panel; color: $foreground; text-style: bold; }
        & > .window-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .window-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .window-table--placeholder { color: $text-muted; }
        & > .tone--good { color: $text-success; }
        & > .tone--warn { color: $text-warning; }
        & > .tone--bad { color: $text-error; text-style: bold; }
        & > .tone--info { color: $text-primary; }
        & > .tone--muted { color: $text-muted; }
        & > .tone--plain { }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False)
    """Index of the row under the cursor (its watcher repaints only the lines that change)."""

    class TableMessage(Message):
        """A message about one table, which is its control (for `@on(..., "#id")` selectors)."""

        def __init__(self, table: WindowTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> WindowTable:
            """The table the message is about."""
            return self.table

    class RowMessage(TableMessage):
        """A message about one loaded row of a table."""

        def __init__(self, table: WindowTable, index: int, row: object) -> None:
            super().__init__(table)
            self.index = index
            self.row = row

    class RowHighlighted(RowMessage):
        """The cursor moved onto a row (posted once the row is loaded)."""

    class RowSelected(RowMessage):
        """Enter (or a double click) on a loaded row."""

    class Counted(TableMessage):
        """A (re)load counted the rows."""

        def __init__(self, table: WindowTable, total: int) -> None:
            super().__init__(table)
            self.total = total

    class LoadFailed(TableMessage):
        """Counting or fetching rows failed; the app reports it (the table waits for the next reload)."""

        def __init__(self, table: WindowTable, error: BaseException) -> None:
            super().__init__(table)
            self.error = error

    class PageLoaded(Message, bubble=False):
        """A page of rows (and, for a reload, the row count) arrived from a worker; handled by the table."""

        def __init__(self, generation: int, start: int, rows: Sequence[object], total: int | None) -> None:
            super().__init__()
            self.generation = generation
            self.start = start
            self.rows = rows
            self.total = total

    def __init__(
        self,
        columns: Sequence[Column[RowT]],
        fetch: Fetch[RowT],
        count: Count,
        *,
        page_size: int = 100,
        max_pages: int = 20,
        empty_text: str = "nothing to show",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.page_size = page_size
        self.max_pages = max_pages
        self.empty_text = empty_text
        self._fetch = fetch
        self._count = count
        self._total: int | None = None
        self._generation = 0
        self._pages: OrderedDict[int, Sequence[RowT]] = OrderedDict()
        self._stale_pages: dict[int, Sequence[RowT]] = {}
        self._in_flight: set[int] = set()
        self._announced: tuple[int, int] | None = None
        self._paint: Paint[RowT] | None = None
        self._painted: dict[int, object] = {}
        """What each line showed when it was last rendered (see `_line_content`)."""

    @property
    def total(self) -> int | None:
        """How many rows the source has (None until the first load arrives)."""
        return self._total

    @property
    def cursor_value(self) -> RowT | None:
        """The loaded row under the cursor, if any."""
        return self.row_at(self.cursor_row)

    def row_at(self, index: int) -> RowT | None:
        """The row at an index when its page is loaded (fresh, or stale while a reload runs)."""
        start = index - index % self.page_size
        page = self._pages.get(start)
        if page is not None:
            self._pages.move_to_end(start)
        else:
            page = self._stale_pages.get(start)
        if page is None or index - start >= len(page):
            return None
        return page[index - start]

    def on_mount(self) -> None:
        """Load the first window."""
        self.reload()

    def set_source(self, fetch: Fetch[RowT], count: Count, *, reset_cursor: bool = True) -> None:
        """Read rows from new callbacks (a new filter or order), from the top unless told otherwise."""
        self._fetch, self._count = fetch, count
        if reset_cursor:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False)
        self.reload()

    def reload(self) -> None:
        """Count and fetch again (after a sync); rows stay on screen until the fresh ones arrive."""
        self._generation += 1
        self.workers.cancel_group(self, "window-table")
        self._stale_pages = {**self._stale_pages, **self._pages}
        self._pages = OrderedDict()
        self._in_flight.clear()
        self._request(self._page_start(int(self.scroll_offset.y)), with_count=True)

    def _page_start(self, index: int) -> int:
        """The first index of the page holding a row."""
        return max(0, index - index % self.page_size)

    def _request(self, start: int, *, with_count: bool = False) -> None:
        """Fetch a page in a thread worker unless it is already on its way."""
        if start in self._in_flight:
            return
        self._in_flight.add(start)
        count = self._count if with_count else None
        self.run_worker(
            partial(self._load, self._generation, self._fetch, count, start, self.page_size),
            thread=True,
            group="window-table",
            exit_on_error=False,
            description=f"rows {start}+{self.page_size}",
        )

    def _load(self, generation: int, fetch: Fetch[RowT], count: Count | None, start: int, limit: int) -> None:
        """Worker body: count (for a reload) and fetch one page, then post them to the table."""
        total = count() if count is not None else None
        rows = list(fetch(start, limit))
        self.post_message(self.PageLoaded(generation, start, rows, total))

    def on_window_table_page_loaded(self, message: PageLoaded) -> None:
        """Keep a fresh page (dropping pages of an older source) and repaint."""
        message.stop()
        if message.generation != self._generation:
            return
        self._in_flight.discard(message.start)
        if message.total is not None:
            self._total = message.total
            self._stale_pages = {}
            self.virtual_size = Size(self.scrollable_content_region.width, message.total + 1)
            self.cursor_row = self.validate_cursor_row(self.cursor_row)
            self.post_message(self.Counted(self, message.total))
        self._pages[message.start] = message.rows  # type: ignore[assignment]
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        self._announce()
        self._refresh_changed_lines()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Turn a failed page load into LoadFailed (that page is not asked for again until a reload)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(self.LoadFailed(self, event.worker.error))

    def validate_cursor_row(self, row: int) -> int:
        """Keep the cursor on a row."""
        return max(0, min(row, (self._total or 1) - 1))

    def watch_cursor_row(self) -> None:
        """Scroll the cursor into view and say which row is highlighted."""
        self._scroll_cursor_into_view()
        self._announce()
        self._refresh_changed_lines()

    def _refresh_changed_lines(self) -> None:
        """Repaint only the lines whose content changed since they were rendered: the others keep Textual's
        cached lines (a cursor move repaints two lines, a filter that keeps rows in place fewer than all)."""
        width = self.size.width
        changed = [
            Region(0, y, width, 1)
            for y in range(self.scrollable_content_region.height)
            if self._painted.get(y, self) != self._line_content(y)
        ]
        if changed:
            self.refresh(*changed)

    def _line_content(self, y: int) -> object:
        """What line y shows now: the header, a row (and whether the cursor is on it), a message, or nothing."""
        if y == 0:
            return "header"
        if not self._total:
            return (self._total, y == 1)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self._total:
            return None
        return (self.row_at(index), index == self.cursor_row)

    def _scroll_cursor_into_view(self) -> None:
        """Scroll just enough that the cursor row is visible below the header."""
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)

    def _announce(self) -> None:
        """Post RowHighlighted once per cursor position and source, when the fresh row is loaded."""
        key = (self._generation, self.cursor_row)
        if self._page_start(self.cursor_row) not in self._pages or self._announced == key:
            return
        row = self.row_at(self.cursor_row)
        if row is not None:
            self._announced = key
            self.post_message(self.RowHighlighted(self, self.cursor_row, row))

    def on_resize(self, _event: events.Resize) -> None:
        """Keep the virtual width in step and the cursor visible."""
        if self._total is not None:
            self.virtual_size = Size(self.scrollable_content_region.width, self._total + 1)
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        """Repaint the cursor in its focused colours."""
        self.refresh()

    def on_blur(self) -> None:
        """Repaint the cursor in its unfocused colours."""
        self.refresh()

    def action_cursor_up(self) -> None:
        """Move the cursor up a row."""
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        """Move the cursor down a row."""
        self.cursor_row += 1

    def action_page_up(self) -> None:
        """Move the cursor up a page."""
        self.cursor_row -= max(1, self.scrollable_content_region.height - 2)

    def action_page_down(self) -> None:
        """Move the cursor down a page."""
        self.cursor_row += max(1, self.scrollable_content_region.height - 2)

    def action_cursor_first(self) -> None:
        """Move the cursor to the first row."""
        self.cursor_row = 0

    def action_cursor_last(self) -> None:
        """Move the cursor to the last row."""
        self.cursor_row = (self._total or 1) - 1

    def action_select_cursor(self) -> None:
        """Post RowSelected for the loaded row under the cursor."""
        row = self.cursor_value
        if row is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, row))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a double click selects."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1 or self._total is None:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if index < self._total:
            self.cursor_row = index
            if event.chain > 1:
                self.action_select_cursor()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the lines of a repaint with their shared layout and styles worked out once."""
        self._paint = self._new_paint()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _new_paint(self) -> Paint[RowT]:
        """The column layout for the current width, and the styles of rows, cursor and toned text."""
        width = self.scrollable_content_region.width
        base = self.rich_style
        return Paint(
            width=width,
            layout=fit_columns(self.columns, max(1, width - 1)),
            base=base,
            cursor=base + self.get_component_rich_style("window-table--cursor"),
            tones={
                tone: _same_or_new(base, base + foreground_style(self, TONE_CLASSES[tone])) for tone in TONE_CLASSES
            },
        )

    def render_line(self, y: int) -> Strip:
        """The header on line 0, then the rows from the scroll position (placeholders while loading)."""
        self._painted[y] = self._line_content(y)
        paint = self._paint or self._new_paint()
        width, layout, base = paint.width, paint.layout, paint.base
        if y == 0:
            style = base + self.get_component_rich_style("window-table--header")
            return self._strip([[(column.label, style)] for column, _ in layout], layout, style, width)
        index = int(self.scroll_offset.y) + y - 1
        if self._total is None or self._total == 0:
            message = "loading…" if self._total is None else self.empty_text
            return self._message_strip(message, width) if y == 1 else Strip.blank(width, base)
        if index >= self._total:
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None or self._page_start(index) not in self._pages:
            self._request(self._page_start(index))
        if row is None:
            return self._message_strip(PLACEHOLDER, width)
        if index == self.cursor_row:
            cells = [[(text, paint.cursor) for text, _ in cell_parts(column.render(row))] for column, _ in layout]
            return self._strip(cells, layout, paint.cursor, width)
        cells = [[(text, paint.tones[tone]) for text, tone in cell_parts(column.render(row))] for column, _ in layout]
        return self._strip(cells, layout, base, width)

    def _message_strip(self, message: str, width: int) -> Strip:
        """One line of muted text (loading, empty)."""
        style = self.rich_style + self.get_component_rich_style("window-table--placeholder")
        return Strip([Segment(" " + message, style)]).crop_extend(0, width, style)

    def _strip(
        self, cells: list[list[tuple[str, Style]]], layout: list[tuple[Column[RowT], int]], style: Style, width: int
    ) -> Strip:
        """Lay styled cells out in their column widths, one space apart, each cut with an ellipsis; `style`
        fills the gaps and the rest of the line. Neighbours of one style object become one segment: a line of a
        few segments instead of ~20 costs Textual's per-segment passes (filters, crops) that much less."""
        runs: list[Segment] = []
        texts: list[str] = []
        current = style
        used = 0
        for (column, column_width), parts in zip(layout, cells):
            texts.append(" ")
            for text, part_style, _ in fit_cell(parts, column_width, column.align, style):
                if part_style is not current:
                    runs.append(Segment("".join(texts), current))
                    texts, current = [], part_style
                texts.append(text)
            used += column_width + 1
        if current is not style:
            runs.append(Segment("".join(texts), current))
            texts, current = [], style
        if used < width:
            texts.append(" " * (width - used))
        runs.append(Segment("".join(texts), current))
        return Strip(runs).crop(0, width) if used > width else Strip(runs, width)
