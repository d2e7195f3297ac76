"""`regtui retention`: former Production versions past their retention and the artifacts nothing needs any more."""

from __future__ import annotations

from datetime import timedelta

from regtui.services.registry import utc_now
from regtui.services.retention import past_retention
from tests.workflow.conftest import World, WorldCli


def test_a_former_production_version_past_retention_is_listed_with_its_artifacts(world: World) -> None:
    """1.0.0 was archived when 1.1.0 went to Production: within the 30-day policy it is a rollback target and not
    listed; 31 days on it is listed, its artifact no longer needed, and nothing is deleted."""
    now = world.service("frank")
    now.sync()
    assert past_retention(now) == []
    later = world.service("frank", clock=lambda: utc_now() + timedelta(days=31))
    (past,) = past_retention(later)
    assert (past.model, past.version, past.stage, past.retention_days) == ("churn", "1.0.0", "Archived", 30)
    assert past.retention_ended == past.archived_at + timedelta(days=30)
    assert [a.name for a in past.freed] == ["model.bin"] and world.artifact_path("1.0.0").is_file()


def test_retention_on_the_command_line_deletes_nothing(world: World, cli_as: WorldCli) -> None:
    """Within retention: an empty table and the one-line summary."""
    result = cli_as("frank", "retention")
    assert result.code == 0
    assert result.out.splitlines()[-1] == (
        "0 version(s) past retention, 0 artifact(s) no longer needed for a rollback; nothing deleted"
    )
    assert cli_as("frank", "retention", "--json").json() == []
