"""The `kind: providers` manifest: feed configuration, provider versions and their qualification checks.

```yaml
kind: providers
feeds:
  - provider: openai                  # the provider name pins use
    url: https://api.openai.com/v1/models
    format: openai                    # regtui | openai | anthropic
    api_key_env: OPENAI_API_KEY       # the NAME of an environment variable, never a key (optional)
    aliases: [chatgpt-4o-latest]      # ids to treat as aliases besides the built-in rules (optional)
    include: ["gpt-*"]                # globs of ids to follow (optional; default all)
versions:
  - provider: openai
    version: gpt-4.1-2025-04-14
    model: gpt-4.1                    # optional: the id without its date suffix
    released: 2025-04-14              # change date
    impact: "..."                     # impact assessment
    notes: "..."
    deprecated: 2026-11-20            # optional deprecation notice
    retires: 2027-01-06
    checks:
      - {check: regression, result: pass, evidence: {kind: link, value: "https://..."},
         recorded_by: carol, recorded_at: 2025-05-02T10:00:00Z}
```
Exports add the bookkeeping fields (etag, last_modified, fetched_at, updated_by/at, alias_of,
deprecation_note, first_seen_at, recorded_by) so an import restores the registry exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from regtui.domain.entry import utc_iso
from regtui.domain.limits import length_problem
from regtui.domain.providers import (
    CheckName,
    Evidence,
    EvidenceKind,
    FeedConfig,
    FeedFormat,
    ProviderVersion,
    QualificationCheck,
    check_env_var_name,
    family_of,
    parse_moment,
)
from regtui.domain.text import clean_data
from regtui.errors import InputError

FEED_KEYS = {
    "provider",
    "url",
    "format",
    "api_key_env",
    "aliases",
    "include",
    "etag",
    "last_modified",
    "fetched_at",
    "updated_by",
    "updated_at",
}
VERSION_KEYS = {
    "provider",
    "version",
    "model",
    "released",
    "impact",
    "notes",
    "alias_of",
    "deprecated",
    "retires",
    "deprecation_note",
    "first_seen_at",
    "recorded_by",
    "checks",
}
CHECK_KEYS = {"check", "result", "evidence", "recorded_by", "recorded_at"}
RESULTS = {"pass": True, "fail": False}


@dataclass(frozen=True)
class ProvidersManifest:
    """A parsed providers file: feeds and versions (each with its checks)."""

    feeds: tuple[FeedConfig, ...] = ()
    versions: tuple[ProviderVersion, ...] = ()


class _Fields:
    """Typed access to one mapping, with errors naming the file and the field."""

    def __init__(self, source: str, where: str, raw: Any, allowed: set[str], required: tuple[str, ...]) -> None:
        self.source, self.where = source, where
        if not isinstance(raw, Mapping):
            raise self.fail("", f"expected a mapping, got {type(raw).__name__}")
        self.item = {str(k): v for k, v in raw.items()}
        unknown = sorted(set(self.item) - allowed)
        if unknown:
            raise self.fail("", f"unknown field(s) {', '.join(unknown)}")
        missing = [key for key in required if self.item.get(key) in (None, "")]
        if missing:
            raise self.fail("", f"missing required field(s) {', '.join(missing)}")

    def fail(self, key: str, problem: str) -> InputError:
        """The one-line error for a bad value."""
        return InputError(f"{self.source}: {self.where}{'.' + key if key else ''}: {problem}")

    def text(self, key: str, default: str = "") -> str:
        """A text field (absent: the default)."""
        value = self.item.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(key, f"expected text, got {type(value).__name__}")
        return self.within(key, str(value))

    def within(self, key: str, text: str) -> str:
        """The text, refused naming the field when it is over its limit (regtui/domain/limits.py)."""
        problem = length_problem(key, text)
        if problem is not None:
            raise self.fail(key, problem)
        return text

    def optional(self, key: str) -> str | None:
        """A text field that may be absent or null."""
        return self.text(key) or None

    def moment(self, key: str) -> datetime | None:
        """An ISO 8601 date or date-time that may be absent."""
        value = self.item.get(key)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            value = value.isoformat()
        return parse_moment(str(value), f"{self.source}: {self.where}.{key}")

    def names(self, key: str) -> tuple[str, ...]:
        """A list of text values."""
        value = self.item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "expected a list of text values")
        return tuple(self.within(key, v) for v in value)

    def choice(self, key: str, enum: Any) -> Any:
        """A value from a fixed set."""
        try:
            return enum(self.text(key))
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise self.fail(key, f"{self.text(key)!r} is not one of {allowed}") from None


def parse_providers_manifest(document: Mapping[str, Any], *, source: str) -> ProvidersManifest:
    """Validate a providers document (dates become aware UTC; all text is cleaned)."""
    top = _Fields(source, "providers", clean_data(dict(document)), {"kind", "feeds", "versions"}, ())
    feeds = [_feed(source, i, raw) for i, raw in enumerate(_list(top, "feeds"))]
    versions = [_version(source, i, raw) for i, raw in enumerate(_list(top, "versions"))]
    _refuse_duplicates(top, "feeds", [f.provider for f in feeds])
    _refuse_duplicates(top, "versions", [f"{v.provider} {v.version}" for v in versions])
    return ProvidersManifest(feeds=tuple(feeds), versions=tuple(versions))


def _list(fields: _Fields, key: str) -> list[Any]:
    """A list field (absent: empty)."""
    value = fields.item.get(key) or []
    if not isinstance(value, list):
        raise fields.fail(key, f"expected a list, got {type(value).__name__}")
    return value


def _refuse_duplicates(fields: _Fields, key: str, names: list[str]) -> None:
    """Each feed and each provider version appears once."""
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise fields.fail(key, f"listed twice: {', '.join(repeated)}")


def _feed(source: str, index: int, raw: Any) -> FeedConfig:
    """One feeds[] item."""
    item = _Fields(source, f"feeds[{index}]", raw, FEED_KEYS, ("provider", "url", "format"))
    key_env = item.optional("api_key_env")
    if key_env is not None:
        try:
            check_env_var_name(key_env)
        except InputError as exc:
            raise item.fail("api_key_env", exc.message) from None
    return FeedConfig(
        provider=item.text("provider"),
        url=item.text("url"),
        format=item.choice("format", FeedFormat),
        api_key_env=key_env,
        aliases=item.names("aliases"),
        include=item.names("include"),
        etag=item.optional("etag"),
        last_modified=item.optional("last_modified"),
        fetched_at=item.moment("fetched_at"),
        updated_by=item.text("updated_by"),
        updated_at=item.moment("updated_at"),
    )


def _version(source: str, index: int, raw: Any) -> ProviderVersion:
    """One versions[] item with its checks."""
    where = f"versions[{index}]"
    item = _Fields(source, where, raw, VERSION_KEYS, ("provider", "version"))
    provider, version = item.text("provider"), item.text("version")
    checks = tuple(
        _check(source, f"{where}.checks[{i}]", raw_check, provider, version)
        for i, raw_check in enumerate(_list(item, "checks"))
    )
    return ProviderVersion(
        provider=provider,
        version=version,
        model=item.text("model") or family_of(version),
        released_at=item.moment("released"),
        impact=item.text("impact"),
        notes=item.text("notes"),
        alias_of=item.optional("alias_of"),
        deprecated_at=item.moment("deprecated"),
        retires_at=item.moment("retires"),
        deprecation_note=item.text("deprecation_note"),
        first_seen_at=item.moment("first_seen_at"),
        recorded_by=item.text("recorded_by"),
        checks=checks,
    )


def _check(source: str, where: str, raw: Any, provider: str, version: str) -> QualificationCheck:
    """One recorded check."""
    item = _Fields(source, where, raw, CHECK_KEYS, ("check", "result", "evidence", "recorded_by", "recorded_at"))
    result = item.text("result")
    if result not in RESULTS:
        raise item.fail("result", f"{result!r} is not pass or fail")
    evidence = _Fields(
        source, f"{where}.evidence", item.item["evidence"], {"kind", "value", "sha256", "size"}, ("kind", "value")
    )
    size = evidence.item.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise evidence.fail("size", f"expected a byte count, got {size!r}")
    recorded_at = item.moment("recorded_at")
    assert recorded_at is not None  # required above
    return QualificationCheck(
        provider=provider,
        version=version,
        check=item.choice("check", CheckName),
        passed=RESULTS[result],
        evidence=Evidence(
            evidence.choice("kind", EvidenceKind), evidence.text("value"), evidence.optional("sha256"), size
        ),
        recorded_by=item.text("recorded_by"),
        recorded_at=recorded_at,
    )


def providers_document(manifest: ProvidersManifest) -> dict[str, Any]:
    """The YAML-ready document, the inverse of parse_providers_manifest."""
    return {
        "kind": "providers",
        "feeds": [
            {
                "provider": f.provider,
                "url": f.url,
                "format": f.format.value,
                "api_key_env": f.api_key_env,
                "aliases": list(f.aliases),
                "include": list(f.include),
                "etag": f.etag,
                "last_modified": f.last_modified,
                "fetched_at": _iso(f.fetched_at),
                "updated_by": f.updated_by,
                "updated_at": _iso(f.updated_at),
            }
            for f in manifest.feeds
        ],
        "versions": [_version_document(v) for v in manifest.versions],
    }


def _version_document(v: ProviderVersion) -> dict[str, Any]:
    """One provider version with its checks."""
    return {
        "provider": v.provider,
        "version": v.version,
        "model": v.model,
        "released": _iso(v.released_at),
        "impact": v.impact,
        "notes": v.notes,
        "alias_of": v.alias_of,
        "deprecated": _iso(v.deprecated_at),
        "retires": _iso(v.retires_at),
        "deprecation_note": v.deprecation_note,
        "first_seen_at": _iso(v.first_seen_at),
        "recorded_by": v.recorded_by,
        "checks": [
            {
                "check": c.check.value,
                "result": "pass" if c.passed else "fail",
                "evidence": {
                    "kind": c.evidence.kind.value,
                    "value": c.evidence.value,
                    "sha256": c.evidence.sha256,
                    "size": c.evidence.size,
                },
                "recorded_by": c.recorded_by,
                "recorded_at": utc_iso(c.recorded_at),
            }
            for c in v.checks
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    """A timestamp as exported (UTC, Z suffix) or None."""
    return utc_iso(moment) if moment is not None else None
