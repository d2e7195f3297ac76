"""`regtui import-mlflow` refuses bad input and an unreachable server in one line, exit 2, writing nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.factories import CliResult


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alias", "champion"], "--alias 'champion': expected ALIAS=STAGE"),
        (["--alias", "champion=Live"], "--alias 'champion=Live': expected ALIAS=STAGE"),
        (["--tracking-uri", "ftp://mlflow"], "expected the http(s) URL of an MLflow tracking server"),
        (["--tracking-uri", "http://127.0.0.1:1"], "MLflow at http://127.0.0.1:1 did not answer (ConnectError)"),
    ],
)
def test_bad_input_is_one_line_exit_2(cli: Callable[..., CliResult], args: list[str], message: str):
    assert cli("init").code == 0
    line = ["import-mlflow", "--tracking-uri", "http://127.0.0.1:1", *args]
    result = cli(*line)
    assert result.code == 2
    assert len(result.err_lines) == 1 and message in result.err, result.err
    assert cli("--json", "models").json() == []
