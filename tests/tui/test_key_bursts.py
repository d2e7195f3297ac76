"""Keys that arrive in one burst (slow SSH, tmux, a paste): each whole string is written to the pseudo-terminal
at once, and must reach the widget the user was typing into, in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tui.test_installed_binary import PtyTerminal, demo_with_a_rollback_target, installed_binary, run_cli

pytestmark = pytest.mark.slow

MODEL = "product-embedder"
REASON = "INC-7002 burst typed"
COMMENT = "checked the canary in one burst"


def newest_entry(binary: Path, env: dict[str, str], model: str) -> tuple[str, dict[str, object]]:
    """The kind and details of the newest entry of a model's promotion log, from the CLI."""
    audit = run_cli(binary, env, "audit", model, "--json", "--limit", "1")
    assert audit.returncode == 0, audit.stderr
    entry = json.loads(audit.stdout)["entries"][0]
    return entry["kind"], entry["details"]


def test_bursts_reach_the_field_being_typed_into(tmp_path: Path) -> None:
    """`/risk` filters the list; a bracketed paste lands in the filter; `a` and the comment typed at once go to
    the comment dialog; Enter, Tab, the model name, Tab and the reason typed at once go to the rollback
    confirmation's fields. The CLI's audit shows the comment and the reason as typed."""
    binary = installed_binary()
    if binary is None:
        pytest.skip("the regtui console script is not installed")
    env = demo_with_a_rollback_target(binary, tmp_path)

    terminal = PtyTerminal([str(binary)], env)
    try:
        terminal.wait_for("synced")
        terminal.keys("/risk")
        shown = terminal.wait_for("2 models · all stages")
        terminal.keys("Escape")
        terminal.wait_until(lambda: "filter by name" not in terminal.raw, "the list focused")
        terminal.keys("Escape")
        terminal.wait_for("8 models · all stages")
        terminal.keys("/\x1b[200~fraud\x1b[201~")
        terminal.wait_for("1 model · all stages")
        terminal.keys("Escape")
        terminal.wait_until(lambda: "filter by name" not in terminal.raw, "the list focused")
        terminal.keys("Escape")
        terminal.wait_for("8 models · all stages")

        terminal.keys("A")
        terminal.wait_for("#243 support-assistant@3.4.0")
        terminal.keys(f"a{COMMENT}\r")
        terminal.wait_for("approved request #243")
        terminal.keys("q")
        terminal.wait_for("8 models")

        terminal.keys(f"/{MODEL}\r")
        terminal.wait_for("1 model ·")
        terminal.keys("R")
        terminal.wait_for("in Production: 2.4.0")
        terminal.keys("j")
        terminal.wait_for("2.3.0: archived")
        terminal.keys(f"\r\t{MODEL}\t{REASON}\r")
        terminal.wait_for(f"rolled back {MODEL} from 2.4.0 to 2.3.0")
        terminal.keys("C-q")
    finally:
        terminal.close()

    assert "has Staging" not in shown
    kind, details = newest_entry(binary, env, "support-assistant")
    assert (kind, details["comment"]) == ("approve", COMMENT)
    kind, details = newest_entry(binary, env, MODEL)
    assert (kind, details["reason"]) == ("rollback", REASON)
