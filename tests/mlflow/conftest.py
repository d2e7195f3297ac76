"""The live MLflow server for the import tests: REGTUI_TEST_MLFLOW_URL (.ci/servers/mlflow.sh starts and seeds one).

Without it the live tests skip, saying how to start one; under CI=true a missing server is a failure.
"""

from __future__ import annotations

import os

import pytest

from tests.pg_server import running_in_ci

MLFLOW_URL_ENV = "REGTUI_TEST_MLFLOW_URL"


@pytest.fixture(scope="session")
def mlflow_url() -> str:
    """The seeded MLflow tracking server's URL."""
    url = os.environ.get(MLFLOW_URL_ENV, "").strip()
    if url:
        return url.rstrip("/")
    reason = f"{MLFLOW_URL_ENV} is not set: start a seeded MLflow server with `source .ci/servers/mlflow.sh`"
    if running_in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)
