"""The Python API: the training-pipeline example of docs/python-api.md, run as written; typed errors; reads that
must reach the registry."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

import regtui
from regtui.domain.checksums import file_uri_to_path
from regtui.errors import CheckFailedError, InputError, NotFoundError, RegistryUnavailableError
from tests.factories import ServiceFactory, build_fixture_registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"
POLICY = "kind: policy\ndefault:\n  thresholds:\n    - {metric: auc, min: 0.8}\n"


def example() -> str:
    """The python block of the document's training-pipeline section."""
    section = DOC.read_text(encoding="utf-8").split("## A training pipeline", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


@pytest.fixture
def workspace(make_service: ServiceFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CI workspace: registry.db holding the fixture registry and a policy, and train/model.bin, the weights
    the example registers."""
    monkeypatch.chdir(tmp_path)
    service = make_service(f"sqlite:///{tmp_path / 'registry.db'}")
    service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    service.import_paths([tmp_path / "policy.yaml"])
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "model.bin").write_bytes(b"weights of churn 2.1.0")
    return tmp_path


def test_the_documented_pipeline_runs(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The example registers 2.1.0, diffs it against Production 1.1.0, stages it, and resolves Production."""
    exec(compile(example(), str(DOC), "exec"), {})  # noqa: S102 - the document's example, run as written
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2.1.0 vs 1.1.0: ")
    assert out[1] == "staged"
    assert out[2].startswith("1.1.0 ") and "model.bin" in out[2]
    deployed = sorted((workspace / "deploy").iterdir())
    with regtui.connect("sqlite:///registry.db", cache="cache.db") as registry:
        production = registry.resolve("churn@Production")
        registered = registry.resolve("churn@2.1.0")
    assert [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in deployed] == [
        (a["name"], a["sha256"]) for a in production.artifacts
    ]
    assert registered.artifacts[0]["sha256"] == hashlib.sha256(b"weights of churn 2.1.0").hexdigest()
    with regtui.connect("sqlite:///registry.db", cache="cache.db") as registry:
        staged = registry.versions("churn", stage="staging")
        assert "2.1.0" in [v.version for v in staged]
        assert registry.resolve("churn@2.1.0").stage == "Staging"
        assert registry.last_read is not None and registry.last_read.fresh


def test_refusals_are_typed_errors(workspace: Path) -> None:
    """An unknown version, a bad stage name, an unreachable registry under fresh=True: regtui's typed errors."""
    with regtui.connect("sqlite:///registry.db", cache="cache.db") as registry:
        with pytest.raises(NotFoundError, match="churn has no version 9.9.9"):
            registry.resolve("churn@9.9.9")
        with pytest.raises(InputError, match="unknown stage 'live'"):
            registry.versions("churn", stage="live")
    with regtui.connect(f"sqlite:///{workspace / 'gone' / 'registry.db'}", cache="cache2.db", fresh=True) as gone:
        with pytest.raises(RegistryUnavailableError):
            gone.resolve("churn@Production")


def test_register_from_fields_refuses_a_stated_digest_that_does_not_match(workspace: Path) -> None:
    """A digest stated beside the artifact must be the one regtui reads; a mismatch writes nothing."""
    with regtui.connect("sqlite:///registry.db", cache="cache.db") as registry:
        with pytest.raises(InputError, match="model.bin"):
            registry.register(
                model="churn",
                version="2.2.0",
                parent="2.0.0",
                change_kind="retraining",
                framework="xgboost",
                owner="team-risk",
                training_data="customers@2026-12",
                artifacts=[{"name": "model.bin", "uri": "train/model.bin", "sha256": "0" * 64}],
            )
        with pytest.raises(InputError, match="not both"):
            registry.register("build/manifest.yaml", model="churn")
        assert "2.2.0" not in [v.version for v in registry.versions("churn")]


def test_pull_of_tampered_bytes_raises_and_writes_nothing(workspace: Path) -> None:
    """Production's artifact changed on disk: pull raises CheckFailedError and leaves no deploy folder."""
    with regtui.connect("sqlite:///registry.db", cache="cache.db") as registry:
        artifact = registry.resolve("churn@Production").artifacts[0]
        file_uri_to_path(artifact["uri"]).write_bytes(b"tampered")
        with pytest.raises(CheckFailedError):
            registry.pull("churn@Production", "deploy")
    assert not (workspace / "deploy").exists()


def test_verify_names_a_version_by_number_or_stage(workspace: Path) -> None:
    """verify re-hashes the version named (by number or stage) and says, per artifact, whether it still matches."""
    with regtui.connect("sqlite:///registry.db", cache="cache.db") as registry:
        assert [r.ok for r in registry.verify("churn@Production")] == [True]
        assert [r.name for r in registry.verify("churn@1.1.0")] == ["model.bin"]
        artifact = registry.resolve("churn@Production").artifacts[0]
        file_uri_to_path(artifact["uri"]).write_bytes(b"tampered")
        (result,) = registry.verify("churn@production")
        assert (result.ok, result.status) == (False, "mismatch")
        with pytest.raises(NotFoundError):
            registry.verify("churn@9.9.9")
