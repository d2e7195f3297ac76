"""The plain reader's row shapes are generated from the tables, never kept by hand."""

from __future__ import annotations

from dataclasses import fields

from regtui.domain.listing import VersionSummary
from regtui.store import records_gen
from regtui.store.records import VERSION_COLUMNS
from regtui.store.tables import VersionRow


def test_records_are_generated_from_the_current_tables() -> None:
    """records.py is what `python -m regtui.store.records_gen` writes for the tables as declared now."""
    assert records_gen.TARGET.read_text(encoding="utf-8") == records_gen.render(), (
        "regtui/store/records.py is stale: run `python -m regtui.store.records_gen`"
    )


def test_a_version_list_line_reads_columns_of_the_version_table() -> None:
    """VersionSummary's fields name model_version columns (its SELECT list is made of them)."""
    names = [f.name for f in fields(VersionSummary)]
    assert set(names) <= set(VERSION_COLUMNS) == set(VersionRow.__table__.columns.keys())
