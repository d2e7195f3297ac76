"""Semver adapted to ML: parsing, proposals, and refusing bumps that do not match the change kind."""

from __future__ import annotations

import pytest

from regtui.domain.entry import Bump, ChangeKind
from regtui.domain.versioning import bump_level, check_version, parse_version, propose_next
from regtui.errors import InputError, RuleError

MAJOR_KINDS = [k for k in ChangeKind if k.bump is Bump.MAJOR]
MINOR_KINDS = [k for k in ChangeKind if k.bump is Bump.MINOR]
PATCH_KINDS = [k for k in ChangeKind if k.bump is Bump.PATCH]
BUMP_KINDS = MAJOR_KINDS + MINOR_KINDS + PATCH_KINDS


@pytest.mark.parametrize("text", ["1.0.0", "2.1.3", "2.0.0-rc.1", "1.0.0+build.5", "0.1.0-alpha.1+sha.abc"])
def test_parse_version_accepts_semver(text: str) -> None:
    """Valid semantic versions parse and round-trip to the same text."""
    assert str(parse_version(text)) == text


@pytest.mark.parametrize("text", ["v1.0.0", "1.0", "01.0.0", "1.0.0 ", "", "latest", "1.0.0\x1b[31m"])
def test_parse_version_refuses_non_semver_with_one_clear_line(text: str) -> None:
    """Invalid versions raise InputError naming the text and the expected form, on one line."""
    with pytest.raises(InputError) as caught:
        parse_version(text)
    message = caught.value.message
    assert message.startswith("invalid version '")
    assert "MAJOR.MINOR.PATCH" in message
    assert "\n" not in message and "\x1b" not in message


def test_parse_version_refuses_non_string() -> None:
    """A YAML number like 1.0 reaches the parser as a float and is refused, not crashed on."""
    with pytest.raises(InputError, match="invalid version '1.0'"):
        parse_version(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("parent", "version", "level"),
    [
        ("1.4.2", "2.0.0", Bump.MAJOR),
        ("1.4.2", "1.5.0", Bump.MINOR),
        ("1.4.2", "1.4.3", Bump.PATCH),
        ("1.4.0", "2.0.0-rc.1", Bump.MAJOR),
        ("2.0.0-rc.1", "2.0.0", None),
        ("1.0.0+a", "1.0.0+b", None),
    ],
)
def test_bump_level_is_highest_differing_component(parent: str, version: str, level: Bump | None) -> None:
    """bump_level compares only the MAJOR.MINOR.PATCH core."""
    assert bump_level(parse_version(parent), parse_version(version)) == level


def test_propose_initial_is_1_0_0() -> None:
    """A first version is proposed as 1.0.0."""
    assert propose_next(None, ChangeKind.INITIAL) == "1.0.0"


@pytest.mark.parametrize(
    ("parent", "kinds", "expected"),
    [
        ("1.4.2", MAJOR_KINDS, "2.0.0"),
        ("1.4.2", MINOR_KINDS, "1.5.0"),
        ("1.4.2", PATCH_KINDS, "1.4.3"),
        ("1.4.2+build.7", PATCH_KINDS, "1.4.3"),
        ("2.0.0-rc.1", BUMP_KINDS, "2.0.0"),
        ("2.1.0-rc.1", MINOR_KINDS + PATCH_KINDS, "2.1.0"),
        ("2.1.0-rc.1", MAJOR_KINDS, "3.0.0"),
        ("2.1.3-rc.1", PATCH_KINDS, "2.1.3"),
        ("2.1.3-rc.1", MINOR_KINDS, "2.2.0"),
        ("2.1.3-rc.1", MAJOR_KINDS, "3.0.0"),
    ],
)
def test_propose_next_bumps_or_finalizes(parent: str, kinds: list[ChangeKind], expected: str) -> None:
    """Proposals bump the kind's level, or release a pre-release parent already at that level."""
    for kind in kinds:
        assert propose_next(parent, kind) == expected


@pytest.mark.parametrize("parent", ["0.3.1", "1.4.2", "2.0.0-rc.1", "2.1.3-beta.2", "1.0.0+b"])
@pytest.mark.parametrize("kind", BUMP_KINDS)
def test_every_proposal_passes_the_check(parent: str, kind: ChangeKind) -> None:
    """What regtui proposes, it accepts."""
    check_version(propose_next(parent, kind), parent, kind)


def test_propose_refuses_parent_mismatch() -> None:
    """Initial with a parent, or a bump kind without one, cannot be proposed for."""
    with pytest.raises(RuleError, match="initial"):
        propose_next("1.0.0", ChangeKind.INITIAL)
    with pytest.raises(RuleError, match="no parent"):
        propose_next(None, ChangeKind.RETRAINING)


@pytest.mark.parametrize(
    ("version", "parent", "kind"),
    [
        ("1.0.0", None, ChangeKind.INITIAL),
        ("0.1.0", None, ChangeKind.INITIAL),
        ("2.0.0", "1.4.2", ChangeKind.ARCHITECTURE),
        ("3.0.0", "1.4.2", ChangeKind.MODEL_TYPE),
        ("1.5.0", "1.4.2", ChangeKind.RETRAINING),
        ("1.6.0", "1.4.2", ChangeKind.PROMPT),
        ("1.4.3", "1.4.2", ChangeKind.THRESHOLD),
        ("2.0.0-rc.1", "1.4.0", ChangeKind.ARCHITECTURE),
        ("1.5.0-rc.1", "1.4.0", ChangeKind.HYPERPARAMETERS),
        ("2.0.0", "2.0.0-rc.1", ChangeKind.CONFIGURATION),
        ("2.0.0", "2.0.0-rc.1", ChangeKind.RETRAINING),
        ("2.0.0", "2.0.0-rc.1", ChangeKind.APPROACH),
        ("2.0.0-rc.2", "2.0.0-rc.1", ChangeKind.RETRAINING),
        ("2.0.1", "2.0.0-rc.1", ChangeKind.DEPENDENCY),
        ("1.4.3+build.9", "1.4.2", ChangeKind.DEPENDENCY),
    ],
)
def test_check_version_accepts(version: str, parent: str | None, kind: ChangeKind) -> None:
    """Matching bumps, gaps left by siblings, pre-releases and their releases are accepted."""
    check_version(version, parent, kind)


@pytest.mark.parametrize(
    ("version", "parent", "kind", "expected"),
    [
        ("1.5.0", "1.4.2", ChangeKind.CONFIGURATION, "version 1.5.0 is a minor bump"),
        ("2.0.0", "1.4.2", ChangeKind.RETRAINING, "version 2.0.0 is a major bump"),
        ("1.4.3", "1.4.2", ChangeKind.ARCHITECTURE, "version 1.4.3 is a patch bump"),
        ("1.4.2", "1.4.2", ChangeKind.THRESHOLD, "version 1.4.2 is not above its parent"),
        ("1.3.0", "1.4.2", ChangeKind.RETRAINING, "version 1.3.0 is not above its parent"),
        ("1.4.2-rc.1", "1.4.2", ChangeKind.THRESHOLD, "is not above its parent"),
        ("1.4.2+b2", "1.4.2+b1", ChangeKind.DEPENDENCY, "differs only in build metadata"),
        ("1.5.3", "1.4.2", ChangeKind.RETRAINING, "does not reset the components below minor"),
        ("2.1.0", "1.4.2", ChangeKind.ARCHITECTURE, "does not reset the components below major"),
        ("2.0.0-rc.1", "2.0.0-rc.2", ChangeKind.RETRAINING, "is not above its parent"),
    ],
)
def test_check_version_refuses_with_one_line(version: str, parent: str, kind: ChangeKind, expected: str) -> None:
    """Refusals name the version, parent, kind, expected bump and the proposal, on one line."""
    with pytest.raises(RuleError) as caught:
        check_version(version, parent, kind)
    message = caught.value.message
    assert expected in message
    assert f"parent {parent}" in message
    assert f"change kind '{kind}'" in message
    assert f"needs a {kind.bump} bump" in message
    assert f"(proposed: {propose_next(parent, kind)})" in message
    assert "\n" not in message


def test_check_version_message_example() -> None:
    """The full refusal reads as one sentence an operator can act on."""
    with pytest.raises(RuleError) as caught:
        check_version("1.5.0", "1.4.0", ChangeKind.CONFIGURATION)
    assert caught.value.message == (
        "version 1.5.0 is a minor bump: change kind 'configuration' after parent 1.4.0 "
        "needs a patch bump (proposed: 1.4.1)"
    )


def test_check_version_refuses_initial_with_parent() -> None:
    """An initial version cannot declare a parent."""
    with pytest.raises(RuleError, match=r"version 2\.0\.0 has change kind 'initial' but parent 1\.4\.0"):
        check_version("2.0.0", "1.4.0", ChangeKind.INITIAL)


def test_check_version_refuses_bump_without_parent() -> None:
    """A non-initial version needs a parent, and the message proposes the initial path."""
    with pytest.raises(RuleError) as caught:
        check_version("1.2.0", None, ChangeKind.RETRAINING)
    message = caught.value.message
    assert "version 1.2.0 has change kind 'retraining' (minor bump) but no parent" in message
    assert "proposed: 1.0.0" in message


def test_check_version_refuses_invalid_text_as_input_error() -> None:
    """Malformed version or parent text is bad input, not a rule refusal."""
    with pytest.raises(InputError, match="invalid version 'v2'"):
        check_version("v2", "1.0.0", ChangeKind.ARCHITECTURE)
    with pytest.raises(InputError, match="invalid version '1.0'"):
        check_version("2.0.0", "1.0", ChangeKind.ARCHITECTURE)
