"""Artifact checksums: streamed SHA-256, artifact URIs, and verification against the recorded values.

HTTP is injected as a streaming callable (see regtui.providers.http_artifacts.stream_http) and object stores as an
ObjectReader (see regtui.providers.object_store), so this module stays free of any HTTP client or cloud SDK. Every
read of an artifact's bytes, whatever its scheme, starts in `artifact_chunks`.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Protocol
from urllib.parse import SplitResult, unquote, urlsplit

from regtui.domain.entry import Artifact
from regtui.domain.text import clean_single_line
from regtui.errors import InputError, RegtuiError
from regtui.input_files import NotRegularFileError, open_regular

CHUNK_SIZE = 1024 * 1024
ProgressCallback = Callable[[int], None]
HttpFetcher = Callable[[str], Iterable[bytes]]
_LOCAL_HOSTS = ("", "localhost")
OBJECT_SCHEMES = frozenset({"s3", "gs", "gcs", "az", "abfs", "abfss"})
"""Object stores read through fsspec (s3fs, gcsfs, adlfs): S3 and S3-compatible, Google Cloud Storage, Azure Blob."""


class ArtifactUnavailableError(InputError):
    """An artifact could not be fetched (HTTP error status, timeout, connection failure)."""

    title = "Artifact unavailable"


class UnverifiableError(InputError):
    """An artifact's URI names nothing this installation can read (another host, an unknown scheme)."""

    title = "Artifact unverifiable"


class ArtifactMissingError(ArtifactUnavailableError):
    """The artifact's server answered that it does not exist (HTTP 404 or 410)."""

    title = "Artifact missing"


class ArtifactScheme(StrEnum):
    """How an artifact URI can be verified here."""

    FILE = "file"
    HTTP = "http"
    OBJECT = "object"
    UNVERIFIABLE = "unverifiable"


class VerifyStatus(StrEnum):
    """Outcome of re-hashing one artifact."""

    OK = "ok"
    MISMATCH = "mismatch"
    MISSING = "missing"
    UNVERIFIABLE = "unverifiable"
    ERROR = "error"


class KeyState(StrEnum):
    """What an object store's key holds now, beside the object version registered for it."""

    SAME = "same"
    """The key's current object is the registered one."""
    REPLACED = "replaced"
    """The key now holds another object."""
    DELETED = "deleted"
    """The key has no current object."""
    UNVERSIONED = "unversioned"
    """The bucket keeps no versions: the key's current object is all there is."""
    UNKNOWN = "unknown"
    """The key could not be looked up."""


class ObjectReader(Protocol):
    """Reads objects of a store at a pinned version (implemented with fsspec in regtui.providers.object_store)."""

    def pin(self, uri: str, object_version: str = "") -> tuple[str, str]:
        """The (object version, ETag) to record: of the given version, else of the key's current object ('' for the
        version when the bucket keeps none)."""
        ...

    def chunks(self, artifact: Artifact) -> Iterable[bytes]:
        """The bytes of the artifact's recorded object version (the current object when none is recorded)."""
        ...

    def key_state(self, artifact: Artifact) -> KeyState:
        """What the artifact's key holds now compared with its recorded object version."""
        ...


@dataclass(frozen=True)
class VerifyResult:
    """One artifact's verification: recorded versus found SHA-256 and size, and a one-line message."""

    name: str
    uri: str
    status: VerifyStatus
    expected_sha256: str
    expected_size: int
    actual_sha256: str | None = None
    actual_size: int | None = None
    message: str = ""
    object_version: str = ""
    """The object-store version read, the record's pinned one (empty for other artifacts and unpinned objects)."""

    @property
    def ok(self) -> bool:
        """True only when the artifact was read and matches its recorded checksum and size."""
        return self.status is VerifyStatus.OK


def sha256_stream(chunks: Iterable[bytes], on_bytes: ProgressCallback | None = None) -> tuple[str, int]:
    """Hex SHA-256 and total size of a byte stream, reporting progress per chunk, in constant memory."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        if on_bytes is not None:
            on_bytes(len(chunk))
    return digest.hexdigest(), size


def sha256_file(path: Path, chunk_size: int = CHUNK_SIZE, on_bytes: ProgressCallback | None = None) -> tuple[str, int]:
    """Hex SHA-256 and size of a file of any size, read in chunks so memory stays constant."""
    return sha256_stream(_read_chunks(path, chunk_size), on_bytes)


def _read_chunks(path: Path | str, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield a regular file's bytes chunk by chunk (a FIFO, directory, device or socket is refused before any
    read: NotRegularFileError names what it is)."""
    with open_regular(path) as handle:
        while chunk := handle.read(chunk_size):
            yield chunk


def classify_uri(uri: str) -> ArtifactScheme:
    """Whether a URI is a local file, an http(s) resource, or something recorded but not verifiable here."""
    return _classify(urlsplit(uri))


def _classify(parts: SplitResult) -> ArtifactScheme:
    """classify_uri of a split URI."""
    scheme = parts.scheme.lower()
    if scheme == "file" and _is_local_absolute(parts):
        return ArtifactScheme.FILE
    if scheme in ("http", "https") and parts.netloc:
        return ArtifactScheme.HTTP
    if scheme in OBJECT_SCHEMES and parts.netloc:
        return ArtifactScheme.OBJECT
    return ArtifactScheme.UNVERIFIABLE


def _is_local_absolute(parts: SplitResult) -> bool:
    """True for a file URI naming an absolute path on this host."""
    return parts.netloc.lower() in _LOCAL_HOSTS and parts.path.startswith("/")


def _local_path(url_path: str) -> str:
    """A file URI's percent-encoded path as a local path: on POSIX percent-decoded in the file system's encoding, as
    urllib.request's url2pathname does there (that module, slow to import, only on Windows)."""
    if os.name != "nt":
        return unquote(url_path, encoding=sys.getfilesystemencoding(), errors=sys.getfilesystemencodeerrors())
    from urllib.request import url2pathname

    return url2pathname(url_path)


def file_uri_to_path(uri: str) -> Path:
    """The local path a file:// URI names (percent-decoded), refusing remote hosts and relative paths."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "file" or not _is_local_absolute(parts):
        raise InputError(f"not a local absolute file URI: '{clean_single_line(uri)}'")
    return Path(_local_path(parts.path))


def path_to_file_uri(path: Path) -> str:
    """The absolute, percent-encoded file:// URI of a path (relative paths against the working directory)."""
    return Path(os.path.abspath(path)).as_uri()


def resolve_artifact_uri(uri: str, base_dir: Path) -> str:
    """Make a manifest's artifact reference absolute: paths and file:relative against base_dir; URIs kept."""
    if not uri:
        raise InputError("empty artifact URI")
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if not scheme:
        return path_to_file_uri(Path(base_dir, uri))
    if scheme == "file" and not parts.netloc and not uri[len("file:") :].startswith("//"):
        return path_to_file_uri(Path(base_dir, _local_path(parts.path)))
    return uri


def artifact_chunks(
    artifact: Artifact, fetch_http: HttpFetcher | None = None, objects: ObjectReader | None = None
) -> Callable[[], Iterable[bytes]]:
    """How to read an artifact's bytes (its recorded object version in a store), or UnverifiableError saying why it
    cannot be read here: the one place that picks a reader by scheme (verify, register and pull all start here)."""
    parts = urlsplit(artifact.uri)
    scheme = _classify(parts)
    if scheme is ArtifactScheme.FILE:  # split once, the path opened as text (file_uri_to_path, without its Path)
        return partial(_read_chunks, _local_path(parts.path))
    if scheme is ArtifactScheme.HTTP and fetch_http is not None:
        fetched = partial(fetch_http, artifact.uri)
        return partial(_at_most, fetched, artifact.size + 1) if artifact.recorded else fetched
    if scheme is ArtifactScheme.OBJECT and objects is not None:
        return partial(objects.chunks, artifact)
    raise UnverifiableError(_unverifiable_reason(artifact.uri))


def verify_artifact(
    artifact: Artifact,
    fetch_http: HttpFetcher | None = None,
    on_bytes: ProgressCallback | None = None,
    objects: ObjectReader | None = None,
) -> VerifyResult:
    """Re-hash an artifact from its URI (an object store's recorded version) and compare with the recorded SHA-256
    and size; for an object store, say what the key holds now when that is not the registered object."""
    try:
        open_chunks = artifact_chunks(artifact, fetch_http, objects)
    except UnverifiableError as exc:
        return _result(artifact, VerifyStatus.UNVERIFIABLE, exc.message)
    result = _verify_chunks(artifact, open_chunks, on_bytes)
    if objects is None or classify_uri(artifact.uri) is not ArtifactScheme.OBJECT:
        return result
    return _with_key_state(result, objects.key_state(artifact))


def _with_key_state(result: VerifyResult, state: KeyState) -> VerifyResult:
    """A store's result with what its key holds now: an overwritten or deleted key, or a bucket without versions."""
    readable = result.status is not VerifyStatus.MISSING
    if state is KeyState.UNVERSIONED:
        note = (
            "bucket without versioning: the key's current object was read"
            if readable
            else "bucket without versioning: the registered object is gone"
        )
    elif state is KeyState.REPLACED:
        still = "still readable" if readable else "gone"
        note = f"the key now holds another object; the registered version is {still}"
    elif state is KeyState.DELETED:
        note = f"the key was deleted; the registered version is {'still readable' if readable else 'gone'}"
    elif not readable:
        note = "the registered version is gone"
    else:
        return result
    message = f"{result.message}; {note}" if result.message else note
    return replace(result, message=message)


def _verify_chunks(
    artifact: Artifact, open_chunks: Callable[[], Iterable[bytes]], on_bytes: ProgressCallback | None
) -> VerifyResult:
    """Hash the bytes from a source, turning read failures into a missing or error result."""
    try:
        actual_sha256, actual_size = sha256_stream(open_chunks(), on_bytes)
    except (FileNotFoundError, NotADirectoryError) as exc:
        return _result(artifact, VerifyStatus.MISSING, f"file not found: {_shown(exc.filename)}")
    except ArtifactMissingError as exc:
        return _result(artifact, VerifyStatus.MISSING, exc.message)
    except NotRegularFileError as exc:
        return _result(artifact, VerifyStatus.ERROR, f"cannot read {_shown(exc.path)}: {exc.reason}")
    except OSError as exc:
        return _result(artifact, VerifyStatus.ERROR, f"cannot read {_shown(exc.filename)}: {exc.strerror}")
    except RegtuiError as exc:
        return _result(artifact, VerifyStatus.ERROR, exc.message)
    return compare(artifact, actual_sha256, actual_size)


def _at_most(open_chunks: Callable[[], Iterable[bytes]], limit: int) -> Iterator[bytes]:
    """A remote body cut after `limit` bytes and closed: one byte past the recorded size already makes a mismatch,
    so a server that streams forever cannot keep a verification going (each read also has its timeout)."""
    iterator = iter(open_chunks())
    seen = 0
    try:
        for chunk in iterator:
            if seen + len(chunk) >= limit:
                yield chunk[: limit - seen]
                return
            seen += len(chunk)
            yield chunk
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _shown(filename: object) -> str:
    """A file name from an OSError, safe to print on one line."""
    return clean_single_line(str(filename))


def compare(artifact: Artifact, actual_sha256: str, actual_size: int) -> VerifyResult:
    """An ok or mismatch result naming what differs between the bytes read and the artifact's record."""
    problems = []
    if actual_size != artifact.size:
        problems.append(f"size {actual_size} bytes, recorded {artifact.size}")
    if actual_sha256 != artifact.sha256.lower():
        problems.append(f"sha256 {actual_sha256[:12]}…, recorded {artifact.sha256[:12]}…")
    status = VerifyStatus.MISMATCH if problems else VerifyStatus.OK
    message = "; ".join(problems) if problems else "sha256 and size match"
    return _result(artifact, status, message, actual_sha256, actual_size)


def unpinned(artifact: Artifact) -> bool:
    """An object-store artifact registered without an object version (its bucket keeps none): an overwrite of its key
    loses the registered bytes."""
    return classify_uri(artifact.uri) is ArtifactScheme.OBJECT and not artifact.object_version


def pin_text(artifact: Artifact) -> str:
    """How an object-store artifact is pinned, in a few words ('' for other artifacts)."""
    if classify_uri(artifact.uri) is not ArtifactScheme.OBJECT:
        return ""
    if not artifact.object_version:
        return "not pinned: bucket without versioning"
    return f"object version {artifact.object_version}"


def _unverifiable_reason(uri: str) -> str:
    """Why an artifact URI cannot be verified here, in one line."""
    parts = urlsplit(uri)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return "file URI on another host or with a relative path cannot be read here"
    if scheme in ("http", "https") and parts.netloc:
        return "HTTP verification is not available here"
    if scheme in ("http", "https"):
        return "HTTP URI without a host"
    if not scheme:
        return "not an absolute URI"
    return f"{clean_single_line(scheme)}:// artifacts are recorded but cannot be verified here"


def _result(
    artifact: Artifact,
    status: VerifyStatus,
    message: str,
    actual_sha256: str | None = None,
    actual_size: int | None = None,
) -> VerifyResult:
    """A VerifyResult for an artifact with the recorded values filled in."""
    return VerifyResult(
        name=artifact.name,
        uri=artifact.uri,
        status=status,
        expected_sha256=artifact.sha256,
        expected_size=artifact.size,
        actual_sha256=actual_sha256,
        actual_size=actual_size,
        message=message,
        object_version=artifact.object_version,
    )
