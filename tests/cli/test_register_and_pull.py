"""`register` hashes local artifacts itself, `import` restores only recorded values, and `pull` writes a version's
verified artifacts into a folder or leaves it as it was (both backends)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.factories import CliResult, change_stage, variant, version_manifest

Cli = Callable[..., CliResult]


def _bare(manifest: Path) -> Path:
    """The manifest with its artifacts' sha256 and size left out (register measures them)."""
    artifacts = yaml.safe_load(manifest.read_text())["artifacts"]
    return variant(manifest, "bare.yaml", artifacts=[{"name": a["name"], "uri": a["uri"]} for a in artifacts])


def test_register_measures_what_the_manifest_leaves_out(cli: Cli, tmp_path: Path) -> None:
    """No sha256 or size in the manifest: register reads the file and records both."""
    cli("init")
    manifest = version_manifest(tmp_path, "fraud", "1.0.0")
    assert cli("register", _bare(manifest)).code == 0
    shown = cli("show", "fraud@1.0.0", "--json").json()["artifacts"][0]
    content = (manifest.parent / "model.bin").read_bytes()
    assert (shown["sha256"], shown["size"]) == (hashlib.sha256(content).hexdigest(), len(content))
    assert "versioning" not in shown and "object_version" not in shown


def test_register_refuses_a_wrong_size_or_an_unreadable_artifact_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    """A stated size the file does not have, or a file that cannot be read: exit 2, one line naming it."""
    cli("init")
    manifest = version_manifest(tmp_path, "fraud", "1.0.0")
    artifact = yaml.safe_load(manifest.read_text())["artifacts"][0]
    wrong = cli("register", variant(manifest, "wrong.yaml", artifacts=[{**artifact, "size": artifact["size"] + 1}]))
    assert wrong.code == 2 and len(wrong.err_lines) == 1
    assert f"fraud@1.0.0 artifact model.bin: the manifest states {artifact['size'] + 1} bytes" in wrong.err
    (manifest.parent / "folder.bin").mkdir()
    unreadable = cli("register", variant(manifest, "dir.yaml", artifacts=[{"name": "w", "uri": "folder.bin"}]))
    assert unreadable.code == 2 and "fraud@1.0.0 artifact w: cannot be read" in unreadable.err
    missing = cli("register", variant(manifest, "gone.yaml", artifacts=[{"name": "w", "uri": "absent.bin"}]))
    assert missing.code == 2 and "fraud@1.0.0 artifact w: cannot be read" in missing.err
    assert cli("versions", "fraud").code != 0


def test_import_refuses_artifacts_without_recorded_values(cli: Cli, tmp_path: Path) -> None:
    """`import` restores what was recorded; a manifest without sha256 and size belongs to `register`."""
    cli("init")
    bare = _bare(version_manifest(tmp_path, "fraud", "1.0.0"))
    refused = cli("import", bare)
    assert refused.code == 2
    assert refused.err_lines == [
        "regtui: fraud@1.0.0: artifact(s) model.bin state no sha256 and size; "
        "`regtui import` restores recorded values, `regtui register` measures them"
    ]


def test_pull_writes_the_verified_artifacts(cli: Cli, registry_url: str, tmp_path: Path) -> None:
    """By version or by stage: every artifact in place, nothing else, and --json names what was written."""
    cli("init")
    manifest = version_manifest(tmp_path / "m", "fraud", "1.0.0")
    cli("register", manifest)
    change_stage(registry_url, "fraud", "1.0.0", "Staging")
    dest = tmp_path / "out" / "deploy"
    pulled = cli("pull", "fraud@staging", "--dest", dest, "--json")
    assert pulled.code == 0, pulled.err
    report = pulled.json()
    content = (manifest.parent / "model.bin").read_bytes()
    assert (report["model"], report["version"], report["stage"]) == ("fraud", "1.0.0", "Staging")
    assert report["artifacts"][0]["path"] == str(dest / "model.bin")
    assert report["artifacts"][0]["sha256"] == hashlib.sha256(content).hexdigest()
    assert [p.name for p in dest.iterdir()] == ["model.bin"] and (dest / "model.bin").read_bytes() == content
    again = cli("pull", "fraud@1.0.0", "--dest", dest)
    assert again.code == 0 and again.out.splitlines()[-1] == "pulled fraud@1.0.0 (Staging): 1 artifact(s) verified"


def test_pull_of_a_tampered_artifact_exits_1_and_leaves_the_folder_as_it_was(
    cli: Cli, registry_url: str, tmp_path: Path
) -> None:
    """A mismatch: exit 1 naming the artifact; a folder that existed keeps only its files, one pull created is
    removed."""
    cli("init")
    manifest = version_manifest(tmp_path / "m", "fraud", "1.0.0")
    cli("register", manifest)
    (manifest.parent / "model.bin").write_bytes(b"tampered")
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "model.bin").write_bytes(b"previous deploy")
    refused = cli("pull", "fraud@1.0.0", "--dest", existing)
    assert refused.code == 1 and len(refused.err_lines) == 1
    assert "pull of fraud@1.0.0 failed, nothing written: model.bin: size 8 bytes" in refused.err
    assert [p.name for p in existing.iterdir()] == ["model.bin"]
    assert (existing / "model.bin").read_bytes() == b"previous deploy"
    fresh = tmp_path / "fresh"
    assert cli("pull", "fraud@1.0.0", "--dest", fresh).code == 1 and not fresh.exists()


def test_pull_refuses_what_it_cannot_name(cli: Cli, tmp_path: Path) -> None:
    """A stage holding no version, or a reference without '@': exit 2 in one line."""
    cli("init")
    cli("register", version_manifest(tmp_path / "m", "fraud", "1.0.0"))
    empty = cli("pull", "fraud@Production", "--dest", tmp_path / "d")
    assert empty.code == 2 and empty.err_lines == [
        "regtui: fraud has no version in Production: name one as fraud@VERSION"
    ]
    assert cli("pull", "fraud", "--dest", tmp_path / "d").code == 2
    assert not (tmp_path / "d").exists()


def test_pull_keeps_an_artifacts_folders_and_refuses_a_name_that_leaves_the_folder(cli: Cli, tmp_path: Path) -> None:
    """An artifact named weights/model.bin (as MLflow names them) lands in its folder; one named ../model.bin
    is refused in one line, and nothing is written."""
    cli("init")
    manifest = version_manifest(tmp_path / "m", "fraud", "1.0.0")
    nested = variant(
        manifest,
        "nested.yaml",
        version="1.1.0",
        parent="1.0.0",
        change_kind="retraining",
        artifacts=[{"name": "weights/model.bin", "uri": "model.bin"}],
    )
    escaping = variant(
        manifest,
        "escaping.yaml",
        version="1.2.0",
        parent="1.1.0",
        change_kind="retraining",
        artifacts=[{"name": "../model.bin", "uri": "model.bin"}],
    )
    for path in (manifest, nested, escaping):
        assert cli("register", path).code == 0
    dest = tmp_path / "deploy"
    assert cli("pull", "fraud@1.1.0", "--dest", dest).code == 0
    assert (dest / "weights" / "model.bin").read_bytes() == (manifest.parent / "model.bin").read_bytes()
    refused = cli("pull", "fraud@1.2.0", "--dest", tmp_path / "other")
    assert refused.code == 2 and refused.err_lines == [
        "regtui: fraud@1.2.0: artifact name '../model.bin' is not a plain relative file name"
    ]
    assert not (tmp_path / "other").exists() and not (tmp_path / "model.bin").exists()
