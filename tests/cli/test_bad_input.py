"""Bad input through the CLI on both backends: exit 2, exactly one line on stderr, no traceback, nothing written.

`verify` is a check, not an input: a missing artifact file is a verification failure (exit 1, one line
naming the artifact and 'missing'), asserted here next to the input errors it is easily confused with.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import regtui
from tests.factories import (
    CLOSED_PORT_URL,
    CliResult,
    run_cli,
    variant,
    version_manifest,
    write_manifest,
)

Cli = Callable[..., CliResult]


def refusal_problems(result: CliResult, message: str, code: int = 2) -> list[str]:
    """What is wrong with a run that should exit `code` with one stderr line containing message."""
    problems = []
    if result.code != code:
        problems.append(f"exit {result.code}, expected {code}")
    if len(result.err_lines) != 1 or message not in result.err:
        problems.append(f"stderr {result.err!r} is not one line containing {message!r}")
    if "Traceback" in result.out + result.err:
        problems.append("a traceback was printed")
    return problems


def assert_refused(result: CliResult, message: str, code: int = 2) -> None:
    """The run exited with `code`, wrote exactly one stderr line containing message, and no traceback."""
    assert refusal_problems(result, message, code) == [], result


@pytest.fixture
def initialised(cli: Cli) -> Cli:
    """The CLI on an initialised, empty registry."""
    assert cli("init").code == 0
    return cli


def _malformed_yaml(folder: Path) -> Path:
    """A manifest whose YAML does not parse (an unclosed flow sequence on line 3)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "broken.yaml"
    path.write_text("kind: model-version\nmodel: churn\nframework: [scikit-learn\nowner: team-risk\n")
    return path


def _unknown_field(folder: Path) -> Path:
    """A manifest with a key the format does not know."""
    return variant(version_manifest(folder, "churn", "1.0.0"), colour="blue")


def _missing_field(folder: Path) -> Path:
    """A manifest without the required framework."""
    return variant(version_manifest(folder, "churn", "1.0.0"), framework=None)


def _invalid_semver(folder: Path) -> Path:
    """A manifest whose version is not semantic versioning."""
    return variant(version_manifest(folder, "churn", "1.0.0"), version="1.0")


def _bad_checksum(folder: Path) -> Path:
    """A manifest whose artifact SHA-256 is not 64 hex digits."""
    manifest = version_manifest(folder, "churn", "1.0.0")
    return variant(manifest, artifacts=[{"name": "model.bin", "uri": "model.bin", "sha256": "abc", "size": 1}])


def _not_a_manifest(folder: Path) -> Path:
    """A YAML file of another kind."""
    return write_manifest(folder, {"kind": "pipeline", "steps": []}, "pipeline.yaml")


def _nonexistent(folder: Path) -> Path:
    """A path that does not exist."""
    return folder / "nowhere" / "manifest.yaml"


BAD_MANIFESTS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "malformed-yaml": (_malformed_yaml, "broken.yaml: line 4: malformed YAML"),
    "unknown-field": (_unknown_field, "manifest: unknown field(s) colour"),
    "missing-field": (_missing_field, "manifest: missing required field(s) framework"),
    "invalid-semver": (_invalid_semver, "version: invalid version '1.0': not semantic versioning"),
    "bad-checksum": (_bad_checksum, "artifacts[0].sha256: expected 64 hexadecimal digits"),
    "unknown-kind": (_not_a_manifest, "pipeline.yaml: kind: expected 'model-version'"),
    "nonexistent-path": (_nonexistent, "manifest.yaml: no such file or folder"),
}


def test_bad_manifests_exit_2_with_one_line_and_write_nothing(initialised: Cli, tmp_path: Path) -> None:
    """`register` and `import` refuse each bad manifest in one line naming the file and problem; no model appears."""
    problems = {}
    for case, (build, message) in BAD_MANIFESTS.items():
        manifest = build(tmp_path / case)
        for command in ("register", "import"):
            if found := refusal_problems(initialised(command, manifest), message):
                problems[f"{case} ({command})"] = found
    assert problems == {}
    assert initialised("models", "--json").json()["models"] == []


def test_a_bad_file_among_good_ones_fails_the_whole_import(initialised: Cli, tmp_path: Path) -> None:
    """A folder of valid manifests plus one malformed file imports nothing."""
    folder = tmp_path / "input"
    version_manifest(folder, "churn", "1.0.0")
    version_manifest(folder, "churn", "1.1.0", parent="1.0.0")
    _malformed_yaml(folder)
    assert_refused(initialised("import", folder), "malformed YAML")
    assert initialised("models", "--json").json()["models"] == []


RULE_BREAKS: dict[str, tuple[dict[str, Any], str]] = {
    "different-content": (
        {"version": "1.0.0", "metrics": {"overall": {"auc": 0.5}}},
        "churn@1.0.0 is already registered with different metrics",
    ),
    "not-above-parent": (
        {"version": "0.9.0", "parent": "1.0.0", "change_kind": "retraining"},
        "is not above its parent",
    ),
    "wrong-bump": ({"version": "2.0.0", "parent": "1.0.0", "change_kind": "threshold"}, "is a major bump"),
    "unknown-parent": (
        {"version": "1.3.0", "parent": "1.2.0", "change_kind": "retraining"},
        "parent version 1.2.0 is not registered",
    ),
    "stage-in-register": (
        {"version": "1.1.0", "parent": "1.0.0", "change_kind": "retraining", "stage": "Production"},
        "register adds versions in Development, not Production",
    ),
}


def test_register_refused_by_a_rule_exits_2(initialised: Cli, tmp_path: Path) -> None:
    """Immutability, lineage and stage rules refuse a registration with exit 2 and one line."""
    first = version_manifest(tmp_path, "churn", "1.0.0")
    assert initialised("register", first).code == 0
    problems = {}
    for case, (changes, message) in RULE_BREAKS.items():
        if found := refusal_problems(initialised("register", variant(first, f"{case}.yaml", **changes)), message):
            problems[case] = found
    assert problems == {}
    assert [v["version"] for v in initialised("versions", "churn", "--json").json()["versions"]] == ["1.0.0"]


BAD_REFERENCES: dict[str, str] = {
    "nomodel@1.0.0": "no model named 'nomodel'",
    "churn@9.9.9": "churn has no version 9.9.9",
    "churn": "expected MODEL@VERSION, got 'churn'",
    "churn@": "expected MODEL@VERSION, got 'churn@'",
    "@1.0.0": "expected MODEL@VERSION, got '@1.0.0'",
}


def test_unknown_or_malformed_references_exit_2(initialised: Cli, tmp_path: Path) -> None:
    """`show` and `verify` of an unknown model or version, or of text that is not MODEL@VERSION, exit 2."""
    assert initialised("register", version_manifest(tmp_path, "churn", "1.0.0")).code == 0
    problems = {}
    for ref, message in BAD_REFERENCES.items():
        for command in ("show", "verify"):
            expected = message.replace("MODEL@VERSION", "MODEL@VERSION or MODEL@STAGE")
            if found := refusal_problems(initialised(command, ref), expected):
                problems[f"{command} {ref}"] = found
    assert problems == {}


def test_versions_of_an_unknown_model_exits_2(initialised: Cli) -> None:
    """`versions` of a model that does not exist is refused in one line."""
    assert_refused(initialised("versions", "ghost"), "no model named 'ghost'")


def test_verify_of_a_missing_artifact_file_is_a_failed_check(initialised: Cli, tmp_path: Path) -> None:
    """A missing artifact file is not bad input but a failed check: exit 1, one line naming it as missing."""
    manifest = version_manifest(tmp_path, "churn", "1.0.0")
    assert initialised("register", manifest).code == 0
    (manifest.parent / "model.bin").unlink()
    result = initialised("verify", "churn@1.0.0")
    assert_refused(result, "churn@1.0.0 model.bin (missing)", code=1)
    assert "file not found" in result.out


def test_usage_errors_exit_2(initialised: Cli) -> None:
    """Argument errors (unknown command, verify without a target) exit 2 without a traceback."""
    assert_refused(initialised("frobnicate"), "regtui: argument COMMAND: invalid choice: 'frobnicate'")
    assert_refused(initialised("promote", "churn@1.0.0"), "regtui promote: the following arguments are required: --to")
    assert_refused(initialised("verify"), "verify takes MODEL@VERSION (or MODEL@STAGE) or --all")


def test_bad_option_values_name_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty --registry, a --cache that cannot be a file, a negative --limit: one usage line naming the option,
    and nothing created where the cache would have gone."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_refused(run_cli(capsys, "--registry", "", "models"), "argument --registry: empty URL")
    assert_refused(
        run_cli(capsys, "--cache", blocker / "cache.db", "models"),
        f"argument --cache: {blocker / 'cache.db'} cannot be created: {blocker} is not a folder",
    )
    assert_refused(run_cli(capsys, "--cache", tmp_path, "models"), f"argument --cache: {tmp_path} is a folder")
    assert_refused(run_cli(capsys, "audit", "--limit", "-5"), "argument --limit: must be 1 or more, not -5")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]


def test_version_names_the_release(capsys: pytest.CaptureFixture[str]) -> None:
    """`regtui --version` prints the package's version on stdout and exits 0."""
    result = run_cli(capsys, "--version")
    assert (result.code, result.out.strip()) == (0, f"regtui {regtui.__version__}")


@pytest.mark.parametrize("command", [("models",), ("init",), ("sync",), ("show", "churn@1.0.0")])
def test_an_unreachable_database_exits_2(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PostgreSQL URL nobody listens on: every command exits 2 with one 'unreachable' line."""
    result = run_cli(capsys, "--registry", CLOSED_PORT_URL, "--cache", tmp_path / "cache.db", *command)
    assert_refused(result, "registry unreachable (postgresql+psycopg://postgres@127.0.0.1:1/regtui)")


def test_a_register_on_an_unreachable_database_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Writes to an unreachable registry are refused in one line; nothing is queued locally."""
    manifest = version_manifest(tmp_path, "churn", "1.0.0")
    result = run_cli(capsys, "--registry", CLOSED_PORT_URL, "--cache", tmp_path / "cache.db", "register", manifest)
    assert_refused(result, "registry unreachable")


@pytest.mark.parametrize("command", [("models",), ("init",), ("register", "MANIFEST"), ("sync",)])
def test_a_sqlite_file_that_is_not_a_registry_exits_2(
    command: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SQLite database of another application is refused (even by init), and left untouched."""
    manifest = version_manifest(tmp_path, "churn", "1.0.0")
    command = tuple(str(manifest) if arg == "MANIFEST" else arg for arg in command)
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    result = run_cli(capsys, "--registry", f"sqlite:///{path}", "--cache", tmp_path / "cache.db", *command)
    assert_refused(result, "not a regtui registry")
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert tables == ["orders"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "unsupported registry URL"),
        ("not a url", "invalid registry URL"),
    ],
)
def test_an_unsupported_registry_url_exits_2(
    url: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A registry URL regtui cannot use is refused in one line."""
    assert_refused(run_cli(capsys, "--registry", url, "--cache", tmp_path / "cache.db", "models"), message)
