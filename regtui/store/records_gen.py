"""Writes regtui/store/records.py, the cache rows the plain reader decodes, from the tables of regtui.store.tables.

The tables are the one declaration of a row's columns; the plain reader (regtui.store.model_versions) must not
import SQLAlchemy, so it reads the columns from this generated module. Run `python -m regtui.store.records_gen`
after changing a table it covers; tests/store/test_records.py fails while records.py is stale.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from sqlalchemy import JSON, DateTime
from sqlmodel import SQLModel

from regtui.store.tables import ArtifactRow, VersionRow

RECORDS: dict[str, type[SQLModel]] = {"VersionRecord": VersionRow, "ArtifactRecord": ArtifactRow}
"""Each generated record and the table it mirrors."""
TARGET = Path(__file__).with_name("records.py")
HEADER = '''"""Rows of the cache as the plain reader decodes them, one record per table, in the tables' column order.

GENERATED from regtui.store.tables by `python -m regtui.store.records_gen`: do not edit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
'''


def render() -> str:
    """The text of records.py for the tables as declared now."""
    return HEADER + "".join(_record(name, model) for name, model in RECORDS.items())


def _record(name: str, model: type[SQLModel]) -> str:
    """One record class and its column tuples."""
    table = model.__table__  # type: ignore[attr-defined]
    annotations = inspect.get_annotations(model)
    prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", name.removesuffix("Record")).upper()
    columns = list(table.columns)
    lines = ["", "", f"class {name}(NamedTuple):", f'    """One {table.name} row (tables.{model.__name__})."""', ""]
    lines += [f"    {c.name}: {_annotation(annotations[c.name], c.nullable, c.primary_key)}" for c in columns]
    lines += ["", ""]
    lines += [_names(f"{prefix}_COLUMNS", [c.name for c in columns])]
    lines += [_names(f"{prefix}_JSON_COLUMNS", [c.name for c in columns if isinstance(c.type, JSON)])]
    lines += [_names(f"{prefix}_TIME_COLUMNS", [c.name for c in columns if isinstance(c.type, DateTime)])]
    return "\n".join(lines) + "\n"


def _annotation(declared: str, nullable: bool | None, primary_key: bool) -> str:
    """The record's type of a column: the table's annotation without its optionality, None allowed only where a
    stored row can hold NULL (a nullable column that is not the primary key, whose value a stored row always has)."""
    match = re.fullmatch(r"Optional\[(.*)\]", declared)
    inner = match.group(1) if match else declared.removesuffix(" | None")
    return f"{inner} | None" if nullable and not primary_key else inner


def _names(constant: str, names: list[str]) -> str:
    """A tuple constant of column names, wrapped at 120 characters."""
    quoted = [f'"{name}"' for name in names]
    text = f"{constant} = ({', '.join(quoted)}{',' if len(names) == 1 else ''})"
    if len(text) <= 120:
        return text
    body, line = [], "   "
    for item in (f" {name}," for name in quoted):
        if len(line) + len(item) > 120:
            body.append(line)
            line = "   "
        line += item
    return "\n".join([f"{constant} = (", *body, line, ")"])


def main() -> None:
    """Write records.py."""
    TARGET.write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main()
