"""The reads a pipeline makes: resolve, show MODEL@STAGE, versions --stage, diff, and what every --json read says
about its freshness (registry, synced_at, stale), on both backends."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from regtui.urls import redact
from tests.factories import CliResult, ServiceFactory, build_fixture_registry, run_cli

Cli = Callable[..., CliResult]


@pytest.fixture
def filled(cli: Cli, tmp_path: Path) -> Path:
    """The fixture registry (churn@1.1.0 in Production, 1.1.1 in Canary at 12.5%, 2.0.0 in Development)."""
    folder = build_fixture_registry(tmp_path / "fixtures")
    assert cli("init").code == 0 and cli("import", folder).code == 0
    return folder


def test_resolve_a_stage_gives_the_version_its_digests_and_artifacts(cli: Cli, filled: Path, registry_url: str) -> None:
    """`resolve churn@Production --json`: the version, its stage, content hash, artifact digest and artifacts, and
    the freshness fields; a version number resolves to itself."""
    resolved = cli("resolve", "churn@Production", "--json")
    assert resolved.code == 0 and resolved.err == ""
    found = resolved.json()
    assert (found["model"], found["version"], found["stage"]) == ("churn", "1.1.0", "Production")
    assert len(found["content_hash"]) == 64 and len(found["artifact_digest"]) == 64
    artifact = found["artifacts"][0]
    path = Path(artifact["uri"].removeprefix("file://"))
    assert artifact["name"] == "model.bin" and artifact["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (found["registry"], found["stale"]) == (redact(registry_url), False) and found["synced_at"].endswith("Z")
    by_number = cli("resolve", "churn@1.1.0", "--json").json()
    assert {k: v for k, v in by_number.items() if k != "synced_at"} == {
        k: v for k, v in found.items() if k != "synced_at"
    }
    canary = cli("resolve", "churn@canary")
    assert canary.code == 0 and canary.out.startswith("churn@1.1.1  Canary 12.5%")


def test_resolve_refuses_an_empty_stage_and_unknown_names(cli: Cli, filled: Path) -> None:
    """A stage without a version, an unknown model or version: one line, exit 2."""
    for ref, message in (
        ("support-bot@Canary", "support-bot has no version in Canary"),
        ("ghost@Production", "no model named 'ghost'"),
        ("churn@9.9.9", "churn has no version 9.9.9"),
        ("churn", "expected MODEL@VERSION or MODEL@STAGE"),
    ):
        result = cli("resolve", ref)
        assert result.code == 2 and result.out == "" and message in result.err and len(result.err_lines) == 1


def test_show_takes_a_stage(cli: Cli, filled: Path) -> None:
    """`show churn@Production` is `show churn@1.1.0`."""
    by_stage = cli("show", "churn@Production", "--json").json()
    by_number = cli("show", "churn@1.1.0", "--json").json()
    assert by_stage["version"] == "1.1.0" and by_stage["content_hash"] == by_number["content_hash"]


def test_versions_of_one_stage(cli: Cli, filled: Path) -> None:
    """`versions churn --stage canary` lists only the Canary version; a bad stage is a usage error."""
    listed = cli("versions", "churn", "--stage", "canary", "--json").json()
    assert [(v["version"], v["stage"]) for v in listed["versions"]] == [("1.1.1", "Canary")]
    assert [line.split()[0] for line in cli("versions", "churn", "--stage", "Archived").out.splitlines()[1:]] == [
        "1.0.0"
    ]
    bad = cli("versions", "churn", "--stage", "live")
    assert bad.code == 2 and "unknown stage 'live'" in bad.err


def test_every_json_read_carries_its_freshness(cli: Cli, filled: Path, registry_url: str) -> None:
    """models, versions, show, resolve, diff and audit: registry, synced_at and stale at the top level."""
    for args in (
        ("models",),
        ("versions", "churn"),
        ("show", "churn@1.1.0"),
        ("resolve", "churn@Production"),
        ("diff", "churn", "2.0.0"),
        ("audit",),
    ):
        answer = cli(*args, "--json")
        assert answer.code == 0, args
        document = answer.json()
        assert document["registry"] == redact(registry_url) and document["stale"] is False, args
        assert document["synced_at"], args


def test_diff_against_production_by_default(cli: Cli, filled: Path) -> None:
    """`diff churn 2.0.0`: baseline the current Production version; rows per scope with deltas and the gate's
    thresholds; the verdict is in the output and the exit status is 0 either way."""
    shown = cli("diff", "churn", "2.0.0", "--json")
    assert shown.code == 0
    document = shown.json()
    assert (document["candidate"], document["baseline"]) == ("2.0.0", "1.1.0")
    scopes = {(row["scope"], row["metric"]) for row in document["diff"]["metrics"]}
    assert {("overall", "auc"), ("region=EU", "auc")} <= scopes
    verdict = document["verdict"]
    assert set(verdict) == {"better", "worse", "same", "thresholds", "threshold_failures", "gates_pass"}
    explicit = cli("diff", "churn", "Development", "Canary", "--json").json()
    assert (explicit["candidate"], explicit["baseline"]) == ("2.0.0", "1.1.1")
    text = cli("diff", "churn", "2.0.0")
    assert text.code == 0 and text.out.startswith("B 2.0.0 against A 1.1.0: ")


def test_diff_reports_a_failing_gate_threshold_and_exits_0(cli: Cli, filled: Path, tmp_path: Path) -> None:
    """A policy threshold the candidate misses: `FAIL` on its row, `gates_pass` false, exit 0."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("kind: policy\ndefault:\n  thresholds:\n    - {metric: auc, min: 0.95}\n", encoding="utf-8")
    assert cli("policy", "set", policy).code == 0
    document = cli("diff", "churn", "2.0.0", "--json").json()
    assert document["verdict"]["gates_pass"] is False and document["verdict"]["threshold_failures"] >= 1
    failing = [row for row in document["diff"]["metrics"] if row["passes_threshold"] is False]
    assert failing and failing[0]["metric"] == "auc"
    text = cli("diff", "churn", "2.0.0")
    assert text.code == 0 and "gate threshold(s) FAIL" in text.out and "FAIL >=0.95" in text.out


def test_a_cache_of_another_registry_is_an_error(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cache synced from one registry, read for another that cannot be reached: exit 2, one line naming both."""
    make_service(sqlite_url).import_paths([build_fixture_registry(tmp_path / "fixtures")])
    cache = tmp_path / "shared-cache.db"
    assert run_cli(capsys, "--registry", sqlite_url, "--cache", cache, "sync").code == 0
    elsewhere = f"sqlite:///{tmp_path / 'unmounted' / 'registry.db'}"
    result = run_cli(capsys, "--registry", elsewhere, "--cache", cache, "resolve", "churn@Production", "--json")
    assert result.code == 2 and result.out == "" and len(result.err_lines) == 1
    assert redact(sqlite_url) in result.err and elsewhere in result.err
