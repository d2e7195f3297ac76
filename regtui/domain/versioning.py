"""Semantic versioning adapted to ML: propose the next version and check a declared bump against its change kind.

Rules (the governance standard's "Versions" section):
- Major = architecture / model type / approach; minor = retraining / hyperparameters / prompt;
  patch = configuration / threshold / dependency (``ChangeKind.bump``).
- An initial version has no parent and may be any valid version (1.0.0 is proposed); every other
  version has a parent and must be strictly above it.
- The bump level is the highest of major/minor/patch that differs from the parent. It must equal the
  change kind's level, and the components below it must be reset to 0 (1.4.2 -> 1.5.0, not 1.5.3).
  Gaps are allowed (1.4.0 -> 1.6.0) because siblings in the lineage may already hold 1.5.0.
- Pre-releases: 2.0.0-rc.1 after 1.4.0 is a major bump like 2.0.0. When the parent is a pre-release,
  a version with the same MAJOR.MINOR.PATCH core (its release 2.0.0, or a later candidate 2.0.0-rc.2)
  is accepted for any change kind: it is that candidate's release or its next iteration.
- Build metadata (+build.5) never orders versions, so a version differing only in it is not above.
"""

from __future__ import annotations

import semver

from regtui.domain.entry import Bump, ChangeKind
from regtui.domain.text import clean_single_line
from regtui.errors import InputError, RuleError

INITIAL_VERSION = "1.0.0"
_LEVELS: tuple[Bump, ...] = (Bump.MAJOR, Bump.MINOR, Bump.PATCH)
RELEASE_MARK = "~"
"""Ends a release's precedence key: above every pre-release mark, so a release follows its pre-releases."""
END_MARK = "!"
"""Ends a pre-release's identifiers (and each alphanumeric one): below every other mark and identifier character."""
NUMERIC_MARK = "#"
"""Starts a numeric pre-release identifier: below ALPHANUMERIC_MARK, so numeric identifiers come first."""
ALPHANUMERIC_MARK = "*"
"""Starts an alphanumeric pre-release identifier."""


def parse_version(text: str) -> semver.Version:
    """Parse MAJOR.MINOR.PATCH[-pre][+build] strictly, so every stored version orders correctly."""
    try:
        return semver.Version.parse(text)
    except (TypeError, ValueError):
        shown = clean_single_line(str(text))
        raise InputError(
            f"invalid version '{shown}': not semantic versioning (MAJOR.MINOR.PATCH, e.g. 2.1.0)"
        ) from None


def precedence_key(version: str | semver.Version) -> str:
    """A text key whose plain (binary) order is SemVer 2.0.0 precedence, for SQL ORDER BY and Python sorts alike.

    Each number is its digit count (two digits, fixed width) then its digits, so longer numbers sort higher and
    equal ones align; MAJOR.MINOR.PATCH, then RELEASE_MARK for a release, or each pre-release identifier (numeric:
    NUMERIC_MARK and its number; alphanumeric: ALPHANUMERIC_MARK, its ASCII text, END_MARK) and END_MARK, so a
    shorter run of identifiers sorts before a longer one with the same prefix. Build metadata is left out.
    """
    parsed = version if isinstance(version, semver.Version) else parse_version(version)
    core = "".join(_number_key(part) for part in (parsed.major, parsed.minor, parsed.patch))
    if not parsed.prerelease:
        return core + RELEASE_MARK
    return core + "".join(map(_identifier_key, parsed.prerelease.split("."))) + END_MARK


def _number_key(value: int | str) -> str:
    """A non-negative integer as its two-digit length and its digits (SemVer forbids leading zeros)."""
    digits = str(int(value))
    if len(digits) > 99:
        raise InputError(f"version number {digits[:20]}... has more than 99 digits")
    return f"{len(digits):02d}{digits}"


def _identifier_key(identifier: str) -> str:
    """One pre-release identifier's part of the key: numeric ones by value, below alphanumeric ones in ASCII order."""
    if identifier.isdigit():
        return NUMERIC_MARK + _number_key(identifier)
    return ALPHANUMERIC_MARK + identifier + END_MARK


def bump_level(parent: semver.Version, version: semver.Version) -> Bump | None:
    """The highest of major/minor/patch that differs between the two versions; None when the cores are equal."""
    for level in _LEVELS:
        if getattr(parent, level.value) != getattr(version, level.value):
            return level
    return None


def propose_next(parent: str | None, kind: ChangeKind) -> str:
    """The version an operator most likely wants next for this change kind, from the parent.

    Initial -> 1.0.0. Otherwise the parent's core is bumped at the kind's level (1.4.2 + retraining ->
    1.5.0). A pre-release parent is finalized instead when its release already sits at the kind's
    level: 2.0.0-rc.1 -> 2.0.0 for any kind, 2.1.0-rc.1 -> 2.1.0 for minor or patch kinds, and
    2.1.3-rc.1 -> 2.1.3 for patch kinds (but -> 2.2.0 for minor, -> 3.0.0 for major).
    """
    base = None if parent is None else parse_version(parent)
    _check_parent_presence(parent, kind)
    if base is None:
        return INITIAL_VERSION
    return str(_next_version(base, _level_of(kind)))


def check_version(version: str, parent: str | None, kind: ChangeKind) -> None:
    """Refuse a version that is not above its parent or whose bump does not match its change kind.

    A release or later candidate of a pre-release parent (2.0.0 or 2.0.0-rc.2 after 2.0.0-rc.1) is
    accepted for any change kind; see the module docstring for the full rules.
    """
    candidate = parse_version(version)
    base = None if parent is None else parse_version(parent)
    _check_parent_presence(parent, kind, version)
    if base is None:
        return
    level = _level_of(kind)
    if candidate.compare(base) <= 0:
        raise RuleError(_refusal(version, base, kind, _not_above_reason(candidate, base)))
    if base.prerelease and candidate.finalize_version() == base.finalize_version():
        return
    actual = bump_level(base, candidate)
    if actual != level:
        raise RuleError(_refusal(version, base, kind, f"is a {actual} bump"))
    if not _lower_components_reset(candidate, level):
        raise RuleError(_refusal(version, base, kind, f"does not reset the components below {level}"))


def _level_of(kind: ChangeKind) -> Bump:
    """The bump level of a non-initial change kind (callers have ruled out initial)."""
    level = kind.bump
    assert level is not None, "initial versions have no bump level"
    return level


def _check_parent_presence(parent: str | None, kind: ChangeKind, version: str | None = None) -> None:
    """An initial version has no parent; every other change kind needs one."""
    subject = f"version {version}" if version else "the next version"
    if kind is ChangeKind.INITIAL and parent is not None:
        raise RuleError(
            f"{subject} has change kind 'initial' but parent {parent}; "
            "an initial version has no parent (declare the change kind of the bump instead)"
        )
    if kind is not ChangeKind.INITIAL and parent is None:
        raise RuleError(
            f"{subject} has change kind '{kind}' ({kind.bump} bump) but no parent; "
            f"a first version declares change kind 'initial' (proposed: {INITIAL_VERSION})"
        )


def _next_version(parent: semver.Version, level: Bump) -> semver.Version:
    """Bump the parent's core at a level, or finalize a pre-release whose release is already at that level."""
    core = parent.finalize_version()
    if parent.prerelease and _lower_components_reset(core, level):
        return core
    return getattr(core, f"bump_{level.value}")()


def _lower_components_reset(version: semver.Version, level: Bump) -> bool:
    """True when every core component below the bump level is 0 (semver: bumping resets what follows)."""
    lower = _LEVELS[_LEVELS.index(level) + 1 :]
    return all(getattr(version, part.value) == 0 for part in lower)


def _not_above_reason(candidate: semver.Version, base: semver.Version) -> str:
    """Why a version is not above its parent, naming build metadata when that is the only difference."""
    if candidate.compare(base) == 0 and candidate.build != base.build:
        return "differs only in build metadata, which does not order versions"
    return "is not above its parent"


def _refusal(version: str, parent: semver.Version, kind: ChangeKind, reason: str) -> str:
    """One line: the version, what is wrong, the parent, the kind's expected bump and the proposal."""
    level = _level_of(kind)
    proposal = _next_version(parent, level)
    return (
        f"version {version} {reason}: change kind '{kind}' after parent {parent} "
        f"needs a {level} bump (proposed: {proposal})"
    )
