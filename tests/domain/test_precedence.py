"""The one semver order: precedence_key sorts as SemVer 2.0.0 precedence (semver.Version.compare)."""

from __future__ import annotations

from functools import cmp_to_key

import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st

from regtui.domain.versioning import precedence_key
from regtui.errors import InputError

SPEC_EXAMPLE = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
]
"""SemVer 2.0.0, item 11: these versions in ascending precedence."""


def _sorted(versions: list[str]) -> list[str]:
    """Versions in ascending precedence key order."""
    return sorted(versions, key=precedence_key)


def test_the_specs_example_sorts_in_its_order() -> None:
    """alpha < alpha.1 < alpha.beta < beta < beta.2 < beta.11 < rc.1 < release, from any starting order."""
    assert _sorted(list(reversed(SPEC_EXAMPLE))) == SPEC_EXAMPLE
    assert _sorted(sorted(SPEC_EXAMPLE)) == SPEC_EXAMPLE


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.0-rc.2", "1.0.0-rc.10"),
        ("1.0.0-beta.9", "1.0.0-beta.11"),
        ("1.0.0-rc.10", "1.0.0"),
        ("1.0.0-1", "1.0.0-a"),
        ("1.0.0-999", "1.0.0-0a"),
        ("1.0.0-a.99", "1.0.0-a.b"),
        ("1.0.0-Z", "1.0.0-a"),
        ("1.0.0-a", "1.0.0-a-"),
        ("1.0.0-a", "1.0.0-a.0"),
        ("1.0.0-rc.1", "1.0.0-rc.1.1"),
        ("1.9.0", "1.10.0"),
        ("9.0.0", "10.0.0"),
        ("1.0.9", "1.0.10"),
        ("2.0.0-rc.1", "2.0.0"),
        ("1.99.99", "2.0.0-alpha"),
        ("18446744073709551615.0.0", "18446744073709551616.0.0"),
        ("1.0.0-99999999999999999999", "1.0.0-100000000000000000000"),
    ],
)
def test_pairs_order_by_precedence(lower: str, higher: str) -> None:
    """Numeric fields by value (whatever their size), numeric identifiers below alphanumeric ones, ASCII order,
    fewer identifiers first on an equal prefix, a release after its pre-releases."""
    assert precedence_key(lower) < precedence_key(higher)
    assert semver.Version.parse(lower).compare(higher) < 0


def test_build_metadata_does_not_order() -> None:
    """1.0.0+build.5 and 1.0.0 have the same precedence, as do their pre-releases."""
    assert precedence_key("1.0.0+build.5") == precedence_key("1.0.0")
    assert precedence_key("1.0.0-rc.1+b") == precedence_key("1.0.0-rc.1")


def test_the_key_accepts_a_parsed_version() -> None:
    """A semver.Version gives the same key as its text."""
    assert precedence_key(semver.Version.parse("1.2.3-rc.4")) == precedence_key("1.2.3-rc.4")


def test_a_version_that_is_not_semver_is_refused_in_one_line() -> None:
    """The key is only defined for semantic versions: anything else is the parse error."""
    with pytest.raises(InputError, match="invalid version '1.0'"):
        precedence_key("1.0")


NUMBERS = st.one_of(st.integers(0, 12), st.integers(0, 10**30))
IDENTIFIERS = st.one_of(
    NUMBERS.map(str),
    st.text("0123456789-AZaz", min_size=1, max_size=4).filter(lambda text: not text.isdigit()),
)
VERSIONS = st.builds(
    lambda major, minor, patch, pre: str(semver.Version(major, minor, patch, ".".join(pre) or None)),
    NUMBERS,
    NUMBERS,
    NUMBERS,
    st.lists(IDENTIFIERS, max_size=4),
)


@settings(max_examples=400, deadline=None)
@given(VERSIONS, VERSIONS)
def test_key_order_is_semver_precedence(a: str, b: str) -> None:
    """For any two versions, comparing keys gives semver.Version.compare's answer."""
    expected = semver.Version.parse(a).compare(b)
    assert (precedence_key(a) > precedence_key(b)) - (precedence_key(a) < precedence_key(b)) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(VERSIONS, max_size=12))
def test_sorting_by_key_is_sorting_by_precedence(versions: list[str]) -> None:
    """A list sorted by key is sorted by precedence."""
    by_precedence = sorted(versions, key=cmp_to_key(lambda a, b: semver.Version.parse(a).compare(b)))
    assert [precedence_key(v) for v in _sorted(versions)] == [precedence_key(v) for v in by_precedence]
