"""Object stores (S3 and S3-compatible, Google Cloud Storage, Azure Blob) through fsspec: pin, stream and look up
objects at a recorded version, with each cloud's own credential chain; one-line errors that name no secret.

The store's package (s3fs, gcsfs, adlfs) is imported when the first URI of its scheme is read; without it the error
names the pip command that installs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from regtui.domain.checksums import ArtifactMissingError, ArtifactUnavailableError, KeyState
from regtui.domain.entry import Artifact
from regtui.domain.text import clean_single_line
from regtui.errors import InputError
from regtui.providers.prefetch import prefetched

STREAM_CHUNK = 8 * 1024 * 1024
"""Bytes per ranged read of an object (fewer requests than the local-file chunk; still constant memory)."""
T = TypeVar("T")


@dataclass(frozen=True)
class StoreKind:
    """How one family of URIs is read through its fsspec implementation."""

    cloud: str
    extra: str
    package: str
    version_arg: str
    """The keyword of open() and info() that names an object version; empty: the version goes in the path, after a
    '#' (gcsfs honours a generation only there: its open() keeps a `generation` keyword but reads without it)."""
    version_key: str
    """The key of info() that holds the object's version."""
    etag_key: str


_S3 = StoreKind("S3", "s3", "s3fs", "version_id", "VersionId", "ETag")
_GCS = StoreKind("Google Cloud Storage", "gcs", "gcsfs", "", "generation", "etag")
_AZURE = StoreKind("Azure Blob", "azure", "adlfs", "version_id", "version_id", "etag")
STORES: dict[str, StoreKind] = {"s3": _S3, "gs": _GCS, "gcs": _GCS, "az": _AZURE, "abfs": _AZURE, "abfss": _AZURE}
_NO_VERSION = ("", "null", "None")
"""What a store reports as the version of an object in a bucket without versioning."""


class MissingExtraError(InputError):
    """An object-store URI was met and the package that reads it is not installed."""

    title = "Missing extra"


class FsspecObjectReader:
    """An ObjectReader (regtui.domain.checksums) over fsspec filesystems opened version-aware, one per store."""

    def __init__(self, s3_endpoint_url: str | None = None) -> None:
        self.s3_endpoint_url = s3_endpoint_url

    def pin(self, uri: str, object_version: str = "") -> tuple[str, str]:
        """The (object version, ETag) of the given version, else of the key's current object."""
        kind, fs, path = self.open_store(uri)
        path, versioned = at_version(kind, path, object_version)
        info = _guarded(uri, lambda: fs.info(path, refresh=True, **versioned))
        return _version_of(kind, info) or object_version, _etag_of(kind, info)

    def chunks(self, artifact: Artifact) -> Iterator[bytes]:
        """The bytes of the artifact's recorded object version (the current object when none is recorded)."""
        kind, fs, path = self.open_store(artifact.uri)
        path, versioned = at_version(kind, path, artifact.object_version)

        def read() -> Iterator[bytes]:
            with fs.open(path, "rb", block_size=STREAM_CHUNK, cache_type="none", **versioned) as handle:
                while chunk := handle.read(STREAM_CHUNK):
                    yield chunk

        yield from _guarded_stream(artifact.uri, lambda: prefetched(read))

    def key_state(self, artifact: Artifact) -> KeyState:
        """What the artifact's key holds now, compared with its recorded object version."""
        if not artifact.object_version:
            return KeyState.UNVERSIONED
        try:
            kind, fs, path = self.open_store(artifact.uri)
            info = _guarded(artifact.uri, lambda: fs.info(path, refresh=True))
        except ArtifactMissingError:
            return KeyState.DELETED
        except InputError:
            return KeyState.UNKNOWN
        return KeyState.SAME if _version_of(kind, info) == artifact.object_version else KeyState.REPLACED

    def open_store(self, uri: str) -> tuple[StoreKind, Any, str]:
        """The store kind, its version-aware filesystem (fsspec caches instances) and the object's path."""
        scheme = urlsplit(uri).scheme.lower()
        kind = STORES[scheme]
        try:
            core = importlib.import_module("fsspec.core")
            options: dict[str, Any] = {"version_aware": True}
            if kind is _S3 and self.s3_endpoint_url:
                options["endpoint_url"] = self.s3_endpoint_url
            fs, path = core.url_to_fs(uri, **options)
        except ImportError:
            raise MissingExtraError(
                f"{scheme}:// artifacts need {kind.package}: pip install 'regtui[{kind.extra}]'"
            ) from None
        except (ValueError, TypeError) as exc:
            raise InputError(f"cannot open {_shown(uri)}: {clean_single_line(str(exc))}") from None
        return kind, fs, path


def at_version(kind: StoreKind, path: str, object_version: str) -> tuple[str, dict[str, str]]:
    """The path and keywords that make open() and info() read one object version (the current object without)."""
    if not object_version:
        return path, {}
    if not kind.version_arg:
        return f"{path}#{object_version}", {}
    return path, {kind.version_arg: object_version}


def _version_of(kind: StoreKind, info: dict[str, Any]) -> str:
    """The object version an info() reports ('' in a bucket without versioning)."""
    value = str(info.get(kind.version_key) or "")
    return "" if value in _NO_VERSION else value


def _etag_of(kind: StoreKind, info: dict[str, Any]) -> str:
    """The ETag an info() reports, without its quotes."""
    return str(info.get(kind.etag_key) or "").strip('"')


def _guarded(uri: str, call: Callable[[], T]) -> T:
    """Run a store call, its failures as one-line artifact errors."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - every SDK error becomes one line naming the object
        raise store_error(uri, exc) from None


def _guarded_stream(uri: str, open_chunks: Callable[[], Iterator[bytes]]) -> Iterator[bytes]:
    """Yield a store stream's chunks, its failures as one-line artifact errors."""
    try:
        yield from open_chunks()
    except Exception as exc:  # noqa: BLE001 - every SDK error becomes one line naming the object
        raise store_error(uri, exc) from None


def store_error(uri: str, exc: Exception) -> InputError:
    """An SDK failure as an artifact error: gone, access denied (a refused key: HTTP 401 or 403), no credentials,
    or unavailable."""
    shown = _shown(uri)
    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, FileNotFoundError):
        return ArtifactMissingError(f"{shown}: no such object or version in the store")
    name = type(exc).__name__
    if refused(exc) or "Credential" in name or "Auth" in name:
        return ArtifactUnavailableError(
            f"access to {shown} refused: check the store's credentials (environment, profile or role)"
        )
    detail = clean_single_line(str(exc)).split(". ")[0][:160]
    return ArtifactUnavailableError(f"reading {shown} failed ({name}: {detail})")


def refused(exc: Exception) -> bool:
    """Whether a store refused the request's credentials: PermissionError (s3fs), HTTP 401 or 403 as azure-core's
    `status_code` or gcsfs's `code`, or gcsfs's `Forbidden` OSError."""
    if isinstance(exc, PermissionError) or getattr(exc, "status_code", getattr(exc, "code", None)) in (401, 403):
        return True
    return type(exc) is OSError and str(exc).startswith("Forbidden")


def _shown(uri: str) -> str:
    """scheme://bucket/key only (a query could carry a signed token)."""
    parts = urlsplit(uri)
    return clean_single_line(f"{parts.scheme}://{parts.netloc}{parts.path}")
