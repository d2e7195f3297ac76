"""Evaluation diff of two versions: metric deltas with better/worse verdicts and thresholds, and field changes.

A is the baseline (by default the current Production version), B the candidate. Metric rows cover the
union of both versions' metrics, overall first and then each segment in name order; a metric only one
side records gets verdict 'n/a'. Which way is better comes from the model's policy, else from the
metric's name (regtui.domain.policy.metric_direction).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from regtui.domain.entry import ModelCard, ProviderPin, VersionEntry, utc_iso
from regtui.domain.policy import (
    Direction,
    ModelPolicy,
    Threshold,
    bound_document,
    metric_direction,
)

Verdict = Literal["better", "worse", "same", "n/a"]
Change = Literal["added", "removed", "changed"]
OVERALL = "overall"
FIELD_ORDER: tuple[str, ...] = ("framework", "training_data", "change_kind", "owner", "provider")
CARD_SECTIONS: tuple[str, ...] = (
    "intended_use",
    "limitations",
    "evaluation",
    "fairness",
    "training_data",
    "responsible",
)


@dataclass(frozen=True)
class MetricDelta:
    """One metric in one scope (overall or a segment): both values, the change, its verdict and gate bound."""

    scope: str
    metric: str
    a: float | None
    b: float | None
    abs_delta: float | None
    rel_delta: float | None
    direction: Direction | None
    verdict: Verdict
    threshold: Threshold | None
    passes_threshold: bool | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for --json output."""
        return {
            "scope": self.scope,
            "metric": self.metric,
            "a": self.a,
            "b": self.b,
            "abs_delta": self.abs_delta,
            "rel_delta": self.rel_delta,
            "direction": self.direction,
            "verdict": self.verdict,
            "threshold": self.threshold and bound_document(self.threshold),
            "passes_threshold": self.passes_threshold,
        }


@dataclass(frozen=True)
class FieldChange:
    """A field, hyperparameter or model-card section that differs: its name and both values."""

    key: str
    change: Change
    a: Any
    b: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for --json output."""
        return {"key": self.key, "change": self.change, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class VersionDiff:
    """Everything that differs between a baseline version A and a candidate B."""

    a: str
    b: str
    metrics: tuple[MetricDelta, ...]
    hyperparameters: tuple[FieldChange, ...]
    fields: tuple[FieldChange, ...]
    model_card: tuple[FieldChange, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for --json output."""
        return {
            "a": self.a,
            "b": self.b,
            "metrics": [row.to_dict() for row in self.metrics],
            "hyperparameters": [change.to_dict() for change in self.hyperparameters],
            "fields": [change.to_dict() for change in self.fields],
            "model_card": [change.to_dict() for change in self.model_card],
        }


@dataclass(frozen=True)
class DiffTally:
    """The diff's verdict over every scope: how many metric rows got better, worse or stayed, and how many of the
    candidate's gate thresholds fail (the TUI's summary line and `regtui diff` both read it)."""

    better: int
    worse: int
    same: int
    thresholds: int
    threshold_failures: int

    @property
    def gates_pass(self) -> bool:
        """Whether every gate threshold the diff shows passes on the candidate."""
        return self.threshold_failures == 0


def tally(diff: VersionDiff) -> DiffTally:
    """Count the diff's verdicts and the candidate's gate threshold results."""
    verdicts = [row.verdict for row in diff.metrics]
    return DiffTally(
        better=verdicts.count("better"),
        worse=verdicts.count("worse"),
        same=verdicts.count("same"),
        thresholds=sum(1 for row in diff.metrics if row.passes_threshold is not None),
        threshold_failures=sum(1 for row in diff.metrics if row.passes_threshold is False),
    )


def diff_versions(a: VersionEntry, b: VersionEntry, policy: ModelPolicy) -> VersionDiff:
    """Compare baseline A with candidate B under the model's policy."""
    return VersionDiff(
        a=a.ref,
        b=b.ref,
        metrics=tuple(_metric_rows(a, b, policy)),
        hyperparameters=_changes(_flatten(a.hyperparameters), _flatten(b.hyperparameters)),
        fields=_changes(_field_values(a), _field_values(b), FIELD_ORDER),
        model_card=_changes(_card_sections(a.model_card), _card_sections(b.model_card), CARD_SECTIONS),
    )


def metric_delta(scope: str, metric: str, a: float | None, b: float | None, policy: ModelPolicy) -> MetricDelta:
    """One row: deltas, verdict by the metric's direction, and B against the threshold for this scope."""
    direction = metric_direction(policy, metric)
    threshold = next((t for t in policy.thresholds if t.metric == metric and t.applies_to(scope)), None)
    both = a is not None and b is not None
    abs_delta = b - a if both else None
    rel_delta = abs_delta / abs(a) if both and a != 0 else None
    return MetricDelta(
        scope=scope,
        metric=metric,
        a=a,
        b=b,
        abs_delta=abs_delta,
        rel_delta=rel_delta,
        direction=direction,
        verdict=_verdict(a, b, direction),
        threshold=threshold,
        passes_threshold=None if threshold is None else b is not None and threshold.passes(b),
    )


def _metric_rows(a: VersionEntry, b: VersionEntry, policy: ModelPolicy) -> list[MetricDelta]:
    """Rows for the overall metrics, then for each segment in name order."""
    scopes: list[tuple[str, Mapping[str, float], Mapping[str, float]]] = [
        (OVERALL, a.metrics.overall, b.metrics.overall)
    ]
    for segment in sorted(set(a.metrics.segments) | set(b.metrics.segments)):
        scopes.append((segment, a.metrics.segments.get(segment, {}), b.metrics.segments.get(segment, {})))
    return [
        metric_delta(scope, metric, values_a.get(metric), values_b.get(metric), policy)
        for scope, values_a, values_b in scopes
        for metric in sorted(set(values_a) | set(values_b))
    ]


def _verdict(a: float | None, b: float | None, direction: Direction | None) -> Verdict:
    """'same' when equal, 'better'/'worse' by direction, 'n/a' when a side or the direction is unknown."""
    if a is None or b is None:
        return "n/a"
    if a == b:
        return "same"
    if direction is None:
        return "n/a"
    return "better" if (b > a) == (direction == "higher") else "worse"


def _changes(a: Mapping[str, Any], b: Mapping[str, Any], order: Sequence[str] = ()) -> tuple[FieldChange, ...]:
    """Added, removed and changed keys between two flat mappings, in the given order (else sorted)."""
    keys = list(order) or sorted(set(a) | set(b))
    result = []
    for key in keys:
        if key in a and key in b and a[key] != b[key]:
            result.append(FieldChange(key, "changed", a[key], b[key]))
        elif key in a and key not in b:
            result.append(FieldChange(key, "removed", a[key], None))
        elif key in b and key not in a:
            result.append(FieldChange(key, "added", None, b[key]))
    return tuple(result)


def _flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested hyperparameter mappings as dotted keys (optimizer.lr)."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _field_values(entry: VersionEntry) -> dict[str, Any]:
    """The compared registry fields (framework, data, change kind, owner, provider pin), unset ones left out."""
    values = {
        "framework": entry.framework,
        "training_data": entry.training_data,
        "change_kind": entry.change_kind.value,
        "owner": entry.owner,
        "provider": _pin_text(entry.provider),
    }
    return {key: value for key, value in values.items() if value}


def _pin_text(pin: ProviderPin | None) -> str | None:
    """'provider/model@version' or None."""
    return None if pin is None else f"{pin.provider}/{pin.model}@{pin.version}"


def _card_sections(card: ModelCard) -> dict[str, str]:
    """Each model-card section as one text (composite sections joined line by line), empty ones left out."""
    fairness = card.fairness
    attestation = fairness.attested_by and f"attested by {fairness.attested_by}" + (
        f" at {utc_iso(fairness.attested_at)}" if fairness.attested_at else ""
    )
    data = card.training_data
    sections = {
        "intended_use": card.intended_use,
        "limitations": card.limitations,
        "evaluation": card.evaluation,
        "fairness": _lines(fairness.summary, attestation),
        "training_data": _lines(
            _labelled("source", data.source), _labelled("size", data.size), _labelled("date range", data.date_range)
        ),
        "responsible": _lines(
            _labelled("team", card.responsible.team), _labelled("escalation", card.responsible.escalation_contact)
        ),
    }
    return {name: text for name, text in sections.items() if text}


def _labelled(label: str, value: str) -> str:
    """'label: value', or empty when the value is."""
    return f"{label}: {value}" if value else ""


def _lines(*parts: str | None) -> str:
    """Non-empty parts joined by newlines."""
    return "\n".join(part for part in parts if part)
