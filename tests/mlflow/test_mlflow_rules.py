"""The MLflow mapping rules (regtui/domain/mlflow.py): names, metrics, data, stages, semver, changes."""

from __future__ import annotations

import pytest

from regtui.domain.entry import ChangeKind, Stage
from regtui.domain.mlflow import (
    MlflowDataset,
    MlflowModel,
    MlflowVersion,
    Origin,
    change_kind_of,
    changes_since,
    mapped_stage,
    model_names,
    parent_of,
    parse_alias_flags,
    regtui_model_name,
    semver_of,
    split_metrics,
    training_data,
)
from regtui.errors import InputError


def version(number: int = 3, stage: str = "None", **tags: str) -> MlflowVersion:
    """An MLflow version with the given tags."""
    return MlflowVersion("m", number, stage, "run", "mlflow-artifacts:/x", 0, tags=tags)


def test_model_names_are_lower_case_with_dashes() -> None:
    assert regtui_model_name("Churn Model") == "churn-model"
    assert regtui_model_name("fraud_detector.v2") == "fraud_detector.v2"
    assert regtui_model_name("  Ünïcode / Model ") == "n-code-model"


def test_model_names_that_collide_or_vanish_are_refused() -> None:
    with pytest.raises(InputError, match="both map to regtui name 'churn-model'"):
        model_names([MlflowModel("Churn Model"), MlflowModel("churn-model")])
    with pytest.raises(InputError, match="no usable regtui name"):
        regtui_model_name("!!!")


def test_segment_metrics_follow_the_naming_scheme() -> None:
    metrics = split_metrics({"auc": 0.9, "segment/eu/auc": 0.8, "segment/us/loss": 0.2, "segment/bad": 1.0})
    assert metrics.overall == {"auc": 0.9, "segment/bad": 1.0}
    assert metrics.segments == {"eu": {"auc": 0.8}, "us": {"loss": 0.2}}


def test_training_data_prefers_training_inputs() -> None:
    inputs = (MlflowDataset("eval", "e1", context="eval"), MlflowDataset("tx", "d1", context="training"))
    assert training_data(inputs) == "tx@d1"
    assert training_data(inputs[:1]) == "eval@e1"
    assert training_data(()) == "unknown"


def test_alias_flags_map_aliases_to_stages() -> None:
    assert parse_alias_flags(["champion=production", "b = Staging"]) == {
        "champion": Stage.PRODUCTION,
        "b": Stage.STAGING,
    }
    with pytest.raises(InputError, match="expected ALIAS=STAGE"):
        parse_alias_flags(["champion=Live"])


def test_an_alias_wins_over_the_legacy_stage() -> None:
    assert mapped_stage("None", (), {}) is Stage.DEVELOPMENT
    assert mapped_stage("Archived", (), {}) is Stage.ARCHIVED
    assert mapped_stage("Staging", ("champion",), {"champion": Stage.PRODUCTION}) is Stage.PRODUCTION
    assert mapped_stage("Staging", ("other",), {"champion": Stage.PRODUCTION}) is Stage.STAGING


def test_semver_comes_from_a_tag_or_from_the_number() -> None:
    assert semver_of(version(7)) == ("7.0.0", "N -> N.0.0")
    assert semver_of(version(7, semver="v2.1.0")) == ("2.1.0", "tag semver")
    assert semver_of(version(7, version="1.2.3-rc.1")) == ("1.2.3-rc.1", "tag version")
    assert semver_of(version(7, semver="latest")) == ("7.0.0", "N -> N.0.0")


def test_change_kind_from_the_tag_or_the_bump() -> None:
    assert change_kind_of(version(), "1.0.0", None) is ChangeKind.INITIAL
    assert change_kind_of(version(), "3.0.0", "2.0.0") is ChangeKind.APPROACH
    assert change_kind_of(version(), "2.1.0", "2.0.0") is ChangeKind.RETRAINING
    assert change_kind_of(version(), "2.0.1", "2.0.0") is ChangeKind.CONFIGURATION
    assert change_kind_of(version(change_kind="threshold"), "2.0.1", "2.0.0") is ChangeKind.THRESHOLD
    with pytest.raises(InputError, match="change_kind='bigger'"):
        change_kind_of(version(change_kind="bigger"), "3.0.0", "2.0.0")


def test_the_parent_is_the_closest_version_below() -> None:
    assert parent_of("3.1.0", ["1.0.0", "3.0.0", "4.0.0", "2.0.0"]) == "3.0.0"
    assert parent_of("1.0.0", ["2.0.0"]) is None


def test_changes_since_an_import_name_stage_and_alias_moves() -> None:
    origin = Origin("http://x", "m", 3, "run", "Staging", ("challenger",))
    moved = changes_since(origin, version(3, "Production"), ("champion",), "m@3.0.0", "Development")
    assert [c.what for c in moved] == [
        "stage Staging -> Production",
        "alias champion now points here",
        "alias challenger moved away",
    ]
    assert changes_since(origin, version(3, "Staging"), ("challenger",), "m@3.0.0", "Development") == []
    assert [c.what for c in changes_since(origin, None, (), "m@3.0.0", "Development")] == ["no longer in MLflow"]


def test_a_stage_move_regtui_has_caught_up_with_is_not_reported() -> None:
    origin = Origin("http://x", "m", 3, "run", "Staging", ())
    assert changes_since(origin, version(3, "Production"), (), "m@3.0.0", "Production") == []
    assert changes_since(origin, version(3, "Archived"), (), "m@3.0.0", "Production") != []
