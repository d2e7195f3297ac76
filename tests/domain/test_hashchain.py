"""The promotion log's canonical serialization: its bytes (and so every stored hash) never change."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from regtui.domain.entry import canonical_json
from regtui.domain.hashchain import LogEntry

DETAILS = {
    "request": 3,
    "gate": {"passed": True, "checks": [{"name": "owner approval", "passed": True}]},
    "approvers": [{"identity": "ann", "at": "2026-03-04T05:00:00Z"}],
    "canary_share": None,
    "evidence": {"canary_results": {"error_rate": 0.004}, "archival_checklist": ["traffic drained"]},
    "note": "naïve → ok",
}
ENTRY = LogEntry(
    position=7,
    kind="promote",
    actor="zoë",
    at=datetime(2026, 3, 4, 5, 6, 7, 8, tzinfo=UTC),
    model="churn",
    version="2.1.0",
    from_stage="Canary",
    to_stage="Production",
    details=DETAILS,
    prev_hash="a" * 64,
)


def test_a_log_entry_hashes_to_the_digest_registries_already_store() -> None:
    """A fixed entry's SHA-256, as every earlier release computed it (the chain of existing registries verifies)."""
    assert ENTRY.digest() == "86e03a2625ba176e63c503b59c1fa0eaad6f21c2dcb4c78acf366c50dd003c77"


def test_canonical_json_is_sorted_compact_unescaped_json() -> None:
    """The same text as json.dumps with sorted keys, no whitespace, non-ASCII kept and str() for other values."""
    value = {"b": [1, 2.5, None, True], "a": {"z": "é", "y": datetime(2026, 1, 1, tzinfo=UTC)}}
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    assert canonical_json(value) == expected
    assert canonical_json(value) == '{"a":{"y":"2026-01-01 00:00:00+00:00","z":"é"},"b":[1,2.5,null,true]}'
