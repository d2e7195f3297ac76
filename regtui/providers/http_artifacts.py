"""Stream http(s) artifacts with httpx for hashing; failures become one-line errors without secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from regtui.domain.checksums import CHUNK_SIZE, ArtifactMissingError, ArtifactUnavailableError
from regtui.domain.text import clean_single_line

if TYPE_CHECKING:
    import httpx

_GONE = (404, 410)


def stream_http(url: str, *, timeout: float = 30.0, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield an http(s) resource's body in chunks, following redirects, with connect/read timeouts."""
    import httpx  # on first use: importing it slows every start

    shown = redact_url(url)
    try:
        with httpx.stream("GET", url, timeout=httpx.Timeout(timeout), follow_redirects=True) as response:
            _raise_for_status(response, shown)
            yield from response.iter_bytes(chunk_size=chunk_size)
    except httpx.TimeoutException:
        raise ArtifactUnavailableError(f"timed out after {timeout:g}s fetching {shown}") from None
    except httpx.ConnectError:
        raise ArtifactUnavailableError(f"could not connect to fetch {shown}") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ArtifactUnavailableError(f"fetching {shown} failed ({type(exc).__name__})") from None


def _raise_for_status(response: httpx.Response, shown: str) -> None:
    """Turn an error status into ArtifactMissingError (404/410) or ArtifactUnavailableError."""
    if response.is_success:
        return
    message = f"HTTP {response.status_code} {response.reason_phrase} fetching {shown}"
    error = ArtifactMissingError if response.status_code in _GONE else ArtifactUnavailableError
    raise error(clean_single_line(message))


def redact_url(url: str) -> str:
    """scheme://host[:port]/path only: drop credentials, query and fragment (signed URLs carry tokens there)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "an invalid URL"
    host = parts.netloc.rpartition("@")[2]
    return clean_single_line(f"{parts.scheme}://{host}{parts.path}")
