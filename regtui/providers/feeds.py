"""Fetch provider changelog feeds with httpx: timeouts, bounded retries, conditional requests, a size cap.

- Timeouts: connect and read timeouts per request, plus a deadline per attempt (a server trickling
  bytes cannot hold a fetch forever).
- Retries: on 5xx, 429, timeouts and connection failures, with exponential backoff, `attempts` in all.
- Conditional requests: If-None-Match / If-Modified-Since from the stored validators; 304 = no change.
- Size cap: the body is streamed and the fetch aborted past `max_bytes` (declared or actual).
- API keys: read from the environment variable the feed names, sent only as a request header
  (Authorization: Bearer for openai and regtui feeds, x-api-key and anthropic-version for anthropic),
  never returned, stored or put in a message. With a key, redirects are refused rather than followed.
Every failure is one FeedError line: "provider, URL, reason" (the URL without query or credentials).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from regtui import __version__
from regtui.domain.providers import FeedConfig, FeedFormat
from regtui.errors import RegtuiError
from regtui.providers.http_artifacts import redact_url

if TYPE_CHECKING:
    import httpx

ANTHROPIC_VERSION = "2023-06-01"
MAX_WORKERS = 4


class FeedError(RegtuiError):
    """A feed that could not be fetched or read: one line naming provider, URL and reason."""

    title = "Feed failed"


@dataclass(frozen=True)
class FetchSettings:
    """Timeouts (seconds), retry policy and size cap of feed fetches."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    deadline: float = 60.0
    attempts: int = 3
    backoff: float = 0.5
    max_bytes: int = 5 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    """A fetched feed: its body (None when not modified) and the validators for the next request."""

    body: bytes | None
    etag: str | None
    last_modified: str | None

    @property
    def modified(self) -> bool:
        """Whether the server sent a body (False on 304 Not Modified)."""
        return self.body is not None


@dataclass(frozen=True)
class FeedOutcome:
    """The result of fetching one feed: what was fetched, or the one-line error."""

    feed: FeedConfig
    fetched: Fetched | None = None
    error: str | None = None


class _Retry(Exception):
    """A transient failure worth another attempt."""


class _Stop(Exception):
    """A failure another attempt would not fix."""


def fetch_all(
    feeds: Sequence[FeedConfig],
    *,
    env: Mapping[str, str],
    settings: FetchSettings = FetchSettings(),
    sleep: Callable[[float], None] = time.sleep,
) -> list[FeedOutcome]:
    """Fetch every feed concurrently; one failing feed never stops the others (outcomes in feed order)."""
    if not feeds:
        return []
    with _client(settings) as client, ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(feeds))) as pool:
        futures = [pool.submit(_outcome, feed, env, settings, client, sleep) for feed in feeds]
        return [future.result() for future in futures]


def _outcome(
    feed: FeedConfig,
    env: Mapping[str, str],
    settings: FetchSettings,
    client: httpx.Client,
    sleep: Callable[[float], None],
) -> FeedOutcome:
    """Fetch one feed, turning its failure into the outcome's error line."""
    try:
        return FeedOutcome(feed, fetched=fetch_feed(feed, env=env, settings=settings, client=client, sleep=sleep))
    except FeedError as exc:
        return FeedOutcome(feed, error=exc.message)


def fetch_feed(
    feed: FeedConfig,
    *,
    env: Mapping[str, str],
    settings: FetchSettings = FetchSettings(),
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """Fetch one feed with retries and backoff; FeedError("provider, URL, reason") when it fails."""
    shown = redact_url(feed.url)
    headers = _headers(feed, env, shown)
    if client is None:
        with _client(settings) as own:
            return fetch_feed(feed, env=env, settings=settings, client=own, sleep=sleep)
    attempt = 1
    while True:
        try:
            return _attempt(client, feed, headers, settings)
        except _Retry as exc:
            if attempt >= settings.attempts:
                raise FeedError(f"{feed.provider}, {shown}, {exc} (gave up after {attempt} attempts)") from None
            sleep(settings.backoff * 2 ** (attempt - 1))
            attempt += 1
        except _Stop as exc:
            raise FeedError(f"{feed.provider}, {shown}, {exc}") from None


def _client(settings: FetchSettings) -> httpx.Client:
    """An httpx client with the settings' timeouts (httpx is imported on first use: it slows every start)."""
    import httpx

    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    return httpx.Client(timeout=timeout, headers={"User-Agent": f"regtui/{__version__}", "Accept": "application/json"})


def _headers(feed: FeedConfig, env: Mapping[str, str], shown: str) -> dict[str, str]:
    """Authentication and conditional-request headers (the key comes from the named variable only)."""
    headers: dict[str, str] = {}
    if feed.api_key_env:
        key = env.get(feed.api_key_env, "").strip()
        if not key:
            raise FeedError(
                f"{feed.provider}, {shown}, environment variable {feed.api_key_env} (the feed's API key) is not set"
            )
        if feed.format is FeedFormat.ANTHROPIC:
            headers.update({"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION})
        else:
            headers["Authorization"] = f"Bearer {key}"
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


def _attempt(client: httpx.Client, feed: FeedConfig, headers: dict[str, str], settings: FetchSettings) -> Fetched:
    """One GET: 304 means unchanged; 5xx/429/timeouts/connection failures are retried; the body is capped."""
    import httpx

    started = time.monotonic()
    try:
        with client.stream("GET", feed.url, headers=headers, follow_redirects=not feed.api_key_env) as response:
            if response.status_code == 304:
                return Fetched(
                    None,
                    response.headers.get("etag") or feed.etag,
                    response.headers.get("last-modified") or feed.last_modified,
                )
            _check_status(response, feed)
            body = _read_capped(response, settings, started)
            return Fetched(body, response.headers.get("etag"), response.headers.get("last-modified"))
    except httpx.TimeoutException:
        raise _Retry(f"timed out (connect {settings.connect_timeout:g}s, read {settings.read_timeout:g}s)") from None
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
        raise _Retry("connection failed") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise _Stop("not an http(s) URL") from None
    except httpx.HTTPError as exc:
        raise _Stop(f"request failed ({type(exc).__name__})") from None


def _check_status(response: httpx.Response, feed: FeedConfig) -> None:
    """Retry server errors and rate limits; stop on redirects (with a key) and client errors."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise _Retry(f"HTTP {status}")
    if 300 <= status < 400:
        raise _Stop(f"HTTP {status} redirect not followed while sending an API key; configure the final URL")
    if status in (401, 403):
        raise _Stop(f"HTTP {status}: the key in {feed.api_key_env or 'no key variable'} was not accepted")
    if status >= 400:
        raise _Stop(f"HTTP {status}")


def _read_capped(response: httpx.Response, settings: FetchSettings, started: float) -> bytes:
    """The body, refusing more than max_bytes (declared or streamed) and a read past the deadline."""
    cap = settings.max_bytes
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _Stop(f"response of {int(declared)} bytes exceeds the {_size(cap)} cap")
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > cap:
            raise _Stop(f"response exceeds the {_size(cap)} cap")
        if time.monotonic() - started > settings.deadline:
            raise _Retry(f"timed out (no complete response within {settings.deadline:g}s)")
        chunks.append(chunk)
    return b"".join(chunks)


def _size(count: int) -> str:
    """A byte count for messages: 5 MiB, 64 KiB, 300 bytes."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"
