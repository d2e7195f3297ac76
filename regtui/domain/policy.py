"""The governance policy: gate thresholds, canary SLOs, sign-offs, checklists, retention and drill cadence.

A policy is one YAML document (``kind: policy``) with a global default and per-model overrides:

```yaml
kind: policy
default:
  thresholds:                 # Development -> Staging: offline evaluation, every entry must pass
    - {metric: auc, min: 0.85}                  # min: higher is better, value >= bound
    - {metric: latency_p95_ms, max: 40}         # max: lower is better, value <= bound
    - {metric: auc, min: 0.80, segments: all}   # every recorded segment must pass
    - {metric: recall, min: 0.6, segments: [new-customers, enterprise]}   # these segments must pass
  canary_slos:                # Canary -> Production: the recorded canary results must pass
    - {metric: error_rate, max: 0.01}
  signoff_roles: [product]    # stakeholder sign-offs for Production: a member of team "product" signs
  archival_checklist: [traffic drained, dashboards updated, consumers notified]
  retention_days: 180         # archived versions stay rollback targets this long
  drill_cadence_days: 30      # a model whose last rollback drill is older is flagged
  min_canary_share: 1         # smallest share of traffic (percent) a canary may serve
models:
  churn-classifier:           # any subset of the default's keys
    thresholds: [...]
```

Semantics:
- Every key of ``default`` is optional; an absent key keeps the built-in value (``DEFAULT_POLICY``).
- A model override replaces whole keys: a list given for a model replaces the default list (it is
  never merged item by item), so ``thresholds: []`` removes every threshold for that model.
- A threshold has exactly one of ``min`` (higher is better) or ``max`` (lower is better); bounds are
  inclusive. ``segments`` is absent (the overall value), ``all`` (every recorded segment) or a list
  of segment names (each must be recorded and pass). A metric has one direction per model: a ``min``
  and a ``max`` for the same metric (thresholds or SLOs) is refused, and so is the same metric and
  scope listed twice.
- No thresholds (or no canary SLOs) means the corresponding gate cannot pass: a registry without a
  policy promotes nothing past Development until an admin sets one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Any, Literal

import yaml

from regtui.domain.entry import MODEL_NAME
from regtui.domain.limits import length_problem
from regtui.domain.text import clean_data, clean_single_line
from regtui.errors import InputError
from regtui.input_files import clip, refuse_anchors, yaml_error

Direction = Literal["higher", "lower"]
SegmentScope = Literal["overall", "all"] | tuple[str, ...]
KeyPath = tuple[str | int, ...]

_BOUND_KEYS: dict[str, Direction] = {"min": "higher", "max": "lower"}
_KEY_OF_DIRECTION: dict[Direction, str] = {"higher": "min", "lower": "max"}
_LOWER_TOKENS = frozenset(
    {
        "latency",
        "ms",
        "seconds",
        "error",
        "errors",
        "failure",
        "failures",
        "timeout",
        "timeouts",
        "refusal",
        "refusals",
        "misroute",
        "false",
        "fpr",
        "fnr",
        "cost",
        "usd",
        "mape",
        "wape",
        "smape",
        "rmse",
        "mae",
        "mse",
        "loss",
        "perplexity",
        "wer",
        "cer",
        "toxicity",
        "hallucination",
        "psi",
        "drift",
    }
)
_HIGHER_TOKENS = frozenset(
    {
        "auc",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "ndcg",
        "mrr",
        "map",
        "r2",
        "hit",
        "coverage",
        "helpfulness",
        "groundedness",
        "faithfulness",
        "bleu",
        "rouge",
    }
)


@dataclass(frozen=True)
class Threshold:
    """One offline-evaluation bound: metric, which way is better, the bound, and where it applies."""

    metric: str
    direction: Direction
    bound: float
    segments: SegmentScope = "overall"

    def passes(self, value: float) -> bool:
        """Whether a value meets the bound (inclusive; NaN never passes)."""
        return _meets(self.direction, self.bound, value)

    def applies_to(self, scope: str) -> bool:
        """Whether the bound covers a scope: 'overall' or a segment name."""
        if self.segments == "overall":
            return scope == "overall"
        return scope != "overall" and (self.segments == "all" or scope in self.segments)

    def describe(self) -> str:
        """Short human form, e.g. 'auc >= 0.85 in every segment'."""
        return f"{_bound_text(self.metric, self.direction, self.bound)}{_scope_text(self.segments)}"


@dataclass(frozen=True)
class SloBound:
    """One canary SLO: the recorded canary value of a metric must meet the bound."""

    metric: str
    direction: Direction
    bound: float

    def passes(self, value: float) -> bool:
        """Whether a recorded canary value meets the SLO (inclusive; NaN never passes)."""
        return _meets(self.direction, self.bound, value)

    def describe(self) -> str:
        """Short human form, e.g. 'error_rate <= 0.01'."""
        return _bound_text(self.metric, self.direction, self.bound)


@dataclass(frozen=True)
class ModelPolicy:
    """The policy fully resolved for one model (or the default when model is None)."""

    model: str | None
    thresholds: tuple[Threshold, ...]
    canary_slos: tuple[SloBound, ...]
    signoff_roles: tuple[str, ...]
    archival_checklist: tuple[str, ...]
    retention_days: int
    drill_cadence_days: int
    min_canary_share: float

    @property
    def subject(self) -> str:
        """Who the policy is for, for messages: the model name or 'the default policy'."""
        return self.model or "the default policy"


@dataclass(frozen=True)
class PolicyOverride:
    """The keys one model overrides; None keeps the default's value."""

    thresholds: tuple[Threshold, ...] | None = None
    canary_slos: tuple[SloBound, ...] | None = None
    signoff_roles: tuple[str, ...] | None = None
    archival_checklist: tuple[str, ...] | None = None
    retention_days: int | None = None
    drill_cadence_days: int | None = None
    min_canary_share: float | None = None

    def values(self) -> dict[str, Any]:
        """The overridden keys and their values, in document order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class Policy:
    """A whole policy document: the global default and per-model overrides."""

    default: ModelPolicy
    models: Mapping[str, PolicyOverride]
    _resolved: dict[str, ModelPolicy] = field(default_factory=dict, init=False, repr=False, compare=False)

    def for_model(self, name: str) -> ModelPolicy:
        """The policy that applies to a model: its overrides on top of the default (resolved once per model: a
        stored policy is parsed once per process, and every gate evaluation asks)."""
        resolved = self._resolved.get(name)
        if resolved is None:
            override = self.models.get(name, PolicyOverride())
            resolved = self._resolved[name] = replace(self.default, model=name, **override.values())
        return resolved


POLICY_KEYS: tuple[str, ...] = tuple(f.name for f in fields(PolicyOverride))
POLICY_SCOPE = "registry"
"""The scope under which the registry stores its one policy document."""

DEFAULT_POLICY = Policy(
    default=ModelPolicy(
        model=None,
        thresholds=(),
        canary_slos=(),
        signoff_roles=("product",),
        archival_checklist=("traffic drained", "dashboards updated", "consumers notified"),
        retention_days=180,
        drill_cadence_days=30,
        min_canary_share=1.0,
    ),
    models={},
)


def metric_direction(policy: ModelPolicy, metric: str) -> Direction | None:
    """Which way a metric is better: from the policy's thresholds and SLOs, else from well-known names."""
    for bound in (*policy.thresholds, *policy.canary_slos):
        if bound.metric == metric:
            return bound.direction
    return guess_direction(metric)


def guess_direction(metric: str) -> Direction | None:
    """Heuristic direction for common metric names (latency_*, *_ms, error/refusal rates, cost, loss ...)."""
    tokens = set(metric.lower().replace("-", "_").replace("@", "_").split("_"))
    if tokens & _LOWER_TOKENS:
        return "lower"
    if tokens & _HIGHER_TOKENS:
        return "higher"
    return None


def load_policy_text(text: str, source: str) -> Policy:
    """Parse policy YAML; every error is one line naming the source, the line and the key path."""
    try:
        refuse_anchors(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(yaml_error(exc, source)) from None
    lines = _line_index(node, source)
    return _parse(_Context(source, lines.get), document)


def policy_of(document: str | None) -> Policy:
    """The policy a stored document describes (parsed once per process), or the built-in default for none."""
    return DEFAULT_POLICY if document is None else _stored(document)


@lru_cache(maxsize=16)
def _stored(document: str) -> Policy:
    """A stored policy document parsed once per process (parsing is slow and every gate evaluation needs it)."""
    return load_policy_text(document, "stored policy")


def parse_policy(document: Any, source: str) -> Policy:
    """Validate an already-loaded policy document (errors name the source and the key path)."""
    return _parse(_Context(source, lambda path: None), document)


def policy_document(policy: Policy) -> dict[str, Any]:
    """The YAML-ready document for a policy; parse_policy(policy_document(p)) == p."""
    default = {key: _plain_value(getattr(policy.default, key)) for key in POLICY_KEYS}
    models = {
        name: {key: _plain_value(value) for key, value in override.values().items()}
        for name, override in policy.models.items()
    }
    return {"kind": "policy", "default": default, "models": models}


def bound_document(bound: Threshold | SloBound) -> dict[str, Any]:
    """A threshold or SLO as its policy mapping: {metric, min|max[, segments]}."""
    plain: dict[str, Any] = {"metric": bound.metric, _KEY_OF_DIRECTION[bound.direction]: bound.bound}
    segments = bound.segments if isinstance(bound, Threshold) else "overall"
    if segments != "overall":
        plain["segments"] = segments if isinstance(segments, str) else list(segments)
    return plain


def _plain_value(value: Any) -> Any:
    """Plain YAML form of one policy value: lists for tuples, mappings for bounds."""
    if isinstance(value, tuple):
        return [bound_document(item) if isinstance(item, (Threshold, SloBound)) else item for item in value]
    return value


def _meets(direction: Direction, bound: float, value: float) -> bool:
    """Inclusive comparison in the metric's better direction."""
    return value >= bound if direction == "higher" else value <= bound


def _bound_text(metric: str, direction: Direction, bound: float) -> str:
    """'auc >= 0.85' or 'latency_p95_ms <= 40'."""
    return f"{metric} {'>=' if direction == 'higher' else '<='} {format_number(bound)}"


def _scope_text(segments: SegmentScope) -> str:
    """Suffix naming where a threshold applies."""
    if segments == "overall":
        return ""
    if segments == "all":
        return " in every segment"
    return f" in segment{'s' if len(segments) > 1 else ''} {', '.join(segments)}"


def format_number(value: float) -> str:
    """Compact number for messages and tables (0.85, 40, 1.2e-05)."""
    return f"{value:g}"


class _Context:
    """Where the document came from and how to find a key's line, so every error names both."""

    def __init__(self, source: str, line_of: Callable[[KeyPath], int | None]) -> None:
        self.source = source
        self.line_of = line_of

    def fail(self, path: KeyPath, problem: str) -> InputError:
        """One-line error: source, line when known, dotted key path, problem."""
        line = self._nearest_line(path)
        where = f"{self.source}: line {line}" if line else self.source
        return InputError(f"{where}: {_dotted(path)}: {clean_single_line(problem)}")

    def _nearest_line(self, path: KeyPath) -> int | None:
        """The line of the path, or of its closest ancestor that has one."""
        for end in range(len(path), 0, -1):
            line = self.line_of(path[:end])
            if line:
                return line
        return None


def _dotted(path: KeyPath) -> str:
    """Render a key path as models.churn-classifier.thresholds[1].min."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _line_index(node: yaml.Node | None, source: str) -> dict[KeyPath, int]:
    """Map every key path in a composed YAML tree to its 1-based line, refusing duplicate keys."""
    index: dict[KeyPath, int] = {}
    _index_node(node, (), index, source)
    return index


def _index_node(node: yaml.Node | None, path: KeyPath, index: dict[KeyPath, int], source: str) -> None:
    """Record the lines of a node's children, recursively."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            if child in index:
                line = key_node.start_mark.line + 1
                raise InputError(f"{source}: line {line}: {_dotted(child)}: duplicate key")
            index[child] = key_node.start_mark.line + 1
            _index_node(value_node, child, index, source)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            index[(*path, position)] = item.start_mark.line + 1
            _index_node(item, (*path, position), index, source)


def _parse(ctx: _Context, document: Any) -> Policy:
    """Validate the whole document and build the Policy."""
    root = _mapping(ctx, (), clean_data(document))
    _check_keys(ctx, (), root, ("kind", "default", "models"))
    if root.get("kind") != "policy":
        raise ctx.fail(("kind",), f"expected 'policy', got {root.get('kind')!r}")
    base = _override(ctx, ("default",), _or_empty(root.get("default")))
    default = replace(DEFAULT_POLICY.default, **base.values())
    _check_directions(ctx, ("default",), default, set(POLICY_KEYS))
    models = {}
    for name, raw in _mapping(ctx, ("models",), _or_empty(root.get("models"))).items():
        _check_model_name(ctx, ("models", name), name)
        models[name] = _override(ctx, ("models", name), _or_empty(raw))
        overridden = set(models[name].values())
        _check_directions(ctx, ("models", name), replace(default, **models[name].values()), overridden)
    return Policy(default=default, models=models)


def _or_empty(raw: Any) -> Any:
    """An absent (null) section reads as an empty mapping; anything else is validated as given."""
    return {} if raw is None else raw


def _override(ctx: _Context, path: KeyPath, raw: Any) -> PolicyOverride:
    """Validate one section (default or a model) into the keys it sets."""
    section = _mapping(ctx, path, raw)
    _check_keys(ctx, path, section, POLICY_KEYS)
    parsers: dict[str, Callable[[KeyPath, Any], Any]] = {
        "thresholds": lambda p, v: _bounds(ctx, p, v, _threshold),
        "canary_slos": lambda p, v: _bounds(ctx, p, v, _slo),
        "signoff_roles": lambda p, v: _names(ctx, p, v),
        "archival_checklist": lambda p, v: _names(ctx, p, v),
        "retention_days": lambda p, v: _days(ctx, p, v),
        "drill_cadence_days": lambda p, v: _days(ctx, p, v),
        "min_canary_share": lambda p, v: _share(ctx, p, v),
    }
    return PolicyOverride(**{key: parsers[key]((*path, key), value) for key, value in section.items()})


def _bounds(ctx: _Context, path: KeyPath, raw: Any, build: Callable[[_Context, KeyPath, Any], Any]) -> tuple[Any, ...]:
    """A list of thresholds or SLOs, refusing the same metric and scope twice."""
    items = tuple(build(ctx, (*path, i), item) for i, item in enumerate(_list(ctx, path, raw)))
    seen: dict[tuple[str, Any], int] = {}
    for position, item in enumerate(items):
        key = (item.metric, getattr(item, "segments", "overall"))
        if key in seen:
            raise ctx.fail((*path, position), f"duplicate bound for {item.metric} (same as item {seen[key]})")
        seen[key] = position
    return items


def _threshold(ctx: _Context, path: KeyPath, raw: Any) -> Threshold:
    """One thresholds[] item: metric, min or max, optional segments."""
    item = _mapping(ctx, path, raw)
    _check_keys(ctx, path, item, ("metric", "min", "max", "segments"))
    direction, bound = _direction_and_bound(ctx, path, item)
    segments = _segments(ctx, (*path, "segments"), item.get("segments", "overall"))
    return Threshold(metric=_metric(ctx, path, item), direction=direction, bound=bound, segments=segments)


def _slo(ctx: _Context, path: KeyPath, raw: Any) -> SloBound:
    """One canary_slos[] item: metric and min or max."""
    item = _mapping(ctx, path, raw)
    _check_keys(ctx, path, item, ("metric", "min", "max"))
    direction, bound = _direction_and_bound(ctx, path, item)
    return SloBound(metric=_metric(ctx, path, item), direction=direction, bound=bound)


def _metric(ctx: _Context, path: KeyPath, item: Mapping[str, Any]) -> str:
    """The metric name of a bound."""
    if "metric" not in item:
        raise ctx.fail(path, "missing key 'metric'")
    return _name(ctx, (*path, "metric"), item["metric"])


def _direction_and_bound(ctx: _Context, path: KeyPath, item: Mapping[str, Any]) -> tuple[Direction, float]:
    """Exactly one of min (higher is better) or max (lower is better), and its numeric bound."""
    given = [key for key in _BOUND_KEYS if key in item]
    if len(given) != 1:
        raise ctx.fail(path, "give exactly one of 'min' (higher is better) or 'max' (lower is better)")
    key = given[0]
    return _BOUND_KEYS[key], _number(ctx, (*path, key), item[key])


def _segments(ctx: _Context, path: KeyPath, raw: Any) -> SegmentScope:
    """'overall', 'all', or a non-empty list of distinct segment names."""
    if raw in ("overall", "all"):
        return raw
    if isinstance(raw, str) or not isinstance(raw, list) or not raw:
        raise ctx.fail(path, f"expected 'all' or a list of segment names, got {raw!r}")
    return _names(ctx, path, raw)


def _names(ctx: _Context, path: KeyPath, raw: Any) -> tuple[str, ...]:
    """A list of distinct non-empty names."""
    names = tuple(_name(ctx, (*path, i), item) for i, item in enumerate(_list(ctx, path, raw)))
    for position, name in enumerate(names):
        if name in names[:position]:
            raise ctx.fail((*path, position), f"duplicate entry {name!r}")
    return names


def _name(ctx: _Context, path: KeyPath, raw: Any) -> str:
    """A non-empty single-line name (metric, segment, team or checklist item)."""
    if not isinstance(raw, str) or not raw.strip():
        raise ctx.fail(path, f"expected non-empty text, got {clip(repr(raw))}")
    problem = length_problem(_dotted(path), raw.strip())
    if problem is not None:
        raise ctx.fail(path, problem)
    return raw.strip()


def _number(ctx: _Context, path: KeyPath, raw: Any) -> float:
    """A finite number (numeric text such as 1e-3, which YAML 1.1 reads as a string, is accepted)."""
    try:
        value = float(raw) if not isinstance(raw, bool) else math.nan
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ctx.fail(path, f"expected a finite number, got {raw!r}")
    return value


def _days(ctx: _Context, path: KeyPath, raw: Any) -> int:
    """A whole number of days, at least 1."""
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise ctx.fail(path, f"expected a whole number of days >= 1, got {raw!r}")
    return raw


def _share(ctx: _Context, path: KeyPath, raw: Any) -> float:
    """A percentage of traffic in (0, 100]."""
    share = _number(ctx, path, raw)
    if not 0 < share <= 100:
        raise ctx.fail(path, f"expected a percentage in (0, 100], got {raw!r}")
    return share


def _mapping(ctx: _Context, path: KeyPath, raw: Any) -> dict[str, Any]:
    """A mapping with text keys."""
    if not isinstance(raw, Mapping):
        raise ctx.fail(path, f"expected a mapping, got {type(raw).__name__}")
    return {str(key): value for key, value in raw.items()}


def _list(ctx: _Context, path: KeyPath, raw: Any) -> list[Any]:
    """A list."""
    if not isinstance(raw, list):
        raise ctx.fail(path, f"expected a list, got {type(raw).__name__}")
    return raw


def _check_keys(ctx: _Context, path: KeyPath, item: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse the first unknown key, naming it and the allowed ones."""
    for key in item:
        if key not in allowed:
            raise ctx.fail((*path, key), f"unknown key {key!r} (allowed: {', '.join(allowed)})")


def _check_model_name(ctx: _Context, path: KeyPath, name: str) -> None:
    """Model names follow the registry's naming rule."""
    if not MODEL_NAME.match(name):
        raise ctx.fail(path, f"{name!r} is not a valid model name (lowercase letters, digits, '.', '_', '-')")


def _check_directions(ctx: _Context, path: KeyPath, policy: ModelPolicy, overridden: set[str]) -> None:
    """A metric is higher-is-better or lower-is-better, never both, across thresholds and SLOs."""
    seen: dict[str, Direction] = {}
    for key in ("thresholds", "canary_slos"):
        for position, bound in enumerate(getattr(policy, key)):
            known = seen.setdefault(bound.metric, bound.direction)
            if known != bound.direction:
                origin = "" if key in overridden else " (inherited from default)"
                raise ctx.fail(
                    (*path, key, position),
                    f"{bound.metric} is {bound.direction}-is-better here{origin} but {known}-is-better "
                    "in another bound (one direction per metric)",
                )
