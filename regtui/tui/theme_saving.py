"""The theme picked in the command palette is written to the configuration file, so the next start uses it."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.theme import Theme

from regtui.config_edit import save_theme
from regtui.errors import InputError


class ThemeSaving:
    """Saves the app's theme to the configuration file whenever it changes after start-up."""

    def __init__(self, app: App[object], config_file: Path) -> None:
        self.app = app
        self.config_file = config_file
        self.saved = app.theme
        """The theme the file already names (or the one start-up fell back to): not written again."""

    def start(self) -> None:
        """Follow the app's theme from now on (call it once the start-up theme is applied)."""
        self.saved = self.app.theme
        self.app.theme_changed_signal.subscribe(self.app, self.changed)

    def changed(self, theme: Theme) -> None:
        """A new theme was applied: write it to the file; a failure is a warning, the theme stays for this run."""
        if theme.name == self.saved:
            return
        try:
            save_theme(self.config_file, theme.name)
        except InputError as exc:
            self.app.notify(f"theme not saved: {exc.message}", title="Theme", severity="warning", markup=False)
            return
        self.saved = theme.name
