"""The throwaway PostgreSQL server goes away with the test run that started it, even when that run is killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pg_server import PG_URL_ENV, PostgresUnavailable, find_bindir, server_account, skip_or_fail

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent
WAIT_LIMIT_S = 60.0
POLL_S = 0.05
HARNESS = '''
import json, os, threading
import psycopg
from tests.pg_server import libpq_url

def test_hold_the_server(pg_admin_url):
    """Say where the server runs, then wait to be killed."""
    with psycopg.connect(libpq_url(pg_admin_url)) as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
        port = int(conn.execute("SHOW port").fetchone()[0])
    with open("server.part", "w") as out:
        json.dump({"data_dir": data_dir, "port": port}, out)
    os.replace("server.part", "server.json")
    threading.Event().wait()
'''
"""A test session that starts the harness's server, writes where it runs, and holds it until killed."""


def wait_for(condition: object, what: str) -> None:
    """Poll a condition (a callable) until it holds; fail naming what was awaited after WAIT_LIMIT_S."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT_LIMIT_S:g} s for {what}; it never came")
        time.sleep(POLL_S)


def port_open(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def processes_on(data_dir: str) -> list[str]:
    """Command lines of the running processes that name the data directory (the postmaster does)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if data_dir.encode() in args:
            found.append(" ".join(arg.decode(errors="replace") for arg in args))
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_server_stops_when_the_test_run_is_killed(tmp_path: Path, signum: signal.Signals) -> None:
    """A pytest run that started a server, killed by SIGTERM (no fixture teardown, no atexit) or interrupted by
    SIGINT, leaves no postgres process on its data directory, its port closed and its directory removed."""
    try:
        find_bindir()
        server_account()
    except PostgresUnavailable as exc:
        skip_or_fail(str(exc))
    (tmp_path / "test_harness.py").write_text(HARNESS)
    env = {key: value for key, value in os.environ.items() if key != PG_URL_ENV and not key.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.pg_server",
            "-n",
            "0",
            "test_harness.py",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: (tmp_path / "server.json").exists() or run.poll() is not None, "the harness's server")
        assert run.poll() is None, run.communicate()[0].decode(errors="replace")
        server = json.loads((tmp_path / "server.json").read_text())
        assert port_open(server["port"]) and processes_on(server["data_dir"])
        run.send_signal(signum)
        run.wait(timeout=WAIT_LIMIT_S)
        wait_for(lambda: not processes_on(server["data_dir"]), f"no process on {server['data_dir']}")
        wait_for(lambda: not port_open(server["port"]), f"port {server['port']} closed")
        wait_for(lambda: not Path(server["data_dir"]).exists(), f"{server['data_dir']} removed")
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
