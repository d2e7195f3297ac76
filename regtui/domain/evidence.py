"""Gate evidence attached to a promotion request: review reference, canary results, archival checklist.

An evidence file (`regtui promote --evidence FILE`) is YAML or JSON:

    review: "eval report 2026-11 (s3://reports/churn/2.6.0.html), diff against 2.5.0"
    canary_results: {error_rate: 0.004, latency_p95_ms: 38}
    archival_checklist: [traffic drained, dashboards updated, consumers notified]

New evidence is merged into the request's evidence key by key; approvals bind to the digest of the
review and canary results, so changing those means earlier approvals no longer count (ticking the
archival checklist does not). The store stamps the checklist with the Production version it was ticked
for (`archival_for`): it counts only while that version is still the one being replaced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from regtui.domain.limits import FILE_BYTES, data_problem, length_problem
from regtui.domain.text import clean_data
from regtui.errors import InputError
from regtui.input_files import clip, load_yaml, read_text

EVIDENCE_KEYS = ("review", "canary_results", "archival_checklist")
ARCHIVAL_FOR = "archival_for"


def load_evidence_file(path: Path) -> dict[str, Any]:
    """Read and validate an evidence file (bounded, a regular file), naming the file and line on errors."""
    text = read_text(path, FILE_BYTES["evidence"], "evidence")
    document = _json_document(text, path) if _is_json(text, path) else load_yaml(text, str(path))
    return parse_evidence(document or {}, str(path))


def _is_json(text: str, path: Path) -> bool:
    """Whether evidence is JSON: a .json file, or a text that opens with '{' and parses as JSON."""
    if path.suffix.lower() == ".json":
        return True
    if not text.lstrip().startswith("{"):
        return False
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def _json_document(text: str, path: Path) -> Any:
    """Evidence read as JSON (escaped surrogate pairs make one character), refusing an unpaired surrogate."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: malformed evidence JSON: {exc.msg}") from None
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{path}: evidence JSON holds an unpaired surrogate escape (\\ud800-\\udfff)") from None
    return document


def parse_evidence(document: Any, source: str) -> dict[str, Any]:
    """Validate an evidence mapping into its canonical plain form."""
    if not isinstance(document, Mapping):
        raise InputError(f"{source}: evidence must be a mapping with keys {', '.join(EVIDENCE_KEYS)}")
    document = clean_data(dict(document))
    unknown = sorted(set(map(str, document)) - set(EVIDENCE_KEYS))
    if unknown:
        raise InputError(f"{source}: unknown evidence key(s) {', '.join(unknown)}; expected {', '.join(EVIDENCE_KEYS)}")
    result: dict[str, Any] = {}
    if document.get("review") is not None:
        result["review"] = _review(source, document["review"])
    if document.get("canary_results") is not None:
        result["canary_results"] = _results(source, document["canary_results"])
    if document.get("archival_checklist") is not None:
        result["archival_checklist"] = _checklist(source, document["archival_checklist"])
    problem = data_problem(result)
    if problem is not None:
        raise InputError(f"{source}: evidence: {problem}")
    return result


def merge_evidence(current: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The request's evidence with new keys replacing old ones."""
    return {**current, **new}


def reviewed_evidence(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence approvals bind to: all but the archival checklist, which is ticked after review."""
    return {key: value for key, value in evidence.items() if key not in ("archival_checklist", ARCHIVAL_FOR)}


def _review(source: str, value: Any) -> str:
    """The reference to what a reviewer examined."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{source}: review: expected a non-empty text naming the evidence")
    return _within(source, "review", value.strip())


def _within(source: str, field: str, text: str) -> str:
    """The text, refused naming the field when it is over its limit."""
    problem = length_problem(field, text)
    if problem is not None:
        raise InputError(f"{source}: {field}: {problem}")
    return text


def _results(source: str, value: Any) -> dict[str, float]:
    """Canary SLO results: metric name to number."""
    if not isinstance(value, Mapping):
        raise InputError(f"{source}: canary_results: expected a mapping of metric to number")
    results = {}
    for metric, number in value.items():
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            where = f"canary_results.{clip(str(metric))}"
            raise InputError(f"{source}: {where}: expected a number, got {clip(repr(number))}")
        results[_within(source, "canary_results.metric", str(metric))] = float(number)
    return results


def _checklist(source: str, value: Any) -> list[str]:
    """Archival checklist items done for the outgoing Production version."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f"{source}: archival_checklist: expected a list of checklist items")
    return [_within(source, "archival_checklist", item.strip()) for item in value]
