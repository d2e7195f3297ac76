"""Snapshots of the workflow screens: diff (and its version picker), approvals, promote, rollback and its
typed confirmation; each from the demo fixtures at the fixed time, at 80x24 and 120x40."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from regtui.config import Locations
from tests.tui.conftest import AppFactory
from tests.tui.snapshots.conftest import SIZES, after


def open_model(name: str, version: str | None = None) -> Any:
    """A step that opens a model screen."""

    def step(pilot: Pilot[Any]) -> None:
        """Open it as the palette would."""
        pilot.app.open_model(name, version)

    return step


@SIZES
def test_diff(snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]) -> None:
    """churn-classifier: 'd' on the Canary 2.7.0 compares it with Production 2.6.0: metrics overall and per
    segment with both deltas, better/WORSE in words, each gate threshold's pass/FAIL; below, the field changes."""
    steps = after(open_model("churn-classifier", "2.7.0"), "d")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@SIZES
def test_diff_version_picker(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """The same diff, 'b': the windowed version list (newest first, stage badges) to pick the baseline from, the
    cursor on the baseline it names (Production 2.6.0)."""
    steps = after(open_model("churn-classifier", "2.7.0"), "d", "b")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@SIZES
def test_approvals(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """'A' as alice: the requests she can act on; the first one's gate checklist (passed, MISSING, on apply)."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after("A"))


@SIZES
def test_approvals_all(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """'m': every open request; the cursor on alice's own churn-classifier request (nothing for her to sign)."""
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=after("A", "m", "G"))


@SIZES
def test_promote(snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]) -> None:
    """'p' on fraud-detector 2.6.0 (Canary): the allowed targets, the Production fields (evidence, canary SLO
    results, the outgoing version's archival checklist) and the gate as it stands before submitting."""
    steps = after(open_model("fraud-detector", "2.6.0"), "p")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@pytest.fixture
def _releaser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Act as heidi (releaser) for rollbacks."""
    monkeypatch.setenv("REGTUI_USER", "heidi")


@SIZES
@pytest.mark.usefixtures("_releaser")
def test_rollback_refused_checksum(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """'R' on fraud-detector from the registry, then enter on 2.4.0: the history with retention windows, the
    live verification at 100%, the tampered model artifact as MISMATCH and the refusal naming the rule."""
    steps = after("slash", *"fraud", "enter", "R", "j", "enter")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)


@SIZES
@pytest.mark.usefixtures("_releaser")
def test_rollback_confirmation(
    snap_compare: Any, snapshot_locations: Locations, make_app: AppFactory, size: tuple[int, int]
) -> None:
    """enter on 2.2.0: checksums verified, then the typed confirmation (focus on Cancel, Roll back disabled)."""
    steps = after("slash", *"fraud", "enter", "R", "j", "j", "enter")
    assert snap_compare(make_app(snapshot_locations), terminal_size=size, run_before=steps)
