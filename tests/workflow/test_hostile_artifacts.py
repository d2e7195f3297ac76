"""Artifacts that are not regular files (a FIFO, a directory) are refused before any read, naming what they are:
verify, a Production promotion, a rollback and a drill finish within a time bound and write no stage change."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.time_bound import time_bound
from tests.workflow.conftest import World, WorldCli

BOUND_S = 60.0
"""Far above what each command takes; a FIFO read would block forever."""


@contextmanager
def replaced_by(path: Path, kind: str) -> Iterator[None]:
    """The artifact file replaced by a FIFO or a directory for the duration (restored after: the seed's files are
    shared by the session's tests)."""
    saved = path.with_name(f"{path.name}.saved")
    os.replace(path, saved)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    try:
        yield
    finally:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        os.replace(saved, path)


@pytest.mark.parametrize(("kind", "words"), [("fifo", "is a FIFO"), ("directory", "is a directory")])
def test_verify_names_what_the_artifact_is(world: World, cli_as: WorldCli, kind: str, words: str) -> None:
    """`verify` exits 1 with the artifact's kind in its result, in bounded time, writing nothing."""
    before = world.snapshot()
    with replaced_by(world.artifact_path("1.0.0"), kind), time_bound(BOUND_S):
        result = cli_as("frank", "verify", "churn@1.0.0")
    assert result.code == 1
    assert f"{words}, not a regular file" in result.out
    assert "Traceback" not in result.out + result.err
    assert world.snapshot() == before


def test_a_production_promotion_does_not_hang_on_a_fifo(world: World, cli_as: WorldCli) -> None:
    """The re-verification before a Production promotion refuses the FIFO: the gate fails naming it, nothing moves
    and the log gains no stage change."""
    request = world.production_request("1.2.0")
    stages, log = world.stages(), world.log_length()
    with replaced_by(world.artifact_path("1.2.0"), "fifo"), time_bound(BOUND_S):
        result = cli_as("dave", "promote", "churn@1.2.0", "--to", "Production", "--json")
    assert result.code == 3, result
    assert "is a FIFO, not a regular file" in result.out
    assert result.json()["request"] == request
    assert world.stages() == stages and world.log_length() == log


def test_a_rollback_does_not_hang_on_a_fifo(world: World, cli_as: WorldCli) -> None:
    """A rollback to a version whose artifact is a FIFO is refused in one line naming it; nothing is written."""
    before = world.snapshot()
    with replaced_by(world.artifact_path("1.0.0"), "fifo"), time_bound(BOUND_S):
        result = cli_as("dave", "rollback", "churn", "--to", "1.0.0", "--reason", "INC-7")
    assert result.code == 2 and len(result.err_lines) == 1, result
    assert "is a FIFO, not a regular file" in result.err
    assert world.snapshot() == before


def test_a_drill_does_not_hang_on_a_fifo(world: World, cli_as: WorldCli) -> None:
    """A drill whose target's artifact is a FIFO fails (exit 1) naming it; it is logged, no stage moves."""
    stages = world.stages()
    with replaced_by(world.artifact_path("1.0.0"), "fifo"), time_bound(BOUND_S):
        result = cli_as("dave", "drill", "churn")
    assert result.code == 1 and "is a FIFO, not a regular file" in result.err, result
    assert world.stages() == stages
    assert [e.details["outcome"] for e in world.events() if e.kind == "drill"] == ["failed"]
