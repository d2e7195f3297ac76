"""Concurrent writers on both backends: separate processes race on one model while a reader keeps pulling.

Children come from a forkserver that has imported regtui once: like spawn, no child inherits a parent's
database connections or threads, but starting eight of them costs one import of regtui instead of
eight interpreter start-ups. Each child opens its own RegistryService on the registry URL.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from regtui.config import Locations
from regtui.services.registry import RegistryService
from tests.factories import (
    ADMIN,
    ServiceFactory,
    chain_break,
    raw_scalar,
    version_manifest,
)

WRITERS = 8
TIMEOUT_S = 60
pytestmark = pytest.mark.slow


def register_in_process(url: str, user: str, cache: str, manifest: str, start: Barrier, results: Any) -> None:
    """Child process: wait for the others, register one manifest with its own service, report the outcome."""
    os.environ["REGTUI_USER"] = user
    service = RegistryService(Locations(url, Path(cache)))
    try:
        start.wait(TIMEOUT_S)
        report = service.register(Path(manifest))
        results.put(("ok", report.registered, report.unchanged))
    except Exception as exc:  # noqa: BLE001 - the parent asserts on whatever went wrong
        results.put(("error", type(exc).__name__, str(exc)))
    finally:
        service.close()


def pull_in_process(url: str, user: str, cache: str, start: Barrier, stop: Event, results: Any) -> None:
    """Child process: from the start signal, pull in a loop until told to stop, then once more; report every pull."""
    os.environ["REGTUI_USER"] = user
    service = RegistryService(Locations(url, Path(cache)))
    pulls: list[tuple[int, int, list[str]]] = []
    try:
        start.wait(TIMEOUT_S)
        while not stop.is_set():
            report = service.sync()
            pulls.append((report.from_seq, report.to_seq, report.versions))
        report = service.sync()
        pulls.append((report.from_seq, report.to_seq, report.versions))
        results.put(("ok", pulls))
    except Exception as exc:  # noqa: BLE001 - the parent asserts on whatever went wrong
        results.put(("error", type(exc).__name__, str(exc)))
    finally:
        service.close()


def _collect(results: Any, count: int) -> list[Any]:
    """Take `count` results from the children's queue, failing the test if one never arrives."""
    collected = []
    for _ in range(count):
        try:
            collected.append(results.get(timeout=TIMEOUT_S))
        except queue.Empty:
            pytest.fail(f"only {len(collected)} of {count} child processes reported within {TIMEOUT_S}s")
    return collected


def _race(url: str, tmp_path: Path, manifests: list[Path], *, with_reader: bool) -> tuple[list[Any], list[Any]]:
    """Run one writer process per manifest (released together) and optionally a pulling reader."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    start, stop = context.Barrier(len(manifests) + int(with_reader)), context.Event()
    writer_results, reader_results = context.Queue(), context.Queue()
    writers = [
        context.Process(
            target=register_in_process,
            args=(url, ADMIN, str(tmp_path / f"writer-{i}.db"), str(m), start, writer_results),
        )
        for i, m in enumerate(manifests)
    ]
    reader = context.Process(
        target=pull_in_process, args=(url, ADMIN, str(tmp_path / "reader.db"), start, stop, reader_results)
    )
    processes = [*writers, reader] if with_reader else writers
    for process in processes:
        process.start()
    try:
        outcomes = _collect(writer_results, len(writers))
        stop.set()
        pulls = _collect(reader_results, 1) if with_reader else []
    finally:
        stop.set()
        for process in processes:
            process.join(TIMEOUT_S)
            if process.is_alive():
                process.kill()
    return outcomes, pulls


def test_concurrent_writers_on_one_model_miss_nothing_and_duplicate_nothing(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """8 processes register 8 versions of one model while a reader pulls: every version arrives exactly once."""
    service = make_service(registry_url)
    service.register(version_manifest(tmp_path / "m", "race", "1.0.0"))
    manifests = [version_manifest(tmp_path / "m", "race", f"1.{i}.0", parent="1.0.0") for i in range(1, WRITERS + 1)]
    outcomes, pulls = _race(registry_url, tmp_path, manifests, with_reader=True)

    assert sorted(outcomes) == sorted(("ok", [f"race@1.{i}.0"], []) for i in range(1, WRITERS + 1))
    status, history = pulls[0]
    assert status == "ok", history
    pulled = [ref for _from, _to, refs in history for ref in refs]
    expected = {"race@1.0.0", *(f"race@1.{i}.0" for i in range(1, WRITERS + 1))}
    assert sorted(pulled) == sorted(expected), "each version pulled exactly once across all pulls"
    assert all(later[0] == earlier[1] for earlier, later in itertools.pairwise(history)), "pulls are contiguous"

    reader = RegistryService(Locations(registry_url, tmp_path / "reader.db"))
    try:
        with reader.cache().connect() as cache:
            versions = cache.execute(text("SELECT version, change_seq FROM model_version")).all()
            events = cache.execute(text("SELECT version, change_seq FROM event WHERE kind = 'register'")).all()
        assert sorted(v for v, _ in versions) == sorted(ref.split("@")[1] for ref in expected)
        assert len({seq for _, seq in versions}) == len(versions), "one change counter value per transaction"
        assert sorted(events) == sorted(versions), "each version's log entry shares its transaction's counter"
        assert chain_break(reader.cache()) is None
    finally:
        reader.close()
    assert chain_break(service.registry()) is None
    assert raw_scalar(registry_url, "SELECT count(*) FROM event") == WRITERS + 1


def test_concurrent_registrations_of_the_same_version_register_it_once(
    registry_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """8 processes register the same manifest at once: one registers it, seven are no-ops, one row exists."""
    service = make_service(registry_url)
    service.register(version_manifest(tmp_path / "m", "race", "1.0.0"))
    manifest = version_manifest(tmp_path / "m", "race", "1.1.0", parent="1.0.0")
    outcomes, _ = _race(registry_url, tmp_path, [manifest] * WRITERS, with_reader=False)

    assert sorted(outcomes) == sorted([("ok", ["race@1.1.0"], [])] + [("ok", [], ["race@1.1.0"])] * (WRITERS - 1))
    assert raw_scalar(registry_url, "SELECT count(*) FROM model_version WHERE version = '1.1.0'") == 1
    assert raw_scalar(registry_url, "SELECT count(*) FROM event WHERE version = '1.1.0'") == 1
    assert chain_break(service.registry()) is None
