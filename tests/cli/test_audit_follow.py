"""`regtui audit --follow`: new log entries stream out as JSON lines while another writer works; it stops cleanly on
SIGTERM, Ctrl-C (SIGINT) and a reader that closes the pipe."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from regtui.urls import redact
from tests.factories import ADMIN, ServiceFactory, build_fixture_registry, version_manifest

WAIT_S = 60


class Follower:
    """`regtui audit --follow --json --interval 1` as a process of its own, its lines read by a thread."""

    def __init__(self, url: str, cache: Path, *args: str) -> None:
        command = [sys.executable, "-m", "regtui", "--registry", url, "--cache", str(cache), "audit", "--follow"]
        self.process = subprocess.Popen(
            [*command, *args, "--json", "--interval", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "REGTUI_USER": ADMIN},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        """Queue each line the follower prints."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def next_entry(self) -> dict[str, Any]:
        """The next JSON line (failing after WAIT_S)."""
        return json.loads(self.lines.get(timeout=WAIT_S))

    def stop(self, signum: int) -> tuple[int, str]:
        """Send a signal; the exit status and stderr."""
        self.process.send_signal(signum)
        status = self.process.wait(timeout=WAIT_S)
        assert self.process.stderr is not None
        return status, self.process.stderr.read()


def test_new_entries_stream_as_json_lines_until_sigterm(
    sqlite_url: str, make_service: ServiceFactory, tmp_path: Path
) -> None:
    """With --since 0 the log so far comes first, then each new entry as it is written elsewhere; SIGTERM ends it
    with status 0 and nothing on stderr."""
    make_service(sqlite_url).import_paths([build_fixture_registry(tmp_path / "fixtures")])
    follower = Follower(sqlite_url, tmp_path / "follower.db", "--since", "0")
    try:
        first = follower.next_entry()
        assert (first["position"], first["registry"], first["stale"]) == (1, redact(sqlite_url), False)
        assert [follower.next_entry()["position"] for _ in range(2)] == [2, 3]
        manifest = version_manifest(tmp_path / "new", "churn", "3.0.0", parent="2.0.0", change_kind="architecture")
        make_service(sqlite_url, init=False).register(manifest)
        entry = follower.next_entry()
        assert (entry["kind"], entry["model"], entry["version"], entry["actor"]) == (
            "register",
            "churn",
            "3.0.0",
            ADMIN,
        )
        assert follower.stop(signal.SIGTERM) == (0, "")
    finally:
        follower.process.kill()


def test_ctrl_c_and_a_closed_pipe_end_it_quietly(sqlite_url: str, make_service: ServiceFactory, tmp_path: Path) -> None:
    """SIGINT ends a follower with status 0; a follower whose reader went away stops at the next entry it writes
    (here the log so far, --since 0) with SIGPIPE's status; neither writes a traceback."""
    make_service(sqlite_url).import_paths([build_fixture_registry(tmp_path / "fixtures")])
    interrupted = Follower(sqlite_url, tmp_path / "a.db", "--since", "2")
    orphaned = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "regtui",
            "--registry",
            sqlite_url,
            "--cache",
            str(tmp_path / "b.db"),
            "audit",
            "--follow",
            "--since",
            "0",
            "--interval",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "REGTUI_USER": ADMIN},
    )
    try:
        assert interrupted.next_entry()["position"] == 3
        assert orphaned.stdout is not None
        orphaned.stdout.close()
        manifest = version_manifest(tmp_path / "new", "churn", "3.0.0", parent="2.0.0", change_kind="architecture")
        make_service(sqlite_url, init=False).register(manifest)
        assert interrupted.next_entry()["version"] == "3.0.0"
        assert interrupted.stop(signal.SIGINT) == (0, "")
        assert orphaned.wait(timeout=WAIT_S) == 141
    finally:
        interrupted.process.kill()
        orphaned.kill()
    assert orphaned.stderr is not None and orphaned.stderr.read() == ""
