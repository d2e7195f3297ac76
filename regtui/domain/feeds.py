"""Provider changelog feeds: parse a fetched body (pure) and diff it against the stored versions.

Formats (FeedFormat):
- regtui: {"provider": P, "versions": [{"id", "model"?, "released"?, "deprecated"?, "retires"?,
  "impact"?, "notes"?, "alias_of"?}]} with ISO 8601 dates; documented in the README.
- openai: OpenAI-compatible `GET /v1/models`: {"data": [{"id", "created" (unix seconds)}]}.
- anthropic: Anthropic-style `GET /v1/models`: {"data": [{"id", "created_at" (ISO), "display_name"}],
  "has_more"}; a page with has_more true is partial, so nothing is inferred from what it does not list.

Every string is data: control characters are made visible (clean_text) and markup stays literal text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any

from regtui.domain.limits import FEED_ID_CHARS, FEED_TEXT_CHARS
from regtui.domain.providers import FeedFormat, ProviderVersion, family_of, parse_moment
from regtui.domain.text import clean_single_line, clean_text
from regtui.errors import InputError

MAX_VERSIONS = 10_000
MAX_ID_LENGTH = FEED_ID_CHARS
MAX_TEXT_LENGTH = FEED_TEXT_CHARS
ANNOUNCED = "announced by the feed"
DISAPPEARED = "no longer listed by the feed"


@dataclass(frozen=True)
class FeedVersion:
    """One version as a feed lists it."""

    version: str
    model: str
    released_at: datetime | None = None
    deprecated_at: datetime | None = None
    retires_at: datetime | None = None
    impact: str = ""
    notes: str = ""
    alias_of: str | None = None


@dataclass(frozen=True)
class FeedSnapshot:
    """What one fetch of a feed lists; `complete` is False for a partial page."""

    versions: tuple[FeedVersion, ...]
    complete: bool = True


@dataclass(frozen=True)
class DeprecationNotice:
    """A deprecation the feed announced, or a version the feed stopped listing."""

    version: str
    deprecated_at: datetime
    retires_at: datetime | None
    note: str


@dataclass(frozen=True)
class FeedChanges:
    """What a fetch changes: new versions, deprecation notices, versions listed again."""

    new: tuple[FeedVersion, ...] = ()
    deprecations: tuple[DeprecationNotice, ...] = ()
    relisted: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the fetch changes nothing."""
        return not (self.new or self.deprecations or self.relisted)


class MalformedFeedError(InputError):
    """A feed body that is not what its format promises."""

    title = "Malformed feed"


def parse_feed(body: bytes, fmt: FeedFormat, provider: str) -> FeedSnapshot:
    """Parse a fetched body in the given format (MalformedFeedError when it is not)."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedFeedError(
            f"malformed feed: not UTF-8 JSON ({type(exc).__name__} at byte {_position(exc)})"
        ) from None
    if not isinstance(document, dict):
        raise MalformedFeedError(f"malformed feed: expected a JSON object, got {type(document).__name__}")
    return _PARSERS[fmt](document, provider)


def _position(exc: Exception) -> int:
    """Where decoding failed."""
    return int(getattr(exc, "pos", None) or getattr(exc, "start", 0))


def _parse_regtui(document: dict[str, Any], provider: str) -> FeedSnapshot:
    """regtui's own changelog: provider name, versions with dates, impact and notes."""
    named = _text(document.get("provider"), "provider")
    if named != provider:
        raise MalformedFeedError(f"malformed feed: it is the changelog of provider {named!r}, not {provider!r}")
    items = _items(document, "versions")
    return FeedSnapshot(tuple(_unique(_regtui_version(item, f"versions[{i}]") for i, item in enumerate(items))))


def _regtui_version(item: Any, where: str) -> FeedVersion:
    """One versions[] entry of a regtui changelog."""
    item = _object(item, where)
    version = _version_id(item.get("id"), f"{where}.id")
    return FeedVersion(
        version=version,
        model=_optional_id(item.get("model"), f"{where}.model") or family_of(version),
        released_at=_optional_moment(item.get("released"), f"{where}.released"),
        deprecated_at=_optional_moment(item.get("deprecated"), f"{where}.deprecated"),
        retires_at=_optional_moment(item.get("retires"), f"{where}.retires"),
        impact=_optional_text(item.get("impact"), f"{where}.impact"),
        notes=_optional_text(item.get("notes"), f"{where}.notes"),
        alias_of=_optional_id(item.get("alias_of"), f"{where}.alias_of"),
    )


def _parse_openai(document: dict[str, Any], _provider: str) -> FeedSnapshot:
    """OpenAI-compatible model list: data[].id and data[].created (unix seconds)."""
    versions = []
    for index, item in enumerate(_items(document, "data")):
        item = _object(item, f"data[{index}]")
        version = _version_id(item.get("id"), f"data[{index}].id")
        versions.append(
            FeedVersion(version, family_of(version), _unix_time(item.get("created"), f"data[{index}].created"))
        )
    return FeedSnapshot(tuple(_unique(versions)))


def _parse_anthropic(document: dict[str, Any], _provider: str) -> FeedSnapshot:
    """Anthropic-style model list: data[].id, created_at (ISO) and display_name; has_more marks a partial page."""
    versions = []
    for index, item in enumerate(_items(document, "data")):
        where = f"data[{index}]"
        item = _object(item, where)
        version = _version_id(item.get("id"), f"{where}.id")
        versions.append(
            FeedVersion(
                version,
                family_of(version),
                _optional_moment(item.get("created_at"), f"{where}.created_at"),
                notes=_optional_text(item.get("display_name"), f"{where}.display_name"),
            )
        )
    has_more = document.get("has_more", False)
    if not isinstance(has_more, bool):
        raise MalformedFeedError("malformed feed: has_more: expected true or false")
    return FeedSnapshot(tuple(_unique(versions)), complete=not has_more)


_PARSERS: dict[FeedFormat, Callable[[dict[str, Any], str], FeedSnapshot]] = {
    FeedFormat.REGTUI: _parse_regtui,
    FeedFormat.OPENAI: _parse_openai,
    FeedFormat.ANTHROPIC: _parse_anthropic,
}


def _items(document: dict[str, Any], key: str) -> list[Any]:
    """The list under a key, bounded in length."""
    items = document.get(key)
    if not isinstance(items, list):
        raise MalformedFeedError(f"malformed feed: {key}: expected a list, got {type(items).__name__}")
    if len(items) > MAX_VERSIONS:
        raise MalformedFeedError(f"malformed feed: {key}: more than {MAX_VERSIONS} versions")
    return items


def _object(value: Any, where: str) -> dict[str, Any]:
    """A JSON object."""
    if not isinstance(value, dict):
        raise MalformedFeedError(f"malformed feed: {where}: expected an object, got {type(value).__name__}")
    return value


def _text(value: Any, where: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """A non-empty string, cleaned of control characters, within the length limit."""
    if not isinstance(value, str) or not value.strip():
        raise MalformedFeedError(f"malformed feed: {where}: expected non-empty text")
    if len(value) > limit:
        raise MalformedFeedError(f"malformed feed: {where}: longer than {limit} characters")
    return clean_text(value.strip())


def _optional_text(value: Any, where: str) -> str:
    """Text that may be absent or empty."""
    return "" if value is None or value == "" else _text(value, where)


def _version_id(value: Any, where: str) -> str:
    """A version or model id: one line of text."""
    return clean_single_line(_text(value, where, MAX_ID_LENGTH))


def _optional_id(value: Any, where: str) -> str | None:
    """An id that may be absent."""
    return None if value is None or value == "" else _version_id(value, where)


def _optional_moment(value: Any, where: str) -> datetime | None:
    """An ISO 8601 date or date-time that may be absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedFeedError(f"malformed feed: {where}: expected an ISO 8601 date")
    try:
        return parse_moment(value, where)
    except InputError as exc:
        raise MalformedFeedError(f"malformed feed: {clean_single_line(exc.message)}") from None


def _unix_time(value: Any, where: str) -> datetime | None:
    """Unix seconds that may be absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 2**37:
        raise MalformedFeedError(f"malformed feed: {where}: expected unix seconds")
    return datetime.fromtimestamp(value, tz=UTC)


def _unique(versions: Iterable[FeedVersion]) -> list[FeedVersion]:
    """Versions without repeated ids (the first listing wins)."""
    seen: dict[str, FeedVersion] = {}
    for version in versions:
        seen.setdefault(version.version, version)
    return list(seen.values())


def matches(version_id: str, include: Sequence[str]) -> bool:
    """Whether a version id passes a feed's include globs (no globs: everything)."""
    return not include or any(fnmatchcase(version_id, pattern) for pattern in include)


def filter_snapshot(snapshot: FeedSnapshot, include: Sequence[str]) -> FeedSnapshot:
    """Only the versions the include globs select."""
    return replace(snapshot, versions=tuple(v for v in snapshot.versions if matches(v.version, include)))


def diff_feed(
    stored: Sequence[ProviderVersion], snapshot: FeedSnapshot, now: datetime, include: Sequence[str] = ()
) -> FeedChanges:
    """New versions, deprecation notices (announced or no longer listed) and versions listed again."""
    by_id = {v.version: v for v in stored if matches(v.version, include)}
    new: list[FeedVersion] = []
    relisted: list[str] = []
    notices: list[DeprecationNotice] = []
    for listed in filter_snapshot(snapshot, include).versions:
        current = by_id.get(listed.version)
        state: tuple[datetime | None, datetime | None, str] = (None, None, "")
        if current is None:
            new.append(listed)
        elif current.deprecation_note == DISAPPEARED:
            relisted.append(listed.version)
        else:
            state = (current.deprecated_at, current.retires_at, current.deprecation_note)
        if listed.deprecated_at or listed.retires_at:
            target = (listed.deprecated_at or state[0] or now, listed.retires_at, ANNOUNCED)
            if target != state:
                notices.append(DeprecationNotice(listed.version, *target))
    if snapshot.complete:
        listed_ids = {v.version for v in snapshot.versions}
        notices += [
            DeprecationNotice(v.version, v.deprecated_at or now, v.retires_at, DISAPPEARED)
            for v in by_id.values()
            if v.version not in listed_ids and v.deprecation_note != DISAPPEARED
        ]
    return FeedChanges(tuple(new), tuple(notices), tuple(relisted))
