"""Artifacts are hashed at once only where that is faster: remote reads, or enough local bytes."""

from __future__ import annotations

from regtui.domain.entry import Artifact
from regtui.services.artifact_io import AT_ONCE_MIN_BYTES, each_at_once, worth_threads

DIGEST = "0" * 64


def test_small_local_artifacts_go_one_after_the_other_remote_or_large_ones_at_once() -> None:
    """Two small files: one thread; a large total, an object store or an http artifact: several."""
    small = [Artifact("a", "file:///m/a.bin", DIGEST, 1024), Artifact("b", "file:///m/b.bin", DIGEST, 2048)]
    large = [*small, Artifact("c", "file:///m/c.bin", DIGEST, AT_ONCE_MIN_BYTES)]
    assert not worth_threads(small) and worth_threads(large)
    assert worth_threads([*small, Artifact("s", "s3://bucket/s.bin", DIGEST, 1)])
    assert worth_threads([Artifact("h", "https://models.example.com/h.bin", DIGEST, 1)])


def test_each_at_once_keeps_the_order_either_way() -> None:
    """Results come back in the items' order, in threads or not, and the count reaches the total."""
    counts: list[tuple[int, int]] = []
    for at_once in (True, False):
        assert each_at_once(
            [3, 1, 2], lambda n: n * 10, lambda done, of: counts.append((done, of)), at_once=at_once
        ) == [
            30,
            10,
            20,
        ]
    assert (3, 3) in counts
