"""Identity: on PostgreSQL the authenticated session user acts, never a claimed name; on SQLite REGTUI_USER."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.config import Locations
from regtui.domain.approvals import Decision
from regtui.domain.entry import Stage
from regtui.domain.policy import load_policy_text
from regtui.errors import RuleError
from regtui.services import audit, promotion
from regtui.services.admin import set_registry_policy
from regtui.services.registry import RegistryService
from tests.factories import run_cli, version_manifest, write_manifest
from tests.pg_server import create_pg_role, grant_all_on_tables
from tests.workflow.conftest import POLICY_YAML, REVIEW_EVIDENCE


def _registry(url: str, folder: Path) -> None:
    """A registry (its creator is admin), alice (contributor, owning team), bob (reviewer), churn 1.0.0 in Staging."""
    admin = RegistryService(Locations(url, folder.with_name("admin-cache.db")))
    admin.init()
    write_manifest(
        folder,
        {
            "kind": "registry",
            "users": [
                {"identity": "alice", "roles": ["contributor"], "teams": ["team-risk"]},
                {"identity": "bob", "roles": ["reviewer"]},
            ],
            "models": [{"name": "churn", "owner": "team-risk"}],
        },
        "registry.yaml",
    )
    version_manifest(folder, "churn", "1.0.0", stage="Staging")
    try:
        admin.import_paths([folder])
        set_registry_policy(admin, load_policy_text(POLICY_YAML, "policy.yaml"))
    finally:
        admin.close()


def _actors(service: RegistryService) -> list[tuple[str, str]]:
    """(kind, actor) of every log entry after the setup, read from the registry."""
    service.sync()
    entries = reversed(audit.audit_entries(service))
    return [(e.kind, e.actor) for e in entries if e.kind not in ("register", "policy")]


def test_on_postgresql_the_session_user_acts_whatever_name_the_client_claims(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Connected as role alice with REGTUI_USER=bob and identity="bob", every write is alice's; bob acts as bob."""
    _registry(pg_url, tmp_path / "manifests")
    alice_url, bob_url = create_pg_role(pg_url, "alice"), create_pg_role(pg_url, "bob")
    for role in ("alice", "bob"):
        grant_all_on_tables(pg_url, role)
    monkeypatch.setenv("REGTUI_USER", "bob")
    claims_bob = RegistryService(Locations(alice_url, tmp_path / "alice.db"), identity="bob")
    bob = RegistryService(Locations(bob_url, tmp_path / "bob.db"), identity="alice")
    try:
        assert claims_bob.identity() == "alice" and bob.identity() == "bob"
        request = promotion.promote(claims_bob, "churn", "1.0.0", Stage.CANARY, evidence=REVIEW_EVIDENCE).request_id
        with pytest.raises(RuleError, match="alice may not approve this request: needs the reviewer role"):
            promotion.decide(claims_bob, request, Decision.APPROVE, "looks fine to me")
        promotion.decide(bob, request, Decision.APPROVE, "read report r1")
        promotion.attest(bob, "churn", "1.0.0", "fairness", "checked the regional gap table")
        result = run_cli(
            capsys, "--registry", alice_url, "--cache", tmp_path / "cli.db", "promote", "churn@1.0.0", "--to", "Canary"
        )
        assert result.code == 0, result.err
        assert _actors(bob) == [
            ("request", "alice"),
            ("evidence", "alice"),
            ("approve", "bob"),
            ("attest", "bob"),
            ("promote", "alice"),
        ]
    finally:
        claims_bob.close()
        bob.close()


def test_on_sqlite_the_claimed_identity_is_advisory(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single-host file registry trusts REGTUI_USER (documented as advisory): the log names the claimed user."""
    monkeypatch.setenv("REGTUI_USER", "admin")
    _registry(sqlite_url, tmp_path / "manifests")
    monkeypatch.setenv("REGTUI_USER", "alice")
    service = RegistryService(Locations(sqlite_url, tmp_path / "alice.db"))
    try:
        assert service.identity() == "alice"
        promotion.promote(service, "churn", "1.0.0", Stage.CANARY, evidence=REVIEW_EVIDENCE)
        assert _actors(service) == [("request", "alice"), ("evidence", "alice")]
    finally:
        service.close()
