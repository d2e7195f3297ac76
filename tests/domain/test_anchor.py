"""Anchors of the promotion log and the stages it implies (pure rules)."""

from __future__ import annotations

import pytest

from regtui.domain.anchor import (
    STAGE_SETTING_KINDS,
    LogAnchor,
    LoggedMove,
    anchor_break,
    implied_stages,
    parse_anchor,
    stage_differences,
)
from regtui.errors import InputError

DIGEST = "ab" * 32


def test_parse_anchor_reads_what_text_writes_and_refuses_the_rest() -> None:
    """'POS:HASH' round-trips (upper case accepted); malformed records are input errors."""
    anchor = LogAnchor(42, DIGEST)
    assert parse_anchor(anchor.text()) == anchor
    assert parse_anchor(f" 42:{DIGEST.upper()} ") == anchor
    for bad in ("42", f"0:{DIGEST}", f"-1:{DIGEST}", "42:abc", f"x:{DIGEST}", f"42:{DIGEST}0"):
        with pytest.raises(InputError, match="expected POS:HASH"):
            parse_anchor(bad)


def test_anchor_break_names_a_cut_and_a_rewrite() -> None:
    """No entry at the position: removed; another hash: rewritten; the same hash: none."""
    anchor = LogAnchor(9, DIGEST)
    assert anchor_break(anchor, DIGEST, 12, "this cache") is None
    assert anchor_break(anchor, None, 7, "this cache") == (
        "the registry's promotion log ends at entry 7, but this cache saw entry 9 (hash abababababab): "
        "entries were removed"
    )
    assert anchor_break(anchor, "cd" * 32, 9, "the expected record") == (
        "the registry's promotion log entry 9 has hash cdcdcdcdcdcd, but the expected record saw abababababab: "
        "the log was rewritten"
    )


def test_stage_differences_name_each_version() -> None:
    """The last move of each version wins; a changed stage, an unlogged version and a lost version are named."""
    moves = [
        LoggedMove(1, "m", "1.0.0", "Development"),
        LoggedMove(2, "m", "1.0.0", "Staging"),
        LoggedMove(3, "m", "2.0.0", "Development"),
        LoggedMove(4, "m", "3.0.0", "Development"),
    ]
    current = [("m", "1.0.0", "Production"), ("m", "2.0.0", "Development"), ("m", "9.0.0", "Staging")]
    assert stage_differences(implied_stages(moves), current) == [
        "m@1.0.0 is in Production, but the log leaves it in Staging (entry 2)",
        "m@9.0.0 is in Staging, but the log never records it entering a stage",
        "m@3.0.0 is in the log (Development, entry 4) but not in the registry",
    ]


def test_only_moves_set_stages() -> None:
    """Registrations and applied moves set stages; requests, evidence and decisions name a move they do not make."""
    assert {"register", "promote", "replaced", "abandon", "canary-failed", "rollback"} <= STAGE_SETTING_KINDS
    assert not {"request", "evidence", "approve", "reject", "drill", "policy"} & STAGE_SETTING_KINDS
