"""What each racing process of test_concurrency_workflow does (imported in spawned workers: no pytest here)."""

from __future__ import annotations

from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path

from regtui.config import Locations
from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.errors import RegtuiError
from regtui.services import promotion
from regtui.services.registry import RegistryService

MODEL = "churn"
START_TIMEOUT_S = 120.0
_start: Barrier | None = None


@dataclass(frozen=True)
class Racer:
    """One racing write: who (identity and the URL they connect with), what, and on which version or request."""

    action: str  # "apply" (Canary -> Production), "approve", "rollback"
    url: str
    identity: str
    cache: str
    target: str  # a version, or a request id for "approve"


def init_worker(start: Barrier) -> None:
    """Pool initializer: keep the start line every racer waits at."""
    global _start
    _start = start


def run(racer: Racer) -> tuple[str, str]:
    """Connect, wait at the start line with the others, then write once; returns (outcome, detail)."""
    assert _start is not None
    service = RegistryService(Locations(racer.url, Path(racer.cache)), identity=racer.identity)
    try:
        service.identity()  # connect and check the schema before the start
        _start.wait(timeout=START_TIMEOUT_S)
        try:
            return "done", _act(service, racer)
        except RegtuiError as exc:
            return type(exc).__name__, exc.message
    finally:
        service.close()


def _act(service: RegistryService, racer: Racer) -> str:
    """The write itself; returns what it did."""
    if racer.action == "apply":
        outcome = promotion.promote(service, MODEL, racer.target, Stage.PRODUCTION, expected_stage=Stage.CANARY)
        return "applied" if outcome.applied else "pending: " + ", ".join(outcome.missing)
    if racer.action == "approve":
        return promotion.decide(service, int(racer.target), Decision.APPROVE, "checked the canary results").capacity
    if racer.action == "rollback":
        return "rolled back from " + str(promotion.rollback(service, MODEL, racer.target, "INC-race").from_version)
    raise ValueError(f"unknown racer action {racer.action!r}")
