"""`regtui providers ACTION`: feeds, fetch, list, changelog, show, qualify, assess, pin, pins."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from regtui.cli.catalog import Configure, Handler
from regtui.cli.commands import fresh_read, split_ref
from regtui.cli.options import common_options
from regtui.cli.output import print_json, print_table, say, warn
from regtui.domain.entry import Stage
from regtui.domain.feeds import ANNOUNCED
from regtui.domain.provider_views import PinView
from regtui.domain.providers import (
    CheckName,
    FeedConfig,
    FeedFormat,
    ProviderVersion,
    Qualification,
    QualificationCheck,
    days_left,
    latest_checks,
)
from regtui.services import provider_reads
from regtui.services import providers as provider_services
from regtui.services.registry import RegistryService

CHECK_MARKS = {True: "✓", False: "✗", None: "·"}


def _configure(parser: argparse.ArgumentParser) -> None:
    """The sub-actions of `providers`, each accepting the common options."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, (help_text, configure, _run) in ACTIONS.items():
        configure(actions.add_parser(name, parents=[common_options()], help=help_text, description=help_text))


def cmd_providers(args: argparse.Namespace, service: RegistryService) -> int:
    """Run one `providers` sub-action."""
    return ACTIONS[args.action][2](args, service)


def _configure_add(parser: argparse.ArgumentParser) -> None:
    """Options of `providers add`."""
    parser.add_argument("provider", metavar="NAME", help="provider name, as pins spell it (openai, anthropic, ...)")
    parser.add_argument("--url", required=True, help="the changelog feed (http or https)")
    parser.add_argument("--format", required=True, choices=[f.value for f in FeedFormat])
    parser.add_argument("--api-key-env", metavar="VAR", help="NAME of the environment variable holding the API key")
    parser.add_argument("--alias", action="append", default=[], metavar="ID", help="an id to treat as an alias")
    parser.add_argument("--include", action="append", default=[], metavar="GLOB", help="only follow ids matching")


def cmd_add(args: argparse.Namespace, service: RegistryService) -> int:
    """Create or update a provider's feed configuration (admin)."""
    feed = FeedConfig(
        args.provider, args.url, FeedFormat(args.format), args.api_key_env, tuple(args.alias), tuple(args.include)
    )
    changed = provider_services.add_feed(service, feed)
    if args.json:
        print_json({"provider": feed.provider, "changed": changed})
    else:
        say(f"{feed.provider}: feed {'saved' if changed else 'unchanged'} ({feed.format.value} {feed.url})")
    return 0


def cmd_feeds(args: argparse.Namespace, service: RegistryService) -> int:
    """List configured feeds (the key variable's name, never a key)."""
    fresh_read(service, args)
    feeds = provider_reads.feeds(service)
    if args.json:
        print_json(feeds)
        return 0
    print_table(
        ["PROVIDER", "FORMAT", "KEY VARIABLE", "FETCHED", "URL"],
        [[f.provider, f.format.value, f.api_key_env, f.fetched_at, f.url] for f in feeds],
    )
    return 0


def _configure_fetch(parser: argparse.ArgumentParser) -> None:
    """Options of `providers fetch`."""
    parser.add_argument("names", nargs="*", metavar="NAME", help="providers to fetch (default: every feed)")


def cmd_fetch(args: argparse.Namespace, service: RegistryService) -> int:
    """Fetch feeds; each failure is one line on stderr and exit 2, the other feeds are still recorded."""
    results = provider_services.fetch_feeds(service, args.names or None)
    if args.json:
        print_json(results)
    else:
        for result in results:
            if not result.failed:
                say(f"{result.provider}: {_fetch_summary(result)}")
    for result in results:
        if result.error:
            warn(result.error)
    return 2 if any(result.failed for result in results) else 0


def _fetch_summary(result: provider_services.FeedResult) -> str:
    """'2 new (a, b); 1 deprecation notice (c)' or the status."""
    parts = [
        f"{len(ids)} {label} ({', '.join(ids)})"
        for label, ids in (
            ("new", result.new),
            ("deprecation notice(s)", result.deprecated),
            ("listed again", result.relisted),
        )
        if ids
    ]
    return "; ".join(parts) or result.status


def _configure_list(parser: argparse.ArgumentParser) -> None:
    """Options of `providers list`."""
    parser.add_argument("--provider", metavar="NAME")
    parser.add_argument(
        "--status", type=_status, metavar="STATUS", help="unqualified | under-evaluation | qualified | rejected"
    )


def _status(text: str) -> Qualification:
    """A qualification status (under-evaluation or 'under evaluation')."""
    try:
        return Qualification(text.replace("-", " "))
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown status {text!r}") from None


def cmd_list(args: argparse.Namespace, service: RegistryService) -> int:
    """Provider versions with qualification status, checks and retirement countdowns."""
    fresh_read(service, args)
    now = service.clock()
    versions = provider_reads.provider_versions(service, args.provider)
    if args.status is not None:
        versions = [v for v in versions if v.status is args.status]
    if args.json:
        print_json([_version_plain(v, now) for v in versions])
        return 0
    print_table(
        ["PROVIDER", "VERSION", "MODEL", "STATUS", "R S C A", "RELEASED", "RETIRES", "COUNTDOWN"],
        [
            [
                v.provider,
                v.version,
                v.model,
                _status_cell(v),
                _marks(v),
                _day(v.released_at),
                _day(v.retires_at),
                _countdown(v, now),
            ]
            for v in versions
        ],
    )
    return 0


def _version_plain(v: ProviderVersion, now: datetime) -> dict[str, Any]:
    """A provider version as JSON-ready fields, with its latest check results."""
    latest = {check.value: record for check, record in _latest(v).items()}
    return {
        "provider": v.provider,
        "model": v.model,
        "version": v.version,
        "status": v.status.value,
        "alias": v.alias,
        "alias_of": v.alias_of,
        "released_at": v.released_at,
        "impact": v.impact,
        "notes": v.notes,
        "deprecated_at": v.deprecated_at,
        "retires_at": v.retires_at,
        "deprecation_note": v.deprecation_note,
        "days_left": days_left(v.retires_at, now),
        "retired": v.retired(now),
        "checks": {
            name: None
            if c is None
            else {
                "passed": c.passed,
                "evidence": c.evidence,
                "recorded_by": c.recorded_by,
                "recorded_at": c.recorded_at,
            }
            for name, c in latest.items()
        },
    }


def _latest(v: ProviderVersion) -> dict[CheckName, QualificationCheck | None]:
    """The latest record of each of the four checks (None while not recorded), in check order."""
    latest = latest_checks(v.checks)
    return {check: latest.get(check) for check in CheckName}


def _marks(v: ProviderVersion) -> str:
    """✓ ✗ · for regression, safety, cost/latency, API compatibility."""
    return " ".join(CHECK_MARKS[None if record is None else record.passed] for record in _latest(v).values())


def _status_cell(v: ProviderVersion) -> str:
    """The status, marked when the id is an alias."""
    return f"{v.status.value} (alias)" if v.alias else v.status.value


def _day(moment: datetime | None) -> str:
    """A date as YYYY-MM-DD, or '-'."""
    return moment.date().isoformat() if moment else "-"


def _countdown(v: ProviderVersion, now: datetime) -> str:
    """'retires in 40d', 'retired 3d ago', 'deprecated' or '-'."""
    left = days_left(v.retires_at, now)
    if left is not None:
        return f"retired {-left}d ago" if v.retired(now) else f"retires in {left}d"
    return "deprecated" if v.deprecated else "-"


def _configure_changelog(parser: argparse.ArgumentParser) -> None:
    """Options of `providers changelog`."""
    parser.add_argument("--provider", metavar="NAME")


def cmd_changelog(args: argparse.Namespace, service: RegistryService) -> int:
    """The standard's change log: provider model, version, change date, impact assessment, qualification status."""
    fresh_read(service, args)
    entries = provider_reads.changelog(service, args.provider)
    if args.json:
        print_json(entries)
        return 0
    print_table(
        ["PROVIDER MODEL", "VERSION", "CHANGE DATE", "QUALIFICATION", "IMPACT ASSESSMENT"],
        [
            [
                f"{e.provider} {e.model}",
                e.version,
                _day(e.changed_at),
                f"{e.status.value} (alias)" if e.alias else e.status.value,
                e.impact or "-",
            ]
            for e in entries
        ],
    )
    return 0


def _configure_version(parser: argparse.ArgumentParser) -> None:
    """PROVIDER VERSION arguments."""
    parser.add_argument("provider", metavar="PROVIDER")
    parser.add_argument("version", metavar="VERSION")


def cmd_show(args: argparse.Namespace, service: RegistryService) -> int:
    """One provider version with its qualification matrix and check history."""
    fresh_read(service, args)
    now = service.clock()
    version, matrix = provider_reads.provider_version(service, args.provider, args.version)
    if args.json:
        print_json({**_version_plain(version, now), "history": [c for cell in matrix for c in cell.history]})
        return 0
    for label, value in (
        ("provider", version.provider),
        ("model", version.model),
        ("version", version.version),
        ("status", _status_cell(version)),
        ("released", _day(version.released_at)),
        ("impact", version.impact or "-"),
        ("notes", version.notes or "-"),
        ("deprecation", _deprecation_text(version, now)),
    ):
        say(f"{label}: {value}")
    print_table(
        ["CHECK", "RESULT", "EVIDENCE", "RECORDED BY", "AT"],
        [
            [
                cell.check.label,
                _result(cell.latest),
                cell.latest.evidence.describe() if cell.latest else "-",
                cell.latest.recorded_by if cell.latest else "-",
                cell.latest.recorded_at if cell.latest else None,
            ]
            for cell in matrix
        ],
    )
    return 0


def _result(record: Any) -> str:
    """pass, fail or 'not recorded'."""
    return "not recorded" if record is None else ("pass" if record.passed else "fail")


def _deprecation_text(v: ProviderVersion, now: datetime) -> str:
    """'deprecated 2026-11-20 (announced by the feed); retires in 40d' or '-'."""
    if not v.deprecated:
        return "-"
    note = v.deprecation_note or ANNOUNCED
    return f"deprecated {_day(v.deprecated_at)} ({note}); {_countdown(v, now)}"


def _configure_qualify(parser: argparse.ArgumentParser) -> None:
    """Options of `providers qualify`."""
    _configure_version(parser)
    parser.add_argument("--check", required=True, choices=[c.value for c in CheckName])
    result = parser.add_mutually_exclusive_group(required=True)
    result.add_argument("--pass", dest="passed", action="store_true", help="the check passed")
    result.add_argument("--fail", dest="failed", action="store_true", help="the check failed")
    parser.add_argument(
        "--evidence", required=True, metavar="FILE|URL|NOTE", help="a report file (hashed), a link, or a note"
    )


def cmd_qualify(args: argparse.Namespace, service: RegistryService) -> int:
    """Record one qualification check with its evidence (reviewer role)."""
    evidence = provider_services.evidence_of(args.evidence)
    check = CheckName(args.check)
    status = provider_services.qualify(service, args.provider, args.version, check, args.passed, evidence)
    if args.json:
        print_json(
            {
                "provider": args.provider,
                "version": args.version,
                "check": check.value,
                "passed": args.passed,
                "evidence": evidence,
                "status": status.value,
            }
        )
    else:
        say(
            f"{args.provider} {args.version}: {check.label} {'pass' if args.passed else 'fail'} recorded "
            f"({evidence.describe()}); status: {status.value}"
        )
    return 0


def _configure_assess(parser: argparse.ArgumentParser) -> None:
    """Options of `providers assess`."""
    _configure_version(parser)
    parser.add_argument("--impact", required=True, help="the impact assessment")
    parser.add_argument("--notes", help="notes (replace the current ones)")


def cmd_assess(args: argparse.Namespace, service: RegistryService) -> int:
    """Record a provider version's impact assessment (reviewer role)."""
    changed = provider_services.assess_version(service, args.provider, args.version, args.impact, args.notes)
    if args.json:
        print_json({"provider": args.provider, "version": args.version, "changed": changed})
    else:
        say(f"{args.provider} {args.version}: impact assessment {'recorded' if changed else 'unchanged'}")
    return 0


def _configure_pin(parser: argparse.ArgumentParser) -> None:
    """Options of `providers pin`."""
    parser.add_argument("ref", metavar="MODEL@VERSION", help="the version to derive the new one from")
    parser.add_argument("--provider-version", required=True, metavar="ID", help="the exact provider version to pin")
    parser.add_argument("--provider", metavar="NAME", help="the provider (default: the current pin's)")
    parser.add_argument("--version", dest="new_version", metavar="VERSION", help="the new version (default: proposed)")


def cmd_pin(args: argparse.Namespace, service: RegistryService) -> int:
    """Register a new patch version (change kind dependency) that pins another provider version."""
    model, version = split_ref(args.ref)
    outcome = provider_services.pin(
        service, model, version, args.provider_version, provider=args.provider, new_version=args.new_version
    )
    if args.json:
        print_json(outcome)
    else:
        say(
            f"registered {outcome.ref} in Development (dependency, parent {outcome.parent}) pinning "
            f"{outcome.pin.provider} {outcome.pin.version} ({outcome.status.value})"
        )
    return 0


def _configure_pins(parser: argparse.ArgumentParser) -> None:
    """Options of `providers pins`."""
    parser.add_argument("--all", action="store_true", help="every stage, not only Staging, Canary and Production")


def cmd_pins(args: argparse.Namespace, service: RegistryService) -> int:
    """Which in-house versions pin which provider versions, with what the gates would say."""
    fresh_read(service, args)
    now = service.clock()
    views = provider_reads.pinned_versions(service, now, tuple(Stage) if args.all else provider_reads.LIVE_STAGES)
    if args.json:
        print_json([_pin_plain(v) for v in views])
        return 0
    print_table(
        ["VERSION", "STAGE", "PROVIDER", "PROVIDER VERSION", "STATUS", "COUNTDOWN", "GATES"],
        [
            [
                f"{v.model}@{v.version}",
                v.stage.value,
                v.pin.provider,
                v.pin.version,
                _pin_status(v),
                _pin_countdown(v),
                _gate_text(v, now),
            ]
            for v in views
        ],
    )
    return 0


def _pin_plain(v: PinView) -> dict[str, Any]:
    """A pin as JSON-ready fields."""
    return {
        "model": v.model,
        "version": v.version,
        "stage": v.stage.value,
        "provider": v.pin.provider,
        "provider_model": v.pin.model,
        "provider_version": v.pin.version,
        "status": v.qualification.value if v.qualification else "unknown",
        "alias": v.status.alias,
        "qualified": v.status.qualified,
        "deprecated": v.deprecated,
        "retires_at": v.retires_at,
        "days_left": v.days_left,
    }


def _pin_status(v: PinView) -> str:
    """The pinned version's status ('unknown' when the registry does not know it)."""
    status = v.qualification.value if v.qualification else "unknown"
    return f"{status} (alias)" if v.status.alias else status


def _pin_countdown(v: PinView) -> str:
    """Retirement countdown of the pinned version."""
    if v.days_left is None:
        return "deprecated" if v.deprecated else "-"
    return f"retired {-v.days_left}d ago" if v.days_left < 0 else f"retires in {v.days_left}d"


def _gate_text(v: PinView, now: datetime) -> str:
    """Whether the pin passes the Canary and Production gates' provider check."""
    if v.status.alias:
        return "refused: alias"
    if not v.status.qualified:
        return "refused: not qualified"
    if v.status.retires_at is not None and v.status.retires_at <= now:
        return "refused at Production: retired"
    return "ok"


ACTIONS: dict[str, tuple[str, Configure, Handler]] = {
    "add": ("configure a provider's changelog feed (admin)", _configure_add, cmd_add),
    "feeds": ("list configured feeds", lambda p: None, cmd_feeds),
    "fetch": ("fetch feeds and record new versions and deprecations", _configure_fetch, cmd_fetch),
    "list": ("provider versions with qualification status and countdowns", _configure_list, cmd_list),
    "changelog": (
        "the change log table (provider model, version, date, impact, status)",
        _configure_changelog,
        cmd_changelog,
    ),
    "show": ("one provider version with its qualification matrix", _configure_version, cmd_show),
    "qualify": ("record a qualification check with evidence (reviewer)", _configure_qualify, cmd_qualify),
    "assess": ("record a provider version's impact assessment (reviewer)", _configure_assess, cmd_assess),
    "pin": ("register a new patch version pinning another provider version", _configure_pin, cmd_pin),
    "pins": ("in-house versions and the provider versions they pin", _configure_pins, cmd_pins),
}

COMMANDS: dict[str, tuple[Configure, Handler]] = {
    "providers": (_configure, cmd_providers),
}
"""Command name -> (configure, handler); the help texts are in regtui.cli.catalog."""
