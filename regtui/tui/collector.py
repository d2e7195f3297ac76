"""The dashboard's garbage-collector settings: start-up objects frozen, young passes rarer and run when it is quiet.

An open of a 500-version model allocates ~30k objects that mostly die with the next open. Python's defaults
(a young pass every 700 allocations) ran ~25 passes an open, and their survivors fed a full pass every
few opens; walking the ~120k objects start-up leaves made each full pass slower still."""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 50_000
"""Allocations between the collector's own young-generation passes (Python's default: 700). At 50,000 an open runs
about one, so far fewer survivors reach the older generations."""
QUIET_TICK_S = 0.25
"""How often QuietCollector looks at the young generation."""
QUIET_ALLOCATIONS = 500
"""Fewer new objects than this since the last look: nothing is going on (timers and the header allocate a few)."""
QUIET_COLLECTION_AT = 10_000
"""A quiet moment collects the young generation once it holds this many objects, so the next open or
keystroke starts far below YOUNG_COLLECTION_EVERY and its own allocations do not reach a pass."""


def tune_collector() -> None:
    """Once per process, after start-up: leave the objects alive then (modules, the ORM's metadata, stylesheets, the
    screens built ahead) out of the collector's passes, as they live as long as the app (walking them made each full
    pass slow), and collect the young generation less often (YOUNG_COLLECTION_EVERY)."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        _, middle, old = gc.get_threshold()
        gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)


class QuietCollector:
    """Runs the young-generation pass while the app is quiet, instead of inside the next open or keystroke.

    Quiet means few allocations since the last look (every QUIET_TICK_S): no key being handled, no read running,
    no frame being painted. A pass then costs the operator nothing; one inside an open delayed it."""

    def __init__(self) -> None:
        self._young = gc.get_count()[0]

    def tick(self) -> None:
        """Collect the young generation when it is large and nothing allocated since the last tick."""
        young = gc.get_count()[0]
        if young - self._young < QUIET_ALLOCATIONS and young >= QUIET_COLLECTION_AT:
            gc.collect(0)
            young = gc.get_count()[0]
        self._young = young
