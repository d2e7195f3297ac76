"""Run a test server as a child and stop it once the test process that started this script is gone.

tests/object_servers.py starts this script with its stdin on a pipe only the test process writes to: the end of
that input means the test process exited (normally, on SIGTERM or SIGINT, even on SIGKILL), so the server is
terminated. Argument: the server command as JSON. The server's output goes to this script's stdout and stderr.
"""

from __future__ import annotations

import json
import subprocess
import sys

STOP_TIMEOUT_S = 10


def main() -> None:
    """Start the server, wait for the end of stdin, then terminate the server (killing it if it lingers)."""
    server = subprocess.Popen(json.loads(sys.argv[1]), stdin=subprocess.DEVNULL)
    sys.stdin.buffer.read()
    server.terminate()
    try:
        server.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


if __name__ == "__main__":
    main()
