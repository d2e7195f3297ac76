"""ASCII mode: with `ascii: true` (or under TERM=linux) every frame is drawn in ASCII, letters and layout kept."""

from __future__ import annotations

import pytest

from regtui.config import Locations, Settings
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle

pytestmark = pytest.mark.anyio

TOURS = [
    ("registry list", []),
    ("lineage tree, sparkline and overview", ["enter"]),
    ("metrics tab", ["enter", "2"]),
    ("artifacts tab", ["enter", "4"]),
    ("diff", ["enter", "d"]),
    ("audit log", ["L"]),
    ("help", ["question_mark"]),
    ("rollback", ["R"]),
]
"""Screens that draw borders, trees, sparklines, arrows, check marks and key glyphs, and the keys that reach them."""


@pytest.mark.parametrize(("what", "keys"), TOURS, ids=[what for what, _ in TOURS])
async def test_every_screen_is_ascii(
    demo_locations: Locations, make_app: AppFactory, what: str, keys: list[str]
) -> None:
    """With `ascii: true` at 80x24, nothing outside ASCII reaches the terminal (the demo's text is ASCII)."""
    async with make_app(demo_locations, settings=Settings(ascii=True)).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        text = screen_text(pilot)
        assert text.strip(), what
        assert text.isascii(), sorted({char for char in text if not char.isascii()})


async def test_drawing_glyphs_are_used_otherwise(demo_locations: Locations, make_app: AppFactory) -> None:
    """Without it, the same model screen draws its lineage tree and sparkline with Unicode glyphs."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "├" in text and "⏎" not in text and not text.isascii()


async def test_linux_console_turns_it_on(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under TERM=linux with no `ascii` in the config, the footer names keys (enter) and the tree is ASCII."""
    monkeypatch.setenv("TERM", "linux")
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_text(pilot).splitlines()
        assert lines[-1].lstrip().startswith("enter Open") and "\n".join(lines).isascii()


async def test_config_false_keeps_glyphs_on_a_console(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ascii: false` keeps the glyphs even under TERM=linux (a console font that has them)."""
    monkeypatch.setenv("TERM", "linux")
    async with make_app(demo_locations, settings=Settings(ascii=False)).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "⏎" in screen_text(pilot)
