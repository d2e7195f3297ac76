"""Dependencies point inward: importing the whole domain layer loads no UI, SQL or HTTP library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("textual", "sqlalchemy", "sqlmodel", "httpx")
REPO_ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, pkgutil, sys
import regtui.domain
names = [m.name for m in pkgutil.walk_packages(regtui.domain.__path__, "regtui.domain.")]
for name in names:
    __import__(name)
print(json.dumps({"modules": names, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in %r)}))
"""


def test_domain_imports_no_ui_sql_or_http() -> None:
    """Import regtui.domain and every module under it in a fresh interpreter; none of FORBIDDEN loads."""
    paths = [str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE % (FORBIDDEN,)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert "regtui.domain.versioning" in report["modules"]
    assert "regtui.domain.checksums" in report["modules"]
    assert report["loaded"] == []
