"""The lineage tree of a model: major lines, then minor versions, then their patches; built lazily."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import ClassVar, Sequence, Union

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from regtui.tui.tones import TONE_CLASSES, Tone, Toned, foreground_style, stage_badge, to_text
from regtui.tui.views import VersionLine


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


@dataclass(frozen=True)
class VersionItem:
    """A version node; `members` are the rest of its minor group, added when it is expanded."""

    line: VersionLine
    members: tuple[VersionLine, ...] = ()


TreeItem = Union[LineItem, VersionItem]


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
        super().__init__("lineage", id=id)
        self.show_root = False
        self.guide_depth = 3
        self._tones: dict[Tone, Style] | None = None
        self._base_style: Style | None = None

    def show_versions(self, versions: Sequence[VersionLine], select: str | None) -> None:
        """Rebuild from a model's versions; expand only the line (and group) of the version to select.

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
            self.move_cursor(target)
            if not self.size.height:
                self.call_after_refresh(self.scroll_to_node, target, animate=False)

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

    def _populate_group(self, node: TreeNode[TreeItem], members: tuple[VersionLine, ...], select: str | None) -> TreeNode[TreeItem] | None:
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
        """Render with the widget's style and the tones' styles worked out once for the repaint (Tree asks for the
        widget's style on every line, and each label asks for its tones)."""
        self._base_style = super().rich_style
        self._tones = {tone: foreground_style(self, name) for tone, name in TONE_CLASSES.items()}
        try:
            return super().render_lines(crop)
        finally:
            self._tones = self._base_style = None

    @property
    def rich_style(self) -> Style:
        """The widget's style (while a repaint runs, as worked out at its start: walking the ancestors per line
        cost ~0.1 ms a line)."""
        return self._base_style if self._base_style is not None else super().rich_style

    def _tone_style(self, tone: Tone) -> Style:
        """Foreground style of a tone."""
        return self._tones[tone] if self._tones is not None else foreground_style(self, TONE_CLASSES[tone])

    def render_label(self, node: TreeNode[TreeItem], base_style: Style, style: Style) -> Text:
        """Labels are built from the node's data at render time, always as literal text."""
        parts = label_parts(node.data)
        if parts is None:
            return super().render_label(node, base_style, style)
        label = to_text(parts, self._tone_style)
        label.stylize(style)
        return Text.assemble((self._icon(node), base_style), label)

    def get_label_width(self, node: TreeNode[TreeItem]) -> int:
        """The label's width from its words alone (Tree measures every expanded line, not only those shown)."""
        parts = label_parts(node.data)
        if parts is None:
            return super().get_label_width(node)
        return cell_len(self._icon(node)) + sum(cell_len(part.text) for part in parts)

    def _icon(self, node: TreeNode[TreeItem]) -> str:
        """The expand/collapse icon of a node that has children."""
        return (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""


def label_parts(data: TreeItem | None) -> tuple[Toned, ...] | None:
    """A line's or version's label as toned words (None: not one of ours)."""
    if isinstance(data, LineItem):
        branched = data.branched_from()
        count = len(data.versions)
        return (
            Toned(data.label),
            Toned(f"  {count} version{'s' if count != 1 else ''}", Tone.MUTED),
            *((Toned(f"  from {branched}", Tone.MUTED),) if branched else ()),
        )
    if isinstance(data, VersionItem):
        line = data.line
        return (
            Toned(line.version), Toned("  "), stage_badge(line.stage, line.canary_share),
            Toned(f"  {line.created_at:%Y-%m-%d}  {line.registered_by}", Tone.MUTED),
        )
    return None
