"""The command-line contract on both backends: commands, text and --json output, exit statuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from regtui.store.schema import SCHEMA_VERSION
from tests.factories import (
    ADMIN,
    CliResult,
    ServiceFactory,
    build_fixture_registry,
    change_stage,
    run_cli,
    version_manifest,
)

Cli = Callable[..., CliResult]


@pytest.fixture
def filled(cli: Cli, tmp_path: Path) -> Path:
    """An initialised registry with the fixture registry imported; returns the fixtures folder."""
    folder = build_fixture_registry(tmp_path / "fixtures")
    assert cli("init").code == 0
    assert cli("import", folder).code == 0
    return folder


def test_init_creates_then_reports_up_to_date(cli: Cli) -> None:
    """`init` creates the schema (caller becomes admin), and a second run says it is up to date."""
    first = cli("init")
    assert first.code == 0 and f"created registry schema version {SCHEMA_VERSION}" in first.out
    assert "is its first admin" in first.out
    again = cli("init")
    assert again.code == 0 and f"registry schema is up to date (version {SCHEMA_VERSION})" in again.out
    assert first.err == again.err == ""


def test_import_reports_what_it_wrote(cli: Cli, tmp_path: Path) -> None:
    """`import` of a folder prints what it wrote, in one line."""
    cli("init")
    result = cli("import", build_fixture_registry(tmp_path / "fixtures"))
    assert result.code == 0
    assert result.out.strip() == (
        "imported 7 new version(s), 0 already present, 2 user(s) and 2 model(s) updated, 3 log entries"
    )


def test_export_writes_the_manifest_layout(cli: Cli, filled: Path, tmp_path: Path) -> None:
    """`export DIR` writes registry.yaml, log.yaml and one file per version."""
    result = cli("export", tmp_path / "out")
    assert result.code == 0 and result.out.strip() == f"exported 9 file(s) to {tmp_path / 'out'}"
    assert (tmp_path / "out" / "models" / "churn" / "2.0.0-rc.1.yaml").is_file()
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"registry.yaml", "log.yaml", "models"}


def test_register_then_register_again(cli: Cli, tmp_path: Path) -> None:
    """`register` adds a Development version; the identical manifest again is a no-op saying so."""
    cli("init")
    manifest = version_manifest(tmp_path, "fraud", "1.0.0")
    first = cli("register", manifest)
    assert first.code == 0 and first.out.strip() == "registered fraud@1.0.0 in Development"
    again = cli("register", manifest)
    assert again.code == 0 and "fraud@1.0.0 is already registered with identical content; nothing to do" in again.out


def test_models_lists_an_aligned_table(cli: Cli, filled: Path) -> None:
    """`models` prints a header and one aligned row per model with what runs where."""
    lines = cli("models").out.splitlines()
    assert lines[0].split() == [
        "MODEL",
        "OWNER",
        "PRODUCTION",
        "CANARY",
        "STAGING",
        "VERSIONS",
        "LATEST",
        "REQUESTS",
        "DRILL",
        "PROVIDER",
        "NOTICE",
    ]
    assert [line.split()[0] for line in lines[1:]] == ["churn", "support-bot"]
    churn = lines[1].split()
    assert churn[:5] == ["churn", "team-risk", "1.1.0", "1.1.1", "2.0.0-rc.1"]
    assert lines[0].index("OWNER") == lines[1].index("team-risk") == lines[2].index("team-search")


def test_versions_lists_newest_first(cli: Cli, filled: Path) -> None:
    """`versions MODEL` lists every version, newest semver first, with stage and canary share."""
    result = cli("versions", "churn")
    rows = [line.split() for line in result.out.splitlines()[1:]]
    assert [row[0] for row in rows] == ["2.0.0", "2.0.0-rc.1", "1.1.1", "1.1.0", "1.0.0"]
    assert rows[2][1:3] == ["Canary", "12.5%"]


def test_show_prints_one_version_in_full(cli: Cli, filled: Path) -> None:
    """`show MODEL@VERSION` prints the entry, its state, checksums and lineage."""
    out = cli("show", "churn@1.1.0").out
    for expected in (
        "model: churn",
        "version: 1.1.0",
        "stage: Production",
        "parent: 1.0.0",
        "region=EU:",
        "escalation_contact: risk-oncall@example.com",
    ):
        assert expected in out
    children = next(line for line in out.splitlines() if line.startswith("children: "))
    assert sorted(children.removeprefix("children: ").split(", ")) == ["1.1.1", "2.0.0-rc.1"]


def test_verify_passes_when_every_artifact_matches(cli: Cli, filled: Path) -> None:
    """`verify --all` re-hashes every artifact and exits 0 when all match."""
    result = cli("verify", "--all")
    assert result.code == 0 and result.err == ""
    assert result.out.splitlines()[-1] == "7 artifact(s) checked, 0 problem(s)"


def test_verify_exits_1_naming_an_artifact_modified_after_registration(cli: Cli, filled: Path) -> None:
    """A file changed after registration fails verification: exit 1, and the line names version and artifact."""
    (filled / "models" / "churn" / "1.1.1" / "model.bin").write_bytes(b"tampered weights!!!!!!")
    result = cli("verify", "churn@1.1.1")
    assert result.code == 1
    assert result.err_lines == ["regtui: 1 artifact(s) failed verification: churn@1.1.1 model.bin (mismatch)"]
    assert "MISMATCH" in result.out
    assert cli("verify", "churn@1.1.0").code == 0
    everything = cli("verify", "--all", "--json")
    assert everything.code == 1
    statuses = {(item["version"], item["status"]) for item in everything.json()}
    assert ("churn@1.1.1", "mismatch") in statuses and ("churn@1.1.0", "ok") in statuses


def test_verify_names_a_version_by_stage(cli: Cli, filled: Path) -> None:
    """`verify MODEL@STAGE` re-hashes the version in that stage (a deploy job's check before it ships it); a stage
    with no version is a one-line error."""
    result = cli("verify", "churn@Production", "--json")
    assert result.code == 0
    assert {item["version"] for item in result.json()} == {"churn@1.1.0"}
    (filled / "models" / "churn" / "1.1.1" / "model.bin").write_bytes(b"tampered weights!!!!!!")
    canary = cli("verify", "churn@canary")
    assert canary.code == 1 and canary.err_lines[-1].endswith("churn@1.1.1 model.bin (mismatch)")
    missing = cli("verify", "support-bot@Staging")
    assert missing.code == 2 and missing.err_lines == ["regtui: support-bot has no version in Staging"]


def test_sync_prints_what_changed(cli: Cli, filled: Path, registry_url: str) -> None:
    """`sync` names the pulled versions and change range; with nothing new it says the cache is up to date."""
    assert cli("sync").out.startswith("cache up to date")
    seq = change_stage(registry_url, "churn", "2.0.0", "Staging")
    result = cli("sync")
    assert result.code == 0
    assert result.out.splitlines()[0].startswith(f"pulled changes {seq}..{seq} in ")
    assert result.out.splitlines()[0].endswith(": 1 model_version")
    assert result.out.splitlines()[1].strip() == "churn@2.0.0"


LISTINGS: dict[str, tuple[str, ...]] = {
    "models": ("models",),
    "versions": ("versions", "churn"),
    "show": ("show", "support-bot@1.0.0"),
    "verify": ("verify", "--all"),
    "sync": ("sync",),
    "init": ("init",),
}


@pytest.mark.parametrize("command", list(LISTINGS))
def test_json_output_parses(command: str, cli: Cli, filled: Path) -> None:
    """Every listing and action prints valid JSON with --json (before or after the command name)."""
    after = cli(*LISTINGS[command], "--json")
    before = cli("--json", *LISTINGS[command])
    assert after.code == before.code == 0
    assert isinstance(after.json(), (list, dict)) and isinstance(before.json(), (list, dict))


def test_json_content_of_listings(cli: Cli, filled: Path, tmp_path: Path) -> None:
    """The JSON carries the fields scripts need: stages, canary share, provider pin, import/export counts."""
    models = {m["name"]: m for m in cli("models", "--json").json()["models"]}
    assert models["churn"]["production"] == "1.1.0" and models["churn"]["canary"] == ["1.1.1"]
    versions = cli("versions", "churn", "--json").json()["versions"]
    assert versions[2]["version"] == "1.1.1" and versions[2]["canary_share"] == 12.5
    shown = cli("show", "support-bot@1.0.0", "--json").json()
    assert shown["provider"]["version"] == "gpt-4o-2024-08-06" and len(shown["content_hash"]) == 64
    assert cli("export", tmp_path / "out", "--json").json() == {"dir": str(tmp_path / "out"), "files": 9}
    registered = cli("register", version_manifest(tmp_path / "new", "fraud", "1.0.0"), "--json").json()
    assert registered["registered"] == ["fraud@1.0.0"]
    imported = cli("import", version_manifest(tmp_path / "new", "fraud", "1.1.0", parent="1.0.0"), "--json").json()
    assert (imported["registered"], imported["log_entries"]) == (["fraud@1.1.0"], 0)


def test_python_m_regtui_exit_statuses(sqlite_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """A real `python -m regtui` process: 0 for a listing, 1 for a failed verify, 2 for an unknown version."""
    folder = build_fixture_registry(tmp_path / "fixtures")
    make_service(sqlite_url).import_paths([folder])
    (folder / "models" / "churn" / "1.0.0" / "model.bin").unlink()
    env = {**os.environ, "REGTUI_USER": ADMIN}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        """Run regtui as a separate process on the test registry."""
        command = [sys.executable, "-m", "regtui", "--registry", sqlite_url, "--cache", str(tmp_path / "p.db"), *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)

    listed = run("models", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)["models"]) == 2
    verified = run("verify", "--all")
    assert verified.returncode == 1 and "churn@1.0.0 model.bin (missing)" in verified.stderr
    unknown = run("show", "churn@9.9.9")
    assert unknown.returncode == 2 and unknown.stderr == "regtui: churn has no version 9.9.9\n"
    assert "Traceback" not in listed.stderr + verified.stderr + unknown.stderr


def test_a_reader_that_stops_early_gets_no_error(sqlite_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """`regtui models | head -0`: the pipe closes before regtui writes; it stops quietly with SIGPIPE's status."""
    make_service(sqlite_url).import_paths([build_fixture_registry(tmp_path / "fixtures")])
    command = [sys.executable, "-m", "regtui", "--registry", sqlite_url, "--cache", str(tmp_path / "p.db"), "models"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "REGTUI_USER": ADMIN}
    )
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (141, b"")


def test_demo_builds_without_the_tui(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`demo --no-tui --dir DIR` builds the demo registry in DIR from the bundled fixtures and prints its URL."""
    monkeypatch.setenv("REGTUI_USER", ADMIN)
    result = run_cli(capsys, "demo", "--no-tui", "--dir", tmp_path / "demo")
    url = f"sqlite:///{tmp_path / 'demo' / 'registry.db'}"
    assert result.code == 0 and result.out.strip() == url and f"acting as {ADMIN}" in result.err
    monkeypatch.delenv("REGTUI_USER")
    assert run_cli(capsys, "demo", "--no-tui", "--json", "--dir", tmp_path / "demo").json()["identity"] == "alice"
    assert (
        run_cli(capsys, "demo", "--no-tui", "--json", "--as", "heidi", "--dir", tmp_path / "demo").json()["identity"]
        == "heidi"
    )
    models = run_cli(capsys, "--registry", url, "--cache", tmp_path / "demo" / "cache.db", "models", "--json").json()[
        "models"
    ]
    assert len(models) >= 6 and sum(m["versions"] for m in models) >= 60
    checked = run_cli(capsys, "--registry", url, "--cache", tmp_path / "demo" / "cache.db", "verify", "--all")
    assert checked.code == 1, "the demo holds one artifact that no longer matches its checksum"
