"""docs/team-postgresql.md, followed command by command on a real PostgreSQL server (login names made unique)."""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.factories import CliResult, run_cli, version_manifest
from tests.pg_server import connect_admin, replace_url_part
from tests.store.test_pg_enforcement import _drop_logins

DOC = Path(__file__).parents[2] / "docs" / "team-postgresql.md"


def _doc_block(starting: str) -> str:
    """The indented block of the page that starts with a line (the policy file, as the page shows it)."""
    lines = DOC.read_text().splitlines()
    start = lines.index(f"    {starting}")
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line)
    return textwrap.dedent("\n".join(block)) + "\n"


@pytest.fixture
def people(pg_url: str) -> Iterator[dict[str, str]]:
    """alice, bob and carol with unique login names; dropped after the test."""
    suffix = uuid.uuid4().hex[:8]
    names = {person: f"{person}_{suffix}" for person in ("alice", "bob", "carol")}
    try:
        yield names
    finally:
        _drop_logins(pg_url, list(names.values()))


def test_the_team_page_takes_three_people_to_production(
    pg_url: str, people: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """init, users add, policy set, register, then Staging, Canary and Production under the two-person rule."""

    def regtui(person: str | None, *args: str | Path) -> CliResult:
        """`regtui --registry postgresql://PERSON@.../DB ARGS` (the superuser when person is None)."""
        url = pg_url if person is None else replace_url_part(pg_url, user=people[person])
        cache = tmp_path / f"{person or 'postgres'}-cache.db"
        return run_cli(capsys, "--registry", url, "--cache", str(cache), *map(str, args))

    def ok(result: CliResult) -> CliResult:
        """The result, after checking it succeeded."""
        assert result.code == 0, result.err
        return result

    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    ok(regtui(None, "init"))
    ok(regtui(None, "users", "add", alice, "--role", "contributor", "--role", "releaser", "--create-login"))
    ok(regtui(None, "users", "add", bob, "--role", "reviewer", "--create-login"))
    ok(regtui(None, "users", "add", carol, "--role", "viewer", "--teams", "team-risk", "--create-login"))
    with connect_admin(pg_url) as connection:
        connection.execute(f"ALTER ROLE {alice} PASSWORD 'what \\password sets'")
    policy = tmp_path / "policy.yaml"
    policy.write_text(_doc_block("kind: policy"))
    ok(regtui(None, "policy", "set", policy))
    manifest = version_manifest(tmp_path, "churn", "1.0.0")
    (tmp_path / "review.yaml").write_text(yaml.safe_dump({"review": "evaluation report r1"}))
    (tmp_path / "canary.yaml").write_text(yaml.safe_dump({"canary_results": {"error_rate": 0.002}}))
    ok(regtui("alice", "register", manifest))
    ok(regtui("alice", "promote", "churn@1.0.0", "--to", "Staging"))
    assert regtui("alice", "promote", "churn@1.0.0", "--to", "Canary", "--evidence", tmp_path / "review.yaml").code == 3
    ok(regtui("bob", "approve", "2", "--comment", "read evaluation report r1"))
    ok(regtui("bob", "attest", "churn@1.0.0", "fairness", "--comment", "gap table read"))
    ok(regtui("alice", "promote", "churn@1.0.0", "--to", "Canary"))
    production = regtui("alice", "promote", "churn@1.0.0", "--to", "Production", "--evidence", tmp_path / "canary.yaml")
    assert production.code == 3, production.err
    assert regtui("alice", "approve", "3", "--comment", "mine").code == 2
    ok(regtui("carol", "approve", "3", "--comment", "owner sign-off"))
    assert regtui("alice", "promote", "churn@1.0.0", "--to", "Production").code == 3
    ok(regtui("bob", "approve", "3", "--comment", "canary results checked"))
    ok(regtui("alice", "promote", "churn@1.0.0", "--to", "Production"))
    with connect_admin(pg_url) as connection:
        stage = connection.execute("SELECT stage, stage_changed_by FROM model_version").fetchone()
    assert stage == ("Production", alice)
    assert "intact" in ok(regtui("carol", "audit", "verify")).out
