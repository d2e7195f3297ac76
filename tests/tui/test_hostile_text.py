"""Hostile stored text (markup, links, click actions, escape sequences, C1, bidi) renders literally everywhere.

The rows are written straight into the cache, as an attacker with database access (or a future, laxer
validation rule) could; the dashboard must show them as text: never markup, never an escape sequence.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest
from textual.pilot import Pilot

from regtui.config import Locations
from regtui.tui.screens.audit import AuditScreen
from regtui.tui.screens.model import ModelScreen
from tests.tui.conftest import AppFactory, screen_text, segment_texts
from tests.tui.driving import settle
from tests.tui.rendered import painted_strips

pytestmark = pytest.mark.anyio

MARKUP = "[bold red]x[/]"
LINK = "[link=https://evil]click[/link]"
ACTION = "[@click=app.quit]q[/]"
OSC8 = "\x1b]8;;http://evil\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b31m"
BIDI = "\u202e"
HOSTILE = " ".join((MARKUP, LINK, ACTION, OSC8, CLEAR, C1, BIDI))
NAME = f"{MARKUP}{ACTION}{CLEAR}"
VERSION = f"{MARKUP}{C1}"
FORBIDDEN = ["\x1b", "\x07", BIDI, *map(chr, range(0x80, 0xA0))]


def poison(locations: Locations) -> None:
    """Give a model, a version, its artifact and a log entry hostile text in every field a screen shows."""
    with sqlite3.connect(locations.cache_path) as db:
        db.execute(
            "INSERT INTO model (name, owner, description, change_seq) VALUES (?, ?, ?, 1)",
            (NAME, f"{LINK}{BIDI}", HOSTILE),
        )
        row = db.execute("SELECT * FROM model_version WHERE model = 'churn-classifier' AND version = '2.6.0'")
        columns = [c[0] for c in row.description]
        version: dict[str, Any] = dict(zip(columns, row.fetchone()))
        card = json.loads(version["model_card"])
        card["intended_use"] = card["limitations"] = HOSTILE
        card["fairness"]["summary"] = HOSTILE
        card["fairness"]["attested_by"] = ACTION
        card["responsible"]["team"] = LINK
        metrics = {"overall": {"auc": 0.9, HOSTILE: 1.0}, "segments": {HOSTILE: {"auc": 0.8}}}
        version.update(
            id=None,
            model=NAME,
            version=VERSION,
            parent=HOSTILE,
            description=HOSTILE,
            training_data=HOSTILE,
            owner=HOSTILE,
            framework=MARKUP,
            registered_by=ACTION,
            stage_changed_by=CLEAR,
            stage="Production",
            model_card=json.dumps(card),
            metrics=json.dumps(metrics),
            hyperparameters=json.dumps({HOSTILE: HOSTILE, "prompt": f"line one\n{HOSTILE}"}),
        )
        cursor = db.execute(
            f"INSERT INTO model_version ({', '.join(version)}) VALUES ({', '.join('?' * len(version))})",
            list(version.values()),
        )
        db.execute(
            "INSERT INTO artifact (version_id, name, uri, sha256, size, position, change_seq) "
            "VALUES (?, ?, ?, ?, 12, 0, 1)",
            (cursor.lastrowid, HOSTILE, f"ftp://evil/{HOSTILE}", "0" * 64),
        )
        db.execute(
            "UPDATE event SET actor = ?, model = ?, version = ?, details = ? WHERE position = "
            "(SELECT max(position) FROM event)",
            (ACTION, NAME, VERSION, json.dumps({"comment": HOSTILE, "reason": LINK})),
        )


def assert_literal(pilot: Pilot[object], *fragments: str) -> None:
    """The screen shows each fragment as typed, and no control character reaches the terminal."""
    text = screen_text(pilot)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not shown literally"
    for segment in segment_texts(pilot):
        assert not any(char in segment for char in FORBIDDEN), f"control character in {segment!r}"
    for strip in painted_strips(pilot.app):
        for segment in strip:
            style = segment.style
            assert style is None or not style.link, "user text became a hyperlink"
            assert style is None or not (style.meta or {}).get("@click"), "user text became a click action"


async def test_every_screen_renders_hostile_text_literally(demo_locations: Locations, make_app: AppFactory) -> None:
    """Registry, model (all tabs, verify), audit, palette and notifications: literal, crash-free, no escapes."""
    poison(demo_locations)
    app = make_app(demo_locations)
    async with app.run_test(size=(220, 50), notifications=True) as pilot:
        await settle(pilot)
        assert_literal(pilot, MARKUP, ACTION, LINK, "␛[2J")

        await pilot.press("slash", *"[bold")
        await settle(pilot)
        assert_literal(pilot, MARKUP)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ModelScreen) and app.screen.model == NAME
        assert_literal(pilot, MARKUP, "\ufffd31m")
        for tab in ("2", "3", "4"):
            await pilot.press(tab)
            await settle(pilot)
            assert_literal(pilot, MARKUP, LINK)
        await pilot.press("v")
        await settle(pilot)
        assert_literal(pilot, MARKUP, "unverifiable")
        await pilot.press("m", "m")
        await settle(pilot)
        assert_literal(pilot)

        await pilot.press("L")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        assert_literal(pilot, ACTION, LINK)

        await pilot.press("ctrl+p", *"open model [bold")
        await settle(pilot)
        assert_literal(pilot, MARKUP)
        await pilot.press("escape")
        await settle(pilot)

        app.open_model(HOSTILE)
        await settle(pilot)
        assert_literal(pilot, "no model named")
        assert app.is_running
