"""The Python API: `regtui.connect(url)` returns a Registry, a typed client over the same services the CLI and the
TUI use (no rule of its own). Refusals are the typed regtui errors (regtui.errors). Reference: docs/python-api.md."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from regtui.config import load_settings, settings_locations
from regtui.domain.checksums import VerifyResult
from regtui.domain.entry import Stage, utc_iso, utc_now
from regtui.domain.listing import VersionSummary
from regtui.domain.outcomes import PromotionOutcome
from regtui.domain.reports import ImportReport
from regtui.errors import InputError
from regtui.services import cache_reads, read_path, review
from regtui.services.cache_reads import Resolution, split_ref
from regtui.services.cache_verify import verify_versions
from regtui.services.handle import ServiceHandle
from regtui.services.pull import PullOutcome
from regtui.services.read_status import ReadStatus
from regtui.services.registry import RegistryService
from regtui.services.review import DiffView


class Registry:
    """One registry and its local cache, as a pipeline uses them: look up, register, promote, verify, diff.

    Reads bring the cache up to date first, as the CLI's do; with `fresh=True` a read that cannot reach the
    registry raises RegistryUnavailableError instead of answering from the cache. `last_read` says how current
    the last answer was. Close it (or use it as a context manager) to release its connections."""

    def __init__(self, handle: ServiceHandle, *, fresh: bool = False) -> None:
        self._handle = handle
        self._fresh = fresh
        self.last_read: ReadStatus | None = None

    @property
    def url(self) -> str:
        """The registry URL, password hidden."""
        return self._handle.url

    @property
    def service(self) -> RegistryService:
        """The registry service underneath (the one the CLI and the TUI use)."""
        return self._handle.service

    def __enter__(self) -> Registry:
        """The client itself, closed when the block ends."""
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        """Close the client."""
        self.close()

    def close(self) -> None:
        """Release the registry and cache connections."""
        self._handle.close()

    def _current(self) -> ReadStatus:
        """Bring the cache up to date before a read (read_path: a plain check first, else a sync)."""
        status = read_path.current_without_sync(self._handle) or self._handle.service.refresh()
        self.last_read = read_path.settled(status, self._handle, require_live=self._fresh)
        return self.last_read

    def versions(self, model: str, *, stage: Stage | str | None = None) -> list[VersionSummary]:
        """A model's versions, newest first (those in one stage when given)."""
        self._current()
        return cache_reads.version_list(self._handle.reader, model, _stage(stage) if stage is not None else None)

    def resolve(self, ref: str) -> Resolution:
        """MODEL@STAGE or MODEL@VERSION: the version, its stage, content hash, artifact digest and artifacts."""
        self._current()
        return cache_reads.resolve(self._handle.reader, *split_ref(ref))

    def register(
        self,
        manifest: Path | str | None = None,
        *,
        artifacts: Mapping[str, Path | str] | Sequence[Mapping[str, Any]] = (),
        on_bytes: Callable[[int], None] | None = None,
        **fields: Any,
    ) -> ImportReport:
        """Register one version in Development, from a manifest file or from the manifest's fields as keyword
        arguments (model, version, change_kind, framework, owner, training_data, and optionally parent, metrics,
        hyperparameters, model_card, source, tags; created_at defaults to now). `artifacts` maps each name to a local
        path or a URI (s3://, gs://, az://, http(s)://), or lists manifest items; regtui reads and hashes every one
        as you (a no-op when identical content exists)."""
        if manifest is not None:
            if fields or artifacts:
                raise InputError("register takes a manifest file or the version's fields, not both")
            return self._handle.service.register(Path(manifest), on_bytes)
        document = {"created_at": utc_iso(utc_now()), **fields, "artifacts": _artifact_items(artifacts)}
        return self._handle.service.register_document(document, Path.cwd(), on_bytes)

    def pull(self, ref: str, dest: Path | str, on_bytes: Callable[[int], None] | None = None) -> PullOutcome:
        """Download a version's artifacts (MODEL@VERSION or MODEL@STAGE; in an object store the pinned object
        versions) into dest, hashing as they stream; the files appear only when every one matches its recorded
        SHA-256 and size, otherwise CheckFailedError and dest as it was (`regtui pull`)."""
        from regtui.services import pull

        return pull.pull(self._handle.service, ref, Path(dest), on_bytes)

    def promote(
        self,
        ref: str,
        to: Stage | str,
        *,
        evidence: Mapping[str, Any] | None = None,
        reason: str | None = None,
        canary_share: float | None = None,
    ) -> PromotionOutcome:
        """Request a stage change and apply it when its gate passes (`applied`; otherwise `missing` says what the
        open request still needs). A stage name in `ref` names the version in that stage."""
        self._current()
        model, version = split_ref(ref)
        version = cache_reads.resolve_version(self._handle.reader, model, version)
        from regtui.services import promotion

        return promotion.promote(
            self._handle.service,
            model,
            version,
            _stage(to),
            evidence=dict(evidence) if evidence is not None else None,
            reason=reason,
            canary_share=canary_share,
        )

    def verify(self, ref: str, on_bytes: Callable[[int], None] | None = None) -> list[VerifyResult]:
        """Re-hash a version's artifacts (MODEL@VERSION or MODEL@STAGE) against their recorded SHA-256 and size (each
        result says match or not)."""
        self._current()
        return [result for _ref, result in verify_versions(self._handle.reader, [split_ref(ref)], on_bytes=on_bytes)]

    def diff(self, model: str, candidate: str, baseline: str | None = None) -> DiffView:
        """The diff screen's comparison of a candidate (version or stage) with a baseline (default: the current
        Production version): `diff.metrics` rows with deltas, verdicts and gate thresholds."""
        self._current()
        b = cache_reads.resolve_version(self._handle.reader, model, candidate)
        a = cache_reads.resolve_version(self._handle.reader, model, baseline) if baseline is not None else None
        return review.version_diff(self._handle.service, model, b, a)


def connect(
    url: str | None = None, *, cache: Path | str | None = None, fresh: bool = False, identity: str | None = None
) -> Registry:
    """A client of the registry at url (default: REGTUI_REGISTRY, then the configuration file, then the default
    registry) with its local cache (default: one per registry URL). `identity` is who acts on an SQLite registry
    (as REGTUI_USER; PostgreSQL always uses the authenticated database user)."""
    if url is not None and not url.strip():
        raise InputError("empty registry URL (leave it out to use the default registry)")
    locations = settings_locations(load_settings(), url, None if cache is None else str(cache))
    return Registry(ServiceHandle(locations, identity=identity), fresh=fresh)


def _artifact_items(artifacts: Mapping[str, Path | str] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Manifest artifact items from a name -> path-or-URI mapping (a path given relative to the working folder), or
    the items as given."""
    if isinstance(artifacts, Mapping):
        return [{"name": name, "uri": str(location)} for name, location in artifacts.items()]
    return [dict(item) for item in artifacts]


def _stage(value: Stage | str) -> Stage:
    """A stage from its name, any case."""
    if isinstance(value, Stage):
        return value
    stage = cache_reads.stage_named(value)
    if stage is None:
        raise InputError(f"unknown stage {value!r} (choose from {', '.join(s.value for s in Stage)})")
    return stage
