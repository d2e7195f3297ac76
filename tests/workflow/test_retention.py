"""`regtui retention`: former Production versions past their retention and the artifacts nothing needs any more."""

from __future__ import annotations

from datetime import datetime, timedelta

from regtui.domain.entry import utc_iso
from regtui.domain.policy import load_policy_text
from regtui.services import models, promotion, reads
from regtui.services.admin import set_registry_policy
from regtui.services.handle import CacheReader
from regtui.services.models import ALL_MODELS
from regtui.services.registry import utc_now
from regtui.services.retention import past_retention
from tests.workflow.conftest import MODEL, POLICY_YAML, World, WorldCli


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


def archive_churn_1_1_0_days_ago(world: World, days: int) -> None:
    """Roll churn back to 1.0.0 as of `days` ago: 1.1.0, its Production version, is archived then."""
    then = world.service("dave", clock=lambda: utc_now() - timedelta(days=days))
    promotion.rollback(then, MODEL, "1.0.0", "INC-7 score drift")


def dashboard_marks(world: World, now: datetime) -> tuple[int, set[str], set[str]]:
    """What the dashboard marks past retention, read from the cache as its screens do: the registry screen's count for
    churn, the versions the lineage marks, and those whose details say so."""
    with CacheReader(world.cache_path) as reader:
        (row,) = [
            state for summary, state in models.model_rows(reader, ALL_MODELS, 0, 50, now) if summary.name == MODEL
        ]
        lineage = {
            line.key
            for line in reads.model_overview(reader, MODEL, now).versions
            if line.retention and line.retention.past
        }
        details = {
            line.key
            for line in reads.model_overview(reader, MODEL, now).versions
            if (view := reads.version_view(reader, MODEL, line.key, now)).retention is not None and view.retention.past
        }
    return row.past_retention, lineage, details


def test_the_dashboards_marks_agree_with_regtui_retention(world: World, cli_as: WorldCli) -> None:
    """1.1.0 archived 40 days ago under a 30-day retention: `regtui retention --json` lists it, and the registry
    screen counts it, the lineage marks it and its details say why; 1.0.0, back in Production, is not marked."""
    archive_churn_1_1_0_days_ago(world, 40)
    listed = cli_as("frank", "retention", "--json").json()
    assert [(p["model"], p["version"], p["retention_days"]) for p in listed] == [(MODEL, "1.1.0", 30)]
    now = utc_now()
    assert dashboard_marks(world, now) == (1, {"1.1.0"}, {"1.1.0"})
    with CacheReader(world.cache_path) as reader:
        retention = reads.version_view(reader, MODEL, "1.1.0", now).retention
    assert retention is not None and utc_iso(retention.ends) == listed[0]["retention_ended"]
    assert retention.describe().startswith("past retention: archived 40 days ago, retention 30 days, ended ")


def test_a_longer_retention_removes_the_marks_after_a_sync(world: World, cli_as: WorldCli) -> None:
    """The policy's retention raised to 60 days: after the next sync neither `regtui retention` nor the dashboard
    marks 1.1.0, which is a rollback target again (its details say until when)."""
    archive_churn_1_1_0_days_ago(world, 40)
    frank = world.service("frank")
    frank.sync()
    assert dashboard_marks(world, utc_now())[0] == 1
    set_registry_policy(
        world.service("admin"), load_policy_text(POLICY_YAML.replace("retention_days: 30", "retention_days: 60"), "p")
    )
    frank.sync()
    now = utc_now()
    assert dashboard_marks(world, now) == (0, set(), set())
    with CacheReader(world.cache_path) as reader:
        retention = reads.version_view(reader, MODEL, "1.1.0", now).retention
    assert retention is not None and retention.describe().startswith(
        "rollback target: archived 40 days ago, retention 60"
    )
    assert cli_as("frank", "retention", "--json").json() == []
