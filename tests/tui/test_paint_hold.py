"""The paint hold: no frame while held, one at release, and none held longer than its limit."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Static

from regtui.tui.paint_hold import PaintHold
from tests.tui.driving import until

pytestmark = pytest.mark.anyio


class FrameLabel(Static):
    """A label that notes what it shows each time a frame paints it."""

    def __init__(self, frames: list[str]) -> None:
        super().__init__("before", id="label")
        self.frames = frames

    def render_lines(self, crop: Region) -> list[Strip]:
        """Note the text this frame shows, then paint it."""
        self.frames.append(str(self.content))
        return super().render_lines(crop)


class FramesApp(App[None]):
    """A label, and the text it showed in each painted frame."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[str] = []

    def compose(self) -> ComposeResult:
        """One label."""
        yield FrameLabel(self.frames)


async def test_a_held_change_paints_only_at_release() -> None:
    """Changes made while held paint in one frame when released; a second hold works the same."""
    app = FramesApp()
    hold = PaintHold(limit=5.0)
    async with app.run_test() as pilot:
        await pilot.pause()
        for text in ("first", "second"):
            painted = len(app.frames)
            hold.start(app)
            hold.start(app)
            app.query_one("#label", Static).update(text)
            await pilot.pause()
            assert len(app.frames) == painted, "nothing paints while held, not even once the app is idle"
            hold.release()
            await pilot.pause()
            assert app.frames[painted:] == [text]


async def test_a_hold_ends_by_itself_after_its_limit() -> None:
    """Without a release, the change paints once the limit has passed (a slow query never hides the echo)."""
    app = FramesApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        PaintHold(limit=0.05).start(app)
        app.query_one("#label", Static).update("after")
        await until(pilot, lambda: app.frames[-1:] == ["after"], "the frame painted once the hold's limit passed")
        assert app.frames[-1] == "after"
