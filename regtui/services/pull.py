"""The deploy end: download a version's artifacts (their pinned object versions) into a folder, hashing as they
stream, and put them in place only when every one matches its recorded SHA-256 and size.

Each artifact is written to a hidden temporary name in the destination and renamed only after all of them have
matched; on any mismatch, read failure or interruption the temporary files are removed (and the destination too, if
the pull created it), so the folder holds only what it held before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from regtui.domain.checksums import ProgressCallback, VerifyResult, compare
from regtui.domain.entry import Artifact, Stage
from regtui.domain.text import clean_single_line
from regtui.errors import CheckFailedError, InputError, RegtuiError
from regtui.services.artifact_io import ArtifactCount, Readers, each_at_once, locked, readers, worth_threads
from regtui.services.registry import RegistryService
from regtui.store.engine import translate_errors
from regtui.store.facts import single_read, stage_of, version_artifacts, versions_in_stage

_STAGES = {stage.value.lower(): stage for stage in Stage}


@dataclass(frozen=True)
class PulledArtifact:
    """One artifact written: what it is pinned to and where it now is."""

    name: str
    uri: str
    sha256: str
    size: int
    object_version: str
    etag: str
    path: str


@dataclass(frozen=True)
class PullOutcome:
    """A pull that delivered every artifact of a version, verified."""

    model: str
    version: str
    stage: str
    dest: str
    artifacts: tuple[PulledArtifact, ...]


@dataclass(frozen=True)
class Download:
    """One artifact streamed to its temporary file, with the verification of what was written."""

    artifact: Artifact
    temporary: Path
    result: VerifyResult | None
    error: str = ""


def pull(
    service: RegistryService,
    ref: str,
    dest: Path,
    on_bytes: ProgressCallback | None = None,
    on_count: ArtifactCount | None = None,
) -> PullOutcome:
    """Download MODEL@VERSION or MODEL@STAGE into dest, verified (CheckFailedError, with dest as it was, when not)."""
    model, version, stage, artifacts = resolve(service, ref)
    if not artifacts:
        raise CheckFailedError(f"{model}@{version} has no artifacts to pull")
    targets = [_target_name(model, version, artifact) for artifact in artifacts]
    created = _prepare(dest)
    temporaries: list[Path] = []
    try:
        reading = readers()
        report = locked(on_bytes)
        downloads = each_at_once(
            artifacts,
            lambda artifact: _download(reading, artifact, dest, temporaries, report),
            on_count,
            at_once=worth_threads(artifacts),
        )
        failures = [_failure(d) for d in downloads if d.error or (d.result is not None and not d.result.ok)]
        if failures:
            raise CheckFailedError(f"pull of {model}@{version} failed, nothing written: " + "; ".join(failures))
        written = _put_in_place(downloads, [dest / name for name in targets])
    except BaseException:
        _discard(temporaries, dest if created else None)
        raise
    return PullOutcome(model, version, stage.value, str(dest), written)


def resolve(service: RegistryService, ref: str) -> tuple[str, str, Stage, tuple[Artifact, ...]]:
    """MODEL@VERSION or MODEL@STAGE read from the registry itself (never the cache): model, version, its stage now,
    and its recorded artifacts."""
    model, sep, which = ref.partition("@")
    if not sep or not model or not which:
        raise InputError(f"expected MODEL@VERSION or MODEL@STAGE, got {clean_single_line(ref)!r}")
    with translate_errors(service.locations.registry_url), service.registry().connect() as connection:
        reading = single_read(connection)
        stage = _STAGES.get(which.lower())
        if stage is None:
            version = which
        else:
            found = versions_in_stage(reading, model, stage)
            if len(found) != 1:
                count = "no version" if not found else f"{len(found)} versions ({', '.join(found)})"
                raise InputError(f"{model} has {count} in {stage.value}: name one as {model}@VERSION")
            version = found[0]
        return model, version, stage_of(reading, model, version), version_artifacts(reading, model, version)


def _target_name(model: str, version: str, artifact: Artifact) -> Path:
    """The relative path an artifact is written under: its name, plain path components joined by `/` (an MLflow
    artifact keeps its folders); nothing that could leave dest or hide (no `..`, no leading dot, no absolute path)."""
    parts = artifact.name.split("/")
    if not all(_plain_component(part) for part in parts):
        name = clean_single_line(artifact.name)
        raise InputError(f"{model}@{version}: artifact name {name!r} is not a plain relative file name")
    return Path(*parts)


def _plain_component(part: str) -> bool:
    """One file or folder name that stays where it is put."""
    return bool(part) and part == part.strip() and not part.startswith(".") and not any(c in part for c in "\\\0")


def _prepare(dest: Path) -> bool:
    """Make sure dest is a folder; True when this pull created it."""
    if dest.exists():
        if not dest.is_dir():
            raise InputError(f"{dest}: not a folder")
        return False
    try:
        dest.mkdir(parents=True)
    except OSError as exc:
        raise InputError(f"{dest}: cannot create the folder: {exc.strerror or exc}") from None
    return True


def _download(
    reading: Readers, artifact: Artifact, dest: Path, temporaries: list[Path], on_bytes: ProgressCallback | None
) -> Download:
    """Stream one artifact into a hidden temporary file in dest (listed in temporaries at once, for the clean-up),
    hashing as it goes; a read failure is returned in the Download."""
    handle, name = tempfile.mkstemp(dir=dest, prefix=".regtui-pull-", suffix=".part")
    temporary = Path(name)
    temporaries.append(temporary)
    try:
        with os.fdopen(handle, "wb") as out:
            sha256, size = _copy(reading.chunks(artifact)(), out, on_bytes)
            out.flush()
            os.fsync(out.fileno())
    except RegtuiError as exc:
        return Download(artifact, temporary, None, exc.message)
    except OSError as exc:
        return Download(artifact, temporary, None, f"cannot read or write: {exc.strerror or type(exc).__name__}")
    return Download(artifact, temporary, compare(artifact, sha256, size))


def _copy(chunks: Iterable[bytes], out: BinaryIO, on_bytes: ProgressCallback | None) -> tuple[str, int]:
    """Write each chunk and hash it; the SHA-256 and size of what was written."""
    digest = hashlib.sha256()
    size = 0
    for chunk in chunks:
        out.write(chunk)
        digest.update(chunk)
        size += len(chunk)
        if on_bytes is not None:
            on_bytes(len(chunk))
    return digest.hexdigest(), size


def _failure(download: Download) -> str:
    """One failed download in a few words."""
    detail = download.error or (download.result.message if download.result else "")
    return f"{clean_single_line(download.artifact.name)}: {detail}"


def _put_in_place(downloads: list[Download], targets: list[Path]) -> tuple[PulledArtifact, ...]:
    """Rename every verified temporary file to its artifact's name (all of them have matched)."""
    written = []
    for download, target in zip(downloads, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(download.temporary, target)
        a = download.artifact
        written.append(PulledArtifact(a.name, a.uri, a.sha256, a.size, a.object_version, a.etag, str(target)))
    return tuple(written)


def _discard(temporaries: list[Path], created: Path | None) -> None:
    """Remove the temporary files (and the folder this pull created), leaving dest as it was."""
    for temporary in temporaries:
        temporary.unlink(missing_ok=True)
    if created is not None:
        shutil.rmtree(created, ignore_errors=True)
