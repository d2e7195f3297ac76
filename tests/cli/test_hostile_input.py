"""Hostile input through the CLI, on both backends: each is refused in one line (exit 2, no traceback) within a time
bound, and the registry's change counter does not move (every write takes it, so nothing was written).

YAML anchors and aliases (an alias bomb expands a small file into gigabytes), files that are not regular files (a
FIFO would block the read forever), files over their byte limit, text fields and arguments over their limits, and
values argparse quotes (clipped). docs/limits.md lists the limits.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from regtui.domain.limits import FILE_BYTES, NAME_CHARS, TEXT_CHARS
from tests.cli.test_bad_input import assert_refused
from tests.factories import CliResult, raw_scalar, variant, version_manifest, write_manifest
from tests.time_bound import time_bound

Cli = Callable[..., CliResult]
BOUND_S = 60.0
"""Far above what a refusal takes; an expanding alias bomb or a blocked read runs past it."""

ALIAS_BOMB = """kind: model-version
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


@pytest.fixture
def registry(cli: Cli, registry_url: str) -> Iterator[tuple[Cli, Callable[[], int]]]:
    """The CLI on an initialised registry holding churn@1.0.0, and a reader of its change counter."""
    assert cli("init").code == 0

    def counter() -> int:
        """The registry's change counter: any write moves it."""
        return int(raw_scalar(registry_url, "SELECT value FROM change_counter WHERE id = 1"))

    yield cli, counter


@pytest.fixture
def registered(registry: tuple[Cli, Callable[[], int]], tmp_path: Path) -> tuple[Cli, Callable[[], int]]:
    """The registry with churn@1.0.0 registered (Development)."""
    cli, counter = registry
    assert cli("register", version_manifest(tmp_path / "seed", "churn", "1.0.0")).code == 0
    return cli, counter


def refused_in_time(cli: Cli, counter: Callable[[], int], message: str, *args: str | Path) -> None:
    """The command is refused in one line containing message, within the bound, and writes nothing."""
    before = counter()
    with time_bound(BOUND_S):
        result = cli(*args)
    assert_refused(result, message)
    assert counter() == before


def test_an_alias_bomb_is_refused_at_its_first_anchor(registry: tuple[Cli, Callable[[], int]], tmp_path: Path) -> None:
    """`import` and `register` of a billion-laughs manifest refuse it at line 2 before any expansion."""
    cli, counter = registry
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    for command in ("import", "register"):
        refused_in_time(cli, counter, "bomb.yaml: line 2: YAML anchors (&name) are not accepted", command, bomb)


def test_an_alias_or_merge_key_is_refused_with_its_line(
    registry: tuple[Cli, Callable[[], int]], tmp_path: Path
) -> None:
    """An alias without an anchor of its own on the line (a merge key) names the alias's line."""
    cli, counter = registry
    text = version_manifest(tmp_path, "churn", "1.0.0").read_text()
    merged = tmp_path / "merged.yaml"
    merged.write_text(f"base: &base {{x: 1}}\n{text}hyperparameters:\n  <<: *base\n")
    refused_in_time(cli, counter, "merged.yaml: line 1: YAML anchors", "import", merged)
    merged.write_text(f"{text}hyperparameters: *base\n")
    refused_in_time(cli, counter, f"merged.yaml: line {len(text.splitlines()) + 1}: YAML aliases", "import", merged)


def test_policy_and_evidence_with_anchors_are_refused(
    registered: tuple[Cli, Callable[[], int]], tmp_path: Path
) -> None:
    """`policy set` and `promote --evidence` refuse anchors too, naming the file and the line."""
    cli, counter = registered
    policy = tmp_path / "policy.yaml"
    policy.write_text("kind: policy\ndefault:\n  signoff_roles: &r [product]\n  archival_checklist: *r\n")
    refused_in_time(cli, counter, "policy.yaml: line 3: YAML anchors", "policy", "set", policy)
    evidence = tmp_path / "evidence.yaml"
    evidence.write_text("review: &r report\narchival_checklist: [*r]\n")
    refused_in_time(
        cli, counter, "evidence.yaml: line 1: YAML anchors", "promote", "churn@1.0.0", "--to", "Staging",
        "--evidence", evidence,
    )  # fmt: skip


def test_fifos_where_files_are_read_are_refused_before_reading(
    registered: tuple[Cli, Callable[[], int]], tmp_path: Path
) -> None:
    """A FIFO given as a manifest, a policy, an evidence file or a qualification's evidence is refused naming what it
    is (a read would block)."""
    cli, counter = registered
    fifo = tmp_path / "input.yaml"
    os.mkfifo(fifo)
    message = "input.yaml: is a FIFO, not a regular file"
    for args in (
        ("import", fifo),
        ("register", fifo),
        ("policy", "set", fifo),
        ("promote", "churn@1.0.0", "--to", "Staging", "--evidence", fifo),
        ("providers", "qualify", "openai", "gpt-4o", "--check", "regression", "--pass", "--evidence", fifo),
    ):
        refused_in_time(cli, counter, message, *args)


def test_a_manifest_over_the_byte_limit_is_refused_unread(
    registry: tuple[Cli, Callable[[], int]], tmp_path: Path
) -> None:
    """A manifest file larger than FILE_BYTES['manifest'] is refused before it is read (a sparse file: no bytes)."""
    cli, counter = registry
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(FILE_BYTES["manifest"] + 1)
    limit = FILE_BYTES["manifest"]
    refused_in_time(cli, counter, f"huge.yaml: manifest is over the limit of {limit} bytes", "import", huge)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": "d" * (TEXT_CHARS + 1)}, f"description: {TEXT_CHARS + 1} characters, over the limit of"),
        ({"framework": "f" * (NAME_CHARS + 1)}, f"framework: {NAME_CHARS + 1} characters, over the limit of"),
        (
            {"model_card": {"limitations": "l" * (TEXT_CHARS + 1)}},
            f"model_card.limitations: {TEXT_CHARS + 1} characters, over the limit of {TEXT_CHARS}",
        ),
        ({"hyperparameters": {"prompt": "p" * 300_000}}, "hyperparameters: 300013 characters as JSON, over the limit"),
    ],
    ids=["description", "framework", "model-card-section", "hyperparameters"],
)
def test_a_text_field_over_its_limit_is_refused_naming_it(
    registry: tuple[Cli, Callable[[], int]], tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    """A manifest with one field over its size limit is refused, the message naming the field."""
    cli, counter = registry
    manifest = variant(version_manifest(tmp_path, "churn", "1.0.0"), **changes)
    refused_in_time(cli, counter, message, "register", manifest)


def test_arguments_over_their_limit_are_refused_naming_the_argument(
    registered: tuple[Cli, Callable[[], int]], tmp_path: Path
) -> None:
    """--reason, --comment, a model name and `providers qualify --evidence`: one line naming the argument."""
    cli, counter = registered
    long_text = "r" * (TEXT_CHARS + 1)
    over = f"{TEXT_CHARS + 1} characters, over the limit of {TEXT_CHARS}"
    refused_in_time(
        cli, counter, f"argument --reason: {over}", "rollback", "churn", "--to", "1.0.0", "--reason", long_text
    )
    refused_in_time(cli, counter, f"argument --comment: {over}", "approve", "1", "--comment", long_text)
    refused_in_time(cli, counter, "argument MODEL: 300 characters, over the limit of 256", "versions", "m" * 300)
    refused_in_time(
        cli,
        counter,
        "team: 300 characters, over the limit of 256",
        "roles",
        "set",
        "ann",
        "viewer",
        "--teams",
        f"ops,{'t' * 300}",
    )
    teams = ",".join(f"team-{n:03d}" for n in range(60))  # each name within its limit, the list longer than one
    assert cli("roles", "set", "ann", "viewer", "--teams", teams).code == 0
    refused_in_time(
        cli, counter, f"argument --evidence: {over}", "providers", "qualify", "openai", "gpt-4o-2024-08-06",
        "--check", "regression", "--pass", "--evidence", long_text,
    )  # fmt: skip


def test_an_over_long_evidence_path_comes_back_clipped(registered: tuple[Cli, Callable[[], int]]) -> None:
    """A long path that names no file: the message names the evidence and clips the value to its start and length."""
    cli, counter = registered
    path = "./" + "e" * 3000
    before = counter()
    with time_bound(BOUND_S):
        result = cli(
            "providers", "qualify", "openai", "gpt-4o-2024-08-06", "--check", "regression", "--pass",
            "--evidence", path,
        )  # fmt: skip
    assert_refused(result, f"evidence file not found: ./{'e' * 78}… (3002 characters)")
    assert len(result.err) < 300 and counter() == before


def test_a_bad_option_value_is_clipped_in_the_usage_error(registered: tuple[Cli, Callable[[], int]]) -> None:
    """argparse's quoted value is clipped: the option is named, the line stays short."""
    cli, counter = registered
    before = counter()
    result = cli("promote", "churn@1.0.0", "--to", "Staging", "--canary-share", "9" * 5000 + "x")
    assert_refused(result, f"argument --canary-share: invalid float value: '{'9' * 80}…' (5001 characters)")
    assert len(result.err) < 300 and counter() == before


def test_json_evidence_is_read_as_json(
    registered: tuple[Cli, Callable[[], int]], registry_url: str, tmp_path: Path
) -> None:
    """Escaped surrogate pairs become one character (the request keeps the emoji); a .json file that is not JSON
    is one line naming its line and column, and writes nothing."""
    cli, counter = registered
    evidence = tmp_path / "evidence.json"
    evidence.write_text('{"review": "offline report \\ud83d\\ude00 ok"}')
    pending = cli("promote", "churn@1.0.0", "--to", "Staging", "--evidence", evidence, "--json")
    assert pending.code == 3, pending
    stored = raw_scalar(
        registry_url, "SELECT evidence FROM promotion_request WHERE id = :id", id=pending.json()["request"]
    )
    assert (json.loads(stored) if isinstance(stored, str) else stored)["review"] == "offline report \U0001f600 ok"
    evidence.write_text('{"review": "unclosed}')
    refused_in_time(
        cli, counter, "evidence.json: line 1 column 12: malformed evidence JSON", "promote", "churn@1.0.0",
        "--to", "Staging", "--evidence", evidence,
    )  # fmt: skip
    evidence.write_text(json.dumps({"review": "lone \udc00"}, ensure_ascii=True))
    refused_in_time(
        cli, counter, "unpaired surrogate", "promote", "churn@1.0.0", "--to", "Staging", "--evidence", evidence
    )


def test_a_registry_manifest_over_a_limit_writes_nothing(
    registry: tuple[Cli, Callable[[], int]], tmp_path: Path
) -> None:
    """A user's team name over the identifier limit refuses the whole registry file."""
    cli, counter = registry
    document = {"kind": "registry", "users": [{"identity": "ann", "teams": ["t" * (NAME_CHARS + 1)]}]}
    manifest = write_manifest(tmp_path, document, "registry.yaml")
    refused_in_time(cli, counter, "users[0].teams: 257 characters, over the limit of 256", "import", manifest)
