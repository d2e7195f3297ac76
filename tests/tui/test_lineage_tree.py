"""The lineage tree's own painting and rebuilding: lines exactly as Textual's Tree paints them, clicks, one relayout."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from rich.segment import Segment
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Input, Tree
from textual.widgets.tree import TreeNode

from regtui.services.views import VersionLine
from regtui.tui.widgets.lineage_tree import LineageTree, TreeItem, VersionItem

pytestmark = pytest.mark.anyio


def version(
    text: str, stage: str = "Development", *, share: float | None = None, parent: str | None = None, by: str = "alice"
) -> VersionLine:
    """A lineage node for `text`, its major and minor parsed from it when it is semver-like."""
    numbers = text.split("-")[0].split(".")
    major, minor = (int(numbers[0]), int(numbers[1])) if numbers[0].isdigit() else (None, None)
    return VersionLine(
        key=text,
        version=text,
        stage=stage,
        canary_share=share,
        parent=parent,
        change_kind="minor",
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
        registered_by=by,
        major=major,
        minor=minor,
    )


VERSIONS = (
    version("1.0.0", "Archived"),
    version("1.0.1", "Archived", by="bob\x07"),
    version("1.1.0", by="[bold]carol[/bold]"),
    version("2.0.0", "Staging", parent="1.1.0", by="大山"),
    version("2.1.0", "Canary", share=25),
    version("2.1.1", "Production", by=""),
    version("2.1.2-rc.1", by="a-rather-long-name-that-runs-past-narrow-trees"),
    version("2.2.0", "Production"),
    version("nightly", "Development"),
)
"""Every stage's tone, a canary share, a branched line, a patch group, an 'other' line and hostile names."""

GUIDE_STYLES = """
LineageTree > .tree--guides { text-style: bold; }
LineageTree > .tree--guides-hover { color: transparent; }
LineageTree > .tree--guides-selected { text-style: uu; }
"""
"""Bold guides, hidden hover guides, double selected guides: each way Tree picks its guide strings."""


class TreeApp(App[None]):
    """A lineage tree beside an input that can take the focus from it."""

    CSS = "LineageTree { width: 1fr; } Input { width: 12; }"

    def __init__(self, css: str = "") -> None:
        super().__init__()
        self.stylesheet.add_source(css, read_from=("test", "extra"))

    def compose(self) -> ComposeResult:
        """The tree and the input."""
        yield LineageTree(id="lineage")
        yield Input(id="elsewhere")

    def on_mount(self) -> None:
        """Show the versions with 2.1.1 selected, its line and group open."""
        self.query_one(LineageTree).show_versions(VERSIONS, "2.1.1")


def painted(tree: LineageTree) -> list[list[Segment]]:
    """The tree's view painted afresh, as segments (a style update drops every line Textual or Tree kept)."""
    tree.notify_style_update()
    tree.refresh()
    return [list(strip) for strip in tree.render_lines(Region(0, 0, tree.size.width, tree.size.height))]


def painted_by_tree(tree: LineageTree, patch: pytest.MonkeyPatch) -> list[list[Segment]]:
    """The view as Textual's Tree paints it, from the same labels (`render_label`)."""
    with patch.context() as tree_paints:
        tree_paints.setattr(LineageTree, "render_line", Tree.render_line)
        return painted(tree)


def line_pairs(tree: LineageTree) -> Iterator[tuple[Strip, Strip]]:
    """Every line of the view and the one below it, by LineageTree and by Tree (each from an empty line cache)."""
    for y in range(tree.size.height + 1):
        tree.notify_style_update()
        ours = tree.render_line(y)
        tree.notify_style_update()
        yield ours, Tree.render_line(tree, y)


def assert_paints_as_tree(tree: LineageTree, patch: pytest.MonkeyPatch) -> None:
    """Every character, style and mouse meta the same as Tree's, in the view and on every line."""
    assert painted(tree) == painted_by_tree(tree, patch)
    for ours, trees in line_pairs(tree):
        assert list(ours) == list(trees)
        assert [s.style.meta if s.style else None for s in ours] == [s.style.meta if s.style else None for s in trees]


def all_nodes(node: TreeNode[TreeItem]) -> Iterator[TreeNode[TreeItem]]:
    """A node and every node built under it."""
    yield node
    for child in node.children:
        yield from all_nodes(child)


def node_of(tree: LineageTree, text: str) -> TreeNode[TreeItem]:
    """The built node of a version."""
    nodes = [
        node for node in all_nodes(tree.root) if isinstance(node.data, VersionItem) and node.data.line.version == text
    ]
    assert nodes, text
    return nodes[0]


async def still(pilot: Pilot[None]) -> LineageTree:
    """Let pending messages (expansions, focus) land; the tree."""
    await pilot.pause()
    await pilot.pause()
    return pilot.app.query_one(LineageTree)


@pytest.mark.parametrize("css", ["", GUIDE_STYLES], ids=["default-guides", "styled-guides"])
@pytest.mark.parametrize("size", [(34, 8), (70, 14), (120, 20)], ids=["narrow", "medium", "wide"])
async def test_lines_paint_as_tree_paints_them(
    size: tuple[int, int], css: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cursor, hover, focused and not, collapsed and expanded, scrolled: the same segments as Textual's Tree."""
    async with TreeApp(css).run_test(size=size) as pilot:
        tree = await still(pilot)
        assert tree.has_focus and tree.cursor_node is node_of(tree, "2.1.1")
        assert any("2.1.1" in "".join(s.text for s in line) for line in painted(tree))
        assert_paints_as_tree(tree, monkeypatch)

        tree.hover_line = node_of(tree, "2.1.0").line
        assert_paints_as_tree(tree, monkeypatch)
        tree.hover_line = tree.cursor_line
        assert_paints_as_tree(tree, monkeypatch)

        pilot.app.query_one(Input).focus()
        tree = await still(pilot)
        assert not tree.has_focus
        assert_paints_as_tree(tree, monkeypatch)

        tree.focus()
        tree.hover_line = -1
        node_of(tree, "2.1.0").collapse()
        tree.root.children[0].expand()
        tree = await still(pilot)
        assert node_of(tree, "1.1.0").line >= 0
        tree.move_cursor(node_of(tree, "1.0.0"))
        assert_paints_as_tree(tree, monkeypatch)

        tree.scroll_to(x=4, y=2, animate=False)
        tree = await still(pilot)
        assert_paints_as_tree(tree, monkeypatch)


async def test_clicking_a_line_selects_it_and_hovering_highlights_it() -> None:
    """The mouse finds lines through the segments' meta: a click moves the cursor there, hovering marks the line."""
    async with TreeApp().run_test(size=(80, 16)) as pilot:
        tree = await still(pilot)
        target = node_of(tree, "2.0.0")
        await pilot.hover(LineageTree, offset=(8, target.line))
        assert tree.hover_line == target.line
        await pilot.click(LineageTree, offset=(8, target.line))
        tree = await still(pilot)
        assert tree.cursor_node is target

        first_line = tree.root.children[0]
        await pilot.click(LineageTree, offset=(1, first_line.line))
        tree = await still(pilot)
        assert tree.cursor_node is first_line and first_line.is_expanded and first_line.children


async def test_a_rebuild_builds_the_selected_line_and_an_expansion_builds_its_children() -> None:
    """Showing versions builds the selected version's line and group and puts the cursor on it; opening another line
    builds that line's minor groups."""
    async with TreeApp().run_test(size=(80, 16)) as pilot:
        tree = await still(pilot)
        tree.show_versions(VERSIONS, "2.1.1")
        assert tree.cursor_node is node_of(tree, "2.1.1") and tree.last_line == 7

        first_line = tree.root.children[0]
        assert not first_line.children
        first_line.expand()
        tree = await still(pilot)
        assert [child.data.line.version for child in first_line.children] == ["1.0.0", "1.1.0"]  # type: ignore[union-attr]


async def test_the_selected_version_shows_in_the_middle_with_the_thumb_where_the_tree_is() -> None:
    """A rebuild puts the selected version in the middle of a short tree (as far as the lineage goes), however it was
    scrolled before; the scrollbar's thumb stands where the tree is scrolled, also when the bar appears with the
    rebuild (Textual moves the thumb only while the bar shows: a tree that had none kept its thumb at the top)."""
    async with TreeApp("LineageTree { height: 5; }").run_test(size=(80, 16)) as pilot:
        tree = await still(pilot)
        assert (tree.cursor_line, tree.scroll_y) == (4, 2), "2.1.1 on the middle row of five"
        tree.show_versions(VERSIONS[:2], "1.0.0")
        tree = await still(pilot)
        assert not tree.show_vertical_scrollbar and tree.scroll_y == 0
        tree.show_versions(VERSIONS, "2.1.1")
        tree = await still(pilot)
        assert (tree.cursor_line, tree.scroll_y) == (4, 2)
        assert tree.show_vertical_scrollbar and tree.vertical_scrollbar.position == 2
        tree.show_versions(VERSIONS, "2.2.0")
        tree = await still(pilot)
        assert (tree.cursor_line, tree.scroll_y, tree.max_scroll_y) == (4, 1, 1), "as far as the lineage goes"
        assert tree.vertical_scrollbar.position == 1
        tree.show_versions(VERSIONS, "1.0.0")
        tree = await still(pilot)
        assert (tree.cursor_line, tree.scroll_y, tree.vertical_scrollbar.position) == (1, 0, 0)


def test_labels_are_kept_unless_they_run_over_lines() -> None:
    """A one-line label is the node's label as given; a label with line breaks still keeps only its first line."""
    tree = LineageTree()
    label = Text("1.2.3")
    assert tree.process_label(label) is label
    assert tree.process_label(Text("1.2.3\nmore")).plain == "1.2.3"
