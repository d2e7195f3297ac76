"""The Python API: the training-pipeline example of docs/python-api.md, run as written; typed errors; reads that
must reach the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import regtui
from regtui.errors import InputError, NotFoundError, RegistryUnavailableError
from tests.factories import ServiceFactory, build_fixture_registry, version_manifest

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
    """A CI workspace: registry.db holding the fixture registry and a policy, and build/manifest.yaml of churn
    2.1.0 with its provenance, as the example expects."""
    monkeypatch.chdir(tmp_path)
    service = make_service(f"sqlite:///{tmp_path / 'registry.db'}")
    service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    service.import_paths([tmp_path / "policy.yaml"])
    built = version_manifest(
        tmp_path / "train",
        "churn",
        "2.1.0",
        parent="2.0.0",
        change_kind="retraining",
        source={"run_id": "run-42", "git_commit": "0badc0de", "lock_sha256": "ab" * 32, "builder": "ci"},
    )
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "manifest.yaml").write_text(
        built.read_text(encoding="utf-8").replace("uri: model.bin", f"uri: {built.parent / 'model.bin'}"),
        encoding="utf-8",
    )
    return tmp_path


def test_the_documented_pipeline_runs(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The example registers 2.1.0, diffs it against Production 1.1.0, stages it, and resolves Production."""
    exec(compile(example(), str(DOC), "exec"), {})  # noqa: S102 - the document's example, run as written
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2.1.0 vs 1.1.0: ")
    assert out[1] == "staged"
    assert out[2].startswith("1.1.0 ") and "model.bin" in out[2]
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
