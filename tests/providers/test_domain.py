"""Pure provider rules: qualification status, aliases, pin status, countdowns, feed parsing and diffing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from regtui.domain.entry import ProviderPin
from regtui.domain.feeds import (
    ANNOUNCED,
    DISAPPEARED,
    FeedSnapshot,
    FeedVersion,
    MalformedFeedError,
    diff_feed,
    parse_feed,
)
from regtui.domain.provider_manifest import parse_providers_manifest, providers_document
from regtui.domain.providers import (
    CheckName,
    Evidence,
    EvidenceKind,
    FeedFormat,
    ProviderVersion,
    Qualification,
    QualificationCheck,
    days_left,
    family_of,
    is_alias,
    provider_pin_status,
    qualification_status,
    with_aliases,
)
from regtui.errors import InputError
from tests.providers.feed_server import FIXTURES

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
NOTE = Evidence(EvidenceKind.NOTE, "looked fine")


def _check(check: CheckName, passed: bool, minutes: int = 0) -> QualificationCheck:
    """A check record at NOW + minutes."""
    return QualificationCheck(
        "openai", "gpt-5-2025-08-07", check, passed, NOTE, "carol", NOW + timedelta(minutes=minutes)
    )


def _version(version: str, **fields: object) -> ProviderVersion:
    """A stored openai version."""
    return ProviderVersion(provider="openai", model=family_of(version), version=version, released_at=None, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("checks", "status"),
    [
        ([], Qualification.UNQUALIFIED),
        ([_check(CheckName.REGRESSION, True)], Qualification.UNDER_EVALUATION),
        ([_check(c, True) for c in CheckName], Qualification.QUALIFIED),
        ([*(_check(c, True) for c in CheckName), _check(CheckName.SAFETY, False, 5)], Qualification.REJECTED),
        ([_check(CheckName.SAFETY, False), *(_check(c, True, 5) for c in CheckName)], Qualification.QUALIFIED),
        ([_check(CheckName.REGRESSION, True), _check(CheckName.COST_LATENCY, False)], Qualification.REJECTED),
    ],
)
def test_status_is_derived_from_the_latest_record_of_each_check(
    checks: list[QualificationCheck], status: Qualification
) -> None:
    """All four pass: qualified; any latest fails: rejected; some recorded: under evaluation; none: unqualified."""
    assert qualification_status(checks) is status


@pytest.mark.parametrize(
    ("version", "kwargs", "alias"),
    [
        ("latest", {}, True),
        ("claude-3-5-sonnet-latest", {}, True),
        ("gpt-4o", {"known_ids": ["gpt-4o-2024-08-06", "gpt-4o"]}, True),
        ("gpt-4o", {"known_ids": ["gpt-4o"]}, False),
        ("text-embedding-3-small", {"known_ids": ["gpt-4o-2024-08-06"]}, False),
        ("claude-sonnet-4-5", {"known_ids": ["claude-sonnet-4-5-20250929"]}, True),
        ("gpt-4o-2024-08-06", {"known_ids": ["gpt-4o"]}, False),
        ("acme-v2", {"alias_of": "acme-v2-2025-01-01"}, True),
        ("stable", {"configured": ["stable"]}, True),
    ],
)
def test_alias_rules(version: str, kwargs: dict[str, object], alias: bool) -> None:
    """Feed marks, configured names, *-latest, and bare family names next to dated snapshots are aliases."""
    assert is_alias(version, **kwargs) is alias  # type: ignore[arg-type]


def test_family_strips_a_date_suffix_in_either_style() -> None:
    """-YYYY-MM-DD and -YYYYMMDD suffixes are dates; other suffixes belong to the family."""
    assert family_of("gpt-4o-2024-08-06") == "gpt-4o"
    assert family_of("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert family_of("gpt-4.1-mini") == "gpt-4.1-mini"


def test_pin_status_of_known_unknown_alias_and_retiring_versions() -> None:
    """A known qualified exact version is qualified; unknown is not; an alias never is; retirement is passed on."""
    retires = NOW + timedelta(days=40)
    known = with_aliases(
        [
            _version("gpt-4o-2024-08-06", checks=tuple(_check(c, True) for c in CheckName), retires_at=retires),
            _version("gpt-4o", checks=tuple(_check(c, True) for c in CheckName)),
        ]
    )
    exact = provider_pin_status(ProviderPin("openai", "gpt-4o", "gpt-4o-2024-08-06"), known)
    assert (exact.alias, exact.qualified, exact.retires_at) == (False, True, retires)
    alias = provider_pin_status(ProviderPin("openai", "gpt-4o", "gpt-4o"), known)
    assert (alias.alias, alias.qualified) == (True, False)
    unknown = provider_pin_status(ProviderPin("openai", "gpt-4o", "gpt-4o-2099-01-01"), known)
    assert (unknown.alias, unknown.qualified, unknown.retires_at) == (False, False, None)
    other = provider_pin_status(ProviderPin("azure", "gpt-4o", "gpt-4o-2024-08-06"), known)
    assert not other.qualified


def test_days_left_counts_whole_days_and_goes_negative_after_retirement() -> None:
    """Floor of the remaining days; None without a date."""
    assert days_left(NOW + timedelta(days=40, hours=1), NOW) == 40
    assert days_left(NOW - timedelta(hours=1), NOW) == -1
    assert days_left(None, NOW) is None


def test_each_fixture_format_parses() -> None:
    """The fixture feeds parse into versions with families, change dates, notes and deprecations."""
    openai = parse_feed((FIXTURES / "openai-models.json").read_bytes(), FeedFormat.OPENAI, "openai")
    first = openai.versions[0]
    assert (first.version, first.model, first.released_at) == (
        "gpt-4o-2024-08-06",
        "gpt-4o",
        datetime(2024, 8, 4, 23, 38, 39, tzinfo=UTC),
    )
    anthropic = parse_feed((FIXTURES / "anthropic-models.json").read_bytes(), FeedFormat.ANTHROPIC, "anthropic")
    assert anthropic.complete and anthropic.versions[1].notes == "Claude Sonnet 4.5"
    acme = parse_feed((FIXTURES / "regtui-changelog.json").read_bytes(), FeedFormat.REGTUI, "acme")
    retiring = acme.versions[0]
    assert retiring.retires_at == datetime(2027, 1, 31, tzinfo=UTC) and retiring.impact.startswith("Superseded")
    assert acme.versions[2].alias_of == "acme-chat-2025-09-15"


@pytest.mark.parametrize(
    ("body", "fmt", "message"),
    [
        (b"<html>oops</html>", FeedFormat.OPENAI, "not UTF-8 JSON"),
        (b"\xff\xfe", FeedFormat.OPENAI, "not UTF-8 JSON"),
        (b"[]", FeedFormat.OPENAI, "expected a JSON object, got list"),
        (b'{"data": {}}', FeedFormat.OPENAI, "data: expected a list, got dict"),
        (b'{"data": [{"id": ""}]}', FeedFormat.OPENAI, "data[0].id: expected non-empty text"),
        (
            b'{"data": [{"id": "x", "created": "yesterday"}]}',
            FeedFormat.OPENAI,
            "data[0].created: expected unix seconds",
        ),
        (b'{"data": [{"id": "x", "created_at": "soon"}]}', FeedFormat.ANTHROPIC, "is not an ISO 8601 date"),
        (b'{"provider": "other", "versions": []}', FeedFormat.REGTUI, "changelog of provider 'other', not 'acme'"),
        (
            json.dumps({"provider": "acme", "versions": [{"id": "x" * 201}]}).encode(),
            FeedFormat.REGTUI,
            "longer than 200 characters",
        ),
    ],
)
def test_malformed_bodies_are_refused_in_one_line(body: bytes, fmt: FeedFormat, message: str) -> None:
    """Anything that is not what the format promises is a MalformedFeedError naming the problem."""
    with pytest.raises(
        MalformedFeedError, match="^malformed feed: .*" + message.replace("[", r"\[").replace("(", r"\(")
    ):
        parse_feed(body, fmt, "acme")


def test_hostile_text_is_cleaned_but_markup_stays_literal() -> None:
    """Control characters become visible symbols; Rich markup is kept as plain text."""
    hostile = parse_feed((FIXTURES / "hostile-changelog.json").read_bytes(), FeedFormat.REGTUI, "hostile")
    markup, escape = hostile.versions
    assert markup.version == "[bold]x[/]" and markup.impact == "[red]not red[/red]\u2407"
    assert "\u202e" not in markup.notes and markup.notes.startswith("line one\nline two")
    assert escape.version == "evil\u241b[2J-2025-02-02" and escape.model == "evil\u241b[2J"
    every = [v.version + v.model + v.impact + v.notes for v in hostile.versions]
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) < 0xA0 for text in every for c in text)


def test_diff_finds_new_versions_announced_deprecations_disappearances_and_relisting() -> None:
    """New ids, a changed announcement, an id no longer listed, and one listed again after disappearing."""
    retires = datetime(2027, 1, 6, tzinfo=UTC)
    stored = [
        _version("gpt-4o-2024-05-13"),
        _version("gpt-4o-2024-08-06"),
        _version("gpt-4.1-2025-04-14", deprecated_at=NOW, retires_at=retires, deprecation_note=ANNOUNCED),
        _version("gpt-4-0613", deprecated_at=NOW, deprecation_note=DISAPPEARED),
    ]
    snapshot = FeedSnapshot(
        (
            FeedVersion("gpt-4o-2024-08-06", "gpt-4o", deprecated_at=NOW, retires_at=retires),
            FeedVersion("gpt-4.1-2025-04-14", "gpt-4.1", retires_at=retires),
            FeedVersion("gpt-4-0613", "gpt-4-0613"),
            FeedVersion("gpt-5-2025-08-07", "gpt-5"),
        )
    )
    changes = diff_feed(stored, snapshot, NOW)
    assert [v.version for v in changes.new] == ["gpt-5-2025-08-07"]
    assert changes.relisted == ("gpt-4-0613",)
    assert [(n.version, n.note) for n in changes.deprecations] == [
        ("gpt-4o-2024-08-06", ANNOUNCED),
        ("gpt-4o-2024-05-13", DISAPPEARED),
    ]
    assert diff_feed(stored, replace(snapshot, complete=False), NOW).deprecations[-1].version == "gpt-4o-2024-08-06"
    assert diff_feed(stored, snapshot, NOW, include=["gpt-5*"]).deprecations == ()


def test_providers_manifest_round_trips_and_refuses_a_pasted_key() -> None:
    """parse(document(m)) == m; an api_key_env that is not a variable name is refused naming the field."""
    manifest = parse_providers_manifest(
        {
            "kind": "providers",
            "feeds": [
                {
                    "provider": "openai",
                    "url": "https://api.openai.com/v1/models",
                    "format": "openai",
                    "api_key_env": "OPENAI_API_KEY",
                }
            ],
            "versions": [
                {
                    "provider": "openai",
                    "version": "gpt-4o-2024-08-06",
                    "released": "2024-08-06",
                    "checks": [
                        {
                            "check": "safety",
                            "result": "fail",
                            "recorded_by": "carol",
                            "recorded_at": "2024-08-28T16:20:00Z",
                            "evidence": {"kind": "link", "value": "https://wiki.example.com/s"},
                        }
                    ],
                }
            ],
        },
        source="p.yaml",
    )
    assert manifest.versions[0].model == "gpt-4o" and manifest.versions[0].status is Qualification.REJECTED
    assert parse_providers_manifest(providers_document(manifest), source="again") == manifest
    with pytest.raises(InputError, match=r"^p.yaml: feeds\[0\].api_key_env: must be the NAME of an environment"):
        parse_providers_manifest(
            {
                "kind": "providers",
                "feeds": [
                    {"provider": "openai", "url": "https://x", "format": "openai", "api_key_env": "sk-proj-abc123"}
                ],
            },
            source="p.yaml",
        )
