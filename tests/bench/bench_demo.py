"""Benchmark `regtui demo` launches: the first (the demo registry built from the fixtures) and later ones
(the earlier build reused), from the spawn to the frame that shows the models list.

    pip install pyte   # the terminal emulator the launches are read with
    python tests/bench/bench_demo.py [--work DIR] [--runs 5] [--size 120x40] [--regtui PATH]

Each launch runs the installed `regtui demo --dir WORK/demo` in a pseudo-terminal (bytecode cached under
--work, no user configuration file), quits with ctrl+q once the list shows, and is timed whole: --runs first
launches (each with --reset) and --runs later launches. Prints the medians with their ranges beside the
targets, and the machine's load average at start and end.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from bench_tui import Report, Terminal, load, parse_size, python_env  # noqa: E402

TARGET_FIRST_S = 5.0
TARGET_LATER_S = 1.5
LIST_SHOWN = "8 models"


def launch(regtui: str, work: Path, size: tuple[int, int], reset: bool) -> float:
    """One `regtui demo` launch: seconds from the spawn to the models list on screen."""
    env = {**python_env(work), "REGTUI_CONFIG": str(work / "no-config.yaml")}
    command = [regtui, "demo", "--dir", str(work / "demo"), *(["--reset"] if reset else [])]
    terminal = Terminal(command, env, *size)
    try:
        return terminal.wait_for(lambda text: LIST_SHOWN in text)
    finally:
        terminal.close()


def main(argv: list[str] | None = None) -> int:
    """Time first and later demo launches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="folder for the demo and bytecode (default: a temporary one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=parse_size, default=(120, 40))
    parser.add_argument("--regtui", default=shutil.which("regtui") or "regtui", help="the regtui to run")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="regtui-demo-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {load()}")
    report = Report()
    launch(args.regtui, work, args.size, reset=True)
    report.timing(
        "first launch (demo built from the fixtures) to models list",
        [launch(args.regtui, work, args.size, reset=True) for _ in range(args.runs)],
        TARGET_FIRST_S,
    )
    report.timing(
        "later launch (earlier build reused) to models list",
        [launch(args.regtui, work, args.size, reset=False) for _ in range(args.runs)],
        TARGET_LATER_S,
    )
    print(f"load average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
