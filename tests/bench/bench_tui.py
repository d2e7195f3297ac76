"""Benchmark the dashboard at 100k versions: cold start, filter keystroke, opening a 500-version model, memory.

    pip install pyte   # the terminal emulator the cold start reads the screen with
    python tests/bench/bench_tui.py [--work DIR [--reuse]] [--models 2000] [--versions 50] [--long-model 500]
                                    [--runs 5] [--size 120x40] [--regtui PATH] [--empty-cache]

Generates a registry of models x versions plus one model with --long-model versions
(tests/bench/generate.py; --reuse keeps the registry a previous run left in --work), syncs the cache, then:
- cold start: spawns the installed `regtui` in a pseudo-terminal of --size, pointed at the registry and
  cache by REGTUI_REGISTRY / REGTUI_CACHE (no user configuration file; bytecode cached under --work, as
  an installed package has it; one warm-up start first, not counted), feeds its output to a terminal
  emulator (pyte; output is timed as it arrives, parsed after) and times from the spawn to the first frame
  (the header) and to the first frame that shows the models list; then, in the same process, filters to the
  long model, moves to the list, and after a moment (the cursor resting on the model) opens it, and reads the
  process's peak RSS (VmHWM) before quitting with ctrl+q. --empty-cache adds the same cold start on an
  empty cache (the app's first sync pulls everything before any model shows: informational);
- in a fresh process (App.run_test, headless, --size): a filter keystroke to the first frame painted
  with the new query's rows, for keystrokes typed slowly (each one alone)
  and for a second keystroke typed 20 ms after the first (it waits for the first one's query);
  Enter on the 500-version model to the first frame with its lineage and the selected version's details
  (later opens, which reuse the model screen, as they do for an operator going back and forth; a 50-version
  model too, for comparison), Enter coming 0.3 s after the cursor came to rest on the model (which the app
  has read ahead by then), and again as if Enter came before that read (the open reads the model); and that
  process's peak RSS;
- in --runs more fresh processes, the session's first open alone: start, filter to the 500-version model,
  Enter (the first showing of the model screen the app built ahead, the first reads of the cache); and in
  --runs more, the same with Enter before the model was read ahead;
and prints every figure (median of --runs, with the range) beside the issue's targets with PASS/MISS.

The machine's load average is printed at start and end: wall-clock figures move with the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import pty
import resource
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for _path in (str(HERE), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from generate import generate, model_name

from regtui.config import Locations
from regtui.services.registry import RegistryService

TARGET_COLD_S = 1.0
TARGET_FILTER_S = 0.030
TARGET_OPEN_S = 0.100
TARGET_MEMORY_MIB = 150.0
FILTER_TEXT = "fraud-01"
BURST_GAP_S = 0.020
QUIET_S = 0.3
BURST_QUIET_S = 0.005
"""A pause in regtui's output this long ends a burst the terminal emulator then parses."""
TIMEOUT_S = 60.0


@dataclass
class Line:
    """One printed figure: what, how much, against which target."""

    measure: str
    figure: str
    target: str = ""
    ok: bool | None = None

    @property
    def result(self) -> str:
        """PASS, MISS, or nothing for an informational figure."""
        return "" if self.ok is None else ("PASS" if self.ok else "MISS")

    def row(self) -> str:
        """The line as printed."""
        return f"  {self.measure:<58} {self.figure:>24}  {self.target:<9} {self.result}"


@dataclass
class Report:
    """The collected figures."""

    lines: list[Line] = field(default_factory=list)

    def add(self, measure: str, figure: str, target: str = "", ok: bool | None = None) -> None:
        """Record a figure and echo it at once (the table is printed again at the end)."""
        line = Line(measure, figure, target, ok)
        self.lines.append(line)
        print(line.row(), flush=True)

    def timing(self, measure: str, values: list[float], target_s: float | None = None) -> None:
        """A median timing with its range, against a target in seconds when there is one."""
        figure = spread(values)
        if target_s is None:
            self.add(measure, figure)
        else:
            self.add(measure, figure, f"<= {ms(target_s)}", statistics.median(values) <= target_s)


def ms(seconds: float) -> str:
    """Milliseconds."""
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def spread(values: list[float]) -> str:
    """Median with the range of the runs."""
    return f"{ms(statistics.median(values))} ({ms(min(values))[:-3]}-{ms(max(values))})"


def load() -> str:
    """The load average, as uptime prints it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the registry -------------------------------------------------------------------------------


def prepare(work: Path, models: int, versions: int, long_model: int, reuse: bool) -> Locations:
    """Generate the registry (unless reused) and sync the cache; print what it took."""
    registry = work / "registry.db"
    locations = Locations(registry_url=f"sqlite:///{registry}", cache_path=work / "cache.db")
    if reuse and registry.exists():
        print(f"reusing {registry}")
    else:
        for path in work.glob("*.db*"):
            path.unlink()
        print(f"generating {models} x {versions} versions + one model of {long_model} into {registry} ...", flush=True)
        report = generate(locations.registry_url, models, versions, long_model=long_model)
        print(f"  {report.versions} versions in {report.seconds:.1f} s")
    started = time.perf_counter()
    service = RegistryService(locations)
    try:
        pulled = service.sync()
    finally:
        service.close()
    print(f"cache synced in {time.perf_counter() - started:.1f} s ({pulled.total} rows pulled)")
    return locations


# --- cold start in a pseudo-terminal ------------------------------------------------------------


class Terminal:
    """The installed `regtui` running in a pseudo-terminal, its output fed to a pyte screen."""

    def __init__(self, command: list[str], env: dict[str, str], columns: int, rows: int) -> None:
        import fcntl
        import termios

        import pyte

        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.master = master
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.first_output: float | None = None

    def text(self) -> str:
        """The screen as plain text."""
        return "\n".join(self.screen.display)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = TIMEOUT_S) -> float:
        """Read output until the screen satisfies the predicate; seconds from the spawn to the arrival of the output
        that made it so (each burst is read whole before the emulator parses it, so parsing delays no timestamp)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for arrived, data in self._read_burst():
                self.stream.feed(data)
                if predicate(self.text()):
                    return arrived - self.started
        raise TimeoutError(f"screen never matched within {timeout:.0f} s:\n{self.text()}")

    def _read_burst(self) -> list[tuple[float, bytes]]:
        """Every chunk of output until BURST_QUIET_S passes without any, with its arrival time."""
        chunks: list[tuple[float, bytes]] = []
        wait = 0.05
        while select.select([self.master], [], [], wait)[0]:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError as exc:
                raise RuntimeError(f"regtui closed its terminal:\n{self.text()}") from exc
            chunks.append((time.perf_counter(), data))
            wait = BURST_QUIET_S
        if not chunks and self.process.poll() is not None:
            raise RuntimeError(f"regtui exited with {self.process.returncode}:\n{self.text()}")
        return chunks

    def send(self, keys: bytes) -> float:
        """Type keys; the time they were sent, in seconds since the spawn."""
        os.write(self.master, keys)
        return time.perf_counter() - self.started

    def peak_rss_mib(self) -> float:
        """The process's peak resident set size (VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        """Quit with ctrl+q (kill the process if it does not exit)."""
        try:
            if self.process.poll() is None:
                os.write(self.master, b"\x11")
                deadline = time.perf_counter() + 10
                while self.process.poll() is None and time.perf_counter() < deadline:
                    if select.select([self.master], [], [], 0.1)[0]:
                        try:
                            os.read(self.master, 1 << 16)
                        except OSError:
                            break
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self.master)


@dataclass
class ColdStart:
    """One cold start in a pseudo-terminal."""

    first_frame: float
    models: float
    open_model: float
    peak_mib: float


def python_env(work: Path) -> dict[str, str]:
    """The environment of an installed regtui: bytecode cached (in the work folder, not the source tree)."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    for name in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR", "TEXTUAL", "TEXTUAL_DRIVER"):
        env.pop(name, None)
    return env


def cold_start(
    regtui: str, locations: Locations, work: Path, size: tuple[int, int], first: str, long: str, versions: int
) -> ColdStart:
    """Spawn regtui, wait for the models list, then filter to the long model and open it; peak RSS."""
    env = {
        **python_env(work),
        "TERM": "xterm-256color",
        "REGTUI_REGISTRY": locations.registry_url,
        "REGTUI_CACHE": str(locations.cache_path),
        "REGTUI_CONFIG": str(work / "no-config.yaml"),
        "REGTUI_USER": "bench-admin",
    }
    terminal = Terminal([regtui], env, *size)
    try:
        first_frame = terminal.wait_for(lambda text: "regtui" in text or "Registry" in text)
        models = terminal.wait_for(lambda text: first in text)
        terminal.send(b"/")
        time.sleep(1.0)  # the filter takes focus before the name is typed
        terminal.send(long.encode())
        terminal.wait_for(lambda text: "1 model " in text and long in text)
        terminal.send(b"\r")
        time.sleep(QUIET_S)
        sent = terminal.send(b"\r")
        opened = terminal.wait_for(lambda text: f"{versions} versions" in text and "framework" in text)
        time.sleep(QUIET_S)
        peak = terminal.peak_rss_mib()
    finally:
        terminal.close()
    return ColdStart(first_frame, models, opened - sent, peak)


def import_time(regtui: str, work: Path) -> float:
    """Seconds a fresh interpreter takes to import the CLI and the dashboard (no terminal)."""
    python = Path(regtui).with_name("python")
    code = (
        "import time; t = time.perf_counter(); import regtui.cli.main, regtui.tui.app; print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [str(python if python.exists() else sys.executable), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=python_env(work),
    )
    return float(out.stdout.strip())


# --- in-process measurements (run in a child process) --------------------------------------------


class FrameClock:
    """Timestamps of the frames the app paints, with a predicate evaluated as each frame is painted."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.predicate: Callable[[], bool] | None = None
        self.matched: float | None = None
        self.started_cpu = self.matched_cpu = 0.0
        self.cpu: list[float] = []
        """CPU seconds (every thread of the process) from each awaited event to its frame."""
        original = app.post_display_hook

        def displayed() -> None:
            """After each frame, note the time when it shows what is awaited."""
            original()
            if self.predicate is not None and self.matched is None and self.predicate():
                self.matched, self.matched_cpu = time.perf_counter(), time.process_time()

        app.post_display_hook = displayed

    def expect(self, predicate: Callable[[], bool]) -> None:
        """Await the first frame painted once the predicate holds (CPU time counted from now)."""
        self.predicate, self.matched, self.started_cpu = predicate, None, time.process_time()

    async def wait(self, started: float) -> float:
        """Seconds from `started` to the awaited frame."""
        deadline = time.perf_counter() + TIMEOUT_S
        while self.matched is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the awaited frame was never painted")
            await asyncio.sleep(0.001)
        self.predicate = None
        self.cpu.append(self.matched_cpu - self.started_cpu)
        return self.matched - started


def press(app: Any, key: str) -> None:
    """Send one key to the app as the terminal would, without waiting for it to be handled (Pilot.press waits)."""
    from textual import events

    app.post_message(events.Key(key, key if len(key) == 1 else None))


def table_shows(screen: Any, text: str, generation_before: int) -> Callable[[], bool]:
    """The models table holds the first page of the query for `text`."""
    from regtui.tui.widgets.window_table import WindowTable

    table = screen.query_one("#models", WindowTable)

    def shown() -> bool:
        """The query is current and its first page arrived."""
        return (
            screen.query_state.text == text
            and table._generation > generation_before
            and table.total is not None
            and 0 in table._pages
        )

    return shown


async def _filter_runs(pilot: Any, clock: FrameClock, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Keystroke-to-frame times: slow typing (each key alone), its CPU times, and the second key of a quick pair."""
    from regtui.tui.widgets.window_table import WindowTable

    screen = pilot.app.screen
    table = screen.query_one("#models", WindowTable)
    await pilot.press("slash")
    slow: list[float] = []
    slow_cpu: list[float] = []
    burst: list[float] = []
    for _ in range(runs):
        for keys in [list(FILTER_TEXT[: i + 1]) for i in range(len(FILTER_TEXT))]:
            slow.append(await _keystroke(pilot, clock, screen, table, keys[-1], "".join(keys)))
            slow_cpu.append(clock.cpu[-1])
        for i in range(len(FILTER_TEXT), 0, -1):
            slow.append(await _keystroke(pilot, clock, screen, table, "backspace", FILTER_TEXT[: i - 1]))
            slow_cpu.append(clock.cpu[-1])
        await pilot.press("f")
        await asyncio.sleep(BURST_GAP_S)
        burst.append(await _keystroke(pilot, clock, screen, table, "r", "fr", quiet=0))
        await _keystroke(pilot, clock, screen, table, "backspace", "f")
        await _keystroke(pilot, clock, screen, table, "backspace", "")
    return slow, slow_cpu, burst


async def _keystroke(
    pilot: Any, clock: FrameClock, screen: Any, table: Any, key: str, text: str, quiet: float = QUIET_S
) -> float:
    """Press one key after a quiet interval; seconds to the frame with its rows."""
    await asyncio.sleep(quiet)
    clock.expect(table_shows(screen, text, table._generation))
    started = time.perf_counter()
    press(pilot.app, key)
    return await clock.wait(started)


async def _open_runs(
    pilot: Any, clock: FrameClock, model: str, versions: int, runs: int, read_ahead: bool = True
) -> list[float]:
    """Enter on a model (filtered to it, the cursor resting on it) to the first frame with its lineage and version
    details; without read_ahead, as if Enter came before the model was read ahead (the open reads it)."""
    from regtui.tui.screens.model import ModelScreen
    from regtui.tui.widgets.lineage_tree import LineageTree
    from regtui.tui.widgets.window_table import WindowTable

    app = pilot.app
    registry = app.screen
    table = registry.query_one("#models", WindowTable)
    clock.expect(table_shows(registry, model, table._generation))
    await pilot.press("slash", "ctrl+u", *model)
    await clock.wait(time.perf_counter())
    await pilot.press("enter")
    times = []
    for _ in range(runs):
        await asyncio.sleep(QUIET_S)

        def opened() -> bool:
            """The model screen shows its lineage with the selected version and that version's details."""
            screen = app.screen
            return (
                isinstance(screen, ModelScreen)
                and screen.overview is not None
                and len(screen.overview.versions) == versions
                and screen.view is not None
                and screen.query_one(LineageTree).cursor_node is not None
                and screen.query_one(LineageTree).cursor_node.data is not None
            )

        clock.expect(opened)
        if not read_ahead:
            app.opening.ahead.invalidate()
        started = time.perf_counter()
        press(app, "enter")
        times.append(await clock.wait(started))
        await asyncio.sleep(QUIET_S)
        await pilot.press("escape")
        await asyncio.sleep(QUIET_S)
        app.workers.cancel_group(app.screen, "default")
    await pilot.press("slash", "ctrl+u", "enter")
    return times


def _data_path(service: RegistryService, runs: int, long: str) -> dict[str, list[float]]:
    """The reads alone, as the workers run them: a filter's count and first window, a model's overview
    (every version, metrics) and its first version's details."""
    from regtui.services import reads
    from regtui.services.views import ModelQuery
    from regtui.store.cache_reader import CacheReader
    from regtui.tui.screens.registry import count_model_lines, model_lines

    def filter_query(reader: CacheReader) -> None:
        """Count and first window of one filter."""
        query = ModelQuery(FILTER_TEXT[:3])
        count_model_lines(reader, query)
        model_lines(reader, service.clock, query, 0, 50)

    def model_reads(reader: CacheReader) -> None:
        """What the model screen's worker reads."""
        now = service.clock()
        overview = reads.model_overview(reader, long, now)
        reads.version_view(reader, long, overview.versions[-1].key, now)

    with CacheReader(service.locations.cache_path) as reader:
        filter_reads = [timed(partial(filter_query, reader)) for _ in range(runs * 3)]
        open_reads = [timed(partial(model_reads, reader)) for _ in range(runs * 3)]
    return {"filter_reads": filter_reads, "open_reads": open_reads}


def timed(call: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def bench_app(locations: Locations) -> tuple[Any, RegistryService]:
    """The app on the cache, syncing once (at start) in the measured span."""
    from regtui.config import Settings
    from regtui.tui.app import RegtuiApp

    service = RegistryService(locations)
    return RegtuiApp(service, settings=Settings(sync_interval=3600)), service


async def _started(pilot: Any) -> None:
    """Wait until the app has started: its first sync and background work done, then a quiet moment."""
    await asyncio.sleep(1.0)
    await pilot.app.workers.wait_for_complete()
    await asyncio.sleep(QUIET_S)


async def _first_open(
    locations: Locations, size: tuple[int, int], long: str, long_versions: int, read_ahead: bool
) -> dict[str, Any]:
    """Start the app headless and open the long model once: the session's first open."""
    app, service = bench_app(locations)
    clock = FrameClock(app)
    try:
        async with app.run_test(size=size) as pilot:
            await _started(pilot)
            first_open = await _open_runs(pilot, clock, long, long_versions, 1, read_ahead)
    finally:
        service.close()
    return {"first_open": first_open, "first_open_cpu": clock.cpu[-1:]}


async def _in_process(
    locations: Locations,
    size: tuple[int, int],
    runs: int,
    long: str,
    long_versions: int,
    short: str,
    short_versions: int,
) -> dict[str, Any]:
    """Run the app headless on the cache and take the filter and open-model timings."""
    app, service = bench_app(locations)
    clock = FrameClock(app)
    cpu: dict[str, list[float]] = {}
    try:
        async with app.run_test(size=size) as pilot:
            await _started(pilot)
            slow, cpu["filter_cpu"], burst = await _filter_runs(pilot, clock, runs)
            clock.cpu = []
            long_open = await _open_runs(pilot, clock, long, long_versions, runs)
            cpu["long_open_cpu"], clock.cpu = clock.cpu[1:], []
            long_read_in_open = await _open_runs(pilot, clock, long, long_versions, runs, read_ahead=False)
            cpu["long_read_in_open_cpu"], clock.cpu = clock.cpu, []
            short_open = await _open_runs(pilot, clock, short, short_versions, runs)
            cpu["short_open_cpu"] = clock.cpu[1:]
        reads = _data_path(service, runs, long)
    finally:
        service.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "slow": slow,
        "burst": burst,
        "long_open": long_open,
        "long_read_in_open": long_read_in_open,
        "short_open": short_open,
        "peak_mib": peak,
        **cpu,
        **reads,
    }


def run_child(args: argparse.Namespace) -> int:
    """The in-process part (or, with --first-open, the session's first open alone), in a fresh interpreter; prints
    its figures as JSON on the last line."""
    locations = Locations(registry_url=args.registry, cache_path=Path(args.cache))
    size = parse_size(args.size)
    if args.first_open:
        result = asyncio.run(_first_open(locations, size, args.long, args.long_versions, not args.read_in_open))
    else:
        result = asyncio.run(
            _in_process(locations, size, args.runs, args.long, args.long_versions, args.short, args.versions)
        )
    print(json.dumps(result))
    return 0


def in_process(
    locations: Locations,
    args: argparse.Namespace,
    long: str,
    short: str,
    first_open: bool = False,
    read_in_open: bool = False,
) -> dict[str, Any]:
    """Run the in-process measurements (or the first open alone, its model read ahead or read in the open) in a child
    interpreter and return its figures."""
    command = [
        sys.executable,
        __file__,
        "--child",
        "--registry",
        locations.registry_url,
        "--cache",
        str(locations.cache_path),
        "--size",
        args.size,
        "--runs",
        str(args.runs),
        "--long",
        long,
        "--long-versions",
        str(args.long_model),
        "--short",
        short,
        "--versions",
        str(args.versions),
        *(["--first-open"] if first_open else []),
        *(["--read-in-open"] if read_in_open else []),
    ]
    env = {
        **os.environ,
        "REGTUI_CONFIG": str(Path(args.work or tempfile.gettempdir()) / "no-config.yaml"),
        "REGTUI_USER": "bench-admin",
    }
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"in-process measurements failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- main ---------------------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    """'120x40' -> (120, 40)."""
    columns, rows = text.lower().split("x")
    return int(columns), int(rows)


def measure(args: argparse.Namespace, work: Path, report: Report) -> None:
    """Take every figure."""
    locations = prepare(work, args.models, args.versions, args.long_model, args.reuse)
    names = sorted(model_name(i) for i in range(args.models + 1))
    first, long, short = names[0], model_name(args.models), model_name(0)
    size = parse_size(args.size)
    print(f"\nload {load()}; cold starts in a {args.size} pseudo-terminal ({args.regtui})", flush=True)
    cold_start(args.regtui, locations, work, size, first, long, args.long_model)  # warm-up: bytecode, OS cache
    report.add(
        "import regtui.cli.main + regtui.tui.app (fresh interpreter)",
        spread([import_time(args.regtui, work) for _ in range(args.runs)]),
    )
    starts = [cold_start(args.regtui, locations, work, size, first, long, args.long_model) for _ in range(args.runs)]
    report.timing("cold start to the first frame (header)", [s.first_frame for s in starts])
    report.timing("cold start to the models list (warm cache)", [s.models for s in starts], TARGET_COLD_S)
    report.timing(f"open the {args.long_model}-version model (pty, Enter to frame)", [s.open_model for s in starts])
    peak = max(s.peak_mib for s in starts)
    report.add(
        "peak RSS of regtui (start, filter, open the long model)",
        f"{peak:.0f} MiB",
        f"<= {TARGET_MEMORY_MIB:.0f} MiB",
        peak <= TARGET_MEMORY_MIB,
    )
    if args.empty_cache:
        empty = Locations(locations.registry_url, work / "empty-cache.db")
        for path in work.glob("empty-cache.db*"):
            path.unlink()
        start = cold_start(args.regtui, empty, work, size, first, long, args.long_model)
        report.add("cold start on an empty cache (full first sync) to models", ms(start.models))
        report.add("peak RSS of regtui on an empty cache (full first sync)", f"{start.peak_mib:.0f} MiB")
    print(f"\nload {load()}; in-process (App.run_test, headless, {args.size})", flush=True)
    figures = in_process(locations, args, long, short)
    firsts = [in_process(locations, args, long, short, first_open=True) for _ in range(args.runs)]
    firsts_read = [
        in_process(locations, args, long, short, first_open=True, read_in_open=True) for _ in range(args.runs)
    ]
    report.timing("filter keystroke to repaint (each key alone)", figures["slow"], TARGET_FILTER_S)
    report.timing("  CPU time of those (all threads)", figures["filter_cpu"])
    report.timing("  the reads alone (count + first window of 50)", figures["filter_reads"])
    report.timing(f"filter keystroke {BURST_GAP_S * 1000:.0f} ms after another", figures["burst"])
    report.timing(
        f"open a model with {args.long_model} versions, first of the session*",
        [first["first_open"][0] for first in firsts],
        TARGET_OPEN_S,
    )
    report.timing("  CPU time of those (all threads)", [first["first_open_cpu"][0] for first in firsts])
    report.timing(
        "  the same, Enter before the model was read ahead*", [first["first_open"][0] for first in firsts_read]
    )
    report.timing(
        f"open a model with {args.long_model} versions (Enter to frame)", figures["long_open"][1:], TARGET_OPEN_S
    )
    report.timing("  CPU time of those (all threads)", figures["long_open_cpu"])
    report.timing("  the same, Enter before the model was read ahead", figures["long_read_in_open"])
    report.timing("  the reads alone (overview of every version + details)", figures["open_reads"])
    report.timing(f"open a model with {args.versions} versions (Enter to frame)", figures["short_open"])
    report.timing("  CPU time of those (all threads)", figures["short_open_cpu"])
    report.add(
        "peak RSS of the in-process run",
        f"{figures['peak_mib']:.0f} MiB",
        f"<= {TARGET_MEMORY_MIB:.0f} MiB",
        figures["peak_mib"] <= TARGET_MEMORY_MIB,
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: measure and print the figures beside their targets (exit 1 when one is missed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--versions", type=int, default=50, help="versions per model")
    parser.add_argument("--long-model", type=int, default=500, help="versions of the one long model")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="120x40", help="terminal COLUMNSxROWS")
    parser.add_argument("--regtui", default=shutil.which("regtui") or str(Path(sys.executable).with_name("regtui")))
    parser.add_argument("--work", help="folder for the registry and cache (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="with --work: reuse the registry a previous run left")
    parser.add_argument("--empty-cache", action="store_true", help="also a cold start on an empty cache")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--first-open", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--read-in-open", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--registry", "--cache", "--long", "--short"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--long-versions", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)
    started_load = load()
    print(
        f"bench_tui: {args.models} x {args.versions} versions + one of {args.long_model}; Python "
        f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; load {started_load}"
    )
    report = Report()
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as scratch:
        work = Path(args.work) if args.work else Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        measure(args, work, report)
    print(
        f"\nfigures (median of {args.runs} runs, range in brackets; *: one run in each of {args.runs} fresh "
        f"processes); load at start {started_load}, at end {load()}"
    )
    for line in report.lines:
        print(line.row())
    return 1 if any(line.ok is False for line in report.lines) else 0


if __name__ == "__main__":
    sys.exit(main())
