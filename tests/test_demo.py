"""The demo registry tells one consistent governance story, checked through regtui's own services.

The story is told as of 2026-11-27 12:00 UTC (the services run on that fixed clock): an approval queue,
a past rollback, an overdue rollback drill, and one tampered artifact (see regtui/data/demo/README.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from regtui.config import Locations
from regtui.domain.policy import load_policy_text, policy_document
from regtui.errors import RuleError
from regtui.services import audit, demo, promotion
from regtui.services.registry import RegistryService
from tests.factories import drill_states

FIXTURES = Path(__file__).resolve().parents[1] / "regtui" / "data" / "demo"
TOLD_AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
RELEASER = "heidi"
LIVE_MODELS = [
    "churn-classifier",
    "fraud-detector",
    "search-ranker",
    "demand-forecaster",
    "support-assistant",
    "doc-summarizer",
    "product-embedder",
]
QUEUE = {
    "churn-classifier@2.7.0": {"stakeholder sign-off: team-ml-platform", "second reviewer", "artifacts verified"},
    "product-embedder@2.4.0": {"archival checklist", "artifacts verified"},
    "support-assistant@3.4.0": {
        "canary SLO agent_acceptance_rate >= 0.7",
        "owner approval",
        "second reviewer",
        "stakeholder sign-off: team-ml-platform",
        "stakeholder sign-off: team-assist",
        "artifacts verified",
    },
    "doc-summarizer@3.3.0": {"human review", "fairness attested", "artifacts verified"},
    "demand-forecaster@2.7.0": {"human review", "fairness attested", "artifacts verified"},
    "ticket-router@2.0.0-rc.1": {"threshold latency_p95_ms <= 20"},
}
"""The Canary requests also miss the fairness attestation: the demo's cards name an attester in the manifest, which
the gate does not take for an attestation (a reviewer records one with `regtui attest`)."""


def told_at() -> datetime:
    """The demo's fixed 'now'."""
    return TOLD_AT


@pytest.fixture(scope="module")
def demo_locations(tmp_path_factory: pytest.TempPathFactory) -> Locations:
    """The demo registry, built once for this module by the releaser and admin heidi."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGTUI_USER", RELEASER)
        return demo.build(tmp_path_factory.mktemp("demo") / "demo", clock=told_at)


@pytest.fixture
def service(demo_locations: Locations) -> Iterator[RegistryService]:
    """A service on the demo registry acting as heidi, on the demo's clock."""
    service = RegistryService(demo_locations, clock=told_at, identity=RELEASER)
    yield service
    service.close()


def fixture_yaml(name: str) -> dict:
    """One of the demo's YAML files."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((FIXTURES / name).read_text(encoding="utf-8"), Loader=loader)


def test_the_promotion_log_is_restored_with_its_chain_intact(service: RegistryService) -> None:
    """Every entry of log.yaml is in the registry and the hash chain verifies."""
    count, broken = audit.verify_audit_chain(service)
    assert broken is None
    assert count == len(fixture_yaml("log.yaml")["entries"])


def test_the_approval_queue_holds_the_open_requests_with_what_each_misses(service: RegistryService) -> None:
    """Six open requests, each pending on exactly what the story left missing."""
    views = promotion.open_requests(service)
    assert {v.ref: set(v.gate.missing) for v in views} == QUEUE
    stale = next(v for v in views if v.ref == "demand-forecaster@2.7.0")
    review = next(c for c in stale.gate.checks if c.name == "human review")
    assert "predates the current evidence" in review.detail


def test_a_reviewer_whose_approval_went_stale_is_asked_again(
    service: RegistryService, demo_locations: Locations
) -> None:
    """demand-forecaster 2.7.0's review predates the current evidence, so its reviewer may review it again."""
    stale = next(v for v in promotion.open_requests(service) if v.ref == "demand-forecaster@2.7.0")
    review = next(c for c in stale.gate.checks if c.name == "human review")
    reviewer = review.detail.split("'s approval predates", 1)[0]
    as_reviewer = RegistryService(demo_locations, clock=told_at, identity=reviewer)
    try:
        mine = {v.ref: v.can_approve for v in promotion.open_requests(as_reviewer, mine=True)}
    finally:
        as_reviewer.close()
    assert mine["demand-forecaster@2.7.0"] == "reviewer"


def test_the_queue_shows_what_the_releaser_can_do(service: RegistryService) -> None:
    """heidi (platform team, releaser) can sign off platform stakeholder slots; nothing is ready to apply."""
    views = {v.ref: v for v in promotion.open_requests(service)}
    assert views["churn-classifier@2.7.0"].can_approve == "stakeholder:team-ml-platform"
    assert not any(v.can_apply for v in views.values())


def test_the_log_holds_a_past_rollback(service: RegistryService) -> None:
    """search-ranker 2.0.0 was rolled back to 1.4.0 for INC-2291, and the archive entry says so."""
    entries = audit.audit_entries(service, model="search-ranker", limit=10_000)
    (rollback,) = [e for e in entries if e.kind == "rollback"]
    assert (rollback.version, rollback.details["from_version"]) == ("1.4.0", "2.0.0")
    assert rollback.details["reason"].startswith("INC-2291")
    archived = next(e for e in entries if e.kind == "replaced" and e.position == rollback.position - 1)
    assert archived.version == "2.0.0" and archived.details["rollback"] is True


def test_demand_forecaster_and_the_models_whose_drills_failed_are_overdue(service: RegistryService) -> None:
    """demand-forecaster's drills lapsed; support-assistant's and product-embedder's recent drills failed, and a failed
    drill does not reset the cadence, so their last passed drill is too old; every live model passed one once."""
    drills = drill_states(service, LIVE_MODELS)
    assert [model for model, (_, overdue) in drills.items() if overdue] == [
        "demand-forecaster",
        "support-assistant",
        "product-embedder",
    ]
    assert all(at is not None for at, _ in drills.values())


def test_verify_all_finds_exactly_the_tampered_artifact(service: RegistryService) -> None:
    """`verify --all`: one mismatch, fraud-detector@2.4.0's model file."""
    bad = [(ref, result.name, result.status.value) for ref, result in service.verify(None) if not result.ok]
    assert bad == [("fraud-detector@2.4.0", "model", "mismatch")]


def test_the_last_fraud_drill_failed_on_the_tampered_checksum(service: RegistryService) -> None:
    """The drill after the tampering found it."""
    entries = audit.audit_entries(service, model="fraud-detector", limit=10_000)
    last = next(e for e in entries if e.kind == "drill")
    assert (last.version, last.details["outcome"]) == ("2.4.0", "failed")
    assert last.details["detail"].startswith("checksum rule: fraud-detector@2.4.0")


def test_a_rollback_to_the_tampered_version_is_refused_and_the_next_target_passes(service: RegistryService) -> None:
    """Dry runs: 2.4.0 fails the checksum rule, 2.2.0 would replace the current 2.5.0; nothing is written."""
    before, _ = audit.verify_audit_chain(service)
    with pytest.raises(RuleError, match=r"^checksum rule: fraud-detector@2\.4\.0 .*model: mismatch"):
        promotion.rollback(service, "fraud-detector", "2.4.0", "INC-3001: drill follow-up", dry_run=True)
    outcome = promotion.rollback(service, "fraud-detector", "2.2.0", "INC-3001: drill follow-up", dry_run=True)
    assert (outcome.from_version, outcome.to_version, outcome.verified) == ("2.5.0", "2.2.0", ("model", "config"))
    assert audit.verify_audit_chain(service) == (before, None)


def test_the_demo_round_trips_through_export_and_import(service: RegistryService, tmp_path: Path) -> None:
    """Export, import into a fresh registry, export again: byte-identical; the log and requests are the fixtures'."""
    first, second = tmp_path / "export-1", tmp_path / "export-2"
    files = service.export(first)
    fresh = Locations(registry_url=f"sqlite:///{tmp_path / 'copy.db'}", cache_path=tmp_path / "copy-cache.db")
    copy = RegistryService(fresh, clock=told_at, identity=RELEASER)
    try:
        copy.init()
        copy.import_paths([first])
        assert copy.export(second) == files
    finally:
        copy.close()
    written = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert written == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / p).read_bytes() == (second / p).read_bytes() for p in written)
    for name in ("log.yaml", "requests.yaml"):
        assert (first / name).read_bytes() == (FIXTURES / name).read_bytes(), name
    policy = load_policy_text((FIXTURES / "policy.yaml").read_text(encoding="utf-8"), "policy.yaml")
    assert yaml.safe_load((first / "policy.yaml").read_text(encoding="utf-8")) == policy_document(policy)
