"""Benchmark the read commands a pipeline calls, each as a whole `regtui` process on a synced cache.

    python tests/bench/bench_cli.py --registry sqlite:////tmp/bench.db [--cache PATH] [--runs 9]
    python tests/bench/bench_cli.py --generate 2000x50 [--work DIR]          # writes the registry first
    options: [--listing-registry URL | --listing-generate 20000x50]  # the models --json memory figure's registry

Registries come from tests/bench/generate.py (the given one is used as it is). The cache is synced once before the
clock starts (`regtui sync`), so every timed read finds it current. Timed, --runs times each after one warm-up,
alternating the commands: `regtui --help`, `regtui resolve M@Production --json` and `regtui versions M --json`
(M: the model with the most versions that has a Production version), wall time of the whole process (spawn to exit,
interpreter start-up and imports included). The peak resident memory of `regtui models --json` (output to
/dev/null) comes from the kernel's accounting of the finished child (os.wait4), on --listing-registry (default: the
same registry). Prints medians with their ranges beside the targets and the load average at start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

TARGET_READ_S = 0.300
TARGET_HELP_S = 0.150
TARGET_LISTING_MIB = 150.0


def regtui_command(registry: str, cache: Path, *args: str) -> list[str]:
    """The installed regtui (the venv's entry point next to this interpreter) on the registry and cache."""
    entry = Path(sys.executable).with_name("regtui")
    program = [str(entry)] if entry.exists() else [sys.executable, "-m", "regtui"]
    return [*program, "--registry", registry, "--cache", str(cache), *args]


def run_child(command: list[str]) -> tuple[float, float, float, int]:
    """Run a command to its end, output discarded: wall seconds, CPU seconds (user + system), peak RSS in MiB,
    exit status."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def generate(spec: str, folder: Path) -> str:
    """A new SQLite registry of MODELSxVERSIONS from the generator; its URL."""
    models, versions = (int(part) for part in spec.lower().split("x"))
    path = folder / f"registry-{models}x{versions}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        from generate import generate as write

        write(url, models, versions, 0, log=print)
    return url


def synced_cache(registry: str, folder: Path) -> Path:
    """A cache of the registry, synced (not timed)."""
    cache = folder / f"cache-{abs(hash(registry))}.db"
    subprocess.run(regtui_command(registry, cache, "sync"), check=True, stdout=subprocess.DEVNULL)
    return cache


def busiest_production_model(registry: str, cache: Path) -> str:
    """The model with the most versions among those with a Production version."""
    listed = subprocess.run(regtui_command(registry, cache, "models", "--json"), check=True, capture_output=True)
    models = [m for m in json.loads(listed.stdout)["models"] if m["production"]]
    return max(models, key=lambda m: (m["versions"], m["name"]))["name"]


def spread(values: list[float], unit: float = 1000, suffix: str = "ms") -> str:
    """'median (min-max)' in the given unit."""
    return f"{statistics.median(values) * unit:.0f} {suffix} ({min(values) * unit:.0f}-{max(values) * unit:.0f})"


def main(argv: list[str] | None = None) -> int:
    """Time the read commands and measure the listing's peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--registry", help="an existing registry URL (from generate.py)")
    source.add_argument("--generate", metavar="MODELSxVERSIONS", help="write a new SQLite registry first")
    listing = parser.add_mutually_exclusive_group()
    listing.add_argument("--listing-registry", help="registry for the models --json memory figure")
    listing.add_argument("--listing-generate", metavar="MODELSxVERSIONS")
    parser.add_argument("--work", type=Path, help="folder for generated registries and caches")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="regtui-cli-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    registry = args.registry or generate(args.generate, work)
    cache = synced_cache(registry, work)
    model = busiest_production_model(registry, cache)
    commands = {
        "python -c pass (interpreter start, for scale)": [sys.executable, "-c", "pass"],
        "regtui --help": regtui_command(registry, cache, "--help"),
        f"resolve {model}@Production --json": regtui_command(
            registry, cache, "resolve", f"{model}@Production", "--json"
        ),
        f"versions {model} --json": regtui_command(registry, cache, "versions", model, "--json"),
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(args.runs + 1):
        for name, command in commands.items():
            wall, cpu, _rss, status = run_child(command)
            if status != 0:
                raise SystemExit(f"{name} exited {status}")
            if run:
                walls[name].append(wall)
                cpus[name].append(cpu)
    listing_registry = args.listing_registry or (
        generate(args.listing_generate, work) if args.listing_generate else registry
    )
    listing_cache = synced_cache(listing_registry, work) if listing_registry != registry else cache
    peaks = [run_child(regtui_command(listing_registry, listing_cache, "models", "--json"))[2] for _ in range(3)]
    print(f"registry {registry}; listing registry {listing_registry}; model {model}; {args.runs} runs each")
    print(f"{'whole process, median (min-max)':<52} {'wall':<22} {'cpu (user+sys)':<22} target")
    for name, values in walls.items():
        target = TARGET_HELP_S if name == "regtui --help" else None if name.startswith("python") else TARGET_READ_S
        median = statistics.median(values)
        verdict = "" if target is None else f"<= {target * 1000:.0f} ms {'PASS' if median <= target else 'MISS'}"
        print(f"{name:<52} {spread(values):<22} {spread(cpus[name]):<22} {verdict}")
    peak = max(peaks)
    verdict = "PASS" if peak <= TARGET_LISTING_MIB else "MISS"
    print(f"{'models --json peak RSS (max of 3)':<52} {peak:.0f} MiB{'':<40} <= {TARGET_LISTING_MIB:.0f} MiB {verdict}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
