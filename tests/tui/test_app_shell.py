"""The app shell: help from bindings, command palette, keymap, themes, sync state, offline, read-only."""

from __future__ import annotations

import sqlite3
import sys
import types
from pathlib import Path
from typing import ClassVar

import pytest
from textual.binding import Binding, BindingType

from regtui.config import Locations, Settings, load_settings
from regtui.services.registry import RegistryService
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.screens.help import HelpScreen
from regtui.tui.screens.model import ModelScreen
from regtui.tui.screens.registry import RegistryScreen
from regtui.tui.widgets.status_header import StatusHeader
from regtui.tui.widgets.window_table import WindowTable
from tests.factories import change_stage
from tests.tui.conftest import AppFactory, fixed_clock, screen_text
from tests.tui.driving import settle

pytestmark = pytest.mark.anyio
UNREACHABLE = "postgresql://nobody@127.0.0.1:1/registry"


class WritingScreen(RegtuiScreen):
    """A screen with one write action, standing in for the promote and approve screens."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("P", "promote_version", "Promote", id="promote_version")]
    WRITE_ACTIONS = frozenset({"promote_version"})

    def action_promote_version(self) -> None:
        """Would promote, when writes are allowed."""
        if self.regtui.require_writable():
            self.notify("promoted")


async def test_header_shows_registry_identity_and_sync(demo_locations: Locations, make_app: AppFactory) -> None:
    """The header names the registry, the acting identity, and 'synced 0s ago' at the fixed clock."""
    async with make_app(demo_locations).run_test(size=(200, 24)) as pilot:
        await settle(pilot)
        first_line = screen_text(pilot).splitlines()[0]
        assert demo_locations.registry_url in first_line
        assert "as alice" in first_line and first_line.rstrip().endswith("synced 0s ago")


async def test_help_lists_the_screens_bindings(demo_locations: Locations, make_app: AppFactory) -> None:
    """? lists every key of the current screen, its widgets and the app, generated from the bindings."""
    async with make_app(demo_locations).run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, HelpScreen) and screen.target_title == "Registry"
        ids = {row.binding_id for row in screen.rows}
        assert {
            "focus_filter",
            "filter_production",
            "cycle_sort",
            "quit_home",
            "escape_home",
            "cursor_down",
            "select_cursor",
            "refresh",
            "show_help",
            "open_audit",
            "quit",
        } <= ids
        assert next(row.keys for row in screen.rows if row.binding_id == "cursor_down") == "↓, j"
        await pilot.press("q")
        assert isinstance(pilot.app.screen, RegistryScreen)


async def test_keymap_from_config(demo_locations: Locations, make_app: AppFactory) -> None:
    """keys: in the config remaps a binding by id; help shows the new key and the old one is free."""
    settings = Settings(keys={"cycle_sort": "O", "no_such_binding": "x"})
    async with make_app(demo_locations, settings=settings).run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert "unknown binding id(s) in keys: no_such_binding" in screen_text(pilot)
        await pilot.press("O")
        await settle(pilot)
        assert pilot.app.screen.query_state.sort == "owner"  # type: ignore[attr-defined]
        await pilot.press("o")
        await settle(pilot)
        assert pilot.app.screen.query_state.sort == "owner"  # type: ignore[attr-defined]
        await pilot.press("question_mark")
        assert next(row.keys for row in pilot.app.screen.rows if row.binding_id == "cycle_sort") == "O"  # type: ignore[attr-defined]


@pytest.mark.parametrize("opener", ["ctrl+p", "colon"])
async def test_palette_opens_screens_and_models(demo_locations: Locations, make_app: AppFactory, opener: str) -> None:
    """ctrl+p and : open the command palette; it opens the audit log, and any model by name."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(opener, *"audit log")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, AuditScreen)
        await pilot.press("ctrl+p", *"open model fraud")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ModelScreen) and screen.model == "fraud-detector"


async def test_the_first_sync_reloads_the_screen_only_when_it_pulled(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a cache that is current, the first sync reloads nothing (the list read at start stays); after a change made
    in the registry before the start, it reloads the list once, which then shows the change."""
    reloads: list[RegistryScreen] = []
    reload = RegistryScreen.reload
    monkeypatch.setattr(RegistryScreen, "reload", lambda screen: (reloads.append(screen), reload(screen))[1])
    async with make_app(demo_locations).run_test() as pilot:
        await settle(pilot)
        assert pilot.app.sync_status is not None and reloads == []
    change_stage(demo_locations.registry_url, "churn-classifier", "2.7.0", "Staging")
    async with make_app(demo_locations).run_test() as pilot:
        await settle(pilot)
        assert len(reloads) == 1
        first = pilot.app.screen.query_one("#models", WindowTable).row_at(0)
        assert first is not None and first.staging == ("2.7.0",) and first.canary == ()


async def test_refresh_key_syncs(demo_locations: Locations, make_app: AppFactory) -> None:
    """r syncs again; an unchanged registry keeps the screen as it is."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = pilot.app.sync_status
        await pilot.press("r")
        await settle(pilot)
        assert pilot.app.sync_status is not None and pilot.app.sync_status.last_seen == seen.last_seen  # type: ignore[union-attr]
        assert "synced 0s ago" in screen_text(pilot)


async def test_offline_header_and_writes_refused(demo_locations: Locations, make_app: AppFactory) -> None:
    """Registry unreachable after a sync: header says offline since HH:MM, reads go on, writes are refused."""
    app = make_app(demo_locations)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        offline = RegistryService(Locations(UNREACHABLE, demo_locations.cache_path), clock=fixed_clock)
        app.service = offline
        try:
            await pilot.press("r")
            await settle(pilot)
            text = screen_text(pilot)
            assert "offline since 12:00 UTC — read-only" in text.splitlines()[0]
            assert "Offline" in text
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ModelScreen) and app.screen.view is not None
            app.push_screen(WritingScreen())
            await settle(pilot)
            assert app.screen.active_bindings["P"].enabled is False
            assert app.require_writable() is False
        finally:
            offline.close()


async def test_broken_log_anchor_turns_the_header_bad_and_refuses_writes(
    demo_locations: Locations, make_app: AppFactory
) -> None:
    """The registry's log cut behind the cache's back: the header turns bad, the reason is notified (and again on a
    write key), writes are refused, and reads go on from what the cache saw."""
    app = make_app(demo_locations)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        registry = sqlite3.connect(str(demo_locations.registry_url).removeprefix("sqlite:///"))
        with registry:
            registry.execute("DROP TRIGGER trg_event_no_delete")
            registry.execute("DELETE FROM event WHERE position = (SELECT max(position) FROM event)")
        registry.close()
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(pilot)
        assert text.splitlines()[0].rstrip().endswith("LOG ANCHOR BROKEN — read-only")
        assert "Log anchor broken" in text and "entries were" in text and "cache saw entry" in text
        assert app.query_one(StatusHeader).has_class("-anchor-broken")
        app.push_screen(WritingScreen())
        await settle(pilot)
        assert app.screen.active_bindings["P"].enabled is False
        assert app.require_writable() is False


async def test_readonly_hides_and_refuses_writes(demo_locations: Locations, make_app: AppFactory) -> None:
    """--readonly: a READ-ONLY badge in the header; write bindings are gone from footer, help and palette;
    require_writable says why."""
    app = make_app(demo_locations, readonly=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        assert screen_text(pilot).splitlines()[0].startswith(" regtui  READ-ONLY   sqlite:///")
        app.push_screen(WritingScreen())
        await settle(pilot)
        assert "P" not in app.screen.active_bindings
        assert "Promote" not in screen_text(pilot)
        assert app.require_writable() is False
        await settle(pilot)
        assert "read-only session" in screen_text(pilot)
    writable = make_app(demo_locations)
    async with writable.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "READ-ONLY" not in screen_text(pilot)
        writable.push_screen(WritingScreen())
        await settle(pilot)
        assert writable.screen.active_bindings["P"].enabled and "Promote" in screen_text(pilot)


async def test_themes_animations_and_broken_theme(
    demo_locations: Locations, make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundled themes register; the configured one applies; a broken file is reported and skipped."""
    async with make_app(demo_locations, settings=Settings(theme="regtui-light")).run_test() as pilot:
        await settle(pilot)
        assert {"regtui-dark", "regtui-light", "regtui-high-contrast"} <= set(pilot.app.available_themes)
        assert pilot.app.theme == "regtui-light" and pilot.app.animation_level == "none"
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "good.yaml").write_text('primary: "#5fafff"\n')
    (themes / "broken.yaml").write_text('primary: "not a colour"\n')
    monkeypatch.setattr("regtui.tui.themes.bundled_themes", lambda: themes)
    async with make_app(demo_locations, settings=Settings(theme="broken")).run_test(notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "broken.yaml" in text and "not a colour" in text
        assert pilot.app.theme == "good"


async def test_a_theme_picked_in_the_palette_is_saved(
    demo_locations: Locations, make_app: AppFactory, tmp_path: Path
) -> None:
    """Picking a theme in the palette writes it to the configuration file (other keys and comments kept); the
    start-up theme is not written, and the next start uses the saved one."""
    config = tmp_path / "config.yaml"
    text = "# mine\ntheme: regtui-dark  # default\nsync_interval: 30\n"
    config.write_text(text)
    settings = load_settings(config)
    async with make_app(demo_locations, settings=settings, config_file=config).run_test() as pilot:
        await settle(pilot)
        assert config.read_text() == text
        pilot.app.action_change_theme()
        await settle(pilot)
        await pilot.press(*"regtui-light", "enter")
        await settle(pilot)
        assert pilot.app.theme == "regtui-light"
    assert config.read_text() == text.replace("regtui-dark", "regtui-light")
    async with make_app(demo_locations, settings=load_settings(config), config_file=config).run_test() as pilot:
        await settle(pilot)
        assert pilot.app.theme == "regtui-light"


async def test_a_theme_that_cannot_be_saved_is_a_warning(
    demo_locations: Locations, make_app: AppFactory, tmp_path: Path
) -> None:
    """The configuration file became invalid since start-up: the theme still changes, a notice says why it was not
    saved, and the file is left as it is."""
    config = tmp_path / "config.yaml"
    async with make_app(demo_locations, config_file=config).run_test(notifications=True) as pilot:
        await settle(pilot)
        config.write_text("theme: [unclosed\n")
        pilot.app.theme = "regtui-high-contrast"
        await settle(pilot)
        assert "theme not saved" in screen_text(pilot) and pilot.app.theme == "regtui-high-contrast"
    assert config.read_text() == "theme: [unclosed\n"


async def test_user_themes_load_from_the_config_folder(
    demo_locations: Locations, make_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """themes/*.yaml beside the configuration file register after the bundled ones (and can be picked at start);
    the broken ones are named in one notice and skipped."""
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "night-shift.yaml").write_text('primary: "#ff8700"\ndark: true\n')
    (themes / "bad-colour.yaml").write_text('primary: "not a colour"\n')
    (themes / "bad-yaml.yaml").write_text("primary: [\n")
    settings = Settings(theme="night-shift")
    app = make_app(demo_locations, settings=settings, config_file=tmp_path / "config.yaml")
    notices: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **options: notices.append(message) or notify(message, **options))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        assert pilot.app.theme == "night-shift" and "regtui-dark" in pilot.app.available_themes
        assert "bad-colour" not in pilot.app.available_themes
        broken = ["bad-colour.yaml: 'primary' is not a colour: 'not a colour'", "bad-yaml.yaml: invalid YAML at line 2"]
        assert notices == [f"2 theme file(s) in {themes} skipped:\n" + "\n".join(broken)]
        text = screen_text(pilot)
        assert "2 theme file(s)" in text and "bad-colour.yaml" in text and "bad-yaml.yaml" in text


async def test_a_screen_module_half_imported_is_not_on_top(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a thread imports the audit screen's module (it has no AuditScreen yet), asking whether the audit
    screen is on top answers no instead of failing the repaint that asked."""
    async with make_app(demo_locations).run_test() as pilot:
        await settle(pilot)
        monkeypatch.setitem(sys.modules, "regtui.tui.screens.audit", types.ModuleType("regtui.tui.screens.audit"))
        assert pilot.app.check_action("open_screen", ("audit",)) is True
