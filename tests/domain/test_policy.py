"""The YAML governance policy: defaults, per-model overrides, validation errors with line and key path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from regtui.domain.policy import (
    DEFAULT_POLICY,
    SloBound,
    Threshold,
    guess_direction,
    load_policy_text,
    metric_direction,
    parse_policy,
    policy_document,
)
from regtui.errors import InputError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_POLICY = REPO_ROOT / "regtui" / "data" / "demo" / "policy.yaml"
DEMO_MODELS = REPO_ROOT / "regtui" / "data" / "demo" / "models"

FULL = textwrap.dedent("""\
    kind: policy
    default:
      thresholds:
        - {metric: auc, min: 0.85}
        - {metric: latency_p95_ms, max: 40}
        - {metric: auc, min: 0.80, segments: all}
      canary_slos:
        - {metric: error_rate, max: 0.01}
        - {metric: latency_p95_ms, max: 45}
      signoff_roles: [product]
      archival_checklist: [traffic drained, dashboards updated]
      retention_days: 120
      drill_cadence_days: 14
      min_canary_share: 2
    models:
      churn-classifier:
        thresholds:
          - {metric: recall, min: 0.6, segments: [new-customers, enterprise]}
        retention_days: 365
      fraud-detector:
        signoff_roles: []
""")


def load(text: str, source: str = "policy.yaml"):
    """Parse dedented policy YAML."""
    return load_policy_text(textwrap.dedent(text), source)


def refusal(text: str) -> str:
    """The one-line message of the InputError a policy text raises."""
    with pytest.raises(InputError) as caught:
        load(text)
    message = caught.value.message
    assert "\n" not in message
    return message


def test_full_policy_parses_into_typed_bounds() -> None:
    """min/max become directions, segments default to overall, scalars keep their values."""
    policy = load(FULL)
    assert policy.default.thresholds == (
        Threshold("auc", "higher", 0.85),
        Threshold("latency_p95_ms", "lower", 40.0),
        Threshold("auc", "higher", 0.80, "all"),
    )
    assert policy.default.canary_slos == (
        SloBound("error_rate", "lower", 0.01),
        SloBound("latency_p95_ms", "lower", 45.0),
    )
    assert policy.default.signoff_roles == ("product",)
    assert policy.default.archival_checklist == ("traffic drained", "dashboards updated")
    assert (policy.default.retention_days, policy.default.drill_cadence_days) == (120, 14)
    assert policy.default.min_canary_share == 2.0


def test_model_override_replaces_listed_keys_and_inherits_the_rest() -> None:
    """A list key replaces the default list wholesale; unlisted keys come from the default."""
    churn = load(FULL).for_model("churn-classifier")
    assert churn.model == "churn-classifier"
    assert churn.thresholds == (Threshold("recall", "higher", 0.6, ("new-customers", "enterprise")),)
    assert churn.retention_days == 365
    assert churn.canary_slos == load(FULL).default.canary_slos
    assert churn.drill_cadence_days == 14


def test_empty_list_override_removes_the_default_list() -> None:
    """signoff_roles: [] for a model means no stakeholder sign-off for it."""
    assert load(FULL).for_model("fraud-detector").signoff_roles == ()


def test_model_without_override_gets_the_default_under_its_name() -> None:
    """An unlisted model resolves to the default policy, named after the model."""
    policy = load(FULL)
    other = policy.for_model("search-ranker")
    assert other.model == "search-ranker"
    assert other.thresholds == policy.default.thresholds
    assert other.subject == "search-ranker" and policy.default.subject == "the default policy"


def test_a_model_policy_is_resolved_once_per_policy() -> None:
    """Every gate asks for the model's policy: a policy resolves it once and hands out the same (frozen) object;
    resolving changes neither the policy's equality nor another policy's answer."""
    policy, same = load(FULL), load(FULL)
    churn = policy.for_model("churn-classifier")
    assert policy.for_model("churn-classifier") is churn and churn.retention_days == 365
    assert policy == same and same.for_model("churn-classifier") == churn
    assert policy.for_model("search-ranker").model == "search-ranker"


def test_absent_default_keys_fall_back_to_builtin_default() -> None:
    """A document with only kind: policy is the built-in default policy."""
    assert load("kind: policy\n") == DEFAULT_POLICY
    partial = load("kind: policy\ndefault:\n  retention_days: 10\n")
    assert partial.default.retention_days == 10
    assert partial.default.archival_checklist == DEFAULT_POLICY.default.archival_checklist


def test_null_sections_read_as_empty() -> None:
    """'default:' and 'models:' with no value are empty sections, not errors."""
    assert load("kind: policy\ndefault:\nmodels:\n  churn-classifier:\n") == parse_policy(
        {"kind": "policy", "models": {"churn-classifier": {}}}, "x"
    )


def test_builtin_default_has_no_thresholds_or_slos() -> None:
    """The built-in policy gates nothing open: an admin must define thresholds and SLOs."""
    assert DEFAULT_POLICY.default.thresholds == ()
    assert DEFAULT_POLICY.default.canary_slos == ()
    assert DEFAULT_POLICY.default.retention_days > 0 and DEFAULT_POLICY.default.drill_cadence_days > 0


def test_numeric_text_bounds_are_accepted() -> None:
    """YAML 1.1 reads 1e-3 as a string; the policy still takes it as a number."""
    policy = load("kind: policy\ndefault:\n  canary_slos:\n    - {metric: error_rate, max: 1e-3}\n")
    assert policy.default.canary_slos[0].bound == 0.001


def test_policy_document_round_trips() -> None:
    """parse_policy(policy_document(p)) == p, through YAML text too."""
    policy = load(FULL)
    document = policy_document(policy)
    assert parse_policy(document, "again") == policy
    assert load_policy_text(yaml.safe_dump(document), "again") == policy
    assert document["models"]["fraud-detector"] == {"signoff_roles": []}
    assert document["default"]["thresholds"][2] == {"metric": "auc", "min": 0.8, "segments": "all"}


def test_threshold_describe_and_scope() -> None:
    """Human descriptions and which scopes a threshold covers."""
    overall = Threshold("auc", "higher", 0.85)
    every = Threshold("auc", "higher", 0.8, "all")
    named = Threshold("recall", "higher", 0.6, ("new", "enterprise"))
    assert overall.describe() == "auc >= 0.85"
    assert every.describe() == "auc >= 0.8 in every segment"
    assert named.describe() == "recall >= 0.6 in segments new, enterprise"
    assert SloBound("error_rate", "lower", 0.01).describe() == "error_rate <= 0.01"
    assert overall.applies_to("overall") and not overall.applies_to("eu")
    assert every.applies_to("eu") and not every.applies_to("overall")
    assert named.applies_to("new") and not named.applies_to("eu")


def test_bounds_are_inclusive_and_nan_never_passes() -> None:
    """value == bound passes both ways; NaN fails."""
    assert Threshold("auc", "higher", 0.85).passes(0.85)
    assert SloBound("err", "lower", 0.01).passes(0.01)
    assert not Threshold("auc", "higher", 0.85).passes(0.8499)
    assert not SloBound("err", "lower", 0.01).passes(float("nan"))


def test_unknown_key_names_line_and_path() -> None:
    """An unknown key in a model section is refused with its line and dotted path."""
    message = refusal("""\
        kind: policy
        models:
          churn-classifier:
            retention_days: 30
            treshold: []
    """)
    assert message.startswith("policy.yaml: line 5: models.churn-classifier.treshold: unknown key 'treshold'")
    assert "allowed: thresholds" in message


def test_unknown_key_inside_a_threshold() -> None:
    """Keys inside list items are checked too, with the item index in the path."""
    message = refusal("""\
        kind: policy
        default:
          thresholds:
            - {metric: auc, min: 0.8}
            - {metric: auc, direction: up, min: 0.8, segments: all}
    """)
    assert "line 5: default.thresholds[1].direction: unknown key 'direction'" in message


@pytest.mark.parametrize("item", ["{metric: auc, min: 0.8, max: 0.9}", "{metric: auc}"])
def test_bad_direction_needs_exactly_one_of_min_or_max(item: str) -> None:
    """Both or neither of min/max is refused, naming what each means."""
    message = refusal(f"kind: policy\ndefault:\n  thresholds:\n    - {item}\n")
    assert "line 4: default.thresholds[0]: give exactly one of 'min' (higher is better) or 'max'" in message


def test_conflicting_directions_for_one_metric_are_refused() -> None:
    """auc cannot be higher-is-better in a threshold and lower-is-better in an SLO."""
    message = refusal("""\
        kind: policy
        default:
          thresholds:
            - {metric: auc, min: 0.8}
          canary_slos:
            - {metric: auc, max: 0.99}
    """)
    assert "line 6: default.canary_slos[0]: auc is lower-is-better here but higher-is-better" in message


def test_conflict_with_inherited_default_is_reported_at_the_model() -> None:
    """A model's SLO conflicting with the default thresholds names the model and says what was inherited."""
    message = refusal("""\
        kind: policy
        default:
          canary_slos:
            - {metric: latency_ms, max: 40}
        models:
          m1:
            thresholds:
              - {metric: latency_ms, min: 10}
    """)
    assert "models.m1.canary_slos[0]" in message and "(inherited from default)" in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("retention_days", "-5", "line 3: default.retention_days: expected a whole number of days >= 1, got -5"),
        ("retention_days", "0", "got 0"),
        ("drill_cadence_days", "7.5", "default.drill_cadence_days: expected a whole number of days >= 1"),
        ("drill_cadence_days", "true", "got True"),
        ("min_canary_share", "0", "default.min_canary_share: expected a percentage in (0, 100]"),
        ("min_canary_share", "150", "expected a percentage in (0, 100]"),
        ("signoff_roles", "product", "default.signoff_roles: expected a list, got str"),
        ("signoff_roles", "[product, product]", "default.signoff_roles[1]: duplicate entry 'product'"),
        ("archival_checklist", "['']", "default.archival_checklist[0]: expected non-empty text"),
        ("thresholds", "{metric: auc}", "default.thresholds: expected a list, got dict"),
    ],
)
def test_invalid_scalar_and_list_values(key: str, value: str, expected: str) -> None:
    """Each bad value is refused naming the key path and what was expected."""
    message = refusal(f"kind: policy\ndefault:\n  {key}: {value}\n")
    assert message.startswith("policy.yaml: line 3:")
    assert expected in message


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("{metric: auc, min: high}", "default.thresholds[0].min: expected a finite number, got 'high'"),
        ("{metric: auc, min: .nan}", "expected a finite number"),
        ("{metric: auc, min: true}", "expected a finite number, got True"),
        ("{metric: '', min: 1}", "default.thresholds[0].metric: expected non-empty text"),
        ("{min: 1}", "default.thresholds[0]: missing key 'metric'"),
        ("{metric: auc, min: 1, segments: some}", "segments: expected 'all' or a list of segment names, got 'some'"),
        ("{metric: auc, min: 1, segments: []}", "expected 'all' or a list of segment names, got []"),
        ("{metric: auc, min: 1, segments: [eu, eu]}", "segments[1]: duplicate entry 'eu'"),
        ("auc >= 0.8", "default.thresholds[0]: expected a mapping, got str"),
    ],
)
def test_invalid_threshold_items(item: str, expected: str) -> None:
    """Threshold items are validated field by field."""
    assert expected in refusal(f"kind: policy\ndefault:\n  thresholds:\n    - {item}\n")


def test_duplicate_threshold_for_same_metric_and_scope() -> None:
    """The same metric and scope twice is ambiguous and refused; a different scope is fine."""
    message = refusal("""\
        kind: policy
        default:
          thresholds:
            - {metric: auc, min: 0.8}
            - {metric: auc, min: 0.7, segments: all}
            - {metric: auc, min: 0.9}
    """)
    assert "line 6: default.thresholds[2]: duplicate bound for auc (same as item 0)" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kind: model-version\n", "policy.yaml: line 1: kind: expected 'policy', got 'model-version'"),
        ("default: {}\n", "policy.yaml: kind: expected 'policy', got None"),
        ("kind: policy\nrules: {}\n", "line 2: rules: unknown key 'rules' (allowed: kind, default, models)"),
        ("kind: policy\ndefault: []\n", "line 2: default: expected a mapping, got list"),
        (
            "kind: policy\nmodels:\n  Churn Model: {}\n",
            "line 3: models.Churn Model: 'Churn Model' is not a valid model name",
        ),
        ("- a\n- b\n", "policy.yaml: document: expected a mapping, got list"),
        ("", "policy.yaml: document: expected a mapping, got NoneType"),
    ],
)
def test_invalid_document_shape(text: str, expected: str) -> None:
    """Top-level problems name the key and its line."""
    assert expected in refusal(text)


def test_malformed_yaml_names_the_line() -> None:
    """A YAML syntax error is one line with the source and line number."""
    message = refusal("kind: policy\ndefault:\n  thresholds: [\n    {metric: auc, min: 1}\n")
    assert message.startswith("policy.yaml: line ") and "malformed YAML" in message


def test_duplicate_yaml_key_is_refused() -> None:
    """PyYAML silently keeps the last duplicate key; the policy refuses it instead."""
    message = refusal("kind: policy\ndefault:\n  retention_days: 30\n  retention_days: 60\n")
    assert message == "policy.yaml: line 4: default.retention_days: duplicate key"


def test_parse_policy_without_lines_names_source_and_path() -> None:
    """A mapping from elsewhere (database, JSON) gets the same messages, without a line number."""
    with pytest.raises(InputError) as caught:
        parse_policy({"kind": "policy", "default": {"retention_days": -1}}, "registry policy")
    assert caught.value.message.startswith("registry policy: default.retention_days: expected a whole number")


def test_control_characters_in_messages_are_neutralised() -> None:
    """A hostile key cannot put terminal escapes into the error line."""
    message = refusal('kind: policy\ndefault:\n  "evil\\e[31m": 1\n')
    assert "\x1b" not in message


def test_metric_direction_prefers_policy_over_names() -> None:
    """The policy's min/max decides; a metric the policy does not bound falls back to its name."""
    policy = load("""\
        kind: policy
        default:
          thresholds:
            - {metric: coverage_p90, max: 0.95}
          canary_slos:
            - {metric: agent_acceptance_rate, min: 0.7}
    """).default
    assert metric_direction(policy, "coverage_p90") == "lower"
    assert metric_direction(policy, "agent_acceptance_rate") == "higher"
    assert metric_direction(policy, "latency_p95_ms") == "lower"
    assert metric_direction(policy, "widgets") is None


@pytest.mark.parametrize(
    "metric",
    [
        "latency_p95_ms",
        "p99_ms",
        "error_rate",
        "refusal_rate",
        "cost_per_1k_usd",
        "mape",
        "wape",
        "rmse",
        "mae",
        "log_loss",
        "false_positive_rate",
        "score_psi",
        "misroute_rate",
    ],
)
def test_guess_direction_lower_is_better_names(metric: str) -> None:
    """Well-known lower-is-better names."""
    assert guess_direction(metric) == "lower"


@pytest.mark.parametrize(
    "metric",
    [
        "auc",
        "pr_auc",
        "precision_at_1pct",
        "recall",
        "recall_at_10pct",
        "ndcg_at_10",
        "mrr",
        "macro_f1",
        "top2_accuracy",
        "helpfulness",
        "groundedness",
        "coverage_p90",
    ],
)
def test_guess_direction_higher_is_better_names(metric: str) -> None:
    """Well-known higher-is-better names."""
    assert guess_direction(metric) == "higher"


@pytest.mark.parametrize("metric", ["click_through_rate", "step_up_rate", "throughput", "tokens"])
def test_guess_direction_unknown_names(metric: str) -> None:
    """Rates and names that could go either way are left to the policy."""
    assert guess_direction(metric) is None


def test_demo_policy_parses_and_round_trips() -> None:
    """regtui/data/demo/policy.yaml is valid, gives every demo model thresholds and SLOs, and round-trips."""
    policy = load_policy_text(DEMO_POLICY.read_text(encoding="utf-8"), str(DEMO_POLICY))
    assert parse_policy(policy_document(policy), "again") == policy
    assert set(policy.models) >= {
        "churn-classifier",
        "fraud-detector",
        "search-ranker",
        "demand-forecaster",
        "support-assistant",
        "doc-summarizer",
        "product-embedder",
    }
    for name in policy.models:
        resolved = policy.for_model(name)
        assert resolved.thresholds and resolved.canary_slos, name


def test_demo_thresholds_name_metrics_the_fixtures_record() -> None:
    """Every demo threshold metric and named segment exists in that model's fixture manifests."""
    policy = load_policy_text(DEMO_POLICY.read_text(encoding="utf-8"), str(DEMO_POLICY))
    for name in policy.models:
        manifests = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (DEMO_MODELS / name).glob("*.yaml")]
        if not manifests:
            continue
        metrics = {m for d in manifests for m in d["metrics"]["overall"]}
        segments = {s for d in manifests for s in d["metrics"].get("segments", {})}
        for threshold in policy.for_model(name).thresholds:
            assert threshold.metric in metrics, (name, threshold)
            if isinstance(threshold.segments, tuple):
                assert set(threshold.segments) <= segments, (name, threshold)
