"""Fetching feeds from a real HTTP server on 127.0.0.1: formats, retries, timeouts, 304, caps, keys, failures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from regtui.domain.feeds import ANNOUNCED, DISAPPEARED
from regtui.domain.providers import FeedConfig, FeedFormat, Qualification
from regtui.providers.feeds import FetchSettings
from regtui.services import providers as provider_services
from regtui.services.registry import RegistryService
from regtui.store.provider_queries import provider_versions
from tests.factories import ServiceFactory, dump_rows, raw_scalar
from tests.providers.feed_server import FIXTURES, FeedServer, Reply

FAST = FetchSettings(connect_timeout=1.0, read_timeout=0.3, deadline=2.0, attempts=3, backoff=0.01, max_bytes=64 * 1024)
KEYS = {"TEST_OPENAI_KEY": "sk-test-secret-1234", "TEST_ANTHROPIC_KEY": "ak-test-secret-5678"}
PROVIDER_TABLES = ("provider_feed", "provider_version", "qualification_check")


@pytest.fixture
def service(sqlite_url: str, make_service: ServiceFactory) -> RegistryService:
    """An initialised SQLite registry acting as its admin."""
    return make_service(sqlite_url)


def add(service: RegistryService, provider: str, url: str, fmt: FeedFormat, key_env: str | None = None) -> None:
    """Configure one feed."""
    assert provider_services.add_feed(service, FeedConfig(provider, url, fmt, key_env))


def fetch(
    service: RegistryService, *names: str, settings: FetchSettings = FAST, env: dict[str, str] | None = None
) -> dict[str, provider_services.FeedResult]:
    """Fetch (some) feeds; results by provider."""
    results = provider_services.fetch_feeds(
        service, list(names) or None, env=KEYS if env is None else env, settings=settings
    )
    return {r.provider: r for r in results}


def stored(service: RegistryService, provider: str) -> dict[str, object]:
    """The registry's versions of a provider by id."""
    with service.reading_registry() as session:
        return {v.version: v for v in provider_versions(session, provider)}


def provider_rows(service: RegistryService) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the provider tables."""
    rows = dump_rows(service.registry())
    return {name: rows[name] for name in PROVIDER_TABLES}


def counter(service: RegistryService) -> int:
    """The registry's change counter."""
    return int(raw_scalar(service.locations.registry_url, "SELECT value FROM change_counter WHERE id = 1"))


def test_each_format_is_fetched_parsed_and_recorded_as_unqualified(
    service: RegistryService, feed_server: FeedServer
) -> None:
    """OpenAI, Anthropic and regtui feeds: versions recorded unqualified, aliases flagged, keys sent as headers."""
    add(
        service,
        "openai",
        feed_server.serve("/v1/models", Reply.fixture("openai-models.json")),
        FeedFormat.OPENAI,
        "TEST_OPENAI_KEY",
    )
    add(
        service,
        "anthropic",
        feed_server.serve("/a/v1/models", Reply.fixture("anthropic-models.json")),
        FeedFormat.ANTHROPIC,
        "TEST_ANTHROPIC_KEY",
    )
    add(
        service, "acme", feed_server.serve("/changelog.json", Reply.fixture("regtui-changelog.json")), FeedFormat.REGTUI
    )
    results = fetch(service)
    assert {name: r.status for name, r in results.items()} == {
        "openai": "updated",
        "anthropic": "updated",
        "acme": "updated",
    }
    assert len(results["openai"].new) == 8 and results["acme"].deprecated == ("acme-chat-2025-03-01",)
    openai = stored(service, "openai")
    assert {v.version for v in openai.values() if v.alias} == {"gpt-4o", "gpt-4.1", "chatgpt-4o-latest"}
    assert {v.status for v in openai.values()} == {Qualification.UNQUALIFIED}
    assert stored(service, "anthropic")["claude-sonnet-4-5-20250929"].notes == "Claude Sonnet 4.5"
    retiring = stored(service, "acme")["acme-chat-2025-03-01"]
    assert (retiring.retires_at.isoformat(), retiring.deprecation_note) == ("2027-01-31T00:00:00+00:00", ANNOUNCED)
    assert stored(service, "acme")["acme-chat-latest"].alias
    assert feed_server.seen("/v1/models")[0]["authorization"] == "Bearer sk-test-secret-1234"
    anthropic_headers = feed_server.seen("/a/v1/models")[0]
    assert anthropic_headers["x-api-key"] == "ak-test-secret-5678" and anthropic_headers["anthropic-version"]
    assert "authorization" not in feed_server.seen("/changelog.json")[0]
    kinds = raw_scalar(
        service.locations.registry_url,
        "SELECT count(*) FROM event WHERE kind IN ('provider-version', 'provider-deprecation')",
    )
    assert kinds == 8 + 4 + 3 + 1
    everything = repr(dump_rows(service.registry())) + _cache_text(service)
    assert "secret" not in everything, "API keys are never stored in the registry or the cache"


def _cache_text(service: RegistryService) -> str:
    """Every row of the cache's provider tables, after a sync, as text."""
    service.sync()
    with service.cache().connect() as connection:
        return repr(
            [tuple(row) for table in PROVIDER_TABLES for row in connection.exec_driver_sql(f"SELECT * FROM {table}")]
        )


def test_second_fetch_is_conditional_and_304_writes_nothing(service: RegistryService, feed_server: FeedServer) -> None:
    """The stored ETag goes back as If-None-Match; a 304 is 'not modified' and the change counter stays."""
    add(
        service,
        "openai",
        feed_server.serve("/v1/models", Reply.fixture("openai-models.json", etag='"v1"')),
        FeedFormat.OPENAI,
    )
    assert fetch(service)["openai"].status == "updated"
    before = counter(service)
    assert fetch(service)["openai"].status == "not modified"
    assert feed_server.seen("/v1/models")[1]["if-none-match"] == '"v1"'
    assert counter(service) == before


def test_server_errors_are_retried_with_backoff_until_success(
    service: RegistryService, feed_server: FeedServer
) -> None:
    """500 then 503 then the feed: three requests, recorded once."""
    add(
        service,
        "openai",
        feed_server.serve("/v1/models", Reply(500), Reply(503), Reply.fixture("openai-models.json")),
        FeedFormat.OPENAI,
    )
    assert fetch(service)["openai"].status == "updated"
    assert len(feed_server.seen("/v1/models")) == 3


def test_retries_are_bounded_and_the_failure_is_one_line(service: RegistryService, feed_server: FeedServer) -> None:
    """A feed that keeps failing gives up after the configured attempts: 'provider, URL, reason'."""
    url = feed_server.serve("/v1/models?token=abc", Reply(502))
    add(service, "openai", url, FeedFormat.OPENAI)
    result = fetch(service)["openai"]
    shown = url.split("?")[0]
    assert result.error == f"openai, {shown}, HTTP 502 (gave up after 3 attempts)"
    assert len(feed_server.seen("/v1/models?token=abc")) == 3 and stored(service, "openai") == {}


def test_a_feed_that_times_out_fails_after_bounded_attempts(service: RegistryService, feed_server: FeedServer) -> None:
    """A server slower than the read timeout: retried, then reported as timed out; nothing is stored."""
    add(service, "openai", feed_server.serve("/slow", Reply(body=b'{"data": []}', delay=5.0)), FeedFormat.OPENAI)
    started = time.monotonic()
    result = fetch(service, settings=FetchSettings(read_timeout=0.2, attempts=2, backoff=0.01))["openai"]
    assert result.failed and result.error.endswith("timed out (connect 5s, read 0.2s) (gave up after 2 attempts)")
    assert len(feed_server.seen("/slow")) == 2 and time.monotonic() - started < 4.0, (
        "bounded by the timeouts, not the server's 5 s"
    )
    assert stored(service, "openai") == {}


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(body=b"<html>maintenance</html>"), "malformed feed: not UTF-8 JSON (JSONDecodeError at byte 0)"),
        (Reply(body=b'{"data": "none"}'), "malformed feed: data: expected a list, got str"),
        (Reply(body=b"x" * (100 * 1024)), "response of 102400 bytes exceeds the 64 KiB cap"),
        (Reply(body=b"x" * (100 * 1024), declare_length=False), "response exceeds the 64 KiB cap"),
        (Reply(404), "HTTP 404"),
    ],
)
def test_malformed_or_oversized_bodies_leave_stored_data_untouched(
    reply: Reply,
    reason: str,
    service: RegistryService,
    feed_server: FeedServer,
) -> None:
    """After a good fetch, a bad one reports 'provider, URL, reason' and changes no provider row."""
    url = feed_server.serve("/v1/models", Reply.fixture("openai-models.json"), reply)
    add(service, "openai", url, FeedFormat.OPENAI)
    fetch(service)
    before = provider_rows(service)
    result = fetch(service)["openai"]
    assert result.error == f"openai, {url}, {reason}"
    assert provider_rows(service) == before


def test_a_missing_key_variable_is_one_clear_line_and_no_request(
    service: RegistryService, feed_server: FeedServer
) -> None:
    """The variable's name (never a value) is named; the server sees nothing."""
    url = feed_server.serve("/v1/models", Reply.fixture("openai-models.json"))
    add(service, "openai", url, FeedFormat.OPENAI, "REGTUI_TEST_UNSET_KEY")
    result = fetch(service, env={})["openai"]
    assert result.error == f"openai, {url}, environment variable REGTUI_TEST_UNSET_KEY (the feed's API key) is not set"
    assert feed_server.seen("/v1/models") == []


def test_a_rejected_key_is_named_by_its_variable_never_its_value(
    service: RegistryService, feed_server: FeedServer
) -> None:
    """401: the message names the variable; the key appears in no result."""
    add(service, "openai", feed_server.serve("/v1/models", Reply(401)), FeedFormat.OPENAI, "TEST_OPENAI_KEY")
    result = fetch(service)["openai"]
    assert result.error.endswith("HTTP 401: the key in TEST_OPENAI_KEY was not accepted")
    assert "sk-test" not in repr(result)


def test_a_redirect_is_not_followed_while_sending_a_key(service: RegistryService, feed_server: FeedServer) -> None:
    """With an API key a redirect could hand the key to another host: refused."""
    target = feed_server.serve("/elsewhere", Reply.fixture("openai-models.json"))
    add(
        service,
        "openai",
        feed_server.serve("/v1/models", Reply(302, headers=(("Location", target),))),
        FeedFormat.OPENAI,
        "TEST_OPENAI_KEY",
    )
    assert "redirect not followed" in fetch(service)["openai"].error
    assert feed_server.seen("/elsewhere") == []


def test_one_failing_feed_does_not_stop_the_others(
    service: RegistryService, feed_server: FeedServer, tmp_path: Path
) -> None:
    """A 500, a malformed body and a closed port fail alone; the good feed is recorded."""
    add(service, "openai", feed_server.serve("/v1/models", Reply.fixture("openai-models.json")), FeedFormat.OPENAI)
    add(service, "anthropic", feed_server.serve("/a", Reply(500)), FeedFormat.ANTHROPIC)
    add(service, "acme", feed_server.serve("/c", Reply(body=b"{")), FeedFormat.REGTUI)
    add(service, "down", "http://127.0.0.1:9/feed.json", FeedFormat.REGTUI)
    results = fetch(service)
    assert results["openai"].status == "updated" and len(stored(service, "openai")) == 8
    assert [name for name, r in results.items() if r.failed] == ["acme", "anthropic", "down"]
    assert results["down"].error == "down, http://127.0.0.1:9/feed.json, connection failed (gave up after 3 attempts)"
    for name in ("anthropic", "acme", "down"):
        assert stored(service, name) == {}


def test_versions_no_longer_listed_become_deprecation_notices(
    service: RegistryService, feed_server: FeedServer
) -> None:
    """A complete list without a stored version records a dated notice; a partial page infers nothing."""
    smaller = b'{"data": [{"id": "gpt-4o-2024-08-06", "created": 1722814719}]}'
    add(
        service,
        "openai",
        feed_server.serve("/v1/models", Reply.fixture("openai-models.json"), Reply(body=smaller)),
        FeedFormat.OPENAI,
    )
    fetch(service)
    result = fetch(service)["openai"]
    assert len(result.deprecated) == 7
    gone = stored(service, "openai")["gpt-5-2025-08-07"]
    assert gone.deprecation_note == DISAPPEARED and gone.deprecated_at is not None
    partial = b'{"data": [{"id": "claude-x-20250101", "created_at": "2025-01-01T00:00:00Z"}], "has_more": true}'
    add(
        service,
        "anthropic",
        feed_server.serve("/a", Reply.fixture("anthropic-models.json"), Reply(body=partial)),
        FeedFormat.ANTHROPIC,
    )
    fetch(service, "anthropic")
    assert fetch(service, "anthropic")["anthropic"].deprecated == ()


def test_hostile_version_strings_are_stored_cleaned_and_never_interpreted(
    service: RegistryService,
    feed_server: FeedServer,
) -> None:
    """Markup stays literal text; escape and control characters are stored as visible symbols."""
    add(service, "hostile", feed_server.serve("/h", Reply.fixture("hostile-changelog.json")), FeedFormat.REGTUI)
    assert fetch(service)["hostile"].new == ("[bold]x[/]", "evil\u241b[2J-2025-02-02")
    versions = stored(service, "hostile")
    assert versions["[bold]x[/]"].impact == "[red]not red[/red]\u2407"
    text = repr(dump_rows(service.registry())) + _cache_text(service)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert (FIXTURES / "hostile-changelog.json").read_text().count("\\u001b") == 2
