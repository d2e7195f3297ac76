"""Re-hashing named versions' artifacts as the local cache records them, read through plain SQL: the path of
`regtui verify MODEL@VERSION`, which needs no ORM (regtui.services.cache_reads)."""

from __future__ import annotations

from collections.abc import Sequence

from regtui.domain.checksums import ProgressCallback, VerifyResult
from regtui.services.artifact_io import ArtifactCount, verify_all
from regtui.services.cache_reads import version_detail
from regtui.store.cache_reader import CacheReader


def verify_versions(
    reader: CacheReader,
    refs: Sequence[tuple[str, str]],
    on_bytes: ProgressCallback | None = None,
    on_count: ArtifactCount | None = None,
) -> list[tuple[str, VerifyResult]]:
    """Each artifact of the versions named (by number or stage), re-hashed against its recorded SHA-256 and size,
    with the MODEL@VERSION it belongs to."""
    entries = [version_detail(reader, model, ref).entry for model, ref in refs]
    pairs = [(entry.ref, artifact) for entry in entries for artifact in entry.artifacts]
    results = verify_all([artifact for _ref, artifact in pairs], on_bytes, on_count=on_count)
    return [(ref, result) for (ref, _artifact), result in zip(pairs, results, strict=True)]
