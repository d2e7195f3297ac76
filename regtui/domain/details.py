"""A log entry's details (free JSON: reasons, comments, evidence, approvers, checksums) as labelled lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from regtui.domain.text import clean_text, one_line

NOTHING = "(none)"


@dataclass(frozen=True)
class DetailLine:
    """One line of an entry's details: how deep it sits in nested values, its key ('-' for a list item), its value
    (cleaned: control characters made visible; '' when nested lines follow)."""

    depth: int
    key: str
    value: str


def detail_lines(details: Mapping[str, Any], depth: int = 0) -> list[DetailLine]:
    """Every field of `details`, nested mappings and lists of mappings indented under their key, in stored order."""
    lines: list[DetailLine] = []
    for key, value in details.items():
        lines.extend(_value_lines(depth, one_line(str(key)).replace("_", " "), value))
    return lines


def _value_lines(depth: int, key: str, value: Any) -> list[DetailLine]:
    """One keyed value: a scalar or a list of scalars on its line, anything nested on the lines below."""
    if isinstance(value, Mapping) and value:
        return [DetailLine(depth, key, ""), *detail_lines(value, depth + 1)]
    if isinstance(value, (list, tuple)) and any(isinstance(item, (Mapping, list, tuple)) for item in value):
        nested = [line for item in value for line in _value_lines(depth + 1, "-", item)]
        return [DetailLine(depth, key, ""), *nested]
    return [DetailLine(depth, key, scalar_text(value))]


def scalar_text(value: Any) -> str:
    """A value as cleaned text: lists joined by commas, None and empty values as '(none)'."""
    if isinstance(value, (list, tuple)):
        return ", ".join(scalar_text(item) for item in value) if value else NOTHING
    if value is None or value == "" or isinstance(value, Mapping):
        return NOTHING
    return clean_text(str(value))
