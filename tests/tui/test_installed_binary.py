"""The installed `regtui` binary in a real pseudo-terminal (tmux when available, else a Python pty): an
on-call rollback driven with keys only, then checked with the CLI's `audit --json`."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Protocol

import pytest

pytestmark = pytest.mark.slow

MODEL = "product-embedder"
SIZE = (100, 30)
TIMEOUT_S = 60.0
"""The longest a wait for text lets the program run before the test fails: generous, for a loaded CI machine."""
POLL_S = 0.02
STYLES = r"(?:\x1b\[[0-9;]*m)"
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def focused_button(label: str) -> re.Pattern[str]:
    """A button drawn in reverse video, as the focused one is (a style with the parameter 7, not a colour's 5;7)."""
    return re.compile(rf"\x1b\[(?:[0-9;]*;)?(?<!5;)7(?:;[0-9;]*)?m{STYLES}* ?{re.escape(label)} ")


def cursor_on(placeholder: str) -> re.Pattern[str]:
    """An empty input's placeholder with its first character styled apart: the cursor, so the input has focus."""
    return re.compile(rf"{re.escape(placeholder[0])}{STYLES}+{re.escape(placeholder[1:])}")


def installed_binary() -> Path | None:
    """The `regtui` console script of the running interpreter's environment (CI's venv), else on PATH."""
    beside = Path(sys.executable).with_name("regtui")
    if beside.exists():
        return beside
    found = shutil.which("regtui")
    return Path(found) if found else None


class Terminal(Protocol):
    """A running TUI: send keys, wait for text on screen."""

    def keys(self, *keys: str) -> None:
        """Send keys: tmux key names (Enter, Tab, C-q) or literal text. A key that moves the focus later (the
        program focuses on its next turn) is followed by a wait for what shows the move, before more keys."""

    def wait_for(self, text: str) -> str:
        """Wait until the text is on screen; return what the screen shows."""

    def wait_for_focused_button(self, label: str) -> None:
        """Wait until the button with this label shows the focus (a focus move lands after the key or the screen
        that asked for it: keys sent before would go elsewhere)."""

    def wait_for_cursor_in(self, placeholder: str) -> None:
        """Wait until the empty input showing this placeholder has the focus."""

    def close(self) -> None:
        """Stop the program."""


class TmuxTerminal:
    """The program in a detached tmux session of a fixed size."""

    SPECIAL: ClassVar[frozenset[str]] = frozenset({"Enter", "Tab", "Escape", "C-q", "BTab"})

    def __init__(self, command: list[str], env: dict[str, str], name: str) -> None:
        self.name = name
        exports = [f"{key}={value}" for key, value in env.items()]
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                str(SIZE[0]),
                "-y",
                str(SIZE[1]),
                "env",
                *exports,
                *command,
            ],
            check=True,
        )

    def screen(self, styled: bool = False) -> str:
        """The visible pane as text, with its escape sequences when styled."""
        return subprocess.run(
            ["tmux", "capture-pane", "-p", *(["-e"] if styled else []), "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def keys(self, *keys: str) -> None:
        """Named keys as keys, anything else typed literally."""
        for key in keys:
            literal = [] if key in self.SPECIAL else ["-l"]
            subprocess.run(["tmux", "send-keys", "-t", self.name, *literal, key], check=True)

    def wait_for(self, text: str) -> str:
        """Poll the pane until the text shows."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(POLL_S)
        raise AssertionError(f"{text!r} never showed; the screen:\n{self.screen()}")

    def wait_for_focused_button(self, label: str) -> None:
        """Poll the styled pane until the button is drawn in reverse video."""
        self.wait_for_styled(focused_button(label), f"the focus on {label!r}")

    def wait_for_cursor_in(self, placeholder: str) -> None:
        """Poll the styled pane until the cursor shows on the placeholder's first character."""
        self.wait_for_styled(cursor_on(placeholder), f"the cursor on {placeholder!r}")

    def wait_for_styled(self, pattern: re.Pattern[str], what: str) -> None:
        """Poll the pane with its escape sequences until it matches."""
        deadline = time.monotonic() + TIMEOUT_S
        while not pattern.search(self.screen(styled=True)):
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} never showed; the screen:\n{self.screen()}")
            time.sleep(POLL_S)

    def close(self) -> None:
        """Kill the session."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False, capture_output=True)


class PtyTerminal:
    """The program on a Python pty; the screen is the output stream with escape sequences removed."""

    KEYS: ClassVar[dict[str, str]] = {"Enter": "\r", "Tab": "\t", "Escape": "\x1b", "C-q": "\x11", "BTab": "\x1b[Z"}

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        os.set_blocking(self.master, False)
        full_env = {**os.environ, **env, "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1]), "TERM": "xterm-256color"}
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=full_env, start_new_session=True
        )
        os.close(slave)
        self.output = ""
        self.raw = ""

    def _read(self) -> None:
        """Take what the program wrote so far."""
        while select.select([self.master], [], [], 0.05)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            text = chunk.decode("utf-8", "replace")
            self.raw += text
            self.output += ANSI.sub("", text)

    def keys(self, *keys: str) -> None:
        """Named keys as their bytes, anything else as typed text; what was written before them is set aside
        (the focus waits look at what the keys redrew)."""
        self._read()
        self.raw = ""
        for key in keys:
            os.write(self.master, self.KEYS.get(key, key).encode())

    def wait_for(self, text: str) -> str:
        """Read until the text was written (after the last wait)."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            self._read()
            if text in self.output:
                shown, self.output = self.output, self.output[self.output.index(text) :]
                return shown
        raise AssertionError(f"{text!r} never showed; the output ends:\n{self.output[-2000:]}")

    def wait_for_focused_button(self, label: str) -> None:
        """Read until the button was drawn in reverse video since the last keys."""
        pattern = focused_button(label)
        self.wait_until(lambda: pattern.search(self.raw) is not None, f"the focus on {label!r}")

    def wait_for_cursor_in(self, placeholder: str) -> None:
        """Read until the placeholder was redrawn since the last keys: the output holds only changed cells, and
        the key that moved the focus is what redraws it (in the focused input's colours)."""
        self.wait_until(lambda: placeholder in ANSI.sub("", self.raw), f"the cursor on {placeholder!r}")

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        """Read until the condition holds."""
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            self._read()
            if condition():
                return
        raise AssertionError(f"{what} never showed; the output ends:\n{self.output[-2000:]}")

    def close(self) -> None:
        """Stop the program."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        os.close(self.master)


def run_cli(binary: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """One CLI call on the test registry."""
    return subprocess.run(
        [str(binary), *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False
    )


def demo_with_a_rollback_target(binary: Path, tmp_path: Path) -> dict[str, str]:
    """Build the demo with the binary and have the releaser heidi apply the waiting Production request of MODEL,
    so the version it replaces is a rollback target as of today; the environment that acts as heidi on it."""
    folder = tmp_path / "demo"
    env = {
        "REGTUI_REGISTRY": f"sqlite:///{folder / 'registry.db'}",
        "REGTUI_CACHE": str(folder / "cache.db"),
        "REGTUI_CONFIG": str(tmp_path / "no-config.yaml"),
        "REGTUI_USER": "heidi",
    }
    built = run_cli(binary, {**env, "REGTUI_USER": "admin"}, "demo", "--dir", str(folder), "--no-tui")
    assert built.returncode == 0, built.stderr
    evidence = tmp_path / "evidence.yaml"
    evidence.write_text("archival_checklist: [traffic drained, dashboards updated, consumers notified]\n")
    applied = run_cli(binary, env, "promote", f"{MODEL}@2.4.0", "--to", "Production", "--evidence", str(evidence))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert f"{MODEL}@2.3.0 archived" in applied.stdout
    return env


def test_rollback_end_to_end_in_a_real_terminal(tmp_path: Path) -> None:
    """Build the demo with the binary; a releaser applies the waiting Production request (so the version it
    replaces is a rollback target as of today); then keys only: R on the model, a target, verified, typed
    confirmation, done; the CLI's audit shows the rollback."""
    binary = installed_binary()
    if binary is None:
        pytest.skip("the regtui console script is not installed")
    env = demo_with_a_rollback_target(binary, tmp_path)

    command = [str(binary)]
    terminal: Terminal
    if shutil.which("tmux"):
        terminal = TmuxTerminal(command, env, f"regtui-test-{os.getpid()}")
    else:
        terminal = PtyTerminal(command, env)
    try:
        terminal.wait_for("synced")
        terminal.keys("/")
        terminal.wait_for_cursor_in("/ filter by name, owner, description")
        terminal.keys(MODEL, "Enter")
        terminal.wait_for("1 model ·")
        terminal.wait_for("R Rollback")
        terminal.keys("R")
        terminal.wait_for("in Production: 2.4.0")
        terminal.keys("j")
        terminal.wait_for("2.3.0: archived")
        terminal.keys("Enter")
        terminal.wait_for("Type the model name")
        terminal.wait_for_focused_button("Cancel")
        terminal.keys("Tab")
        terminal.wait_for_cursor_in(f"type {MODEL}")
        terminal.keys(MODEL, "Tab")
        terminal.wait_for_cursor_in("e.g. INC-2041")
        terminal.keys("INC-7001 recall drop after 2.4.0", "Enter")
        terminal.wait_for(f"rolled back {MODEL} from 2.4.0 to 2.3.0")
        terminal.keys("C-q")
    finally:
        terminal.close()

    audit = run_cli(binary, env, "audit", MODEL, "--json", "--limit", "2")
    assert audit.returncode == 0, audit.stderr
    entries = json.loads(audit.stdout)["entries"]
    assert [(e["kind"], e["version"], e["actor"]) for e in entries] == [
        ("rollback", "2.3.0", "heidi"),
        ("replaced", "2.4.0", "heidi"),
    ]
    assert entries[0]["details"]["reason"] == "INC-7001 recall drop after 2.4.0"
