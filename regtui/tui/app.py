"""The regtui dashboard app: screens over the local cache, a background sync, themes, keymap, errors."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.keys import KEY_DISPLAY_ALIASES
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from regtui.config import Settings, config_path, load_settings, themes_folder
from regtui.domain.text import clean_single_line, clean_text
from regtui.errors import RegtuiError
from regtui.glyphs import ascii_wanted
from regtui.services.handle import ServiceHandle
from regtui.services.views import ChainState
from regtui.tui.ascii_filter import AsciiFilter
from regtui.tui.feed_polling import FeedPolling, FeedsFetched
from regtui.tui.key_gate import HeldEvent, KeyGate
from regtui.tui.keymap import apply_keymap
from regtui.tui.model_opening import OPEN_GROUP, ModelOpening, ModelReadAhead, ModelReadToOpen
from regtui.tui.palette import ModelCommands, binding_commands, screen_commands
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.screens.registry import RegistryScreen
from regtui.tui.sync import RegistrySync, SyncFinished, SyncStatus
from regtui.tui.theme_saving import ThemeSaving
from regtui.tui.themes import apply_themes
from regtui.tui.widgets.window_table import WindowTable

if TYPE_CHECKING:
    from regtui.services.registry import RegistryService
    from regtui.tui.screens.model import ModelRead, ModelScreen

MODEL_SCREEN = "model"
"""The name the one reused model screen is installed under."""
MODEL_SCREEN_MODULE = "regtui.tui.screens.model"
"""Imported in the background after the first window (see _preload_model_screen)."""
TUI_DIR = Path(__file__).parent


class RegtuiApp(App[int]):
    """Browse a governed model registry from its local cache; a worker keeps the cache in sync."""

    TITLE = "regtui"
    CSS_PATH: ClassVar[list[str | Path]] = [TUI_DIR / "app.tcss", *sorted((TUI_DIR / "screens").glob("*.tcss"))]
    """The app's styles, then each screen's own file (screens/NAME.tcss, picked up automatically)."""
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    COMMANDS = App.COMMANDS | {ModelCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", show=False, priority=True),
        Binding("question_mark", "show_help", "Help", id="show_help"),
        Binding("ctrl+p", "command_palette", "Commands", id="command_palette", show=False, priority=True),
        Binding("colon", "command_palette", "Commands", id="command_palette_colon", show=False),
        Binding("r,ctrl+r", "sync_now", "Refresh", id="refresh"),
        Binding("L", "open_screen('audit')", "Audit log", id="open_audit"),
        Binding("A", "open_screen('approvals')", "Approvals", id="open_approvals"),
        Binding("H", "go_home", "Registry", id="open_registry", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+q | Quit. |
    | ? | Keys of the current screen. |
    | ctrl+p, : | Command palette: screens, models, actions, themes. |
    | r, ctrl+r | Sync with the registry now. |
    | L | The promotion log (audit). |
    | A | The approval queue. |
    | H | Back to the registry screen. |
    """

    SCREEN_CLASSES: ClassVar[dict[str, tuple[str, str]]] = {
        "audit": ("regtui.tui.screens.audit", "AuditScreen"),
        "approvals": ("regtui.tui.screens.approvals", "ApprovalsScreen"),
        "providers": ("regtui.tui.screens.providers", "ProvidersScreen"),
    }
    """Screens opened by name with `open_screen('NAME')` (from a binding or the palette): (module, class name),
    the module imported when the screen first opens."""

    class ModelScreenImported(Message):
        """The model screen's module was imported in the background: the screen can be built."""

    def __init__(
        self,
        service: RegistryService | ServiceHandle,
        *,
        readonly: bool = False,
        settings: Settings | None = None,
        config_file: Path | None = None,
    ) -> None:
        """`config_file`: the user's configuration file (whether or not it exists yet), where a theme picked in the
        palette is saved and beside which the user's themes/ folder is; None: neither (tests, embedding)."""
        super().__init__()
        self.services = service if isinstance(service, ServiceHandle) else ServiceHandle.wrapping(service)
        self.readonly = readonly
        self.settings = settings or Settings()
        self.clock: Callable[[], datetime] = self.services.clock
        self._background_started = False
        self.syncing = RegistrySync(self)
        self.feeds = FeedPolling(self)
        self.opening = ModelOpening(self)
        self.key_gate = KeyGate(self, self._pass_on)
        self.verified_chain: ChainState | None = None
        self._model_screen: ModelScreen | None = None
        self.animation_level = "full" if self.settings.animations else "none"
        self.config_file = config_file
        self.ascii_filters = [AsciiFilter()] if ascii_wanted(self.settings.ascii, os.environ.get("TERM")) else []

    @property
    def service(self) -> RegistryService:
        """The registry service, built on first use (the sync worker builds it, importing the ORM, after the
        home screen's first window)."""
        return self.services.service

    @service.setter
    def service(self, service: RegistryService) -> None:
        """Use another service (tests point the app at an unreachable registry)."""
        self.services = ServiceHandle.wrapping(service)

    @property
    def sync_status(self) -> SyncStatus | None:
        """The last sync's outcome (None before the first one ends)."""
        return self.syncing.status

    @property
    def identity(self) -> str | None:
        """Who is acting, for the header (None until known, or when the settings hide it)."""
        return self.syncing.identity

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through the key gate, one at a time (see key_gate)."""
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            await self.key_gate.receive(event)
        else:
            await super().on_event(event)

    async def _pass_on(self, event: HeldEvent) -> None:
        """Textual's own handling of a key or paste read from the terminal (to the focused widget)."""
        await super().on_event(event)

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then ASCII mode's when it is on (config `ascii`, or a console such as TERM=linux)."""
        return [*super().get_line_filters(), *self.ascii_filters]

    def get_key_display(self, binding: Binding) -> str:
        """Textual's key label; in ASCII mode a key drawn as a glyph (enter, arrows, backspace) goes by its name."""
        display = super().get_key_display(binding)
        if not self.ascii_filters or display.isascii():
            return display
        for name, glyph in KEY_DISPLAY_ALIASES.items():
            display = display.replace(glyph, name)
        return display

    def get_default_screen(self) -> Screen[None]:
        """The registry screen is home."""
        return RegistryScreen()

    def on_mount(self) -> None:
        """Themes (a theme picked later is saved) and keymap; the sync starts once the home screen shows its first
        window (start_background_work)."""
        user_themes = themes_folder(self.config_file) if self.config_file is not None else None
        apply_themes(self, self.settings.theme, user_themes)
        if self.config_file is not None:
            ThemeSaving(self, self.config_file).start()
        apply_keymap(self, self.settings.keys)

    def start_background_work(self) -> None:
        """The first sync, then the sync and feed intervals (once): started after the home screen's first window,
        so importing the ORM in the sync worker's thread does not hold up that frame."""
        if self._background_started:
            return
        self._background_started = True
        self.sync_registry()
        self._preload_model_screen()
        self.set_interval(self.settings.sync_interval, self.syncing.tick)
        if self.settings.feed_interval is not None:
            self.set_interval(self.settings.feed_interval, self.feeds.tick)

    @work(thread=True, group="preload", exit_on_error=False)
    def _preload_model_screen(self) -> None:
        """Import the model screen's module and the reads it uses (in a thread, while the operator reads the
        list), then have the screen built (build_model_screen), so the session's first Enter on a model waits
        for neither."""
        importlib.import_module(MODEL_SCREEN_MODULE)
        self.post_message(self.ModelScreenImported())

    def on_regtui_app_model_screen_imported(self, _message: ModelScreenImported) -> None:
        """Build the one model screen ahead of the first open (see build_model_screen)."""
        self.build_model_screen()

    def build_model_screen(self) -> None:
        """Compose and mount the model screen, empty and unseen (the widgets and styles the first open would
        otherwise spend), so opening a model shows it there: pushed and popped at once, in one batch of updates
        (Textual has no public way to mount a screen off the stack), it is laid out while it handles that resume."""
        from regtui.tui.screens.model import ModelScreen

        if self._model_screen is None:
            screen = self._model_screen = ModelScreen()
            screen.add_class(*self.breakpoint_classes())  # as its first Resize would: no restyle then
            self.install_screen(screen, MODEL_SCREEN)
            with self.batch_update():
                self.push_screen(screen)
                self.pop_screen()

    def fetch_provider_feeds(self, *, asked: bool) -> None:
        """Fetch every configured provider feed in a worker (FeedPolling)."""
        self.feeds.fetch(asked=asked)

    def on_feeds_fetched(self, message: FeedsFetched) -> None:
        """A feed fetch ended: report it, sync on a change."""
        self.feeds.fetched(message)

    def sync_registry(self) -> None:
        """Pull the registry into the cache in a worker (RegistrySync)."""
        self.syncing.start()

    def on_sync_finished(self, message: SyncFinished) -> None:
        """Take the sync's outcome, then update headers and write bindings, and reload screens when data changed."""
        change = self.syncing.finished(message, show_identity=self.settings.show_identity)
        status = self.syncing.status
        for notice in message.notices:
            self.notify(clean_text(notice), title="Cache", severity="warning", markup=False, timeout=10)
        if message.error is not None:
            self.report_error(message.error)
        elif change.went_offline and status is not None:
            self.notify(
                f"{status.error or 'registry unreachable'} — showing the cache, read-only",
                title="Offline",
                severity="warning",
                markup=False,
            )
        if change.offline_flipped:
            self.refresh_bindings()
        if change.data_changed:
            self.opening.drop()
        self._show_sync(change.data_changed)

    def _show_sync(self, changed: bool) -> None:
        """The screen on top shows the sync state (and reloads when data changed); covered ones reload when shown."""
        for screen in self.screen_stack:
            if not isinstance(screen, RegtuiScreen):
                continue
            if screen is self.screen and screen.is_mounted:
                screen.show_sync_state()
                if changed:
                    screen.reload()
            elif changed:
                screen.stale = True

    def action_sync_now(self) -> None:
        """Sync with the registry now."""
        self.sync_registry()

    def report_error(self, error: BaseException) -> None:
        """Show an error as a notification; the dashboard keeps running whatever the data holds."""
        if isinstance(error, RegtuiError):
            message, title = error.message, error.title
        else:
            message, title = f"{type(error).__name__}: {error}", "Internal error"
        self.notify(clean_text(message), title=clean_single_line(title), severity="error", markup=False, timeout=8)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Report the app's own failed workers (the sync); a model read that failed opens nothing, so the keys
        held for its screen are dropped."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)
        if event.worker.group == OPEN_GROUP and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.key_gate.resume(drop=True)

    def on_window_table_load_failed(self, message: WindowTable.LoadFailed) -> None:
        """A table could not read its rows."""
        self.report_error(message.error)

    @property
    def writable(self) -> bool:
        """Whether writes may run now: not a read-only session and not offline."""
        return not self.readonly and not (self.sync_status is not None and self.sync_status.offline)

    def require_writable(self) -> bool:
        """True when writes may run now; otherwise say why not (read-only session, or registry offline)."""
        if self.readonly:
            self.notify("read-only session (started with --readonly)", title="Read-only", severity="warning")
            return False
        if self.sync_status is not None and self.sync_status.offline:
            self.notify(self.sync_status.describe(self.clock()), title="Offline", severity="warning", markup=False)
            return False
        return True

    def open_model(self, name: str, version: str | None = None) -> None:
        """Open a model's screen once it is read, so its first frame shows it whole (ModelOpening); keys typed
        meanwhile wait for that screen."""
        self.key_gate.pause()
        self.opening.open(name, version)

    def read_model_ahead(self, name: str) -> None:
        """Read the model under the registry's cursor in the background, so Enter on it only paints."""
        self.opening.read_ahead(name)

    def on_model_read_ahead(self, message: ModelReadAhead) -> None:
        """A read ahead arrived: hold it, or open it when an Enter waits for it."""
        self.opening.arrived(message)

    def breakpoint_classes(self) -> set[str]:
        """The breakpoint classes (HORIZONTAL_BREAKPOINTS) the screen on top has for the terminal's size now."""
        return self.screen.classes & {name for _, name in self.HORIZONTAL_BREAKPOINTS}

    def on_model_read_to_open(self, message: ModelReadToOpen) -> None:
        """Open the model's screen on what was read."""
        self.show_model_read(message.name, message.version, message.read)

    def show_model_read(self, name: str, version: str | None, read: ModelRead) -> None:
        """Show a model read from the cache: the one model screen is kept and reused (showing another model on it
        skips composing and styling a screen); a new one only while it is covered."""
        from regtui.tui.screens.model import ModelScreen

        reused = self._model_screen
        if reused is None:
            self._model_screen = ModelScreen(name, version, read)
            self.install_screen(self._model_screen, MODEL_SCREEN)
            self.push_screen(self._model_screen)
        elif not reused.is_mounted:  # built ahead, still composing: this open gets a screen of its own
            self.push_screen(ModelScreen(name, version, read))
        elif reused is self.screen or reused not in self.screen_stack:
            reused.show_model(name, version, read)
            if reused is not self.screen:
                self.push_screen(reused)
        else:
            self.push_screen(ModelScreen(name, version, read))
        self.key_gate.resume()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the key of the screen already on top (no 'L Audit log' on the audit screen)."""
        if action == "open_screen" and parameters and self._on_top(str(parameters[0])):
            return False
        return True

    def _on_top(self, name: str) -> bool:
        """Whether the named screen is the one showing (not while its module is still being imported: the model
        screen's module imports the audit screen's in the background, and the key bar asks meanwhile)."""
        module, class_name = self.SCREEN_CLASSES[name]
        return type(self.screen) is getattr(sys.modules.get(module), class_name, None)

    def action_open_screen(self, name: str) -> None:
        """Open one of SCREEN_CLASSES by name (unless it is already on top), importing its module on first use."""
        if not self._on_top(name):
            module, class_name = self.SCREEN_CLASSES[name]
            screen_class: Callable[[], Screen[None]] = getattr(importlib.import_module(module), class_name)
            self.push_screen(screen_class())

    def action_go_home(self) -> None:
        """Back to the registry screen."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_show_help(self) -> None:
        """Keys of the current screen, from its active bindings."""
        from regtui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (themes, quit, ...) plus every described binding of the screen and the app."""
        yield from super().get_system_commands(screen)
        yield from binding_commands(self, screen)
        yield from screen_commands(self, screen)


def run_app(service: RegistryService | ServiceHandle, readonly: bool = False, settings: Settings | None = None) -> int:
    """Run the dashboard until the user quits; returns the exit status."""
    app = RegtuiApp(service, readonly=readonly, settings=settings or load_settings(), config_file=config_path())
    app.run()
    return app.return_code or 0
