"""Hostile files under the dashboard: a corrupt cache is moved aside and rebuilt with a notice, a theme file with
YAML anchors is skipped with its line; the app stays up."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.config import Locations, Settings
from regtui.tui.screens.registry import RegistryScreen
from tests.time_bound import time_bound
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle

pytestmark = pytest.mark.anyio


async def test_a_corrupt_cache_is_rebuilt_with_a_notice(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first sync moves the corrupt file aside, says so in a notice naming both files, and the models show."""
    cache = demo_locations.cache_path
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    cache.write_bytes(b"garbage, not an SQLite file " * 100)
    app = make_app(demo_locations)
    notices: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **options: notices.append(message) or notify(message, **options))
    with time_bound(120):
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            (aside,) = cache.parent.glob("cache.db.corrupt-*[0-9]Z")
            expected = f"the cache {cache} was corrupt (file is not a database) and was moved to {aside}"
            assert any(notice.startswith(expected) for notice in notices), notices
            assert isinstance(app.screen, RegistryScreen)
            assert "churn-classifier" in screen_text(pilot)


async def test_a_theme_file_with_anchors_is_skipped(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A user theme using an anchor is refused at its line, named in the skipped-themes notice."""
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "anchored.yaml").write_text('primary: &p "#ff8700"\nsecondary: *p\n')
    app = make_app(demo_locations, settings=Settings(), config_file=tmp_path / "config.yaml")
    notices: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **options: notices.append(message) or notify(message, **options))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert "anchored" not in pilot.app.available_themes
        assert notices == [
            f"1 theme file(s) in {themes} skipped:\nanchored.yaml: line 1: YAML anchors (&name) are "
            "not accepted (they can expand without bound); write the value out"
        ]
