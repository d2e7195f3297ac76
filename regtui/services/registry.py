"""The services the CLI and the TUI share: open the registry and cache, sync, read, and write."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace as dataclass_replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from regtui.config import Locations
from regtui.domain.checksums import ProgressCallback, VerifyResult
from regtui.domain.entry import utc_now
from regtui.domain.manifest import (
    LogManifest,
    ManifestSet,
    RegistryManifest,
    dump_yaml,
    load_paths,
    log_document,
    parse_version_manifest,
    registry_document,
    requests_document,
    version_document,
)
from regtui.domain.provider_manifest import providers_document
from regtui.domain.reports import ImportReport, SyncReport
from regtui.errors import CacheRebuildError, InputError, RegistryUnavailableError
from regtui.input_files import load_yaml
from regtui.services.access import actor_in, require
from regtui.services.artifact_io import ArtifactCount, hash_for_registration, verify_all
from regtui.services.cache_verify import verify_versions
from regtui.services.read_status import ReadStatus
from regtui.store import queries
from regtui.store.access import resolve_identity
from regtui.store.cache import (
    cache_is_sound,
    is_corruption,
    move_aside,
    open_cache,
    pull,
    read_state,
    record_failure,
)
from regtui.store.cache_reader import CacheReader
from regtui.store.engine import create_registry_engine, create_registry_file, is_sqlite, translate_errors
from regtui.store.log import iter_log, row_to_entry
from regtui.store.policies import stored_policy_row
from regtui.store.provider_queries import providers_manifest
from regtui.store.registry import grant_initial_admin, import_manifests
from regtui.store.schema import check_schema, init_schema
from regtui.store.transaction import writing_session
from regtui.urls import redact


class RegistryService:
    """One registry and its local cache; writes go to the registry, reads come from the cache."""

    def __init__(
        self, locations: Locations, clock: Callable[[], datetime] = utc_now, identity: str | None = None
    ) -> None:
        self.locations = locations
        self.clock = clock
        self._registry: Engine | None = None
        self._registry_id: str | None = None
        self._cache: Engine | None = None
        self._claimed_identity = identity
        self._identity: str | None = None
        self._cache_set_aside: str | None = None
        self._notices: list[str] = []

    @property
    def url(self) -> str:
        """The registry URL with any password hidden."""
        return redact(self.locations.registry_url)

    def registry(self) -> Engine:
        """The shared registry's engine, its schema checked once."""
        if self._registry is None:
            engine = create_registry_engine(
                self.locations.registry_url, prepare_threshold=self.locations.prepare_threshold
            )
            with translate_errors(self.locations.registry_url):
                self._registry_id = check_schema(engine)
            self._registry = engine
        return self._registry

    def cache(self) -> Engine:
        """The local cache's engine, created on first use; a corrupt cache file is moved aside and a new one made
        (the next sync fills it from the registry)."""
        if self._cache is None:
            try:
                self._cache = open_cache(self.locations.cache_path)
            except DatabaseError as exc:
                if not is_corruption(exc):
                    raise
                self._set_cache_aside(exc)
                self._cache = open_cache(self.locations.cache_path)
        return self._cache

    def _set_cache_aside(self, exc: DatabaseError) -> None:
        """Move the corrupt cache file aside and remember where, for the notice or the error that names it."""
        if self._cache is not None:
            self._cache.dispose()
            self._cache = None
        path = self.locations.cache_path
        aside = move_aside(path, self.clock())
        reason = str(exc.orig or exc).strip().splitlines()[0]
        self._cache_set_aside = f"the cache {path} was corrupt ({reason}) and was moved to {aside}"

    def take_notices(self) -> list[str]:
        """The one-line notices gathered since the last call (a corrupt cache moved aside and rebuilt)."""
        notices, self._notices = self._notices, []
        return notices

    def identity(self) -> str:
        """Who is acting: the authenticated database user, or on SQLite the OS login (or the claimed identity)."""
        if self._identity is None:
            engine = self.registry()
            if self._claimed_identity and is_sqlite(engine):
                self._identity = self._claimed_identity
            else:
                with translate_errors(self.locations.registry_url):
                    self._identity = resolve_identity(engine)
        return self._identity

    def close(self) -> None:
        """Release database connections."""
        for engine in (self._registry, self._cache):
            if engine is not None:
                engine.dispose()

    def init(self, *, shared_group: bool = False) -> str:
        """Create or upgrade the registry schema; the initialiser becomes admin of a registry without one.

        A new SQLite file is created owner-only (0600), or group-writable (0660) with `shared_group`."""
        create_registry_file(self.locations.registry_url, shared_group=shared_group)
        engine = create_registry_engine(
            self.locations.registry_url, create=True, prepare_threshold=self.locations.prepare_threshold
        )
        with translate_errors(self.locations.registry_url):
            message = init_schema(engine)
            self._registry_id = check_schema(engine)
            self._registry = engine
            with writing_session(engine) as session:
                if grant_initial_admin(session, self.identity()):
                    message += f"; {self.identity()} is its first admin"
        return message

    def sync(self) -> SyncReport:
        """Pull the registry's changes into the cache; on failure record it and re-raise."""
        try:
            engine = self.registry()
            with translate_errors(self.locations.registry_url):
                report = self._pull(engine)
        except RegistryUnavailableError as exc:
            record_failure(self.cache(), exc.message, self.clock())
            if self._cache_set_aside is not None:
                raise CacheRebuildError(
                    f"{self._cache_set_aside}; it cannot be rebuilt while the registry is unreachable "
                    f"({exc.message}): run `regtui sync` once it answers"
                ) from None
            raise
        if self._cache_set_aside is not None:
            self._notices.append(f"{self._cache_set_aside}; rebuilt it from the registry")
            self._cache_set_aside = None
        return report

    def _pull(self, engine: Engine) -> SyncReport:
        """Pull into the cache; when the cache file turns out corrupt (not the registry), set it aside, pull anew."""
        try:
            return pull(
                engine, self.cache(), registry_id=self._registry_id or "", registry_url=self.url, now=self.clock()
            )
        except DatabaseError as exc:
            if not is_corruption(exc) or cache_is_sound(self.locations.cache_path):
                raise
            self._set_cache_aside(exc)
        return pull(engine, self.cache(), registry_id=self._registry_id or "", registry_url=self.url, now=self.clock())

    def refresh(self) -> ReadStatus:
        """Sync when the registry answers; otherwise keep reading the cache and say how stale it is."""
        try:
            report = self.sync()
        except RegistryUnavailableError as exc:
            state = read_state(self.cache())
            cache_of = state.registry_url if state.registry_url not in (None, self.url) else None
            return ReadStatus(fresh=False, state=state, error=exc.message, cache_of=cache_of)
        pulled = report.reset or report.to_seq != report.from_seq
        return ReadStatus(fresh=True, state=read_state(self.cache()), pulled=pulled)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session on the cache for the services' own reads (the front ends call services functions and never
        hold a session: the layer contracts keep the ORM out of tui and cli). A read that finds the cache file corrupt
        moves it aside and says so: the next sync rebuilds it."""
        try:
            with Session(self.cache()) as session:
                yield session
        except DatabaseError as exc:
            if not is_corruption(exc):
                raise
            self._set_cache_aside(exc)
            raise CacheRebuildError(
                f"{self._cache_set_aside}; run the command again: its sync rebuilds the cache from the registry"
            ) from None

    @contextmanager
    def writing(self, *, commit: bool = True) -> Iterator[Session]:
        """One write transaction on the shared registry, committed on success (rolled back for a dry run)."""
        with translate_errors(self.locations.registry_url), writing_session(self.registry(), commit=commit) as session:
            yield session
        if commit:
            self.refresh()

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection (no ORM session) to the shared registry for one write: reads outside a transaction
        first if need be, then its write transaction (transaction.write_transaction); the cache is refreshed after."""
        with translate_errors(self.locations.registry_url), self.registry().connect() as connection:
            yield connection
        self.refresh()

    @contextmanager
    def reading_registry(self) -> Iterator[Session]:
        """A read session on the shared registry itself (for what must be current, not cached)."""
        with translate_errors(self.locations.registry_url), Session(self.registry()) as session:
            yield session

    def import_paths(self, paths: list[Path], *, restore: bool = True) -> ImportReport:
        """Import manifest files and folders in one transaction: all of them or none."""
        manifests = load_paths(paths)
        if not (
            manifests.versions
            or manifests.registries
            or manifests.logs
            or manifests.policies
            or manifests.requests
            or manifests.providers
        ):
            raise InputError(f"no manifests found in {', '.join(map(str, paths))}")
        return self.apply(manifests, restore=restore)

    def apply(self, manifests: ManifestSet, *, restore: bool) -> ImportReport:
        """Write parsed manifests as the acting identity (every artifact's SHA-256 and size stated or measured)."""
        for manifest in manifests.versions:
            unrecorded = [a.name for a in manifest.entry.artifacts if not a.recorded]
            if unrecorded:
                raise InputError(
                    f"{manifest.entry.ref}: artifact(s) {', '.join(unrecorded)} state no sha256 and size; "
                    "`regtui import` restores recorded values, `regtui register` measures them"
                )
        actor = self.identity()
        right, action = manifests.required_right()
        with self.writing() as session:
            require(actor_in(session, actor), right, action)
            return import_manifests(session, manifests, actor=actor, now=self.clock(), restore=restore)

    def register(
        self, path: Path, on_bytes: ProgressCallback | None = None, on_count: ArtifactCount | None = None
    ) -> ImportReport:
        """Register one version from one manifest file, in Development, after reading every artifact as the
        registrant and recording the SHA-256, size (and object version, ETag) read."""
        if path.is_dir():
            raise InputError(f"{path}: register takes one manifest file; use `regtui import` for folders")
        manifests = load_paths([path])
        if len(manifests.versions) != 1 or manifests.registries or manifests.logs:
            raise InputError(f"{path}: register takes exactly one model-version manifest")
        return self._register_measured(manifests, on_bytes, on_count)

    def register_document(
        self,
        document: Mapping[str, Any],
        base_dir: Path,
        on_bytes: ProgressCallback | None = None,
        on_count: ArtifactCount | None = None,
    ) -> ImportReport:
        """Register one version from a model-version document built in code (the Python API), exactly as from a
        manifest file: the same validation and limits, every artifact read and hashed as the registrant."""
        manifest = parse_version_manifest({**document, "kind": "model-version"}, base_dir=base_dir, source="register")
        return self._register_measured(ManifestSet(versions=[manifest]), on_bytes, on_count)

    def _register_measured(
        self, manifests: ManifestSet, on_bytes: ProgressCallback | None, on_count: ArtifactCount | None
    ) -> ImportReport:
        """Measure the one version's artifacts (SHA-256, size, object version, ETag), then write it in Development."""
        manifest = manifests.versions[0]
        measured = dataclass_replace(manifest, entry=hash_for_registration(manifest.entry, on_bytes, on_count=on_count))
        return self.apply(dataclass_replace(manifests, versions=[measured]), restore=False)

    def export(self, folder: Path) -> int:
        """Write the registry as manifests into a new or empty folder (atomically); returns files written."""
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise InputError(f"{folder}: export needs a new or empty folder")
        with translate_errors(self.locations.registry_url), Session(self.registry()) as session:
            documents = _export_documents(session)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            for relative, document in documents.items():
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(dump_yaml(document), encoding="utf-8")
            if folder.exists():
                folder.rmdir()
            os.replace(staging, folder)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise InputError(f"{folder}: cannot write export: {exc.strerror or exc}") from None
        return len(documents)

    def verify(
        self,
        refs: list[tuple[str, str]] | None,
        on_bytes: Callable[[int], None] | None = None,
        on_count: ArtifactCount | None = None,
    ) -> list[tuple[str, VerifyResult]]:
        """Re-hash the artifacts of the given versions (by number or stage; all when None) against their recorded
        checksums."""
        if refs is not None:
            self.cache()  # the cache file, created or rebuilt for this layout, before its plain read
            with CacheReader(self.locations.cache_path) as reader:
                return verify_versions(reader, refs, on_bytes, on_count)
        with self.reading() as session:
            details = [(m.entry.ref, m.entry) for m in queries.iter_manifests(session)]
        pairs = [(ref, artifact) for ref, entry in details for artifact in entry.artifacts]
        results = verify_all([artifact for _ref, artifact in pairs], on_bytes, on_count=on_count)
        return [(ref, result) for (ref, _artifact), result in zip(pairs, results, strict=True)]


def _export_documents(session: Session) -> dict[str, dict]:
    """Every export file's relative path and document, read in one snapshot."""
    documents: dict[str, dict] = {
        "registry.yaml": registry_document(
            RegistryManifest(
                users=tuple(queries.list_users(session)),
                models=tuple(queries.list_model_specs(session)),
            )
        ),
    }
    for manifest in queries.iter_manifests(session):
        entry = manifest.entry
        documents[f"models/{entry.model}/{entry.version}.yaml"] = version_document(manifest)
    requests = queries.list_request_records(session)
    if requests:
        documents["requests.yaml"] = requests_document(requests)
    providers = providers_manifest(session)
    if providers.feeds or providers.versions:
        documents["providers.yaml"] = providers_document(providers)
    policy = stored_policy_row(session)
    if policy is not None:
        documents["policy.yaml"] = load_yaml(policy.document, "stored policy")
    entries = tuple((row_to_entry(row), row.hash) for row in iter_log(session))
    documents["log.yaml"] = log_document(LogManifest(entries=entries))
    return documents
