"""Stop a throwaway PostgreSQL server once the process that started it is gone, however that process ended.

tests/pg_server.py starts this script with its stdin on a pipe only the test process writes to: the end of that
input means the test process exited (normally, on SIGTERM or SIGINT, even on SIGKILL, which `atexit` never
sees), so the server is stopped and its directory removed. Arguments: the stop command as JSON, the directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

STOP_TIMEOUT_S = 60


def main() -> None:
    """Wait for the end of stdin, then stop the server if it still runs and remove its directory."""
    stop_command, root = json.loads(sys.argv[1]), Path(sys.argv[2])
    sys.stdin.buffer.read()
    if (root / "data" / "postmaster.pid").exists():
        subprocess.run(
            stop_command, cwd=root, stdin=subprocess.DEVNULL, capture_output=True, timeout=STOP_TIMEOUT_S, check=False
        )
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
