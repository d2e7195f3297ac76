"""Evaluation diff: metric deltas, verdicts by direction, thresholds per scope, and field/card changes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from regtui.domain.diff import FieldChange, diff_versions, metric_delta
from regtui.domain.entry import (
    ChangeKind,
    FairnessAssessment,
    Metrics,
    ModelCard,
    ProviderPin,
    TrainingDataSummary,
    VersionEntry,
)
from regtui.domain.policy import Threshold, load_policy_text

T0 = datetime(2025, 5, 1, tzinfo=UTC)
POLICY = load_policy_text(
    """
kind: policy
default:
  thresholds:
    - {metric: auc, min: 0.85}
    - {metric: auc, min: 0.80, segments: [eu]}
    - {metric: latency_p95_ms, max: 40, segments: all}
  canary_slos:
    - {metric: coverage, max: 0.95}
""",
    "p",
).for_model("churn-classifier")

A = VersionEntry(
    model="churn-classifier",
    version="2.6.0",
    change_kind=ChangeKind.RETRAINING,
    framework="scikit-learn 1.4",
    training_data="crm@2025-03",
    owner="team-risk",
    created_at=T0,
    parent="2.5.0",
    hyperparameters={"max_depth": 6, "optimizer": {"lr": 0.1, "momentum": 0.9}, "features": ["a", "b"]},
    metrics=Metrics(
        overall={"auc": 0.88, "latency_p95_ms": 22.0, "coverage": 0.9, "widgets": 3.0},
        segments={"eu": {"auc": 0.86, "latency_p95_ms": 25.0}, "us": {"auc": 0.9, "latency_p95_ms": 21.0}},
    ),
    model_card=ModelCard(
        intended_use="save offers",
        limitations="",
        evaluation="holdout Q1",
        fairness=FairnessAssessment("no gaps", "frank", T0),
        training_data=TrainingDataSummary("crm", "1M rows", ""),
    ),
)
B = replace(
    A,
    version="2.7.0",
    parent="2.6.0",
    training_data="crm@2025-04",
    hyperparameters={"max_depth": 8, "optimizer": {"lr": 0.1, "momentum": 0.95}, "min_leaf": 20},
    metrics=Metrics(
        overall={"auc": 0.89, "latency_p95_ms": 24.0, "coverage": 0.92, "widgets": 4.0, "recall": 0.6},
        segments={"eu": {"auc": 0.79, "latency_p95_ms": 25.0}, "apac": {"auc": 0.9, "latency_p95_ms": 41.0}},
    ),
    model_card=replace(
        A.model_card,
        limitations="not for pricing",
        evaluation="holdout Q2",
        fairness=FairnessAssessment("no gaps", "carol", T0),
    ),
)


def rows(diff):
    """Metric rows keyed by (scope, metric)."""
    return {(row.scope, row.metric): row for row in diff.metrics}


def test_rows_cover_the_union_overall_first_then_segments_by_name() -> None:
    """Every metric either side records, overall first, segments sorted, metrics sorted within a scope."""
    keys = [(row.scope, row.metric) for row in diff_versions(A, B, POLICY).metrics]
    assert keys == [
        ("overall", "auc"),
        ("overall", "coverage"),
        ("overall", "latency_p95_ms"),
        ("overall", "recall"),
        ("overall", "widgets"),
        ("apac", "auc"),
        ("apac", "latency_p95_ms"),
        ("eu", "auc"),
        ("eu", "latency_p95_ms"),
        ("us", "auc"),
        ("us", "latency_p95_ms"),
    ]


def test_higher_is_better_improvement() -> None:
    """auc up is better; deltas absolute and relative; the overall threshold is attached and passes."""
    row = rows(diff_versions(A, B, POLICY))[("overall", "auc")]
    assert (row.a, row.b, row.direction, row.verdict) == (0.88, 0.89, "higher", "better")
    assert row.abs_delta == pytest.approx(0.01)
    assert row.rel_delta == pytest.approx(0.01 / 0.88)
    assert row.threshold == Threshold("auc", "higher", 0.85)
    assert row.passes_threshold is True


def test_lower_is_better_regression() -> None:
    """latency up is worse (direction from the policy)."""
    row = rows(diff_versions(A, B, POLICY))[("overall", "latency_p95_ms")]
    assert (row.direction, row.verdict) == ("lower", "worse")
    assert row.threshold is None and row.passes_threshold is None


def test_policy_direction_overrides_the_name_heuristic() -> None:
    """coverage is an SLO with max in this policy, so coverage going up is worse."""
    row = rows(diff_versions(A, B, POLICY))[("overall", "coverage")]
    assert (row.direction, row.verdict) == ("lower", "worse")


def test_unknown_direction_gives_na_unless_equal() -> None:
    """A metric with no known direction gets no verdict, except 'same' when unchanged."""
    assert rows(diff_versions(A, B, POLICY))[("overall", "widgets")].verdict == "n/a"
    assert metric_delta("overall", "widgets", 3.0, 3.0, POLICY).verdict == "same"


def test_metric_on_one_side_only() -> None:
    """recall only in B: no deltas, verdict n/a; a segment only in B likewise."""
    table = rows(diff_versions(A, B, POLICY))
    recall = table[("overall", "recall")]
    assert (recall.a, recall.b, recall.abs_delta, recall.rel_delta, recall.verdict) == (None, 0.6, None, None, "n/a")
    us = table[("us", "auc")]
    assert (us.a, us.b, us.verdict) == (0.9, None, "n/a")


def test_segment_thresholds_attach_to_their_segments() -> None:
    """The eu-only auc bound applies to eu; the all-segments latency bound to every segment."""
    table = rows(diff_versions(A, B, POLICY))
    eu = table[("eu", "auc")]
    assert eu.threshold == Threshold("auc", "higher", 0.8, ("eu",))
    assert (eu.verdict, eu.passes_threshold) == ("worse", False)
    assert table[("apac", "auc")].threshold is None
    apac_latency = table[("apac", "latency_p95_ms")]
    assert apac_latency.threshold == Threshold("latency_p95_ms", "lower", 40, "all")
    assert apac_latency.passes_threshold is False
    assert table[("eu", "latency_p95_ms")].verdict == "same"


def test_threshold_with_missing_candidate_value_fails() -> None:
    """B not recording a gated metric cannot pass its threshold."""
    assert rows(diff_versions(A, B, POLICY))[("us", "latency_p95_ms")].passes_threshold is False


def test_zero_baseline_has_no_relative_delta() -> None:
    """Relative change from 0 is undefined."""
    row = metric_delta("overall", "error_rate", 0.0, 0.01, POLICY)
    assert row.rel_delta is None and row.abs_delta == 0.01 and row.verdict == "worse"


def test_hyperparameter_changes_flatten_nested_values() -> None:
    """Added, removed and changed keys in name order, nested mappings as dotted keys, lists compared whole."""
    assert diff_versions(A, B, POLICY).hyperparameters == (
        FieldChange("features", "removed", ["a", "b"], None),
        FieldChange("max_depth", "changed", 6, 8),
        FieldChange("min_leaf", "added", None, 20),
        FieldChange("optimizer.momentum", "changed", 0.9, 0.95),
    )


def test_field_changes_cover_data_framework_kind_owner_and_provider() -> None:
    """Registry fields that differ are listed with both values."""
    pinned = replace(
        B,
        framework="openai",
        change_kind=ChangeKind.PROMPT,
        owner="team-assist",
        provider=ProviderPin("openai", "gpt-4.1", "gpt-4.1-2025-04-14"),
    )
    assert diff_versions(A, pinned, POLICY).fields == (
        FieldChange("framework", "changed", "scikit-learn 1.4", "openai"),
        FieldChange("training_data", "changed", "crm@2025-03", "crm@2025-04"),
        FieldChange("change_kind", "changed", "retraining", "prompt"),
        FieldChange("owner", "changed", "team-risk", "team-assist"),
        FieldChange("provider", "added", None, "openai/gpt-4.1@gpt-4.1-2025-04-14"),
    )


def test_provider_pin_change() -> None:
    """A re-pinned provider version shows both pins."""
    old = replace(A, provider=ProviderPin("openai", "gpt-4.1", "gpt-4.1-2025-04-14"))
    new = replace(A, provider=ProviderPin("openai", "gpt-5", "gpt-5-2025-08-07"))
    assert diff_versions(old, new, POLICY).fields == (
        FieldChange("provider", "changed", "openai/gpt-4.1@gpt-4.1-2025-04-14", "openai/gpt-5@gpt-5-2025-08-07"),
    )


def test_model_card_section_changes() -> None:
    """Changed sections in card order with both texts; composite sections are rendered line by line."""
    assert diff_versions(A, B, POLICY).model_card == (
        FieldChange("limitations", "added", None, "not for pricing"),
        FieldChange("evaluation", "changed", "holdout Q1", "holdout Q2"),
        FieldChange(
            "fairness",
            "changed",
            "no gaps\nattested by frank at 2025-05-01T00:00:00Z",
            "no gaps\nattested by carol at 2025-05-01T00:00:00Z",
        ),
    )


def test_removed_card_section() -> None:
    """A section emptied in B is 'removed'."""
    emptied = replace(A, model_card=replace(A.model_card, training_data=TrainingDataSummary()))
    assert diff_versions(A, emptied, POLICY).model_card == (
        FieldChange("training_data", "removed", "source: crm\nsize: 1M rows", None),
    )


def test_identical_versions_show_no_changes() -> None:
    """A diff of a version with itself: every metric 'same', no field changes."""
    diff = diff_versions(A, A, POLICY)
    assert {row.verdict for row in diff.metrics} == {"same"}
    assert diff.hyperparameters == diff.fields == diff.model_card == ()
    assert (diff.a, diff.b) == ("churn-classifier@2.6.0", "churn-classifier@2.6.0")


def test_diff_serializes_to_json() -> None:
    """to_dict is JSON-ready, with thresholds as policy mappings."""
    document = json.loads(json.dumps(diff_versions(A, B, POLICY).to_dict()))
    eu = next(r for r in document["metrics"] if r["scope"] == "eu" and r["metric"] == "auc")
    assert eu["threshold"] == {"metric": "auc", "min": 0.8, "segments": ["eu"]}
    assert eu["passes_threshold"] is False
    assert document["hyperparameters"][0] == {"key": "features", "change": "removed", "a": ["a", "b"], "b": None}
    assert document["b"] == "churn-classifier@2.7.0"
