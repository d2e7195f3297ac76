"""Hostile stored text renders literally in the workflow screens: diff, approvals (queue, checklist, comment
modal), promote, rollback. The rows are written straight into the cache, as in test_hostile_text."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from regtui.config import Locations
from regtui.domain.entry import Stage
from regtui.tui.screens.approvals import ApprovalsScreen
from regtui.tui.screens.diff import DiffScreen
from regtui.tui.screens.promote import PromoteScreen
from regtui.tui.screens.rollback import RollbackScreen
from tests.tui.conftest import AppFactory
from tests.tui.driving import settle
from tests.tui.test_hostile_text import (
    ACTION,
    HOSTILE,
    LINK,
    MARKUP,
    NAME,
    VERSION,
    assert_literal,
    poison,
)

pytestmark = pytest.mark.anyio


def poison_workflow(locations: Locations) -> None:
    """The hostile model (see poison) gets a clean earlier version to diff against, and an open request with
    a hostile requester, reason, evidence and a (stale) approval by a hostile identity with a hostile comment."""
    poison(locations)
    with sqlite3.connect(locations.cache_path) as db:
        row = db.execute("SELECT * FROM model_version WHERE model = 'churn-classifier' AND version = '2.5.0'")
        columns = [c[0] for c in row.description]
        version: dict[str, Any] = dict(zip(columns, row.fetchone()))
        version.update(id=None, model=NAME, version="1.0.0", stage="Archived")
        db.execute(
            f"INSERT INTO model_version ({', '.join(version)}) VALUES ({', '.join('?' * len(version))})",
            list(version.values()),
        )
        cursor = db.execute(
            "INSERT INTO promotion_request (model, version, from_stage, to_stage, status, requested_by, requested_at,"
            " reason, evidence, change_seq)"
            " VALUES (?, ?, 'Staging', 'Canary', 'open', ?, '2026-05-30 10:00:00', ?, ?, 1)",
            (NAME, VERSION, ACTION, HOSTILE, json.dumps({"review": HOSTILE})),
        )
        db.execute(
            "INSERT INTO approval (request_id, identity, decision, capacity, comment, at, artifact_digest,"
            " evidence_digest, change_seq) VALUES (?, ?, 'approve', 'reviewer', ?, '2026-05-30 11:00:00', ?, ?, 1)",
            (cursor.lastrowid, ACTION, HOSTILE, "0" * 64, "0" * 64),
        )


async def test_workflow_screens_render_hostile_text_literally(demo_locations: Locations, make_app: AppFactory) -> None:
    """Every workflow screen shows the hostile strings as typed, with no escape sequence, link or action."""
    poison_workflow(demo_locations)
    app = make_app(demo_locations)
    async with app.run_test(size=(220, 50), notifications=True) as pilot:
        await settle(pilot)
        app.push_screen(DiffScreen(NAME, VERSION, baseline="1.0.0"))
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen) and app.screen.view is not None
        assert_literal(pilot, MARKUP, "\ufffd31m")
        await pilot.press("G")
        await settle(pilot)
        assert_literal(pilot, LINK)
        await pilot.press("b")
        await settle(pilot)
        assert_literal(pilot, MARKUP)
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("A", "m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        await pilot.press("G")
        await settle(pilot)
        assert_literal(pilot, MARKUP, ACTION)
        await pilot.press("x")
        await settle(pilot)
        assert_literal(pilot, MARKUP)
        await pilot.press("escape", "escape")
        await settle(pilot)

        app.push_screen(PromoteScreen(NAME, VERSION, Stage.PRODUCTION))
        await settle(pilot)
        assert_literal(pilot, MARKUP, "Gate Production → Archived")  # the retirement gate
        await pilot.press("escape")
        await settle(pilot)

        app.push_screen(RollbackScreen(NAME))
        await settle(pilot)
        assert_literal(pilot, MARKUP, "serves in Production now")
        assert app.is_running
