"""Helpers for the workflow screens' tests: notifications as sent, the screen as words, the log as written."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.pilot import Pilot

from regtui.config import Locations
from regtui.services import audit, promotion
from regtui.services.registry import RegistryService
from regtui.services.views import EventLine
from regtui.tui.widgets.window_table import WindowTable
from tests.tui.conftest import fixed_clock, screen_text
from tests.tui.driving import settle, until


def record_notes(app: App[Any]) -> list[str]:
    """Keep every notification as 'title: message' (toasts wrap and expire; tests read them later)."""
    notes: list[str] = []
    notify = app.notify

    def recording(message: str, *, title: str = "", **options: Any) -> None:
        """Record, then notify as usual."""
        notes.append(f"{title}: {message}")
        notify(message, title=title, **options)

    app.notify = recording  # type: ignore[method-assign]
    return notes


def flat(pilot: Pilot[Any]) -> str:
    """The screen's text with runs of spaces collapsed, so column widths do not matter."""
    return " ".join(screen_text(pilot).split())


def logged_models(pilot: Pilot[Any]) -> list[str | None]:
    """The model of each of the first rows the audit screen's log shows (None for a row not read yet)."""
    table = pilot.app.screen.query_one("#events", WindowTable)
    return [row.model if row is not None else None for row in map(table.row_at, range(min(table.total or 0, 20)))]


def log_of(locations: Locations, model: str) -> list[tuple[str, str, str]]:
    """(kind, actor, version) of a model's promotion log, newest first, as the registry has it."""
    service = RegistryService(locations, clock=fixed_clock)
    try:
        service.refresh()
        return [(row.kind, row.actor, row.version or "") for row in audit.audit_entries(service, model=model)]
    finally:
        service.close()


async def cursor_to_rollback(pilot: Pilot[Any]) -> int:
    """Filter the log to frank's search-ranker entries and move down to the rollback; its row index."""
    table = pilot.app.screen.query_one("#events", WindowTable)
    await pilot.press("slash", *"search", "enter", "at", *"frank", "enter")
    await until(pilot, lambda: (row := table.row_at(0)) is not None and row.actor == "frank", "the filtered log")
    await settle(pilot)
    for _ in range(40):
        line = table.cursor_value
        if isinstance(line, EventLine) and line.kind == "rollback":
            return table.cursor_row
        await pilot.press("down")
        await until(pilot, lambda: table.cursor_value is not None, "the row under the cursor")
    raise AssertionError("no rollback among frank's search-ranker entries")


def attest_fairness(locations: Locations, ref: str, reviewer: str = "carol") -> None:
    """Record a reviewer's fairness attestation of MODEL@VERSION in a demo copy (its story records none)."""
    model, _, version = ref.partition("@")
    service = RegistryService(locations, clock=fixed_clock, identity=reviewer)
    try:
        promotion.attest(service, model, version, "fairness", "checked the fairness section against the evaluation")
    finally:
        service.close()
