"""The lineage tree of a model: major lines, then minor versions, then their patches; built lazily."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import groupby
from typing import ClassVar

from rich.cells import cell_len
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text, TextType
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from regtui.glyphs import PAST_RETENTION
from regtui.services.views import VersionLine
from regtui.tui.tones import TONE_CLASSES, Tone, Toned, foreground_style, stage_badge, to_text


def parts_width(parts: tuple[Toned, ...]) -> int:
    """The width in cells of a label's words."""
    return sum(cell_len(part.text) for part in parts)


@dataclass(frozen=True)
class LineItem:
    """A major line ('1.x') and its versions in semver order."""

    label: str
    versions: tuple[VersionLine, ...]

    @property
    def groups(self) -> list[tuple[VersionLine, ...]]:
        """The line's minor groups: each minor version with its patches and pre-releases."""
        return [tuple(group) for _minor, group in groupby(self.versions, key=lambda v: v.minor)]

    def branched_from(self) -> str | None:
        """The version in another line this line grew from, if any."""
        first = self.versions[0]
        own = {v.version for v in self.versions}
        return first.parent if first.parent and first.parent not in own else None

    @cached_property
    def parts(self) -> tuple[Toned, ...]:
        """The line's label as toned words (kept: the tree measures every shown line on each rebuild)."""
        branched = self.branched_from()
        count = len(self.versions)
        return (
            Toned(self.label),
            Toned(f"  {count} version{'s' if count != 1 else ''}", Tone.MUTED),
            *((Toned(f"  from {branched}", Tone.MUTED),) if branched else ()),
        )

    @cached_property
    def width(self) -> int:
        """The label's width in cells, without the expand icon."""
        return parts_width(self.parts)


@dataclass(frozen=True)
class VersionItem:
    """A version node; `members` are the rest of its minor group, added when it is expanded."""

    line: VersionLine
    members: tuple[VersionLine, ...] = ()

    @cached_property
    def parts(self) -> tuple[Toned, ...]:
        """The version's label as toned words: version, stage badge (marked when past retention), date and who
        registered it."""
        line = self.line
        past = (Toned(f" {PAST_RETENTION}", Tone.WARN),) if line.retention is not None and line.retention.past else ()
        return (
            Toned(line.version),
            Toned("  "),
            stage_badge(line.stage, line.canary_share),
            *past,
            Toned(f"  {line.created_at:%Y-%m-%d}  {line.registered_by}", Tone.MUTED),
        )

    @cached_property
    def width(self) -> int:
        """The label's width in cells, without the expand icon."""
        return parts_width(self.parts)


TreeItem = LineItem | VersionItem

Run = tuple[str, Style | None]
"""Text and the style of its own span (None: it has none, so it runs on into its unstyled neighbours)."""


@dataclass(frozen=True)
class Guides:
    """The guide strings of one guide style: between siblings, beside a parent's later siblings, last, not last."""

    style: Style
    space: str
    vertical: str
    terminator: str
    cross: str


class LinePaint:
    """What Tree works out again for every line that is the same for all lines of one repaint; the styles that walk
    the widget's ancestors (cursor, hovered row, tones) only once a line needs them."""

    def __init__(self, tree: LineageTree, widget: Style) -> None:
        self._tree = tree
        self.widget = widget
        self.focused = tree.has_focus
        self.width = tree.size.width
        self.scroll_x, self.scroll_y = tree.scroll_offset
        self._tones: dict[Tone, Style] = {}

    @cached_property
    def guides(self) -> Guides:
        """Guides of lines under no hovered or selected node."""
        return self._guides("tree--guides")

    @cached_property
    def hover_guides(self) -> Guides:
        """Guides of lines under the hovered node."""
        return self._guides("tree--guides", "tree--guides-hover")

    @cached_property
    def selected_guides(self) -> Guides:
        """Guides of lines under the cursor's node, when the tree has focus."""
        return self._guides("tree--guides", "tree--guides-selected")

    @cached_property
    def label(self) -> Style:
        """Every label's own style."""
        return self._partial("tree--label")

    @cached_property
    def highlight(self) -> Style:
        """Added to the label under the mouse."""
        return self._partial("tree--highlight")

    @cached_property
    def cursor(self) -> Style:
        """Added to the label on the cursor line."""
        return self._tree.get_component_rich_style("tree--cursor")

    @cached_property
    def highlight_line(self) -> Style:
        """The row style of lines under the hovered node."""
        return self._tree.get_component_rich_style("tree--highlight-line")

    def tone(self, tone: Tone) -> Style:
        """Foreground style of a tone."""
        if tone not in self._tones:
            self._tones[tone] = foreground_style(self._tree, TONE_CLASSES[tone])
        return self._tones[tone]

    def _guides(self, *components: str) -> Guides:
        """Guides in the components' own styles added up, as Tree draws them: heavy when bold, double when double
        underlined, blank when guides are off or the last component's colour is transparent."""
        tree = self._tree
        style = sum((self._partial(component) for component in components[1:]), self._partial(components[0]))
        if not tree.show_guides or tree.get_component_styles(components[-1]).color.a == 0:
            lines = ("  ", "  ", "  ", "  ")
        else:
            lines = tree.LINES["bold" if style.bold else "double" if style.underline2 else "default"]
        depth = max(0, tree.guide_depth - 2)
        space, vertical, terminator, cross = (f"{chars[0]}{chars[1] * depth} " for chars in lines)
        return Guides(style, space, vertical, terminator, cross)

    def _partial(self, component: str) -> Style:
        """A component's own style, as `get_component_rich_style(partial=True)` gives it, without working out its
        full style (a walk over the widget's ancestors)."""
        return self._tree.get_component_styles(component).partial_rich_style


def major_lines(versions: Sequence[VersionLine]) -> list[LineItem]:
    """Versions (semver order) grouped into major lines; unparsable versions in an 'other' line."""
    return [
        LineItem(f"{major}.x" if major is not None else "other", tuple(group))
        for major, group in groupby(versions, key=lambda v: v.major)
    ]


class LineageTree(Tree[TreeItem]):
    """Major lines → minor versions → patches, with stage badges, dates and who registered each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("left,h", "collapse_node", "Collapse / parent", show=False, id="collapse_node"),
        Binding("right,l", "expand_node", "Expand", show=False, id="expand_node"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="page_down"),
        Binding("home,g", "scroll_home", "First", show=False, id="cursor_first"),
        Binding("end,G", "scroll_end", "Last", show=False, id="cursor_last"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | up, k / down, j | Previous / next node. |
    | left, h | Collapse the node, or go to its parent. |
    | right, l | Expand the node. |
    | pageup, ctrl+b / pagedown, ctrl+f | A page up / down. |
    | home, g / end, G | First / last node. |
    | enter, space | Toggle the node. |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = Tree.COMPONENT_CLASSES | set(TONE_CLASSES.values())

    DEFAULT_CSS = """
    LineageTree {
        & > .tone--good { color: $text-success; }
        & > .tone--warn { color: $text-warning; }
        & > .tone--bad { color: $text-error; }
        & > .tone--info { color: $text-primary; }
        & > .tone--muted { color: $text-muted; }
        & > .tone--plain { }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        self._paint: LinePaint | None = None
        super().__init__("lineage", id=id)
        self.show_root = False
        self.guide_depth = 3

    def show_versions(self, versions: Sequence[VersionLine], select: str | None) -> None:
        """Rebuild from a model's versions; expand only the line (and group) of the version to select, and put it in
        the middle of the tree (scroll_to_middle).

        Reading `last_line` numbers the visible nodes now (Tree does it lazily), so the cursor moves in this frame;
        before the first layout, scrolling to it waits for the layout.
        """
        self.clear()
        self.scroll_home(animate=False)
        target: TreeNode[TreeItem] | None = None
        for line in major_lines(versions):
            node = self.root.add(Text(line.label), data=line, allow_expand=True)
            if select is not None and any(v.key == select for v in line.versions):
                target = self._populate_line(node, line, select)
                node.expand()
        if target is not None and self.last_line >= 0:
            self.cursor_line = target.line
            if self.size.height:
                self.scroll_to_middle(target)
            else:
                self.call_after_refresh(self.scroll_to_middle, target)

    def scroll_to_middle(self, node: TreeNode[TreeItem]) -> None:
        """Scroll a node's line to the middle of the tree, as far as the lineage goes (the selected version shows
        with its neighbours on both sides, however the tree was scrolled before); forced, as the tree may not show its
        scrollbar yet."""
        if node.line >= 0:
            middle = node.line - self.scrollable_content_region.height // 2
            self.scroll_to(y=max(0, middle), animate=False, force=True, immediate=True)

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """Put the thumb where the tree is scrolled when the bar appears: Textual moves it only while the bar shows,
        so a lineage scrolled to its selected version while the tree had no bar (empty, or a shorter lineage) showed
        the thumb at the top."""
        if shown:
            self.vertical_scrollbar.position = self.scroll_y

    def _populate_line(self, node: TreeNode[TreeItem], line: LineItem, select: str | None) -> TreeNode[TreeItem] | None:
        """Add a line's minor groups; return the node of `select` (expanding its group when it is a patch)."""
        found = None
        for head, *members in line.groups:
            child = node.add(Text(head.version), data=VersionItem(head, tuple(members)), allow_expand=bool(members))
            if head.key == select:
                found = child
            elif any(m.key == select for m in members):
                found = self._populate_group(child, tuple(members), select)
                child.expand()
        return found

    def _populate_group(
        self, node: TreeNode[TreeItem], members: tuple[VersionLine, ...], select: str | None
    ) -> TreeNode[TreeItem] | None:
        """Add a minor group's patches and pre-releases; return the node of `select`."""
        found = None
        for member in members:
            child = node.add_leaf(Text(member.version), data=VersionItem(member))
            if member.key == select:
                found = child
        return found

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeItem]) -> None:
        """Build a node's children the first time it opens."""
        node = event.node
        if node.children:
            return
        if isinstance(node.data, LineItem):
            self._populate_line(node, node.data, None)
        elif isinstance(node.data, VersionItem) and node.data.members:
            self._populate_group(node, node.data.members, None)

    def process_label(self, label: TextType) -> Text:
        """A single-line Text label as it is (Tree splits every label at line breaks, twice per node added)."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def action_expand_node(self) -> None:
        """Expand the node under the cursor."""
        if self.cursor_node is not None and self.cursor_node.allow_expand:
            self.cursor_node.expand()

    def action_collapse_node(self) -> None:
        """Collapse the node under the cursor, or move to its parent."""
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render with what every line shares worked out once for the repaint (Tree works it out per line)."""
        self._paint = LinePaint(self, self.rich_style)
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        """Line `y` of the view as Tree paints it, built straight as segments from what the repaint's lines share
        (Tree assembles and renders a rich Text per line, and works out the widget's style for each)."""
        paint = self._paint or LinePaint(self, self.rich_style)
        line_no = y + paint.scroll_y
        node = self.get_node_at_line(line_no)
        item = item_of(node) if node is not None else None
        if node is None or item is None:
            return super().render_line(y)
        path = node_path(node)
        hovered = self.get_node_at_line(self.hover_line) if self.hover_line >= 0 else None
        row = paint.highlight_line if hovered is not None and hovered in path else paint.widget
        strip = self._line_strip(paint, path, item, line_no, row)
        return strip.crop(paint.scroll_x, paint.scroll_x + paint.width)

    def _tone_style(self, tone: Tone) -> Style:
        """Foreground style of a tone."""
        return self._paint.tone(tone) if self._paint is not None else foreground_style(self, TONE_CLASSES[tone])

    def _line_strip(
        self, paint: LinePaint, path: list[TreeNode[TreeItem]], item: TreeItem, y: int, row: Style
    ) -> Strip:
        """A whole line as Tree draws it on the `row` style: guides, the icon, the words, padded to the tree's width;
        every segment carries the `line` meta (and the label's the `node` meta) Tree's mouse handling reads."""
        node = path[-1]
        line_meta = Style.from_meta({"line": y})
        label_meta = Style.from_meta({"line": y, "node": node.id})
        label_style = self._label_style(paint, y)
        icon = self._icon(node)
        segments = [Segment(text, row + style + line_meta) for text, style in self._guide_runs(path, paint)]
        if icon:
            segments.append(Segment(icon, row + label_meta))
        segments += [
            Segment(text, row + style + label_style + label_meta) for text, style in word_runs(item, paint.tone)
        ]
        width = cell_len("".join(segment.text for segment in segments))
        pad_width = max(self.virtual_size.width, paint.width)
        if pad_width > width:
            segments.append(Segment(" " * (pad_width - width), row + line_meta))
        return Strip(segments, max(pad_width, width))

    def _label_style(self, paint: LinePaint, y: int) -> Style:
        """The label's style: highlighted under the mouse, the cursor's on the cursor line."""
        style = paint.label
        if self.hover_line == y:
            style += paint.highlight
        if self.cursor_line == y:
            style += paint.cursor
        return style

    def _guide_runs(self, path: list[TreeNode[TreeItem]], paint: LinePaint) -> list[Run]:
        """The guides left of a node's label; from the first hovered (or, when focused, selected) ancestor on, in the
        hover (selected) guide style."""
        if len(path) < 2:
            return []
        hovered = self.get_node_at_line(self.hover_line) if self.hover_line >= 0 else None
        cursor = self.cursor_node if self.cursor_line >= 0 else None
        hover = path[0] is hovered
        selected = path[0] is cursor and paint.focused
        runs: list[Run] = []
        for node in path[1:-1]:
            guides = paint.selected_guides if selected else paint.hover_guides if hover else paint.guides
            runs.append((guides.space if node.is_last else guides.vertical, guides.style))
            hover = hover or node is hovered
            selected = (selected or node is cursor) and paint.focused
        guides = paint.selected_guides if selected else paint.hover_guides if hover else paint.guides
        runs.append((guides.terminator if path[-1].is_last else guides.cross, guides.style))
        return joined_runs(runs)

    def render_label(self, node: TreeNode[TreeItem], base_style: Style, style: Style) -> Text:
        """A label as rich Text, built from the node's data, always literal (what `render_line` draws, as segments)."""
        item = item_of(node)
        if item is None:
            return super().render_label(node, base_style, style)
        label = to_text(item.parts, self._tone_style)
        label.stylize(style)
        return Text.assemble((self._icon(node), base_style), label)

    def get_label_width(self, node: TreeNode[TreeItem]) -> int:
        """The label's width from its words alone (Tree measures every expanded line, not only those shown)."""
        item = item_of(node)
        if item is None:
            return super().get_label_width(node)
        return cell_len(self._icon(node)) + item.width

    def _icon(self, node: TreeNode[TreeItem]) -> str:
        """The expand/collapse icon of a node that has children."""
        return (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""


def node_path(node: TreeNode[TreeItem]) -> list[TreeNode[TreeItem]]:
    """The nodes from the top of the shown tree (the root's child: the root is hidden) down to `node`."""
    path = [node]
    while path[-1].parent is not None and path[-1].parent.parent is not None:
        path.append(path[-1].parent)
    return path[::-1]


def item_of(node: TreeNode[TreeItem]) -> TreeItem | None:
    """The line or version a node shows (None: the root, or a node not built here)."""
    return node.data if isinstance(node.data, (LineItem, VersionItem)) else None


def word_runs(item: TreeItem, tone_style: Callable[[Tone], Style]) -> list[Run]:
    """A label's words, each toned one in its tone, control codes stripped (as rich Text appends them)."""
    return joined_runs(
        (strip_control_codes(part.text), tone_style(part.tone) if part.tone is not Tone.PLAIN else None)
        for part in item.parts
        if part.text
    )


def joined_runs(runs: Iterable[Run]) -> list[Run]:
    """Runs cut as rich Text cuts them into segments: each with a style of its own apart, even when its control codes
    left it empty; neighbours without one (a null style sets none) joined; nothing left empty."""
    joined: list[Run] = []
    for text, style in runs:
        if not style and joined and joined[-1][1] is None:
            joined[-1] = (joined[-1][0] + text, None)
        else:
            joined.append((text, style or None))
    return [run for run in joined if run[0]]
