"""The young generation is collected in quiet moments, not inside the next open or keystroke."""

from __future__ import annotations

import pytest

from regtui.tui import collector
from regtui.tui.collector import QUIET_ALLOCATIONS, QUIET_COLLECTION_AT, QuietCollector


class FakeCollector:
    """gc's young-generation count, set by the test, and the passes asked for."""

    def __init__(self, young: int) -> None:
        self.young = young
        self.passes: list[int] = []

    def get_count(self) -> tuple[int, int, int]:
        """The counts, young generation first."""
        return (self.young, 0, 0)

    def collect(self, generation: int) -> int:
        """A pass empties the young generation."""
        self.passes.append(generation)
        self.young = 0
        return 0


@pytest.fixture
def fake_gc(monkeypatch: pytest.MonkeyPatch) -> FakeCollector:
    """The collector module's gc, replaced by a fake starting with an empty young generation."""
    fake = FakeCollector(0)
    monkeypatch.setattr(collector, "gc", fake)
    return fake


def test_a_quiet_moment_collects_a_large_young_generation(fake_gc: FakeCollector) -> None:
    """Busy ticks (many new objects) never collect; the first quiet one with a large young generation does, once."""
    quiet = QuietCollector()
    fake_gc.young = QUIET_COLLECTION_AT * 2
    quiet.tick()
    assert fake_gc.passes == [], "an open or a keystroke still allocating"
    fake_gc.young += QUIET_ALLOCATIONS - 1
    quiet.tick()
    assert fake_gc.passes == [0] and fake_gc.young == 0
    quiet.tick()
    assert fake_gc.passes == [0]


def test_a_small_young_generation_is_left_alone(fake_gc: FakeCollector) -> None:
    """Quiet, but below QUIET_COLLECTION_AT: no pass (it would cost more than it saves)."""
    quiet = QuietCollector()
    fake_gc.young = QUIET_COLLECTION_AT - 1
    quiet.tick()
    quiet.tick()
    assert fake_gc.passes == []
    fake_gc.young = QUIET_COLLECTION_AT
    quiet.tick()
    assert fake_gc.passes == [0]
