"""Provider pins at the gates, on both backends: aliases and unqualified pins stop Canary, retired stops Production.

The provider registry is restored from a `kind: providers` manifest into the seeded workflow registry;
pinned churn versions are imported in Staging or Canary and promoted through the real write path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.domain.entry import Stage
from regtui.domain.gates import GateCheck
from regtui.services import promotion
from tests.factories import version_manifest, write_manifest
from tests.workflow.conftest import ADMIN, MODEL, REVIEW_EVIDENCE, World

PASSING = [
    {
        "check": check,
        "result": "pass",
        "recorded_by": "carol",
        "recorded_at": "2026-01-10T10:00:00Z",
        "evidence": {"kind": "link", "value": f"https://ci.example.com/{check}"},
    }
    for check in ("regression", "safety", "cost-latency", "api-compat")
]
PROVIDERS = {
    "kind": "providers",
    "versions": [
        {"provider": "openai", "version": "gpt-4o-2024-11-20", "checks": PASSING},
        {"provider": "openai", "version": "gpt-4o", "checks": PASSING},
        {"provider": "openai", "version": "gpt-4o-2025-01-01", "checks": PASSING[:3]},
        {
            "provider": "openai",
            "version": "gpt-4o-2024-05-13",
            "checks": PASSING,
            "deprecated": "2019-06-01",
            "retires": "2020-01-01",
        },
        {
            "provider": "openai",
            "version": "gpt-4o-2024-08-06",
            "checks": PASSING,
            "deprecated": "2026-01-01",
            "retires": "2999-01-01",
        },
    ],
}


def _pinned(world: World, tmp_path: Path, version: str, parent: str, kind: str, stage: str, pin: str) -> None:
    """Import the provider registry and one churn version pinning `pin` in the given stage."""
    folder = tmp_path / "pinned"
    write_manifest(folder, PROVIDERS, "providers.yaml")
    version_manifest(
        folder,
        MODEL,
        version,
        parent=parent,
        change_kind=kind,
        stage=stage,
        canary_share=5 if stage == "Canary" else None,
        framework="openai",
        provider={"provider": "openai", "model": "gpt-4o", "version": pin},
    )
    world.service(ADMIN).import_paths([folder])
    promotion.attest(world.service("carol"), MODEL, version, "fairness", "checked the regional gap table")


def _pin_check(checks: tuple[GateCheck, ...]) -> GateCheck:
    """The gate's provider pin check."""
    (check,) = [c for c in checks if c.name == "provider pin"]
    return check


@pytest.mark.parametrize(
    ("pin", "problem"),
    [
        ("gpt-4o", "is an alias, not an exact version and is not qualified"),
        ("gpt-4o-2025-01-01", "is not qualified"),
        ("gpt-4o-2099-12-31", "is not qualified"),
    ],
)
def test_staging_to_canary_refuses_an_alias_or_unqualified_pin(
    pin: str, problem: str, world: World, tmp_path: Path
) -> None:
    """With the human review done, only the provider pin keeps the request pending."""
    _pinned(world, tmp_path, "1.6.0", "1.5.0", "retraining", "Staging", pin)
    request = world.promote("alice", "1.6.0", Stage.CANARY, evidence=REVIEW_EVIDENCE, canary_share=5).request_id
    gate = world.decide("carol", request, comment="read offline evaluation report r1").gate
    assert gate.missing == ["artifacts verified", "provider pin"]
    assert _pin_check(gate.checks).detail == f"openai/gpt-4o@{pin} {problem}"
    assert not world.promote("alice", "1.6.0", Stage.CANARY).applied and world.stage("1.6.0") == "Staging"


def test_staging_to_canary_accepts_an_exact_qualified_pin(world: World, tmp_path: Path) -> None:
    """A qualified exact provider version passes the pin check and the promotion applies."""
    _pinned(world, tmp_path, "1.6.0", "1.5.0", "retraining", "Staging", "gpt-4o-2024-11-20")
    request = world.promote("alice", "1.6.0", Stage.CANARY, evidence=REVIEW_EVIDENCE, canary_share=5).request_id
    world.decide("carol", request, comment="read offline evaluation report r1")
    outcome = world.promote("alice", "1.6.0", Stage.CANARY)
    assert outcome.applied and _pin_check(outcome.gate.checks).passed
    assert world.stage("1.6.0") == "Canary"


@pytest.mark.parametrize(("pin", "applied"), [("gpt-4o-2024-05-13", False), ("gpt-4o-2024-08-06", True)])
def test_canary_to_production_refuses_a_retired_pin(pin: str, applied: bool, world: World, tmp_path: Path) -> None:
    """Past its retirement date a qualified version is refused; deprecated but not yet retired passes."""
    _pinned(world, tmp_path, "1.2.1", "1.2.0", "dependency", "Canary", pin)
    world.production_request("1.2.1")
    outcome = world.promote("dave", "1.2.1", Stage.PRODUCTION)
    assert outcome.applied is applied
    check = _pin_check(outcome.gate.checks)
    if applied:
        assert check.passed and world.stage("1.2.1") == "Production"
    else:
        assert outcome.missing == ["provider pin"]
        assert check.detail == f"openai/gpt-4o@{pin} was retired 2020-01-01T00:00:00Z"
        assert world.stage("1.2.1") == "Canary"
