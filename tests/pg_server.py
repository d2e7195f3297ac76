"""Database fixtures: a throwaway PostgreSQL server, per-test databases, and both registry backends.

Fixtures: ``pg_admin_url`` (session), ``pg_url``, ``sqlite_url`` and ``registry_url`` (per test;
parametrized over "sqlite" and "postgresql"). Set ``REGTUI_TEST_PG_URL`` to use an existing server
(``.ci/run`` does); otherwise one is started from the local PostgreSQL binaries for the session.
Without binaries PostgreSQL tests are skipped, except under ``CI=true`` where that is a failure.
A started server is stopped at the end of the session, and by a watchdog (tests/pg_watchdog.py) when the test
process ends any other way: on SIGTERM or SIGINT, where neither fixtures nor ``atexit`` get to run.
"""

from __future__ import annotations

import atexit
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

PG_URL_ENV = "REGTUI_TEST_PG_URL"
SERVER_USER = "postgres"
WAIT_SECONDS = 30
SERVER_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
DATABASE_PREFIX = "regtui_test_"
LOG_TAIL_LINES = 40
WATCHDOG = Path(__file__).with_name("pg_watchdog.py")


class PostgresUnavailable(Exception):
    """PostgreSQL binaries, or the account needed to run them, are missing on this machine."""


def running_in_ci() -> bool:
    """Tell whether we run under CI, where a missing PostgreSQL must fail rather than skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def find_bindir() -> Path:
    """Locate the PostgreSQL server binaries (pg_config, then PATH, then Debian's layout)."""
    candidates: list[str] = []
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(result.stdout.strip())
    if initdb := shutil.which("initdb"):
        candidates.append(str(Path(initdb).resolve().parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and all((Path(candidate) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(candidate)
    raise PostgresUnavailable("no initdb/pg_ctl/postgres found (pg_config --bindir, PATH, /usr/lib/postgresql)")


def server_account() -> pwd.struct_passwd | None:
    """Return the account to run the server as when we are root (initdb refuses root), else None."""
    if os.geteuid() != 0:
        return None
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root but runuser is missing")
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(f"running as root but there is no {SERVER_USER!r} user") from None


def free_port() -> int:
    """Ask the kernel for a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def replace_url_part(url: str, *, scheme: str | None = None, user: str | None = None, path: str | None = None) -> str:
    """Rewrite the scheme, user (dropping any password) or database of a URL, keeping host, port and query."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        host = netloc.rpartition("@")[2]
        netloc = f"{user}@{host}"
    return urlunsplit(parts._replace(scheme=scheme or parts.scheme, netloc=netloc, path=path or parts.path))


def libpq_url(url: str) -> str:
    """Turn an SQLAlchemy URL (postgresql+psycopg://...) into one psycopg can connect with."""
    return replace_url_part(url, scheme=urlsplit(url).scheme.split("+")[0])


def with_database(url: str, dbname: str) -> str:
    """Return the same server URL pointing at another database."""
    return replace_url_part(url, path=f"/{dbname}")


def database_of(url: str) -> str:
    """Return the database name a URL points at."""
    return urlsplit(url).path.lstrip("/")


def connect_admin(url: str) -> psycopg.Connection:
    """Open an autocommit connection (needed for CREATE/DROP DATABASE) with a bounded connect time."""
    return psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10)


@dataclass
class PgServer:
    """A throwaway PostgreSQL cluster living in a temporary directory."""

    bindir: Path
    root: Path
    port: int
    account: pwd.struct_passwd | None
    started: bool = False
    watchdog: subprocess.Popen[bytes] | None = None

    @property
    def data_dir(self) -> Path:
        """Where the cluster's files live."""
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        """The server log, quoted in errors when startup fails."""
        return self.root / "postgres.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the superuser's default database."""
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def command(self, tool: str, *args: str) -> list[str]:
        """The command line running a PostgreSQL tool as the server account."""
        command = [str(self.bindir / tool), *args]
        if self.account is not None:
            command = ["runuser", "-u", self.account.pw_name, "--", *command]
        return command

    def stop_command(self) -> list[str]:
        """The command line stopping the server at once (immediate mode: the data is thrown away)."""
        return self.command(
            "pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", str(WAIT_SECONDS)
        )

    def run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool as the server account, from the cluster dir, with a timeout."""
        return subprocess.run(
            self.command(tool, *args),
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=WAIT_SECONDS + 15,
            check=False,
        )

    def guard(self) -> None:
        """Start the watchdog that stops the server once this process is gone (its own session: a Ctrl-C or a
        signal to our process group does not reach it)."""
        self.watchdog = subprocess.Popen(
            [sys.executable, str(WATCHDOG), json.dumps(self.stop_command()), str(self.root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def log_tail(self) -> str:
        """Return the last lines of the server log, or a note that there is none."""
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def fail(self, step: str, result: subprocess.CompletedProcess[str] | None) -> NoReturn:
        """Stop and remove the cluster, then raise an error with the tool output and log tail."""
        output = f"{result.stdout}\n{result.stderr}".strip() if result else ""
        log = self.log_tail()
        self.stop()
        raise RuntimeError(f"PostgreSQL {step} failed:\n{output}\n--- server log tail ---\n{log}")

    def start(self) -> None:
        """Create the cluster, start it on 127.0.0.1:port, and wait until it accepts connections."""
        if self.account is not None:
            os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
        init = self.run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SERVER_USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        if init.returncode != 0:
            self.fail("initdb", init)
        options = f"{SERVER_SETTINGS} -k {self.root} -h 127.0.0.1 -p {self.port}"
        start = self.run(
            "pg_ctl",
            "start",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-w",
            "-t",
            str(WAIT_SECONDS),
            "-o",
            options,
        )
        self.started = True
        if start.returncode != 0:
            self.fail("start", start)
        if not wait_until_accepting(self.url):
            self.fail(f"accepting connections within {WAIT_SECONDS}s", None)

    def stop(self) -> None:
        """Stop the server (immediate mode: the data is thrown away), delete its directory, end the watchdog."""
        if self.started:
            subprocess.run(
                self.stop_command(),
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=WAIT_SECONDS + 15,
                check=False,
            )
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)
        if self.watchdog is not None:
            self.watchdog.communicate(timeout=WAIT_SECONDS + 15)
            self.watchdog = None


def wait_until_accepting(url: str) -> bool:
    """Poll the server until a connection succeeds; False after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with connect_admin(url):
                return True
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)


def start_server() -> PgServer:
    """Start a throwaway server from the local binaries; it is also stopped at interpreter exit, and by its
    watchdog when this process ends without one (a signal)."""
    bindir, account = find_bindir(), server_account()
    server = PgServer(bindir, Path(tempfile.mkdtemp(prefix="regtui-pg-")), free_port(), account)
    atexit.register(server.stop)
    server.guard()
    server.start()
    return server


def create_database(admin_url: str) -> str:
    """Create a uniquely named empty database and return its SQLAlchemy URL."""
    name = f"{DATABASE_PREFIX}{uuid.uuid4().hex}"
    with connect_admin(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop a test database, disconnecting any sessions a test left open."""
    with connect_admin(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_pg_role(db_url: str, name: str) -> str:
    """Create a password-less LOGIN role (if missing) with full rights in db_url's database; return its URL.

    Use it to act as a distinct database user (identity is the authenticated session user). Rights cover
    schema public, its existing tables and sequences, and ones the admin user creates later; call
    grant_all_on_tables after the schema is created by anyone else.
    """
    role = sql.Identifier(name)
    with connect_admin(db_url) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
            try:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(role))
            except psycopg.errors.DuplicateObject:
                pass  # created concurrently by another test process
        conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database_of(db_url)), role))
        conn.execute(sql.SQL("GRANT ALL ON SCHEMA public TO {}").format(role))
        conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO {}").format(role))
        conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO {}").format(role))
    grant_all_on_tables(db_url, name)
    return replace_url_part(db_url, user=name)


def grant_all_on_tables(db_url: str, role: str) -> None:
    """Grant a role all rights on every table and sequence now in schema public (run after schema creation)."""
    ident = sql.Identifier(role)
    with connect_admin(db_url) as conn:
        conn.execute(sql.SQL("GRANT ALL ON ALL TABLES IN SCHEMA public TO {}").format(ident))
        conn.execute(sql.SQL("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident))


def skip_or_fail(reason: str) -> NoReturn:
    """Skip PostgreSQL tests locally, but fail them under CI where PostgreSQL is required."""
    message = f"PostgreSQL not available: {reason}"
    if running_in_ci():
        pytest.fail(f"{message} (CI=true requires PostgreSQL; set {PG_URL_ENV} or install it)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Superuser URL of the PostgreSQL server for this session: REGTUI_TEST_PG_URL or a throwaway one."""
    if url := os.environ.get(PG_URL_ENV):
        yield url
        return
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        skip_or_fail(str(exc))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test."""
    url = create_database(pg_admin_url)
    try:
        yield url
    finally:
        drop_database(pg_admin_url, database_of(url))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a fresh SQLite registry file in the test's temporary directory."""
    return f"sqlite:///{tmp_path / 'registry.db'}"


BACKEND_FIXTURES = {"sqlite": "sqlite_url", "postgresql": "pg_url"}


@pytest.fixture(params=list(BACKEND_FIXTURES), ids=list(BACKEND_FIXTURES))
def registry_url(request: pytest.FixtureRequest) -> str:
    """A fresh registry URL on each backend in turn, so a test taking it runs on SQLite and PostgreSQL."""
    return str(request.getfixturevalue(BACKEND_FIXTURES[request.param]))
