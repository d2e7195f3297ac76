"""Model screen flows: lineage navigation, version details, metric trend, artifact verification."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from textual.widgets import Static

from regtui.config import Locations
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.screens.model import ModelScreen, default_metric
from regtui.tui.widgets.key_bar import KeyBar
from regtui.tui.widgets.lineage_tree import LineageTree, VersionItem
from regtui.tui.widgets.version_details import RenderedOnce, TabStrip, VersionDetails
from tests.tui.conftest import AppFactory, screen_text
from tests.tui.driving import settle

pytestmark = pytest.mark.anyio


def plain(renderable: object) -> str:
    """A Rich renderable as plain text (for content scrolled out of view)."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


async def open_model(pilot: object, name: str, version: str | None = None) -> ModelScreen:
    """Open a model's screen the way the palette does, and wait for it to load."""
    pilot.app.open_model(name, version)  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ModelScreen)
    return screen


async def test_opens_on_the_production_version(demo_locations: Locations, make_app: AppFactory) -> None:
    """A model opens on its Production version, with its line expanded and the others collapsed."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier")
        assert screen.selected == "2.6.0"
        tree = screen.query_one(LineageTree)
        lines = {node.data.label: node for node in tree.root.children}  # type: ignore[union-attr]
        assert set(lines) == {"1.x", "2.x"}
        assert lines["2.x"].is_expanded and not lines["1.x"].is_expanded
        assert not lines["1.x"].children, "collapsed lines are built only when opened"
        text = screen_text(pilot)
        assert "2.6.0  Production" in text
        assert "training data  customers-monthly@2026-05" in text


async def test_navigate_lineage(demo_locations: Locations, make_app: AppFactory) -> None:
    """k/j move through versions (details follow); l expands a collapsed line lazily."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier")
        await pilot.press("k")
        await settle(pilot)
        assert screen.selected == "2.5.0"
        assert screen.view is not None and screen.view.manifest.entry.version == "2.5.0"
        await pilot.press("g", "l")
        await settle(pilot)
        tree = screen.query_one(LineageTree)
        first_line = tree.root.children[0]
        assert first_line.is_expanded and first_line.children
        await pilot.press("j")
        await settle(pilot)
        assert screen.selected == "1.0.0"
        assert "version        1.0.0" in screen_text(pilot)


async def test_patches_load_when_their_minor_expands(demo_locations: Locations, make_app: AppFactory) -> None:
    """Opening on a patch version expands its minor group; other groups stay unbuilt."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier", "2.4.1")
        tree = screen.query_one(LineageTree)
        assert tree.cursor_node is not None
        data = tree.cursor_node.data
        assert isinstance(data, VersionItem) and data.line.version == "2.4.1"
        assert tree.cursor_node.parent is not None and tree.cursor_node.parent.is_expanded


async def test_cycle_metric(demo_locations: Locations, make_app: AppFactory) -> None:
    """m moves the trend to the next metric; the caption says direction in words and signs."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier")
        names = screen.overview.metric_names()  # type: ignore[union-attr]
        assert screen.metric == "auc" and len(names) > 1
        before = screen_text(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert screen.metric == names[(names.index("auc") + 1) % len(names)]
        after = screen_text(pilot)
        assert f"{screen.metric} " in after and after != before
        assert any(word in after for word in ("up +", "down -", "unchanged"))


async def test_tabs_by_number(demo_locations: Locations, make_app: AppFactory) -> None:
    """2 shows metrics by segment, 3 the model card's six sections."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier")
        await pilot.press("2")
        await settle(pilot)
        assert screen.query_one(VersionDetails).active == "metrics"
        lines = screen_text(pilot).splitlines()
        assert any(re.search(r"overall +0\.\d{3,4} ", line) for line in lines)
        assert any("tenure=established" in line for line in lines), "segment names are shown whole"
        await pilot.press("3")
        await settle(pilot)
        assert screen.query_one(VersionDetails).active == "card"
        text = plain(screen.query_one("#details-body", Static).content)
        for section in ("Intended use", "Limitations", "Evaluation", "Fairness", "Training data", "Responsible"):
            assert section in text


async def test_first_frame_shows_the_model(demo_locations: Locations, make_app: AppFactory) -> None:
    """The model is read before its screen opens: the screen's first frame already shows lineage and version."""
    app = make_app(demo_locations)
    first_frames: list[tuple[bool, bool]] = []

    def record() -> None:
        """Note what the model screen held when its first frame was painted."""
        screen = app.screen
        if isinstance(screen, ModelScreen) and not first_frames:
            tree = screen.query_one(LineageTree)
            first_frames.append((screen.view is not None, tree.cursor_node is not None))

    app.post_display_hook = record  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_model(pilot, "churn-classifier")
    assert first_frames == [(True, True)]


async def test_the_model_screen_is_reused_for_the_next_model(demo_locations: Locations, make_app: AppFactory) -> None:
    """Back, then another model: the same screen shows it from scratch (its lineage, first tab, own metric)."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = await open_model(pilot, "churn-classifier")
        await pilot.press("3", "m")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        second = await open_model(pilot, "fraud-detector")
        assert second is first and second.model == "fraud-detector"
        assert second.query_one(VersionDetails).active == "overview"
        assert second.view is not None and second.view.manifest.entry.model == "fraud-detector"
        assert second.metric == default_metric(second.overview.metric_names())  # type: ignore[union-attr]
        lines = {node.data.label for node in second.query_one(LineageTree).root.children}  # type: ignore[union-attr]
        assert lines == {f"{v.major}.x" for v in second.overview.versions}  # type: ignore[union-attr]
        assert "fraud-detector · owner" in screen_text(pilot)


async def test_the_model_screen_is_built_before_the_first_open(demo_locations: Locations, make_app: AppFactory) -> None:
    """After start-up the app composes the model screen, empty and unseen, with the terminal's breakpoint class (so
    showing it restyles nothing); the first open shows the model on it."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        built = pilot.app._model_screen  # type: ignore[attr-defined]
        assert isinstance(built, ModelScreen) and built.is_mounted and built not in pilot.app.screen_stack
        assert built.has_class("-wide") and not built.has_class("-narrow")
        assert built.overview is None and not built.query_one(LineageTree).root.children
        assert built.query_one(LineageTree).size.height > 0, "laid out and drawn once, unseen"
        screen = await open_model(pilot, "churn-classifier")
        assert screen is built and screen.selected == "2.6.0"
        assert "churn-classifier · owner" in screen_text(pilot)


async def test_the_first_open_shows_the_lineage_as_later_ones_do(
    demo_locations: Locations, make_app: AppFactory
) -> None:
    """At 80x24 churn-classifier's lineage scrolls to show 2.6.0 in the middle: the first open (on the screen drawn
    ahead, unseen and empty), an open after a model short enough for no scrollbar, and one after another scrolled
    model all show the same rows, with the scrollbar's thumb where the tree is scrolled."""
    async with make_app(demo_locations).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = []
        for name in ("churn-classifier", "ticket-router", "churn-classifier", "fraud-detector", "churn-classifier"):
            tree = (await open_model(pilot, name)).query_one(LineageTree)
            if name == "churn-classifier":
                bar = tree.vertical_scrollbar
                seen.append(
                    (
                        tree.cursor_line,
                        tree.scroll_y,
                        tree.show_vertical_scrollbar,
                        bar.position,
                        bar.window_size,
                        bar.window_virtual_size,
                    )
                )
            await pilot.press("escape")
            await settle(pilot)
    assert seen[0] == (8, 3, True, 3, 7, 10)
    assert seen[1:] == [seen[0], seen[0]]


async def test_an_open_while_the_screen_is_still_composing_gets_its_own(
    demo_locations: Locations, make_app: AppFactory
) -> None:
    """An open that arrives before the screen built ahead is mounted shows on a screen of its own; the next open
    reuses the one built ahead."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app = pilot.app
        built = ModelScreen()
        app._model_screen = built  # type: ignore[attr-defined]  # installed, not yet composed
        app.install_screen(built, "model-in-progress")
        first = await open_model(pilot, "churn-classifier")
        assert first is not built and first.model == "churn-classifier"
        await pilot.press("escape")
        await settle(pilot)
        with app.batch_update():  # mounted unseen, as the app builds it ahead
            app.push_screen(built)
            app.pop_screen()
        await settle(pilot)
        assert await open_model(pilot, "fraud-detector") is built


async def test_a_late_result_of_the_previous_model_is_dropped(demo_locations: Locations, make_app: AppFactory) -> None:
    """A verification that ends after the screen moved to another model never shows on it."""
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "fraud-detector", "2.4.0")
        await pilot.press("escape")
        await settle(pilot)
        await open_model(pilot, "churn-classifier", "2.4.0")
        screen.post_message(ModelScreen.ArtifactsVerified("fraud-detector", "2.4.0", []))
        await settle(pilot)
        assert screen.query_one(VersionDetails).results is None
        assert "verification" not in screen_text(pilot)


async def test_opening_a_missing_model_says_so(demo_locations: Locations, make_app: AppFactory) -> None:
    """A model that is not in the cache is reported; the registry screen stays."""
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        home = pilot.app.screen
        pilot.app.open_model("no-such-model")  # type: ignore[attr-defined]
        await settle(pilot)
        assert pilot.app.screen is home
        assert "no-such-model" in screen_text(pilot)


async def test_tabs_by_mouse(demo_locations: Locations, make_app: AppFactory) -> None:
    """A click on a tab title shows that tab; a click on a key in the key bar presses it."""
    async with make_app(demo_locations).run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier")
        strip = screen.query_one(TabStrip)
        offset = strip.render().plain.index("3 Card")
        await pilot.click(TabStrip, offset=(offset + 1, 0))
        await settle(pilot)
        assert screen.query_one(VersionDetails).active == "card"
        assert "Intended use" in screen_text(pilot)
        bar = screen.query_one(KeyBar)
        offset = bar.render().plain.index(" L Audit log ")
        await pilot.click(KeyBar, offset=(offset + 1, 0))
        await settle(pilot)
        assert isinstance(pilot.app.screen, AuditScreen)


async def test_verify_artifacts_shows_mismatch(demo_locations: Locations, make_app: AppFactory) -> None:
    """v re-hashes the selected version's artifacts: the demo's tampered fraud-detector 2.4.0 shows MISMATCH."""
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "fraud-detector", "2.4.0")
        await pilot.press("v")
        await settle(pilot)
        text = screen_text(pilot)
        assert screen.query_one(VersionDetails).active == "artifacts"
        assert "MISMATCH" in text
        assert "1 of 2 artifact(s) failed verification · v: again" in text
        assert not pilot.app.screen.query("Toast")


async def test_verify_artifacts_ok(demo_locations: Locations, make_app: AppFactory) -> None:
    """An untampered version verifies ok."""
    async with make_app(demo_locations).run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await open_model(pilot, "fraud-detector", "2.5.0")
        await pilot.press("v")
        await settle(pilot)
        text = screen_text(pilot)
        assert " ok " in text and "MISMATCH" not in text and "artifact(s) checked, none failed · v: again" in text
        assert not pilot.app.screen.query("Toast")


async def test_unknown_model_is_a_notification(demo_locations: Locations, make_app: AppFactory) -> None:
    """Opening a model that is not in the cache notifies an error; the app stays up."""
    async with make_app(demo_locations).run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        pilot.app.open_model("no-such-model")
        await settle(pilot)
        assert pilot.app.is_running
        assert "no model named 'no-such-model'" in screen_text(pilot)


def test_a_tab_renders_once_for_its_measure_and_its_paint() -> None:
    """RenderedOnce renders a tab again only when the options change in more than their heights."""
    calls: list[int] = []

    class Counted:
        """A renderable that counts its renderings."""

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            """One line, counted."""
            calls.append(options.max_width)
            yield Segment("tab")

    console = Console(width=40, file=io.StringIO())
    once = RenderedOnce(Counted())
    measured = list(console.render(once, console.options))
    painted = list(console.render(once, console.options.update(height=12)))
    assert measured == painted == [Segment("tab")] and calls == [40]
    list(console.render(once, console.options.update_width(30)))
    assert calls == [40, 30]


async def test_an_open_skips_the_whole_screen_restyle_unless_the_theme_changed(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening on the kept model screen (built ahead and styled then) does not restyle it whole (its widgets restyle
    themselves as they change); after a theme change while another screen showed, the next open does, and the screen
    shows the new theme."""
    app = make_app(demo_locations)
    restyled: list[object] = []
    started: list[bool] = []
    update_styles = type(app).update_styles

    def recording(self: object, node: object, animate: bool = True) -> None:
        """App.update_styles, noting each model screen restyled whole once the app has started."""
        if isinstance(node, ModelScreen) and started:
            restyled.append(node)
        update_styles(self, node, animate)  # type: ignore[arg-type]

    monkeypatch.setattr(type(app), "update_styles", recording)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert pilot.app._model_screen is not None and pilot.app._model_screen.is_mounted
        started.append(True)
        for name in ("churn-classifier", "fraud-detector"):
            await open_model(pilot, name)
            await pilot.press("escape")
            await settle(pilot)
        assert restyled == []
        pilot.app.theme = "regtui-light"
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier")
        assert restyled == [screen]
        light = pilot.app.get_theme("regtui-light")
        assert light is not None and screen.styles.background.hex.lower() == light.background.lower()
        await pilot.press("escape")
        await settle(pilot)
        await open_model(pilot, "fraud-detector")
        assert restyled == [screen]


async def test_y_and_shift_y_copy_the_reference_and_the_content_hash(
    demo_locations: Locations, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """y copies MODEL@VERSION of the highlighted version and Y its content hash, through OSC 52; a notice shows
    the whole value (to select by hand where the terminal ignores OSC 52), as literal text."""
    app = make_app(demo_locations)
    copied: list[str] = []
    copy = app.copy_to_clipboard
    monkeypatch.setattr(app, "copy_to_clipboard", lambda text: copied.append(text) or copy(text))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = await open_model(pilot, "churn-classifier")
        await pilot.press("j")
        await settle(pilot)
        version = screen.selected
        assert version is not None and version != "2.6.0"
        await pilot.press("y")
        await settle(pilot)
        assert copied == [f"churn-classifier@{version}"] and pilot.app.clipboard == copied[0]
        assert "Copied reference" in screen_text(pilot) and f"churn-classifier@{version}" in screen_text(pilot)
        await pilot.press("Y")
        await settle(pilot)
        assert screen.view is not None and copied[1] == screen.view.content_hash
        assert re.fullmatch(r"[0-9a-f]{64}", copied[1]) and pilot.app.clipboard == copied[1]
        text = screen_text(pilot)
        assert "Copied content hash" in text and copied[1] in text, "the whole hash, on one line"
