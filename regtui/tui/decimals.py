"""One number of decimal places per metric column, so the decimal points of a column line up."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

SIGNIFICANT = 4
"""Significant digits a metric value keeps."""
MAX_PLACES = 6
"""No column shows more decimal places than this."""


def places_of(value: float) -> int:
    """Decimal places the value needs at SIGNIFICANT significant digits (trailing zeros dropped)."""
    if value == 0 or not math.isfinite(value):
        return 0
    exponent = Decimal(f"{value:.{SIGNIFICANT}g}").normalize().as_tuple().exponent
    return min(MAX_PLACES, max(0, -int(exponent)))


def column_places(values: Iterable[float | None]) -> int:
    """The places of a column: enough for its most precise value (missing values ignored)."""
    return max((places_of(value) for value in values if value is not None), default=0)


def fixed(value: float, places: int, *, sign: bool = False) -> str:
    """A value with exactly `places` decimals ('+' first when `sign`)."""
    return f"{value:{'+' if sign else ''}.{places}f}"
