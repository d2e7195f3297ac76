"""The model screen's verification progress: artifacts done and bytes hashed, passed on at most every interval."""

from __future__ import annotations

import pytest

from regtui.tui.screens import model
from regtui.tui.screens.model import MIB, VerifyMeter


def test_the_meter_passes_on_artifacts_done_and_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts and bytes from the hashing threads become one line; nothing is passed on within the interval."""
    shown: list[str] = []
    meter = VerifyMeter(shown.append)
    meter.count(0, 2)
    meter.add(MIB)
    assert shown == []
    monkeypatch.setattr(model, "PROGRESS_EVERY_S", 0.0)
    meter.count(1, 2)
    meter.add(2 * MIB)
    assert shown == ["1 of 2 artifact(s) done, 3 MiB"]
