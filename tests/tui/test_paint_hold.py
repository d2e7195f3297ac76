"""The paint hold: no frame while held, one at release, and none held longer than its limit."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from regtui.tui.paint_hold import PaintHold
from tests.tui.driving import until

pytestmark = pytest.mark.anyio


class FramesApp(App[None]):
    """A label, and the text it showed in each painted frame."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[str] = []

    def compose(self) -> ComposeResult:
        """One label."""
        yield Static("before", id="label")

    def _display(self, screen: Screen[object], renderable: object) -> None:
        """Note what each frame shows, then paint it."""
        if renderable is not None and not self._batch_count:
            self.frames.append(str(self.query_one("#label", Static).content))
        super()._display(screen, renderable)


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
