"""Artifact checksums: streaming hashes, URI resolution, and verification of file and http artifacts."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from regtui.domain.checksums import (
    ArtifactMissingError,
    ArtifactScheme,
    ArtifactUnavailableError,
    VerifyStatus,
    classify_uri,
    file_uri_to_path,
    path_to_file_uri,
    pin_text,
    resolve_artifact_uri,
    sha256_file,
    sha256_stream,
    unpinned,
    verify_artifact,
)
from regtui.domain.entry import Artifact
from regtui.errors import InputError
from regtui.providers.http_artifacts import redact_url, stream_http
from tests.time_bound import time_bound

MIB = 1024 * 1024
BODY = b"model weights " * 10_000
BODY_SHA = hashlib.sha256(BODY).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    """Serves BODY at /model.bin, redirects /moved, stalls on /slow, answers 404 elsewhere."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Answer one GET according to the path."""
        path = self.path.split("?")[0]
        if path == "/model.bin":
            self._send(200, BODY)
        elif path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/model.bin")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/slow":
            time.sleep(1.0)
        elif path == "/broken":
            self._send(500, b"boom")
        else:
            self._send(404, b"not here")

    def _send(self, status: int, body: bytes) -> None:
        """Send a status and a body."""
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - overridden signature
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def http_base() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 in a thread, for the duration of this module."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _artifact(uri: str, data: bytes = BODY) -> Artifact:
    """An artifact recording the checksum and size of some bytes."""
    return Artifact(name="model", uri=uri, sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def test_sha256_stream_hashes_and_reports_progress() -> None:
    """The digest and size equal hashlib's; on_bytes sees every byte."""
    seen: list[int] = []
    digest, size = sha256_stream([b"abc", b"", b"def"], on_bytes=seen.append)
    assert (digest, size) == (hashlib.sha256(b"abcdef").hexdigest(), 6)
    assert sum(seen) == 6


def test_sha256_file_streams_large_file_in_constant_memory(tmp_path: Path) -> None:
    """A 50 MiB file hashes with a traced peak under 5 MiB: the file is never read whole."""
    path = tmp_path / "big.bin"
    expected = hashlib.sha256()
    chunk = bytes(range(256)) * (MIB // 256)
    with open(path, "wb") as handle:
        for _ in range(50):
            handle.write(chunk)
            expected.update(chunk)
    progress: list[int] = []
    tracemalloc.start()
    try:
        digest, size = sha256_file(path, on_bytes=progress.append)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (digest, size) == (expected.hexdigest(), 50 * MIB)
    assert sum(progress) == 50 * MIB
    assert peak < 5 * MIB


@pytest.mark.parametrize(
    ("uri", "scheme"),
    [
        ("file:///data/model.bin", ArtifactScheme.FILE),
        ("file://localhost/data/model.bin", ArtifactScheme.FILE),
        ("FILE:///data/model.bin", ArtifactScheme.FILE),
        ("http://example.com/m.bin", ArtifactScheme.HTTP),
        ("HTTPS://example.com/m.bin", ArtifactScheme.HTTP),
        ("s3://bucket/m.bin", ArtifactScheme.OBJECT),
        ("gs://bucket/m.bin", ArtifactScheme.OBJECT),
        ("az://container/m.bin", ArtifactScheme.OBJECT),
        ("abfs://container@account.dfs.core.windows.net/m.bin", ArtifactScheme.OBJECT),
        ("s3:///m.bin", ArtifactScheme.UNVERIFIABLE),
        ("ftp://host/m.bin", ArtifactScheme.UNVERIFIABLE),
        ("file://fileserver/share/m.bin", ArtifactScheme.UNVERIFIABLE),
        ("file:relative/m.bin", ArtifactScheme.UNVERIFIABLE),
        ("relative/m.bin", ArtifactScheme.UNVERIFIABLE),
    ],
)
def test_classify_uri(uri: str, scheme: ArtifactScheme) -> None:
    """Local absolute file URIs, http(s) with a host and object stores with a bucket are verifiable; the rest is
    recorded only."""
    assert classify_uri(uri) == scheme


def test_file_uri_round_trip_with_spaces_and_percent(tmp_path: Path) -> None:
    """Paths with spaces and percent signs survive path -> URI -> path."""
    path = tmp_path / "my models" / "v 100%.bin"
    uri = path_to_file_uri(path)
    assert uri.startswith("file:///") and " " not in uri
    assert "%20" in uri and "%25" in uri
    assert file_uri_to_path(uri) == path


def test_verifying_a_file_whose_uri_percent_encodes_its_path_reads_that_file(tmp_path: Path) -> None:
    """verify_artifact opens the decoded path: a match when the bytes are right, a mismatch when they are not."""
    path = tmp_path / "my models" / "v 100%.bin"
    path.parent.mkdir()
    path.write_bytes(BODY)
    uri = path_to_file_uri(path)
    assert verify_artifact(_artifact(uri)).status is VerifyStatus.OK
    assert verify_artifact(_artifact(uri, BODY + b"!")).status is VerifyStatus.MISMATCH


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names are bytes; Windows names are text")
def test_a_file_whose_name_is_not_utf8_is_found_through_its_uri(tmp_path: Path) -> None:
    """A name with bytes that are not UTF-8 survives path -> URI -> path, so verify reads that very file."""
    path = tmp_path / os.fsdecode(b"model-\xff\xfe.bin")
    path.write_bytes(BODY)
    uri = path_to_file_uri(path)
    assert "%FF%FE" in uri
    assert file_uri_to_path(uri) == path
    assert verify_artifact(_artifact(uri)).status is VerifyStatus.OK


def test_file_uri_to_path_refuses_remote_and_non_file() -> None:
    """Remote-host file URIs and other schemes are not local paths."""
    for uri in ["file://server/share/x", "http://example.com/x", "file:relative"]:
        with pytest.raises(InputError, match="not a local absolute file URI"):
            file_uri_to_path(uri)


def test_resolve_relative_paths_against_base_dir(tmp_path: Path) -> None:
    """Relative paths and file:relative become absolute file:// URIs under base_dir, spaces encoded."""
    base = tmp_path / "manifest dir"
    expected = (base / "artifacts" / "model v2.bin").as_uri()
    assert resolve_artifact_uri("artifacts/model v2.bin", base) == expected
    assert resolve_artifact_uri("./artifacts/../artifacts/model v2.bin", base) == expected
    assert resolve_artifact_uri("file:artifacts/model%20v2.bin", base) == expected


def test_resolve_absolute_path_and_single_slash_file_uri(tmp_path: Path) -> None:
    """An absolute path or file:/abs becomes a file:/// URI regardless of base_dir."""
    assert resolve_artifact_uri("/data/m.bin", tmp_path) == "file:///data/m.bin"
    assert resolve_artifact_uri("file:/data/m.bin", tmp_path) == "file:///data/m.bin"


@pytest.mark.parametrize(
    "uri",
    ["file:///data/m%20x.bin", "https://example.com/m.bin?sig=1", "s3://bucket/m.bin", "gs://b/m.bin"],
)
def test_resolve_keeps_absolute_uris(uri: str, tmp_path: Path) -> None:
    """Absolute file:// URIs, http(s) and other schemes are recorded exactly as given."""
    assert resolve_artifact_uri(uri, tmp_path) == uri


def test_resolve_refuses_empty(tmp_path: Path) -> None:
    """An empty URI is bad input."""
    with pytest.raises(InputError, match="empty artifact URI"):
        resolve_artifact_uri("", tmp_path)


def test_verify_file_ok_with_progress(tmp_path: Path) -> None:
    """A file matching its record verifies ok and reports progress."""
    path = tmp_path / "a b.bin"
    path.write_bytes(BODY)
    progress: list[int] = []
    result = verify_artifact(_artifact(path_to_file_uri(path)), on_bytes=progress.append)
    assert result.ok and result.status is VerifyStatus.OK
    assert (result.actual_sha256, result.actual_size) == (BODY_SHA, len(BODY))
    assert sum(progress) == len(BODY)


def test_verify_file_mismatch(tmp_path: Path) -> None:
    """Changed content is a mismatch naming what differs; both values are in the result."""
    path = tmp_path / "m.bin"
    path.write_bytes(BODY + b"tampered")
    result = verify_artifact(_artifact(path_to_file_uri(path)))
    assert result.status is VerifyStatus.MISMATCH and not result.ok
    assert result.expected_sha256 == BODY_SHA and result.actual_sha256 != BODY_SHA
    assert result.actual_size == len(BODY) + 8
    assert "sha256" in result.message and "size" in result.message


def test_verify_same_size_different_content_is_mismatch(tmp_path: Path) -> None:
    """Equal size does not hide a different checksum."""
    path = tmp_path / "m.bin"
    path.write_bytes(b"x" * len(BODY))
    result = verify_artifact(_artifact(path_to_file_uri(path)))
    assert result.status is VerifyStatus.MISMATCH
    assert "size" not in result.message and "sha256" in result.message


def test_verify_missing_file(tmp_path: Path) -> None:
    """A file that is gone is reported missing, with its path."""
    path = tmp_path / "gone.bin"
    result = verify_artifact(_artifact(path_to_file_uri(path)))
    assert result.status is VerifyStatus.MISSING
    assert result.message == f"file not found: {path}"


def test_verify_directory_is_error(tmp_path: Path) -> None:
    """A directory where a file should be is an error, not a crash."""
    result = verify_artifact(_artifact(path_to_file_uri(tmp_path)))
    assert result.status is VerifyStatus.ERROR
    assert "cannot read" in result.message


@pytest.mark.parametrize("uri", ["s3://bucket/model.bin", "gs://bucket/model.bin", "file://nas/share/m.bin"])
def test_verify_other_schemes_unverifiable(uri: str) -> None:
    """Schemes that cannot be read here are flagged, never silently passed."""
    result = verify_artifact(_artifact(uri), fetch_http=lambda url: [])
    assert result.status is VerifyStatus.UNVERIFIABLE and not result.ok
    assert result.actual_sha256 is None


def test_verify_http_without_fetcher_is_unverifiable() -> None:
    """Without an injected fetcher, http artifacts cannot be verified."""
    result = verify_artifact(_artifact("https://example.com/m.bin"))
    assert result.status is VerifyStatus.UNVERIFIABLE
    assert result.message == "HTTP verification is not available here"


def test_stream_http_yields_body(http_base: str) -> None:
    """stream_http streams the body in chunks of at most chunk_size."""
    chunks = list(stream_http(f"{http_base}/model.bin", chunk_size=4096))
    assert b"".join(chunks) == BODY
    assert max(len(c) for c in chunks) <= 4096


def test_stream_http_follows_redirects(http_base: str) -> None:
    """Redirects are followed to the artifact."""
    assert b"".join(stream_http(f"{http_base}/moved")) == BODY


def test_verify_http_ok(http_base: str) -> None:
    """An http artifact verifies through the injected streaming fetcher."""
    result = verify_artifact(_artifact(f"{http_base}/model.bin"), fetch_http=stream_http)
    assert result.status is VerifyStatus.OK


def test_verify_http_mismatch(http_base: str) -> None:
    """An http artifact whose bytes differ from the record is a mismatch."""
    result = verify_artifact(_artifact(f"{http_base}/model.bin", b"other"), fetch_http=stream_http)
    assert result.status is VerifyStatus.MISMATCH


def test_stream_http_404_is_one_clear_line_without_secrets(http_base: str) -> None:
    """A 404 raises ArtifactMissingError naming status and URL, without credentials or query."""
    url = http_base.replace("http://", "http://alice:s3cret@") + "/nothing.bin?token=abc123#frag"
    with pytest.raises(ArtifactMissingError) as caught:
        list(stream_http(url))
    message = caught.value.message
    assert message == f"HTTP 404 Not Found fetching {http_base}/nothing.bin"
    assert isinstance(caught.value, InputError)


def test_verify_http_404_is_missing(http_base: str) -> None:
    """verify_artifact reports a 404 as missing."""
    result = verify_artifact(_artifact(f"{http_base}/nothing.bin"), fetch_http=stream_http)
    assert result.status is VerifyStatus.MISSING
    assert "HTTP 404" in result.message


def test_verify_http_server_error_is_error(http_base: str) -> None:
    """A 5xx is an error result, not missing."""
    result = verify_artifact(_artifact(f"{http_base}/broken"), fetch_http=stream_http)
    assert result.status is VerifyStatus.ERROR
    assert result.message == f"HTTP 500 Internal Server Error fetching {http_base}/broken"


def test_stream_http_timeout(http_base: str) -> None:
    """A stalled server raises a one-line timeout error."""
    with pytest.raises(ArtifactUnavailableError, match=r"^timed out after 0\.2s fetching http://"):
        list(stream_http(f"{http_base}/slow", timeout=0.2))


def test_stream_http_connection_refused() -> None:
    """An unreachable host raises a one-line connection error."""
    with pytest.raises(ArtifactUnavailableError, match="^could not connect to fetch http://127.0.0.1:9/x$"):
        list(stream_http("http://127.0.0.1:9/x", timeout=2))


def test_redact_url_drops_credentials_query_and_fragment() -> None:
    """Only scheme, host, port and path are shown."""
    assert redact_url("https://u:p@host:8443/a/b?sig=X#f") == "https://host:8443/a/b"


def test_an_endless_http_body_is_cut_after_the_recorded_size() -> None:
    """A server that streams forever: the read stops one byte past the recorded size (a mismatch), and the stream
    is closed."""
    closed: list[bool] = []

    def endless(_url: str) -> Iterator[bytes]:
        """Chunks without end; records its closing."""
        try:
            while True:
                yield b"z" * 4096
        finally:
            closed.append(True)

    with time_bound(30):
        result = verify_artifact(_artifact("https://models.example.com/m.bin"), fetch_http=endless)
    assert result.status is VerifyStatus.MISMATCH and result.actual_size == len(BODY) + 1
    assert closed == [True]


def test_pin_text_says_how_an_object_store_artifact_is_pinned() -> None:
    """An object version, a bucket without versioning, or nothing for other stores."""
    pinned = Artifact("m", "s3://bucket/m.bin", "0" * 64, 1, "v1", "etag")
    loose = Artifact("m", "az://container/m.bin", "0" * 64, 1)
    local = Artifact("m", "file:///data/m.bin", "0" * 64, 1)
    assert pin_text(pinned) == "object version v1" and not unpinned(pinned)
    assert pin_text(loose) == "not pinned: bucket without versioning" and unpinned(loose)
    assert pin_text(local) == "" and not unpinned(local)
