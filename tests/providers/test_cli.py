"""`regtui providers ...` on both backends: text and --json output, exit statuses, one-line errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories import CliResult, build_fixture_registry
from tests.providers.feed_server import PROVIDERS_MANIFEST, FeedServer, Reply

Cli = Callable[..., CliResult]
SQLITE_ONLY = pytest.mark.parametrize("registry_url", ["sqlite"], indirect=True)


@pytest.fixture
def filled(cli: Cli, tmp_path: Path) -> Path:
    """An initialised registry holding the fixture registry (support-bot pins openai gpt-4o-2024-08-06)."""
    folder = build_fixture_registry(tmp_path / "fixtures")
    assert cli("init").code == 0 and cli("import", folder).code == 0
    return folder


def test_add_fetch_list_changelog_qualify_and_pin(
    cli: Cli, filled: Path, feed_server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole provider workflow through the command line; a failing feed is one stderr line and exit 2."""
    monkeypatch.setenv("TEST_OPENAI_KEY", "sk-cli-secret")
    openai = feed_server.serve("/v1/models", Reply.fixture("openai-models.json"))
    broken = feed_server.serve("/gone.json", Reply(404))
    assert (
        cli(
            "providers", "add", "openai", "--url", openai, "--format", "openai", "--api-key-env", "TEST_OPENAI_KEY"
        ).code
        == 0
    )
    assert (
        cli(
            "providers",
            "add",
            "acme",
            "--url",
            feed_server.serve("/c", Reply.fixture("regtui-changelog.json")),
            "--format",
            "regtui",
        ).code
        == 0
    )
    assert cli("providers", "add", "broken", "--url", broken, "--format", "regtui").code == 0

    fetched = cli("providers", "fetch")
    assert fetched.code == 2 and fetched.err_lines == [f"regtui: broken, {broken}, HTTP 404"]
    lines = fetched.out.splitlines()
    assert lines[0] == (
        "acme: 3 new (acme-chat-2025-03-01, acme-chat-2025-09-15, acme-chat-latest); "
        "1 deprecation notice(s) (acme-chat-2025-03-01)"
    )
    assert lines[1].startswith("openai: 8 new (gpt-4o-2024-08-06, gpt-4o-2024-11-20, ")
    again = cli("providers", "fetch", "openai", "acme", "--json")
    assert again.code == 0 and [r["status"] for r in again.json()] == ["unchanged", "unchanged"]

    changelog = cli("providers", "changelog", "--provider", "acme", "--json").json()
    assert {k: changelog[0][k] for k in ("provider", "model", "version", "changed_at", "impact", "status")} == {
        "provider": "acme",
        "model": "acme-chat",
        "version": "acme-chat-2025-09-15",
        "changed_at": "2025-09-15T12:00:00Z",
        "impact": "Longer context (256k); tool-call JSON schema changed",
        "status": "unqualified",
    }
    table = cli("providers", "changelog").out.splitlines()
    assert table[0].split() == [
        "PROVIDER",
        "MODEL",
        "VERSION",
        "CHANGE",
        "DATE",
        "QUALIFICATION",
        "IMPACT",
        "ASSESSMENT",
    ]

    report = tmp_path / "safety-report.html"
    report.write_text("<p>no leaks</p>")
    qualified = cli(
        "providers",
        "qualify",
        "openai",
        "gpt-4o-2024-11-20",
        "--check",
        "safety",
        "--pass",
        "--evidence",
        report,
        "--json",
    ).json()
    assert qualified["status"] == "under evaluation" and qualified["evidence"]["kind"] == "file"
    assert len(qualified["evidence"]["sha256"]) == 64
    for check in ("regression", "cost-latency", "api-compat"):
        done = cli(
            "providers",
            "qualify",
            "openai",
            "gpt-4o-2024-11-20",
            "--check",
            check,
            "--pass",
            "--evidence",
            "https://ci.example.com/run/7",
        )
    assert done.out.strip().endswith("status: qualified")
    listed = {v["version"]: v for v in cli("providers", "list", "--provider", "openai", "--json").json()}
    assert listed["gpt-4o-2024-11-20"]["status"] == "qualified" and listed["gpt-4o"]["alias"]
    assert "✓ ✓ ✓ ✓" in cli("providers", "list", "--status", "qualified").out
    with monkeypatch.context() as console:
        console.setenv("TERM", "linux")
        on_console = cli("providers", "list", "--status", "qualified").out
    assert "+ + + +" in on_console and on_console.isascii()

    pinned = cli("providers", "pin", "support-bot@1.0.0", "--provider-version", "gpt-4o-2024-11-20")
    assert pinned.code == 0 and pinned.out.strip() == (
        "registered support-bot@1.0.1 in Development (dependency, parent 1.0.0) pinning openai gpt-4o-2024-11-20 "
        "(qualified)"
    )
    pins = {p["version"]: p for p in cli("providers", "pins", "--all", "--json").json()}
    assert pins["1.0.1"]["qualified"] and pins["1.0.0"]["status"] == "unqualified"
    assert (
        "sk-cli-secret" not in cli("export", tmp_path / "out").out + (tmp_path / "out" / "providers.yaml").read_text()
    )


def test_models_flags_a_production_version_whose_provider_version_is_deprecated(cli: Cli, filled: Path) -> None:
    """`models` marks support-bot, whose Production pin gpt-4o-2024-08-06 is retired, with a countdown."""
    assert cli("import", PROVIDERS_MANIFEST).code == 0
    lines = cli("models").out.splitlines()
    assert lines[0].split()[-2:] == ["PROVIDER", "NOTICE"]
    bot = next(line for line in lines if line.startswith("support-bot"))
    assert "! gpt-4o-2024-08-06 retired " in bot
    models = {m["name"]: m for m in cli("models", "--json").json()}
    assert models["churn"]["provider_notice"] is None
    notice = models["support-bot"]["provider_notice"]
    assert (notice["provider_version"], notice["retires_at"]) == ("gpt-4o-2024-08-06", "2026-06-30T00:00:00Z")


@SQLITE_ONLY
def test_hostile_feed_text_is_printed_literally(cli: Cli, filled: Path, feed_server: FeedServer) -> None:
    """Markup is printed as typed; control characters arrive as visible symbols, never as escapes."""
    url = feed_server.serve("/h", Reply.fixture("hostile-changelog.json"))
    cli("providers", "add", "hostile", "--url", url, "--format", "regtui")
    assert cli("providers", "fetch").code == 0
    for args in (("providers", "list"), ("providers", "changelog"), ("providers", "changelog", "--json"), ("audit",)):
        out = cli(*args).out
        assert "\x1b" not in out and "\x07" not in out
    listed = cli("providers", "list").out
    assert "[bold]x[/]" in listed and "evil\u241b[2J-2025-02-02" in listed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("providers", "add", "x", "--url", "ftp://example.com/f", "--format", "regtui"), "feed URL must be http(s)"),
        (
            (
                "providers",
                "add",
                "x",
                "--url",
                "https://example.com/f",
                "--format",
                "openai",
                "--api-key-env",
                "sk-live-0123456789",
            ),
            "--api-key-env must be the NAME of an environment variable",
        ),
        (("providers", "fetch", "nope"), "no feed configured for provider(s) nope"),
        (
            ("providers", "qualify", "openai", "gpt-4o", "--check", "safety", "--pass", "--evidence", "./missing.html"),
            "evidence file not found: ./missing.html",
        ),
        (("providers", "show", "openai", "gpt-9"), "provider 'openai' has no version 'gpt-9'"),
        (("providers",), ""),
    ],
)
@SQLITE_ONLY
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], message: str, cli: Cli, filled: Path) -> None:
    """Usage errors and refusals exit 2 with one line on stderr, never echoing a key or a traceback."""
    result = cli(*args)
    assert result.code == 2 and "Traceback" not in result.err
    assert message in result.err and "sk-live" not in result.err
    if message:
        assert len(result.err_lines) == 1
