"""Metric columns: one number of decimal places per column, enough for its most precise value."""

from __future__ import annotations

import pytest

from regtui.tui.decimals import MAX_PLACES, column_places, fixed, places_of


@pytest.mark.parametrize(
    ("value", "places"),
    [(0.9029, 4), (0.91, 2), (142.5, 1), (22.0, 0), (123456.0, 0), (0.0, 0), (1e-5, 5), (1e-9, MAX_PLACES)],
)
def test_places_a_value_needs(value: float, places: int) -> None:
    """Four significant digits, trailing zeros dropped, never more than MAX_PLACES."""
    assert places_of(value) == places


def test_a_column_shows_every_value_with_the_same_places() -> None:
    """0.91 beside 0.9029 reads 0.9100; missing values are skipped; deltas keep their sign."""
    places = column_places([0.91, None, 0.9029, float("nan")])
    assert places == 4
    assert [fixed(v, places) for v in (0.91, 0.9029)] == ["0.9100", "0.9029"]
    assert fixed(0.0012, places, sign=True) == "+0.0012" and fixed(-0.4, 1, sign=True) == "-0.4"
    assert column_places([None]) == 0
