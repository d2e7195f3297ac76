"""Reading artifacts for the services: the readers wired in (HTTP, object stores), several artifacts at once, and
the hashing at registration that records what was read (SHA-256, size, object version, ETag).

The bytes themselves are read through regtui.domain.checksums.artifact_chunks, the one place a reader is chosen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from regtui.config import load_settings, s3_endpoint_url
from regtui.domain.checksums import (
    ArtifactScheme,
    ProgressCallback,
    VerifyResult,
    artifact_chunks,
    classify_uri,
    sha256_stream,
    verify_artifact,
)
from regtui.domain.entry import Artifact, VersionEntry
from regtui.domain.text import clean_single_line
from regtui.errors import InputError, RegtuiError
from regtui.providers.http_artifacts import stream_http
from regtui.providers.object_store import FsspecObjectReader

MAX_WORKERS = 4
"""Artifacts read at once: files and streams hash in parallel (SHA-256 and I/O release the GIL)."""
AT_ONCE_MIN_BYTES = 8 << 20
"""Local artifacts smaller than this in all are hashed one after the other: starting threads would cost more than
hashing them in parallel saves (remote artifacts always go at once: their reads wait on the network)."""
ArtifactCount = Callable[[int, int], None]
"""Told (done, of) when the work starts and after each artifact, for progress per artifact beside the bytes."""
T = TypeVar("T")
R = TypeVar("R")


class RegistrationHashError(InputError):
    """An artifact could not be read or did not match what its manifest states: the registration is refused."""

    title = "Artifact refused"


@dataclass(frozen=True)
class Readers:
    """The readers an artifact's scheme may need (HTTP, object stores)."""

    objects: FsspecObjectReader

    def chunks(self, artifact: Artifact) -> Callable[[], Iterable[bytes]]:
        """How to read the artifact's bytes (its recorded object version in a store)."""
        return artifact_chunks(artifact, stream_http, self.objects)

    def verify(self, artifact: Artifact, on_bytes: ProgressCallback | None = None) -> VerifyResult:
        """Re-hash one artifact against its record."""
        return verify_artifact(artifact, fetch_http=stream_http, on_bytes=on_bytes, objects=self.objects)


def readers() -> Readers:
    """Readers configured from the environment and the configuration file (the S3 endpoint); credentials are left
    to each cloud's own chain."""
    return Readers(FsspecObjectReader(s3_endpoint_url(load_settings())))


def readers_for(artifacts: Sequence[Artifact]) -> Readers:
    """Readers for these artifacts: the configuration file (the S3 endpoint) is read only when one of them is in an
    object store, so re-verifying files and HTTP artifacts reads no file but the artifacts."""
    if any(classify_uri(a.uri) is ArtifactScheme.OBJECT for a in artifacts):
        return readers()
    return Readers(FsspecObjectReader())


def each_at_once(
    items: Sequence[T], work: Callable[[T], R], on_count: ArtifactCount | None = None, *, at_once: bool = True
) -> list[R]:
    """work(item) for every item, up to MAX_WORKERS at a time (one after the other when not at_once), results in the
    items' order; on_count is told how many are done."""
    counted = _counted(work, len(items), on_count)
    if len(items) <= 1 or not at_once:
        return [counted(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(items)), thread_name_prefix="regtui-hash") as pool:
        return list(pool.map(counted, items))


def _counted(work: Callable[[T], R], total: int, on_count: ArtifactCount | None) -> Callable[[T], R]:
    """work that reports (done, total) after each item, from any thread (and (0, total) now)."""
    if on_count is None:
        return work
    lock = threading.Lock()
    done = [0]
    on_count(0, total)

    def run(item: T) -> R:
        result = work(item)
        with lock:
            done[0] += 1
            on_count(done[0], total)
        return result

    return run


def locked(on_bytes: ProgressCallback | None) -> ProgressCallback | None:
    """A progress callback safe to call from several hashing threads."""
    if on_bytes is None:
        return None
    lock = threading.Lock()

    def report(count: int) -> None:
        with lock:
            on_bytes(count)

    return report


def verify_all(
    artifacts: Sequence[Artifact],
    on_bytes: ProgressCallback | None = None,
    *,
    using: Readers | None = None,
    on_count: ArtifactCount | None = None,
) -> tuple[VerifyResult, ...]:
    """Every artifact re-hashed now against its record, several at once, in the artifacts' order."""
    reading = using or readers_for(artifacts)
    report = locked(on_bytes)
    verify = partial(_verify_one, reading, report)
    return tuple(each_at_once(artifacts, verify, on_count, at_once=worth_threads(artifacts)))


def _verify_one(reading: Readers, on_bytes: ProgressCallback | None, artifact: Artifact) -> VerifyResult:
    """One artifact re-hashed against its record."""
    return reading.verify(artifact, on_bytes)


def worth_threads(artifacts: Sequence[Artifact]) -> bool:
    """Whether reading the artifacts at once is faster: any of them remote, or enough local bytes in all."""
    remote = any(classify_uri(a.uri) is not ArtifactScheme.FILE for a in artifacts)
    return remote or sum(max(a.size, 0) for a in artifacts) >= AT_ONCE_MIN_BYTES


def hash_for_registration(
    entry: VersionEntry,
    on_bytes: ProgressCallback | None = None,
    *,
    using: Readers | None = None,
    on_count: ArtifactCount | None = None,
) -> VersionEntry:
    """The entry with each artifact's SHA-256 and size measured by reading it as the registrant, and, in an object
    store, the object version and ETag read; refuses an unreadable artifact or one whose manifest states other
    values, naming it."""
    reading = using or readers_for(entry.artifacts)
    report = locked(on_bytes)
    measured = each_at_once(entry.artifacts, lambda artifact: _measured(entry, artifact, reading, report), on_count)
    return replace(entry, artifacts=tuple(measured))


def _measured(entry: VersionEntry, artifact: Artifact, reading: Readers, on_bytes: ProgressCallback | None) -> Artifact:
    """One artifact pinned (object stores), read and hashed, checked against what the manifest states."""
    where = f"{entry.ref} artifact {clean_single_line(artifact.name)}"
    try:
        pinned = _pinned(artifact, reading)
        digest, size = sha256_stream(reading.chunks(pinned)(), on_bytes)
    except RegtuiError as exc:
        raise RegistrationHashError(f"{where}: cannot be read: {exc.message}") from None
    except OSError as exc:
        raise RegistrationHashError(f"{where}: cannot be read: {exc.strerror or type(exc).__name__}") from None
    if artifact.sha256 and artifact.sha256 != digest:
        raise RegistrationHashError(
            f"{where}: the manifest states sha256 {artifact.sha256[:12]}…, the artifact hashes to {digest[:12]}…"
        )
    if artifact.size >= 0 and artifact.size != size:
        raise RegistrationHashError(f"{where}: the manifest states {artifact.size} bytes, the artifact has {size}")
    return replace(pinned, sha256=digest, size=size)


def _pinned(artifact: Artifact, reading: Readers) -> Artifact:
    """An object-store artifact with the version and ETag it is registered at (the manifest's version, else the
    key's current object); other artifacts as they are."""
    if classify_uri(artifact.uri) is not ArtifactScheme.OBJECT:
        return artifact
    version, etag = reading.objects.pin(artifact.uri, artifact.object_version)
    if artifact.etag and etag and artifact.etag.strip('"') != etag:
        raise InputError(f"the manifest states ETag {artifact.etag}, the store reports {etag}")
    return replace(artifact, object_version=version, etag=etag)
