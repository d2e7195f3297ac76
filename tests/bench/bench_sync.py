"""Benchmark the sync layer and the cache reads at 100k versions, on SQLite and PostgreSQL.

    python tests/bench/bench_sync.py [--models 2000] [--versions 50] [--backend sqlite|postgresql|both]
                                     [--small-models 20] [--mid-models 200] [--runs 5] [--full-runs 3]
                                     [--pg-url URL] [--keep DIR [--reuse]]
                                     [--listing-budget SECONDS]

For each backend: generate a registry of models x versions (tests/bench/generate.py), a small one of
1k versions and a middle one of 10k, then measure
- full first sync: an empty cache pulls everything (RegistryService.sync, median of --full-runs, each
  in a fresh process), its CPU time, and its peak memory: the growth of the process's peak RSS (VmHWM,
  reset just before the pull) and, in a separate run, the tracemalloc peak of Python allocations;
- incremental sync of 100 changes (apply_changes: registrations through import_manifests and
  promotions through promotions.promote, one transaction each) at 1k, 10k and 100k versions, and the
  ratios 100k/1k (the target) and 100k/10k (median of --runs), with the cache pages each pull wrote
  (WAL frames, from the WAL-index header);
- listing from the cache (model_versions.list_versions, the CLI's and the TUI's plain reader): one window of
  100 rows at the deepest offset, the first window, and a full listing through windows of 100; one model's
  versions (model_versions.list_versions(model));
and prints the figures beside the targets of the issue with PASS/MISS.

PostgreSQL: --pg-url or REGTUI_TEST_PG_URL (a superuser URL: the bench creates and drops databases),
otherwise a throwaway server is started from the local binaries (tests/pg_server.py); when neither is
possible the PostgreSQL part is skipped with a message.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for _path in (str(HERE), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from generate import apply_changes, generate

from regtui.config import Locations
from regtui.services.registry import RegistryService
from regtui.store import model_list, model_versions
from regtui.store.cache_reader import CacheReader
from regtui.urls import normalize_url

CHANGES = 100
WINDOW = 100
TARGET_INCREMENTAL_S = 0.050
TARGET_RATIO = 1.5
TARGET_WINDOW_S = 0.100
TARGET_FULL_SQLITE_S = 5.0


@dataclass
class Line:
    """One printed figure: what, how much, against which target."""

    backend: str
    measure: str
    figure: str
    target: str = ""
    ok: bool | None = None

    @property
    def result(self) -> str:
        """PASS, MISS, or nothing for an informational figure."""
        return "" if self.ok is None else ("PASS" if self.ok else "MISS")


@dataclass
class Bench:
    """Settings and collected figures."""

    models: int
    versions: int
    small_models: int
    runs: int
    full_runs: int
    seed: int
    work: Path
    mid_models: int = 0
    listing_budget: float = 60.0
    reuse: bool = False
    lines: list[Line] = field(default_factory=list)

    def add(self, backend: str, measure: str, figure: str, target: str = "", ok: bool | None = None) -> None:
        """Record a figure and echo it at once (the table is printed again at the end)."""
        line = Line(backend, measure, figure, target, ok)
        self.lines.append(line)
        print(f"  {measure:<52} {figure:>22}  {target:<10} {line.result}", flush=True)


def ms(seconds: float) -> str:
    """Milliseconds, for the small timings."""
    return f"{seconds * 1000:.1f} ms"


def spread(values: list[float]) -> str:
    """Median with the range of the runs."""
    return f"{ms(statistics.median(values))} ({ms(min(values))[:-3]}-{ms(max(values))})"


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Wall time of one call and its result."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def wal_frames(cache: Path) -> int:
    """Frames in the cache's WAL now: mxFrame of the WAL-index header (the -shm file, native byte order)."""
    try:
        with open(f"{cache}-shm", "rb") as shm:
            return int.from_bytes(shm.read(20)[16:20], sys.byteorder)
    except OSError:
        return 0


def frames_written(before: int, after: int) -> int:
    """Pages one pull wrote to the WAL; a pull that restarted the WAL (after a checkpoint) wrote all of them."""
    return after if after < before else after - before


def service_for(url: str, cache: Path) -> RegistryService:
    """A long-lived service (as the TUI keeps one) on a registry and a cache file."""
    return RegistryService(Locations(registry_url=normalize_url(url), cache_path=cache))


# --- full first sync, in a fresh process ----------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MiB; ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs); False when unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def current_rss_mb() -> float:
    """This process's resident set now (VmRSS), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def full_sync_child(url: str, cache: str, trace: bool) -> dict[str, Any]:
    """Run one full first sync into an empty cache; report its time, rows and memory (runs in a child)."""
    service = service_for(url, Path(cache))
    service.registry()
    service.cache()  # opening the engines and checking the schema is not part of the pull
    if trace:
        tracemalloc.start()
    rss_before = current_rss_mb()
    reset = reset_peak_rss()
    cpu = time.process_time()
    seconds, report = timed(service.sync)
    cpu = time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    service.close()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": report.total,
        "versions": report.counts.get("model_version", 0),
        "rss_before_mb": rss_before,
        "rss_peak_mb": peak_rss_mb(),
        "peak_reset": reset,
        "tracemalloc_peak": peak,
    }


def in_fresh_process(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run a function in a new interpreter (spawn), so its peak RSS is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --- one backend ---------------------------------------------------------------------------------


def run_backend(bench: Bench, backend: str, big_url: str, small_url: str, mid_url: str) -> None:
    """Generate the registries on one backend, then measure everything on them."""
    big_n, small_n = bench.models * bench.versions, bench.small_models * bench.versions
    mid_n = bench.mid_models * bench.versions
    print(
        f"\n[{backend}] generating {big_n:,} versions ({bench.models} x {bench.versions}), "
        f"{small_n:,} ({bench.small_models} x {bench.versions})"
        + (f" and {mid_n:,} ({bench.mid_models} x {bench.versions})" if bench.mid_models else ""),
        flush=True,
    )
    urls = (big_url, small_url, mid_url) if bench.mid_models else (big_url, small_url)
    if bench.reuse and backend == "sqlite" and all(Path(u.split(":///", 1)[1]).is_file() for u in urls):
        print("    reusing the registries in --keep (--reuse); they carry the changes of earlier runs", flush=True)
    else:
        cpu = time.process_time()
        generated = generate(big_url, bench.models, bench.versions, bench.seed)
        cpu = time.process_time() - cpu
        bench.add(
            backend,
            f"generate {big_n:,} versions (generate.py)",
            f"{generated.seconds:.1f} s ({generated.versions / generated.seconds:,.0f}/s; {cpu:.0f} s CPU)",
        )
        generate(small_url, bench.small_models, bench.versions, bench.seed)
        if bench.mid_models:
            generate(mid_url, bench.mid_models, bench.versions, bench.seed)

    caches = bench.work / backend
    caches.mkdir(parents=True, exist_ok=True)
    for old in caches.glob("*.db"):
        _remove_sqlite(old)
    fulls = []
    for run in range(bench.full_runs):
        fulls.append(in_fresh_process(full_sync_child, big_url, str(caches / f"full-{run}.db"), False))
        print(
            f"    full sync run {run + 1}: {fulls[-1]['seconds']:.2f} s wall, {fulls[-1]['cpu']:.2f} s CPU, "
            f"{fulls[-1]['rows']:,} rows",
            flush=True,
        )
        if run:
            _remove_sqlite(caches / f"full-{run}.db")
    traced = in_fresh_process(full_sync_child, big_url, str(caches / "traced.db"), True)
    _remove_sqlite(caches / "traced.db")
    seconds = [f["seconds"] for f in fulls]
    full = statistics.median(seconds)
    is_sqlite = backend == "sqlite"
    bench.add(
        backend,
        f"full first sync, {fulls[0]['versions']:,} versions ({fulls[0]['rows']:,} rows)",
        f"{full:.2f} s" + (f" ({min(seconds):.2f}-{max(seconds):.2f})" if len(seconds) > 1 else ""),
        f"<= {TARGET_FULL_SQLITE_S:.0f} s" if is_sqlite else "(SQLite only)",
        full <= TARGET_FULL_SQLITE_S if is_sqlite else None,
    )
    cpu = statistics.median(f["cpu"] for f in fulls)
    bench.add(backend, "full first sync: CPU time of the syncing process", f"{cpu:.2f} s")
    growth = statistics.median(f["rss_peak_mb"] - f["rss_before_mb"] for f in fulls)
    peak = statistics.median(f["rss_peak_mb"] for f in fulls)
    how = "VmHWM reset before the pull" if all(f["peak_reset"] for f in fulls) else "process peak, not reset"
    bench.add(backend, f"full sync peak memory: RSS growth ({how})", f"{growth:.0f} MB (peak {peak:.0f} MB)")
    bench.add(backend, "full sync peak memory: tracemalloc peak", f"{traced['tracemalloc_peak'] / 2**20:.0f} MB")

    services = {small_n: (service_for(small_url, caches / "small.db"), small_url)}
    if bench.mid_models:
        services[mid_n] = (service_for(mid_url, caches / "mid.db"), mid_url)
    services[big_n] = (service_for(big_url, caches / "full-0.db"), big_url)
    measure_incremental(bench, backend, services)
    measure_listing(bench, backend, services[big_n][0])
    for service, _ in services.values():
        service.close()


def measure_incremental(bench: Bench, backend: str, services: dict[int, tuple[RegistryService, str]]) -> None:
    """Incremental sync of CHANGES changes at each registry size (smallest first), alternating, median of runs.

    The targets apply to the smallest (1k) and the largest (100k) size; a middle size (10k), when
    there is one, shows whether the cost still grows between 10k and 100k.
    """
    times: dict[int, list[float]] = {n: [] for n in services}
    cpu: dict[int, list[float]] = {n: [] for n in services}
    rows: dict[int, list[int]] = {n: [] for n in services}
    pages: dict[int, list[int]] = {n: [] for n in services}
    idle: list[float] = []
    for service, _ in services.values():
        service.sync()  # the first pull, and engines open as in a running TUI
    for run in range(bench.runs):
        for n, (service, url) in services.items():
            changes = apply_changes(url, CHANGES, seed=bench.seed * 1000 + run, mix="mixed")
            frames, cpu_started = wal_frames(service.locations.cache_path), time.process_time()
            seconds, report = timed(service.sync)
            cpu[n].append(time.process_time() - cpu_started)
            pages[n].append(frames_written(frames, wal_frames(service.locations.cache_path)))
            if report.to_seq - report.from_seq != changes.total:
                raise SystemExit(
                    f"sync pulled counter {report.from_seq}..{report.to_seq}, expected {changes.total} changes"
                )
            times[n].append(seconds)
            rows[n].append(report.total)
        idle.append(timed(services[max(services)][0].sync)[0])
    medians = {n: statistics.median(t) for n, t in times.items()}
    small_n, big_n = min(services), max(services)
    target = f"<= {TARGET_INCREMENTAL_S * 1000:.0f} ms"
    for n in services:
        checked = n in (small_n, big_n)
        bench.add(
            backend,
            f"incremental sync, {CHANGES} changes, at {n:,} versions",
            spread(times[n]),
            target if checked else "",
            medians[n] <= TARGET_INCREMENTAL_S if checked else None,
        )
    ratio = medians[big_n] / medians[small_n]
    bench.add(backend, f"ratio {big_n:,} / {small_n:,}", f"{ratio:.2f}", f"<= {TARGET_RATIO}", ratio <= TARGET_RATIO)
    for n in services:
        if n not in (small_n, big_n):
            bench.add(backend, f"ratio {big_n:,} / {n:,}", f"{medians[big_n] / medians[n]:.2f}")
    sizes = " / ".join(f"{n:,}" for n in services)
    bench.add(
        backend,
        f"  CPU time of those syncs (this process), {sizes}",
        " / ".join(f"{statistics.median(cpu[n]) * 1000:.1f}" for n in services) + " ms",
    )
    bench.add(
        backend,
        f"  mean of those syncs (occasional WAL checkpoints included), {sizes}",
        " / ".join(f"{statistics.mean(times[n]) * 1000:.1f}" for n in services) + " ms",
    )
    bench.add(
        backend, f"  rows pulled per sync, {sizes}", " / ".join(f"{statistics.median(rows[n]):.0f}" for n in services)
    )
    bench.add(
        backend,
        f"  cache pages written per sync (WAL frames), {sizes}",
        " / ".join(f"{statistics.median(pages[n]):.0f}" for n in services),
    )
    bench.add(backend, f"sync with nothing to pull, at {big_n:,} versions", spread(idle))


def measure_listing(bench: Bench, backend: str, service: RegistryService) -> None:
    """Reads from the cache: a deep window, the first window, a full listing, one model's versions."""
    rng = random.Random(bench.seed)
    target = f"<= {TARGET_WINDOW_S * 1000:.0f} ms"
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        total = model_versions.count_versions(snapshot)
        deep = max(0, total - WINDOW)
        model_versions.list_versions(snapshot, offset=deep, limit=WINDOW)  # warm the page cache
        windows = [
            timed(lambda: model_versions.list_versions(snapshot, offset=deep, limit=WINDOW)) for _ in range(bench.runs)
        ]
        assert all(len(rows) == min(WINDOW, total) for _, rows in windows)
        deep_times = [t for t, _ in windows]
        bench.add(
            backend,
            f"cache: window of {WINDOW} versions at offset {deep:,}",
            spread(deep_times),
            target,
            statistics.median(deep_times) <= TARGET_WINDOW_S,
        )
        first = [
            timed(lambda: model_versions.list_versions(snapshot, offset=0, limit=WINDOW))[0] for _ in range(bench.runs)
        ]
        bench.add(
            backend,
            f"cache: window of {WINDOW} versions at offset 0",
            spread(first),
            target,
            statistics.median(first) <= TARGET_WINDOW_S,
        )
        listed, windows_done, started = 0, 0, time.perf_counter()
        for offset in range(0, total, WINDOW):
            listed += len(model_versions.list_versions(snapshot, offset=offset, limit=WINDOW))
            windows_done += 1
            if time.perf_counter() - started > bench.listing_budget:
                break
        full_listing = time.perf_counter() - started
        all_windows = -(-total // WINDOW)
        per_window = full_listing / windows_done * 1000
        if listed == total:
            figure = f"{full_listing:.2f} s ({per_window:.1f} ms/window)"
        else:
            figure = (
                f"stopped after {bench.listing_budget:.0f} s: {windows_done}/{all_windows} windows "
                f"({per_window:.0f} ms/window)"
            )
        bench.add(backend, f"cache: all {total:,} versions, {WINDOW}-row windows", figure)
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        names = [m.name for m in model_list.list_models(snapshot, limit=10_000)]
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        one = []
        for _ in range(bench.runs):
            name = rng.choice(names)
            seconds, rows = timed(lambda name=name: model_versions.list_versions(snapshot, model=name))
            assert rows and all(r.model == name for r in rows)
            one.append(seconds)
        bench.add(
            backend,
            f"cache: one model's versions ({len(rows)} rows)",
            spread(one),
            target,
            statistics.median(one) <= TARGET_WINDOW_S,
        )
    deep_models = max(0, len(names) - WINDOW)
    with CacheReader(service.locations.cache_path) as reader, reader.snapshot() as snapshot:
        models = [
            timed(lambda: model_list.list_models(snapshot, offset=deep_models, limit=WINDOW))[0]
            for _ in range(bench.runs)
        ]
        bench.add(backend, f"cache: window of {WINDOW} models at offset {deep_models:,}", spread(models))


def _remove_sqlite(path: Path) -> None:
    """Delete an SQLite file and its WAL companions."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- backends ------------------------------------------------------------------------------------


def sqlite_urls(bench: Bench) -> tuple[str, str, str]:
    """Fresh SQLite registry files: big, small, middle."""
    return tuple(f"sqlite:///{bench.work / f'registry-{size}.db'}" for size in ("big", "small", "mid"))  # type: ignore[return-value]


def postgres_admin(url: str | None) -> tuple[str | None, Any, str]:
    """A superuser URL: given, from REGTUI_TEST_PG_URL, or a throwaway server; (url, server, why not)."""
    url = url or os.environ.get("REGTUI_TEST_PG_URL")
    if url:
        return url, None, ""
    try:
        from tests.pg_server import PostgresUnavailable, start_server
    except ImportError as exc:
        return None, None, f"cannot import tests/pg_server.py ({exc})"
    try:
        server = start_server()
    except (PostgresUnavailable, RuntimeError, OSError) as exc:
        return None, None, str(exc).splitlines()[0]
    return server.url, server, ""


def print_table(bench: Bench, header: str) -> None:
    """The final table: every figure with its target and PASS/MISS."""
    print("\n" + header)
    widths = (10, 58, 24, 14)
    print(f"{'backend':<{widths[0]}} {'measure':<{widths[1]}} {'figure':>{widths[2]}}  {'target':<{widths[3]}} result")
    for line in bench.lines:
        print(
            f"{line.backend:<{widths[0]}} {line.measure:<{widths[1]}} {line.figure:>{widths[2]}}  "
            f"{line.target:<{widths[3]}} {line.result}"
        )
    misses = [line for line in bench.lines if line.ok is False]
    print(
        f"\n{len(misses)} target(s) missed"
        + (": " + "; ".join(f"{m.backend} {m.measure}" for m in misses) if misses else "")
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen backends and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=50, help="versions per model")
    parser.add_argument("--small-models", type=int, default=20, help="models of the small registry (x --versions)")
    parser.add_argument(
        "--mid-models", type=int, default=200, help="models of a middle registry for the incremental sync (0: none)"
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=5, help="runs of each small timing (median)")
    parser.add_argument("--full-runs", type=int, default=3, help="runs of the full first sync (median)")
    parser.add_argument("--pg-url", help="PostgreSQL superuser URL (default: REGTUI_TEST_PG_URL or a throwaway server)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the registries and caches")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: reuse SQLite registries a previous run left there instead of generating",
    )
    parser.add_argument(
        "--listing-budget",
        type=float,
        default=60.0,
        help="stop the full listing through windows after this many seconds",
    )
    args = parser.parse_args(argv)
    if min(args.models, args.versions, args.small_models, args.runs, args.full_runs) < 1:
        parser.error("sizes and run counts must be at least 1")
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR")

    temp = None if args.keep else tempfile.TemporaryDirectory(prefix="regtui-bench-")
    work = args.keep or Path(temp.name)  # type: ignore[union-attr]
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(
        args.models,
        args.versions,
        args.small_models,
        args.runs,
        args.full_runs,
        args.seed,
        work,
        args.mid_models,
        args.listing_budget,
        args.reuse,
    )
    load_before = os.getloadavg()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    pg_version = ""
    try:
        for backend in backends:
            if backend == "sqlite":
                run_backend(bench, "sqlite", *sqlite_urls(bench))
                continue
            admin, server, why = postgres_admin(args.pg_url)
            if admin is None:
                print(
                    f"\n[postgresql] SKIPPED: PostgreSQL not available: {why} "
                    "(pass --pg-url or set REGTUI_TEST_PG_URL)",
                    flush=True,
                )
                bench.lines.append(Line("postgresql", "SKIPPED: PostgreSQL not available", why[:40]))
                continue
            try:
                pg_version = _run_postgres(bench, admin)
            except _pg_unreachable() as exc:
                why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                print(f"\n[postgresql] SKIPPED: PostgreSQL not reachable: {why}", flush=True)
                bench.lines.append(Line("postgresql", "SKIPPED: PostgreSQL not reachable", why[:40]))
            finally:
                if server is not None:
                    server.stop()
    finally:
        header = (
            f"regtui sync benchmark: {args.models} x {args.versions} = {args.models * args.versions:,} versions "
            f"(small: {args.small_models} x {args.versions}, middle: {args.mid_models} x {args.versions}); "
            f"{args.runs} runs per small timing (median, range), "
            f"{args.full_runs} full syncs\nPython {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
            f"{', ' + pg_version if pg_version else ''}, {os.cpu_count()} CPUs, {platform.machine()}\n"
            f"load average (1 min) {load_before[0]:.1f} at start, {os.getloadavg()[0]:.1f} at end"
        )
        print_table(bench, header)
        if temp is not None:
            temp.cleanup()
    return 1 if any(line.ok is False for line in bench.lines) else 0


def _pg_unreachable() -> type[Exception]:
    """The driver's connection error (psycopg is imported only when PostgreSQL is measured)."""
    import psycopg

    return psycopg.OperationalError


def _run_postgres(bench: Bench, admin: str) -> str:
    """Two fresh databases on the server, the measurements, then drop them; returns the server version."""
    import psycopg

    from tests.pg_server import (
        connect_admin,
        create_database,
        database_of,
        drop_database,
    )

    with connect_admin(admin) as conn:
        version = "PostgreSQL " + str(conn.execute("SHOW server_version").fetchone()[0])
    big, small, mid = create_database(admin), create_database(admin), create_database(admin)
    try:
        run_backend(bench, "postgresql", big, small, mid)
    finally:
        for url in (big, small, mid):
            try:
                drop_database(admin, database_of(url))
            except psycopg.Error as exc:
                print(f"(could not drop {database_of(url)}: {exc})")
    return version


if __name__ == "__main__":
    sys.exit(main())
