"""Reading ahead the model under the registry's cursor: what is held, when it is dropped, and Enter using it."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from regtui.config import Locations
from regtui.domain.entry import Stage
from regtui.services.handle import CacheReader
from regtui.services.views import ModelOverview
from regtui.store.cache_reader import CacheReadError
from regtui.tui.read_ahead import ReadAhead
from regtui.tui.screens import model as model_screen
from regtui.tui.screens.model import ModelRead, ModelScreen
from regtui.tui.screens.registry import READ_AHEAD_DELAY_S, RegistryScreen
from tests.factories import change_stage
from tests.tui.conftest import AppFactory
from tests.tui.driving import settle, until
from tests.tui.rendered import shown_notifications

pytestmark = pytest.mark.anyio


def model_read(key: str = "1.0.0") -> ModelRead:
    """A read of an empty model showing version `key`."""
    return ModelRead(ModelOverview(name="m", owner="o", description="", versions=(), metrics={}), key, None)


def test_a_read_is_held_for_its_model_and_its_default_version() -> None:
    """A model asked for is read once; its read serves an open of the model (default version, or the one it shows),
    not another model or another version."""
    ahead = ReadAhead()
    assert ahead.ask("m") and not ahead.ask("m"), "asked twice, read once"
    read = model_read("1.0.0")
    assert ahead.arrived("m", ahead.generation, read) is False, "no open waited"
    assert ahead.ready("m", None) is read and ahead.ready("m", "1.0.0") is read
    assert ahead.ready("m", "0.9.0") is None and ahead.ready("other", None) is None
    assert ahead.ask("other") and ahead.ready("m", None) is None, "one model is held at a time"


def test_an_open_waits_for_the_read_under_way() -> None:
    """An open of the model being read waits for that read (not one of another model, or of a chosen version)."""
    ahead = ReadAhead()
    ahead.ask("m")
    assert not ahead.wait_for("other", None) and not ahead.wait_for("m", "1.0.0")
    assert ahead.wait_for("m", None)
    assert ahead.arrived("m", ahead.generation, model_read()) is True
    assert not ahead.wait_for("m", None), "held now: nothing to wait for"


def test_a_failed_read_is_asked_again_and_hands_over_a_waiting_open() -> None:
    """A failed read (None) tells the waiting open to read for itself, and the model is read again next time."""
    ahead = ReadAhead()
    ahead.ask("m")
    ahead.wait_for("m", None)
    assert ahead.arrived("m", ahead.generation, None) is True
    assert ahead.ready("m", None) is None and ahead.ask("m")


def test_a_change_of_the_cache_drops_reads_held_and_under_way() -> None:
    """Invalidating drops the held read and any read under way (it arrives under an older generation), and hands
    back the model an open was waiting for."""
    ahead = ReadAhead()
    ahead.ask("m")
    started = ahead.generation
    ahead.arrived("m", started, model_read())
    assert ahead.invalidate() is None and ahead.ready("m", None) is None
    ahead.ask("m")
    ahead.wait_for("m", None)
    assert ahead.invalidate() == "m", "the waiting open reads afresh"
    ahead.ask("m")
    assert ahead.arrived("m", started, model_read()) is False and ahead.ready("m", None) is None, "stale read dropped"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models read for the model screen (read ahead, or by an open), in order."""
    calls: list[str] = []
    original = model_screen.read_model

    def counting(reader: CacheReader, model: str, wanted: str | None, now: datetime) -> ModelRead:
        """Note the read, then read."""
        calls.append(model)
        return original(reader, model, wanted, now)

    monkeypatch.setattr(model_screen, "read_model", counting)
    return calls


async def rest(pilot: Pilot[Any]) -> None:
    """Settle, let the cursor rest for the read-ahead delay (a read ahead, if any, is asked by then), settle."""
    await settle(pilot)
    rested = time.monotonic() + READ_AHEAD_DELAY_S
    await until(pilot, lambda: time.monotonic() >= rested, "the cursor resting for the read-ahead delay")
    await settle(pilot)


async def open_model(pilot: Pilot[Any]) -> ModelScreen:
    """Press Enter on the list and wait: the model screen it opened."""
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ModelScreen) and screen.overview is not None and screen.view is not None
    return screen


async def test_enter_opens_the_model_read_while_the_cursor_rested(
    demo_locations: Locations, make_app: AppFactory, reads: list[str]
) -> None:
    """The cursor resting on a model in the list reads it ahead; Enter then opens it without reading again."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await rest(pilot)
        assert reads == ["churn-classifier"]
        await pilot.press("j")
        await rest(pilot)
        assert reads == ["churn-classifier", "demand-forecaster"]
        assert (await open_model(pilot)).model == "demand-forecaster"
        assert reads == ["churn-classifier", "demand-forecaster"], "the open read nothing"


async def test_typing_a_filter_reads_nothing_ahead(
    demo_locations: Locations, make_app: AppFactory, reads: list[str]
) -> None:
    """While the filter has the focus its first match is not read; Enter moves to the list, which reads it."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await rest(pilot)
        await pilot.press("slash", *"fraud")
        await rest(pilot)
        assert reads == ["churn-classifier"]
        await pilot.press("enter")
        await rest(pilot)
        assert reads == ["churn-classifier", "fraud-detector"]


async def test_enter_during_the_read_ahead_waits_for_it(
    demo_locations: Locations, make_app: AppFactory, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter while the model is being read ahead starts no second read: the model opens when that read arrives."""
    reading, release = threading.Event(), threading.Event()
    counting = model_screen.read_model

    def slow(*args: Any) -> ModelRead:
        """Say the read began, then hold it until released."""
        reading.set()
        release.wait(10)
        return counting(*args)

    app = make_app(demo_locations)
    async with app.run_test(size=(80, 24)) as pilot:
        await rest(pilot)
        monkeypatch.setattr(model_screen, "read_model", slow)
        await pilot.press("j")
        await until(pilot, reading.is_set, "the read ahead of demand-forecaster to begin")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RegistryScreen) and reads == ["churn-classifier"]
        release.set()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ModelScreen) and screen.model == "demand-forecaster"
        assert reads == ["churn-classifier", "demand-forecaster"]


async def test_a_failed_read_ahead_leaves_the_open_to_read(
    demo_locations: Locations, make_app: AppFactory, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read ahead that fails says nothing; Enter reads the model again, and opens it."""
    counting = model_screen.read_model
    failures = iter([True])

    def failing_once(*args: Any) -> ModelRead:
        """Fail the first read."""
        if next(failures, False):
            raise CacheReadError("cache busy")
        return counting(*args)

    monkeypatch.setattr(model_screen, "read_model", failing_once)
    app = make_app(demo_locations)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await rest(pilot)
        assert not shown_notifications(app) and reads == []
        assert (await open_model(pilot)).model == "churn-classifier"
        assert reads == ["churn-classifier"]


async def test_a_sync_that_changes_the_cache_reads_ahead_again(
    demo_locations: Locations, make_app: AppFactory, reads: list[str]
) -> None:
    """A sync that pulls a change drops the model read ahead and reads it again: Enter shows the change."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await rest(pilot)
        change_stage(demo_locations.registry_url, "churn-classifier", "2.7.0", Stage.STAGING.value)
        await pilot.press("r")
        await rest(pilot)
        assert reads == ["churn-classifier", "churn-classifier"]
        overview = (await open_model(pilot)).overview
        assert overview is not None and {line.key: line.stage for line in overview.versions}["2.7.0"] == Stage.STAGING
        assert reads == ["churn-classifier", "churn-classifier"]
