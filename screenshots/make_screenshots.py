#!/usr/bin/env python3
"""Make the README's screenshots (an SVG of every screen of the demo registry) and its key map.

    python screenshots/make_screenshots.py            rewrite screenshots/*.svg and the README's generated sections
    python screenshots/make_screenshots.py --check    exit 1 when an SVG or a generated README section is out of date

The demo is built at a fixed path, at a fixed time, as fixed identities (alice; heidi, a releaser, for
rollbacks), so every run draws the same pixels. The README sections between the `screens` and `keymap`
marker comments are generated here too: the screenshot list from SHOTS, the key map from every BINDINGS
of the app, its screens and widgets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.keys import format_key
from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from regtui.config import Locations, Settings
from regtui.services import demo  # noqa: E402
from regtui.services.registry import RegistryService
from regtui.tui.app import RegtuiApp
from regtui.tui.screens.approvals import ApprovalsScreen
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.screens.base import RegtuiScreen
from regtui.tui.screens.comment import CommentScreen
from regtui.tui.screens.confirm_rollback import ConfirmRollbackScreen
from regtui.tui.screens.diff import DiffScreen
from regtui.tui.screens.help import HelpScreen
from regtui.tui.screens.model import ModelScreen
from regtui.tui.screens.promote import PromoteScreen
from regtui.tui.screens.providers import CheckScreen, ProvidersScreen
from regtui.tui.screens.registry import RegistryScreen
from regtui.tui.screens.rollback import RollbackScreen
from regtui.tui.screens.version_picker import VersionPickerScreen
from regtui.tui.widgets.lineage_tree import LineageTree
from regtui.tui.widgets.scroll_pane import ScrollPane
from regtui.tui.widgets.window_table import WindowTable
from tests.tui.driving import Step, drive

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
DEMO_DIR = Path("/tmp/regtui-screenshots-demo")
"""A fixed path: the registry URL in every header is part of the picture."""
FIXED_NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
"""The moment the demo's story is told as of (TOLD_AT in scripts/demo_history.py), as in the TUI tests."""
SIZE = (120, 40)


def fixed_clock() -> datetime:
    """The time every screenshot is taken at."""
    return FIXED_NOW


def open_model(name: str, version: str | None = None) -> Step:
    """A step that opens a model screen, as the palette would."""

    def step(pilot: Pilot[Any]) -> None:
        """Open it."""
        cast(RegtuiApp, pilot.app).open_model(name, version)

    return step


@dataclass(frozen=True)
class Shot:
    """One screenshot: the keys that reach the screen from the registry, and what the README says of it."""

    name: str
    title: str
    caption: str
    steps: tuple[Step, ...] = ()
    user: str = "alice"
    theme: str = "regtui-dark"
    screen: type[DOMNode] = RegistryScreen

    @property
    def svg(self) -> str:
        """The file name."""
        return f"{self.name}.svg"


ROLLBACK_FRAUD: tuple[Step, ...] = ("slash", *"fraud", "enter", "R", "j")
SHOTS: tuple[Shot, ...] = (
    Shot(
        "registry",
        "regtui — registry",
        "**Registry** (home): every model with its Production, Canary and Staging versions, owner, open promotion "
        "requests, how long ago its rollback was drilled (`!` when a drill is overdue by the policy's cadence), and "
        "how many of its versions are past retention (`EXPIRED`, `◷`: former Production versions archived longer "
        "than the policy's `retention_days`, no longer rollback targets; wider than 80 columns).",
    ),
    Shot(
        "registry-filtered",
        "regtui — registry, filtered",
        "`/` filters, `c` keeps models with a Canary version, `o` sorts (here by owner).",
        ("slash", *"team", "enter", "c", "o"),
    ),
    Shot(
        "model-overview",
        "regtui — model: lineage and overview",
        "**Model**: the lineage tree by major line (`◷` marks a version past retention; its overview gives its age "
        "against the policy's retention), the chosen version's overview and the metric trend.",
        ("enter",),
        screen=ModelScreen,
    ),
    Shot(
        "model-metrics",
        "regtui — model: metrics",
        "`2` every metric overall and per segment; `m` moves the trend to the next metric.",
        ("enter", "2", "m"),
        screen=ModelScreen,
    ),
    Shot(
        "model-card",
        "regtui — model: model card",
        "`3` the model card's six sections.",
        ("enter", "3"),
        screen=ModelScreen,
    ),
    Shot(
        "model-artifacts",
        "regtui — model: artifacts verified",
        "`4` artifacts, `v` re-hashes them: the demo's tampered fraud-detector 2.4.0 shows MISMATCH.",
        (open_model("fraud-detector", "2.4.0"), "v"),
        screen=ModelScreen,
    ),
    Shot(
        "diff",
        "regtui — evaluation diff",
        "**Diff** (`d`): candidate against baseline, overall and by segment, each gate threshold pass or FAIL.",
        (open_model("churn-classifier", "2.7.0"), "d"),
        screen=DiffScreen,
    ),
    Shot(
        "version-picker",
        "regtui — diff: pick a baseline",
        "`b` / `c` pick the baseline or candidate from the version list, newest first.",
        (open_model("churn-classifier", "2.7.0"), "d", "b", "j"),
        screen=VersionPickerScreen,
    ),
    Shot(
        "approvals",
        "regtui — approvals queue",
        "**Approvals** (`A`): the requests you can act on, with the highlighted one's gate checklist.",
        ("A",),
        screen=ApprovalsScreen,
    ),
    Shot(
        "approve-comment",
        "regtui — approve with a comment",
        "`a` approves, `x` rejects: the comment, naming the evidence reviewed, is logged with the decision.",
        ("A", "j", "a", *"forecast eval 2.7.0 vs 2.5.0 read"),
        screen=CommentScreen,
    ),
    Shot(
        "promote",
        "regtui — promote: gate checklist",
        "**Promote** (`p`): the allowed targets, the evidence the gate needs, and the gate as it stands.",
        (open_model("fraud-detector", "2.6.0"), "p"),
        screen=PromoteScreen,
    ),
    Shot(
        "rollback",
        "regtui — rollback: history and checksums",
        "**Rollback** (`R`): Production history with retention windows; the target's checksums are re-verified.",
        (*ROLLBACK_FRAUD, "enter"),
        user="heidi",
        screen=RollbackScreen,
    ),
    Shot(
        "rollback-confirm",
        "regtui — rollback: typed confirmation",
        "A verified target asks for the reason and the model name typed before it rolls back.",
        (*ROLLBACK_FRAUD, "j", "enter"),
        user="heidi",
        screen=ConfirmRollbackScreen,
    ),
    Shot(
        "audit",
        "regtui — audit log",
        "**Audit log** (`L`): the promotion log newest first, its hash chain verified.",
        ("L",),
        screen=AuditScreen,
    ),
    Shot(
        "providers",
        "regtui — provider models",
        "**Providers** (`P`): pins and deprecation countdowns, the provider changelog, each version's checks.",
        ("P",),
        screen=ProvidersScreen,
    ),
    Shot(
        "providers-check",
        "regtui — provider models: record a check",
        "`1`-`4` record a qualification check of the highlighted version (pass or fail, with evidence).",
        ("P", "1", *"https://ci.example.com/run/812"),
        screen=CheckScreen,
    ),
    Shot(
        "help",
        "regtui — help: keys of the model screen",
        "**Help** (`?`): the keys of the current screen, generated from its bindings.",
        ("enter", "question_mark"),
        screen=HelpScreen,
    ),
    Shot(
        "command-palette",
        "regtui — command palette",
        "**Command palette** (`ctrl+p` or `:`): screens, models, actions and themes by name.",
        ("ctrl+p", *"open model fr"),
        screen=CommandPalette,
    ),
    Shot(
        "model-light",
        "regtui — model, light theme",
        "The same model screen in the `regtui-light` theme (`theme:` in the config, or the palette).",
        ("enter",),
        theme="regtui-light",
        screen=ModelScreen,
    ),
)


@contextlib.contextmanager
def acting_as(user: str) -> Iterator[None]:
    """Set REGTUI_USER (the advisory SQLite identity) for the block."""
    before = os.environ.get("REGTUI_USER")
    os.environ["REGTUI_USER"] = user
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("REGTUI_USER", None)
        else:
            os.environ["REGTUI_USER"] = before


def build_demo() -> Locations:
    """The demo registry at DEMO_DIR, built by admin at the fixed time."""
    with acting_as("admin"):
        return demo.build(DEMO_DIR, clock=fixed_clock)


async def take(shot: Shot, locations: Locations) -> str:
    """Drive a fresh app through the shot's steps and return the SVG of the screen it reaches."""
    with acting_as(shot.user):
        service = RegistryService(locations, clock=fixed_clock)
        try:
            app = RegtuiApp(service, settings=Settings(theme=shot.theme))
            async with app.run_test(size=SIZE, notifications=True) as pilot:
                await drive(pilot, shot.steps)
                reached = type(app.screen)
                if not issubclass(reached, shot.screen):
                    raise SystemExit(f"{shot.name}: the keys reached {reached.__name__}, not {shot.screen.__name__}")
                return app.export_screenshot(title=shot.title)
        finally:
            service.close()


def render_all() -> dict[str, str]:
    """Every screenshot, by file name."""
    locations = build_demo()
    return {shot.svg: asyncio.run(take(shot, locations)) for shot in SHOTS}


@dataclass
class KeyGroup:
    """The bindings one class declares, as the README lists them."""

    where: str
    rows: list[tuple[str, str, str]]


KEYMAP_ORDER: tuple[tuple[type[DOMNode], str], ...] = (
    (RegtuiApp, "Everywhere"),
    (RegtuiScreen, "Every full screen"),
    (RegistryScreen, "Registry"),
    (ModelScreen, "Model"),
    (LineageTree, "Model: lineage tree"),
    (DiffScreen, "Diff"),
    (VersionPickerScreen, "Version picker"),
    (ApprovalsScreen, "Approvals"),
    (CommentScreen, "Comment dialog"),
    (PromoteScreen, "Promote"),
    (RollbackScreen, "Rollback"),
    (ConfirmRollbackScreen, "Rollback confirmation"),
    (AuditScreen, "Audit log"),
    (ProvidersScreen, "Providers"),
    (CheckScreen, "Providers: check dialog"),
    (WindowTable, "Every table"),
    (ScrollPane, "Every scrolling pane"),
)
"""Where each class's keys work, in the order the README lists them (a test checks no class is missing)."""


def declaring_classes() -> list[type[DOMNode]]:
    """Every regtui class that declares BINDINGS of its own (each must be in KEYMAP_ORDER)."""
    found: list[type[DOMNode]] = []
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("regtui.") and cls.__dict__.get("BINDINGS") and cls not in found:
            found.append(cls)
    return found


def key_text(binding: Binding) -> str:
    """A key as the footer writes it, with modifiers spelled out (ctrl+p, not ^p)."""
    modifiers, key = binding.parse_key()
    return binding.key_display or "+".join([*modifiers, format_key(key)])


def key_groups() -> list[KeyGroup]:
    """One group per class of KEYMAP_ORDER, its keys merged per binding id."""
    groups = []
    for cls, where in KEYMAP_ORDER:
        merged: dict[str, tuple[list[str], str]] = {}
        for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
            keys, _description = merged.setdefault(binding.id or binding.action, ([], binding.description))
            keys.append(key_text(binding))
        groups.append(
            KeyGroup(where, [(", ".join(keys), description, ident) for ident, (keys, description) in merged.items()])
        )
    return groups


def cell(text: str) -> str:
    """Text for a markdown table cell: pipes escaped."""
    return text.replace("|", "\\|")


def keymap_markdown() -> str:
    """The key map table: where, keys, what they do, and the binding id the config's `keys:` remaps."""
    lines = ["| where | key(s) | does | binding id |", "|---|---|---|---|"]
    for group in key_groups():
        for index, (keys, description, ident) in enumerate(group.rows):
            where = f"**{group.where}**" if index == 0 else ""
            lines.append(f"| {where} | `{cell(keys)}` | {cell(description)} | `{ident}` |")
    return "\n".join(lines)


def screens_markdown() -> str:
    """The screenshot list: one line on what the operator does there, then the picture."""
    return "\n\n".join(f"{shot.caption}\n\n![{shot.title}](screenshots/{shot.svg})" for shot in SHOTS)


def marked(text: str, name: str, body: str) -> str:
    """The text with the section between `<!-- NAME:start -->` and `<!-- NAME:end -->` replaced by body."""
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{README}: no <!-- {name}:start --> ... <!-- {name}:end --> markers")
    return pattern.sub(lambda match: f"{match.group(1)}{body}\n{match.group(2)}", text)


def readme_text(current: str) -> str:
    """The README with its generated sections brought up to date."""
    return marked(marked(current, "screens", screens_markdown()), "keymap", keymap_markdown())


def stale_files(svgs: dict[str, str]) -> list[str]:
    """Files that differ from what this script makes (missing SVGs and SVGs no shot makes included)."""
    stale = [
        name
        for name, svg in svgs.items()
        if not (HERE / name).exists() or (HERE / name).read_text(encoding="utf-8") != svg
    ]
    stale += sorted(path.name for path in HERE.glob("*.svg") if path.name not in svgs)
    current = README.read_text(encoding="utf-8")
    return stale + (["README.md"] if readme_text(current) != current else [])


def write_all(svgs: dict[str, str]) -> None:
    """Write the SVGs (removing ones no shot makes any more) and the README's generated sections."""
    for path in HERE.glob("*.svg"):
        if path.name not in svgs:
            path.unlink()
    for name, svg in svgs.items():
        (HERE / name).write_text(svg, encoding="utf-8")
    README.write_text(readme_text(README.read_text(encoding="utf-8")), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Make (or with --check, compare) the screenshots and the README's generated sections."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when anything is out of date; write nothing")
    args = parser.parse_args(argv)
    svgs = render_all()
    if args.check:
        stale = stale_files(svgs)
        for name in stale:
            print(f"out of date: {name}", file=sys.stderr)
        return 1 if stale else 0
    write_all(svgs)
    print(f"wrote {len(svgs)} screenshots to {HERE} and the README's screens and key map")
    return 0


if __name__ == "__main__":
    sys.exit(main())
