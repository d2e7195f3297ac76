"""regtui as pip users get it: the wheel built from the checkout, installed into a fresh virtual environment
outside the checkout, run from another directory: --version, the demo, and the TUI to its first screen."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

import regtui

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parents[1]
INSTALL_TIMEOUT_S = 600
SCREEN_TIMEOUT_S = 60.0
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command to its end and return what it printed; a failure shows its output."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtual environment holding regtui installed from its wheel."""
    work = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(CHECKOUT)], work)
    wheels = list((work / "dist").glob("regtui-*.whl"))
    assert len(wheels) == 1, wheels
    run([sys.executable, "-m", "venv", str(work / "venv")], work)
    pip_env = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    run([str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])], work, pip_env)
    return work / "venv" / "bin"


def read_until(master: int, text: str, deadline: float) -> str:
    """What the program wrote to the pty, escape sequences removed, up to the moment the text shows."""
    seen = ""
    while time.monotonic() < deadline:
        if select.select([master], [], [], 0.1)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += ANSI.sub("", chunk.decode("utf-8", "replace"))
            if text in seen:
                return seen
    raise AssertionError(f"{text!r} never showed; the output ends:\n{seen[-2000:]}")


def test_the_wheel_installs_and_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    """--version names the package's version; the demo builds from the bundled fixtures; the TUI opens on it
    with the bundled themes, all from a directory that is not the checkout."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    regtui_bin = str(installed / "regtui")
    version = run([regtui_bin, "--version"], elsewhere)
    assert version.stdout.strip() == f"regtui {regtui.__version__}"

    demo = tmp_path / "demo"
    env = {
        "REGTUI_CONFIG": str(tmp_path / "no-config.yaml"),
        "REGTUI_REGISTRY": f"sqlite:///{demo / 'registry.db'}",
        "REGTUI_CACHE": str(demo / "cache.db"),
    }
    built = run([regtui_bin, "demo", "--dir", str(demo), "--no-tui"], elsewhere, env)
    assert built.stdout.strip() == env["REGTUI_REGISTRY"]
    models = run([regtui_bin, "models"], elsewhere, env)
    assert "churn-classifier" in models.stdout

    master, slave = pty.openpty()
    screen_env = {**os.environ, **env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    process = subprocess.Popen(
        [regtui_bin], cwd=elsewhere, stdin=slave, stdout=slave, stderr=slave, env=screen_env, start_new_session=True
    )
    os.close(slave)
    try:
        shown = read_until(master, "churn-classifier", time.monotonic() + SCREEN_TIMEOUT_S)
        assert "Traceback" not in shown
        os.write(master, b"\x11")
        assert process.wait(timeout=SCREEN_TIMEOUT_S) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
