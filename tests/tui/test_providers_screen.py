"""Providers screen flows: pins with countdowns, change log filter and sort, marking checks, fetch failures."""

from __future__ import annotations

import json

import pytest

from regtui.config import Locations, Settings
from regtui.domain.provider_views import ChangelogEntry
from regtui.domain.providers import FeedConfig, FeedFormat
from regtui.errors import RegistryUnavailableError
from regtui.services import providers as provider_services
from regtui.services.registry import RegistryService
from regtui.tui.screens.providers import CheckScreen, ProvidersScreen
from regtui.tui.widgets.window_table import WindowTable
from tests.providers.feed_server import FeedServer, Reply
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle, until
from tests.tui.rendered import shown_notifications

pytestmark = pytest.mark.anyio


async def open_providers(pilot: object) -> ProvidersScreen:
    """Press P on the registry screen and wait for the data."""
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("P")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ProvidersScreen)
    return screen


def notes(pilot: object) -> str:
    """Every notification shown, title and message (long ones wrap on screen, not here)."""
    return "\n".join(shown_notifications(pilot.app))  # type: ignore[attr-defined]


def rows(table: WindowTable) -> list[ChangelogEntry]:
    """The table's rows."""
    return [table.row_at(i) for i in range(table.total or 0)]  # type: ignore[misc]


async def test_pins_changelog_and_matrix(demo_locations: Locations, make_app: AppFactory) -> None:
    """P opens the screen: live pins with status and countdown, the change log, the matrix of the first row."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        screen = await open_providers(pilot)
        text = screen_text(pilot)
        assert "PINNED IN PRODUCTION / CANARY" in text
        pin = next(line for line in text.splitlines() if "support-assistant@3.3.0" in line)
        assert pin.split() == [
            "support-assistant@3.3.0",
            "Production",
            "gpt-4.1-2025-04-14",
            "qualified",
            "retires",
            "in",
            "39d",
        ]
        table = screen.query_one("#changelog", WindowTable)
        assert table.total and table.total > 10
        first = table.row_at(0)
        assert isinstance(first, ChangelogEntry)
        assert f"QUALIFICATION {first.provider} {first.version}" in screen_text(pilot)
        assert "regression tests" in screen_text(pilot)


async def test_filter_and_sort_changelog(demo_locations: Locations, make_app: AppFactory) -> None:
    """'/' filters the change log as you type; 'o' cycles the order; no match says so."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        screen = await open_providers(pilot)
        table = screen.query_one("#changelog", WindowTable)
        await pilot.press("slash", *"claude", "enter")
        await settle(pilot)
        found = rows(table)
        assert found and all(row.provider == "anthropic" for row in found)
        assert screen.focused is table
        await pilot.press("o")
        await settle(pilot)
        assert screen.sort == "provider"
        versions = [row.version for row in rows(table)]
        assert versions == sorted(versions)
        await pilot.press("slash", *"zzz-nothing")
        await settle(pilot)
        assert table.total == 0 and "no provider versions match" in screen_text(pilot)


async def test_mark_check_as_reviewer(demo_locations: Locations, make_app: AppFactory) -> None:
    """alice (reviewer) presses 2, types a note, switches to fail and records it: the matrix shows FAIL by alice."""
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_providers(pilot)
        entry = screen.query_one("#changelog", WindowTable).cursor_value
        assert isinstance(entry, ChangelogEntry)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CheckScreen)
        await pilot.press("enter")  # empty evidence is refused
        await settle(pilot)
        assert "evidence is required" in screen_text(pilot)
        await pilot.press(*"[red]jailbreak[/] suite", "ctrl+t", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "safety evaluation fail recorded" in notes(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)
        text = screen_text(pilot)
        assert "FAIL alice 2026-11-27" in text and "note [red]jailbreak[/] suite" in text


async def test_mark_check_refused_shows_the_rule(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bob is no reviewer: the refusal names the role needed, and the screen stays."""
    monkeypatch.setenv("REGTUI_USER", "bob")
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_providers(pilot)
        await pilot.press("1", *"ok", "enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "bob may not record qualification checks: needs the reviewer or admin role" in notes(pilot)


async def test_readonly_refuses_writes(demo_locations: Locations, make_app: AppFactory) -> None:
    """With --readonly the keys are hidden and the actions say the session is read-only."""
    async with make_app(demo_locations, readonly=True).run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_providers(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert pilot.app.screen is screen
        screen.action_mark_check(1)
        screen.action_fetch_now()
        await settle(pilot)
        assert "read-only session" in notes(pilot)


async def test_fetch_failure_is_a_notification(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's feeds are real hosts: a raising fetch becomes an error notification and the app stays up."""

    def unreachable(*_args: object, **_kwargs: object) -> list[object]:
        raise RegistryUnavailableError("feed host unreachable: api.openai.com")

    monkeypatch.setattr(provider_services, "fetch_feeds", unreachable)
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_providers(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert pilot.app.screen is screen and pilot.app.is_running
        assert "feed host unreachable: api.openai.com" in notes(pilot)


async def test_failed_feed_result_is_reported(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed that failed (others fetched) is reported with provider and reason."""

    def partly(*_args: object, **_kwargs: object) -> list[provider_services.FeedResult]:
        return [
            provider_services.FeedResult("anthropic", "https://x", "unchanged"),
            provider_services.FeedResult("openai", "https://y", "failed", error="openai, https://y, timed out"),
        ]

    monkeypatch.setattr(provider_services, "fetch_feeds", partly)
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        await open_providers(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert "anthropic unchanged, openai failed. openai, https://y, timed out" in notes(pilot)


async def test_palette_opens_providers(demo_locations: Locations, make_app: AppFactory) -> None:
    """The command palette lists 'Providers' (from the registry screen, its binding; elsewhere, a screen command)."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await settle(pilot)
        await pilot.press("ctrl+p", *"Providers")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProvidersScreen)


async def test_feeds_are_fetched_on_the_interval(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `feed_interval` set, the app fetches by itself: a new version shows in the change log, no key pressed."""
    with FeedServer() as server:
        body = json.dumps({"object": "list", "data": [{"id": "gpt-9-2026-11-20", "created": 1763596800}]})
        feeds = {
            "openai": server.serve("/v1/models", Reply(body=body.encode())),
            "anthropic": server.serve("/anthropic", Reply.fixture("anthropic-models.json")),
        }
        monkeypatch.setenv("REGTUI_USER", "admin")
        admin = RegistryService(demo_locations)
        for provider, url in feeds.items():
            fmt = FeedFormat.OPENAI if provider == "openai" else FeedFormat.ANTHROPIC
            provider_services.add_feed(admin, FeedConfig(provider, url, fmt))
        admin.close()
        monkeypatch.setenv("REGTUI_USER", "alice")
        app = make_app(demo_locations, settings=Settings(feed_interval=0.3))
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            screen = await open_providers(pilot)
            table = screen.query_one("#changelog", WindowTable)
            await until(
                pilot,
                lambda: any(row.version == "gpt-9-2026-11-20" for row in rows(table)),
                "gpt-9-2026-11-20 in the change log, fetched on the interval",
            )
            await settle(pilot)
            assert "gpt-9-2026-11-20" in screen_text(pilot)
            assert "anthropic updated, openai updated" in notes(pilot)


async def test_no_interval_fetch_in_a_readonly_session(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only session never fetches on the interval (it may not write what the feeds say): not in the time
    the sync, on the same interval and started just before it, takes to run three times more."""
    calls: list[object] = []
    monkeypatch.setattr(provider_services, "fetch_feeds", lambda *args, **kwargs: calls.append(args) or [])
    app = make_app(demo_locations, readonly=True, settings=Settings(feed_interval=0.1, sync_interval=0.1))
    syncs: list[None] = []
    start_sync = app.syncing.start
    monkeypatch.setattr(app.syncing, "start", lambda: syncs.append(None) or start_sync())
    async with app.run_test() as pilot:
        await until(pilot, lambda: len(syncs) >= 4, "the first sync and three interval syncs")
        await settle(pilot)
        assert calls == []
