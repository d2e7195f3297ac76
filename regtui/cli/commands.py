"""The registry commands: init, demo, import, export, register, models, versions, show, verify, sync."""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from regtui.cli.catalog import Configure, Handler, run_tui
from regtui.cli.output import print_json, print_table, say, to_plain, warn
from regtui.cli.progress import HashMeter, StatusLine, interactive, noticed_when_slow
from regtui.config import Locations
from regtui.domain.listing import ModelState
from regtui.domain.manifest import version_document
from regtui.domain.provider_views import DeprecatedPin
from regtui.domain.text import format_age
from regtui.errors import CheckFailedError, InputError, RegistryUnavailableError
from regtui.services import demo, models, provider_reads, reads
from regtui.services.handle import ServiceHandle
from regtui.services.registry import ReadStatus, RegistryService


def split_ref(text: str) -> tuple[str, str]:
    """MODEL@VERSION into its two parts, refusing anything else clearly."""
    model, sep, version = text.partition("@")
    if not sep or not model or not version:
        raise InputError(f"expected MODEL@VERSION, got {text!r}")
    return model, version


def fresh_read(service: RegistryService, args: argparse.Namespace) -> ReadStatus:
    """Sync before a read (a slow one, such as a first sync, says so on a terminal); when the registry is
    unreachable, say how stale the cache is and go on."""
    line = StatusLine(interactive(args.json))
    with noticed_when_slow(line, f"regtui: syncing the local cache from {service.url}…"):
        status = service.refresh()
    if not status.fresh:
        if status.state.synced_at is None:
            raise RegistryUnavailableError(f"{status.error}; no local cache to read from yet")
        warn(status.describe(service.clock()))
    return status


def _no_options(_parser: argparse.ArgumentParser) -> None:
    """A command without options of its own."""


def _configure_init(parser: argparse.ArgumentParser) -> None:
    """Options of `init`."""
    parser.add_argument(
        "--shared-group",
        action="store_true",
        help="SQLite: create the registry file group-writable (0660) instead of owner-only (0600)",
    )


def cmd_init(args: argparse.Namespace, service: RegistryService) -> int:
    """Create or upgrade the registry schema."""
    message = service.init(shared_group=args.shared_group)
    if args.json:
        print_json({"registry": service.url, "result": message})
    else:
        say(f"{service.url}: {message}")
    return 0


def _configure_demo(parser: argparse.ArgumentParser) -> None:
    """Options of `demo`."""
    parser.add_argument(
        "--dir", type=Path, help="folder for the demo registry (default: a folder in the user data dir)"
    )
    parser.add_argument("--no-tui", action="store_true", help="build the demo and print its registry URL")
    parser.add_argument(
        "--reset",
        action="store_true",
        help="rebuild the demo registry from the fixtures (otherwise an earlier build is reused)",
    )
    parser.add_argument(
        "--as",
        dest="user",
        metavar="USER",
        help=f"act as one of the demo's users (default: REGTUI_USER, else {demo.DEMO_USER})",
    )


def cmd_demo(args: argparse.Namespace, service: RegistryService) -> int:
    """Build the demo registry from the bundled fixtures (or reuse an earlier build), then open it as one of its
    users."""
    if args.registry is not None or args.cache is not None:
        raise InputError(
            "demo builds its own SQLite registry and cache in --dir; it takes no --registry or --cache "
            "(to load the demo into another registry: regtui --registry URL import on an export of it)"
        )
    locations = demo.open_or_build(args.dir or demo.default_dir(), reset=args.reset)
    demo_service = RegistryService(locations, identity=args.user or os.environ.get("REGTUI_USER") or demo.DEMO_USER)
    try:
        if args.json or args.no_tui:
            return _print_demo(args, demo_service, locations)
        return run_tui(args, ServiceHandle.wrapping(demo_service))
    finally:
        demo_service.close()


def _print_demo(args: argparse.Namespace, service: RegistryService, locations: Locations) -> int:
    """Say where the demo registry is and how to use it."""
    versions = reads.count_versions(service)
    count = models.model_count(service.locations.cache_path)
    if args.json:
        print_json(
            {
                "registry": locations.registry_url,
                "cache": str(locations.cache_path),
                "models": count,
                "versions": versions,
                "identity": service.identity(),
            }
        )
        return 0
    say(locations.registry_url)
    warn(
        f"demo registry with {count} models and {versions} versions, acting as {service.identity()}; use it with "
        f"--registry '{locations.registry_url}' --cache '{locations.cache_path}'"
    )
    return 0


def _configure_import(parser: argparse.ArgumentParser) -> None:
    """Options of `import`."""
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="manifest files or folders")


def cmd_import(args: argparse.Namespace, service: RegistryService) -> int:
    """Import manifests (all or nothing)."""
    report = service.import_paths(args.paths)
    if args.json:
        print_json(report)
    else:
        say(
            f"imported {len(report.registered)} new version(s), {len(report.unchanged)} already present, "
            f"{len(report.users)} user(s) and {len(report.models)} model(s) updated, {report.log_entries} log entries"
            + (f", {report.providers} provider record(s)" if report.providers else "")
        )
    return 0


def _configure_export(parser: argparse.ArgumentParser) -> None:
    """Options of `export`."""
    parser.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")


def cmd_export(args: argparse.Namespace, service: RegistryService) -> int:
    """Export the registry as manifests."""
    count = service.export(args.dir)
    if args.json:
        print_json({"dir": str(args.dir), "files": count})
    else:
        say(f"exported {count} file(s) to {args.dir}")
    return 0


def _configure_register(parser: argparse.ArgumentParser) -> None:
    """Options of `register`."""
    parser.add_argument("manifest", type=Path, metavar="MANIFEST", help="one model-version manifest")


def cmd_register(args: argparse.Namespace, service: RegistryService) -> int:
    """Register one version (a no-op when the identical version exists)."""
    report = service.register(args.manifest)
    if args.json:
        print_json(report)
    elif report.registered:
        say(f"registered {report.registered[0]} in Development")
    else:
        say(f"{report.unchanged[0]} is already registered with identical content; nothing to do")
    return 0


def cmd_models(args: argparse.Namespace, service: RegistryService) -> int:
    """List every model with what runs in Production, Canary and Staging, open requests and drill state."""
    fresh_read(service, args)
    now = service.clock()
    notices = {pin.model: pin for pin in provider_reads.deprecated_pins(service, now)}
    rows = models.all_model_rows(service.locations.cache_path, now)
    if args.json:
        print_json([{**to_plain(m), **to_plain(state), "provider_notice": notices.get(m.name)} for m, state in rows])
        return 0
    print_table(
        [
            "MODEL",
            "OWNER",
            "PRODUCTION",
            "CANARY",
            "STAGING",
            "VERSIONS",
            "LATEST",
            "REQUESTS",
            "DRILL",
            "PROVIDER NOTICE",
        ],
        [
            [
                m.name,
                m.owner,
                m.production,
                m.canary,
                m.staging,
                m.versions,
                m.latest,
                state.open_requests,
                _drill(state, now),
                _notice(notices.get(m.name)),
            ]
            for m, state in rows
        ],
    )
    return 0


def _drill(state: ModelState, now: datetime) -> str:
    """'12d ago', '102d ago OVERDUE', 'never OVERDUE' or 'never'."""
    shown = "never" if state.last_drill is None else f"{format_age((now - state.last_drill).total_seconds())} ago"
    return f"{shown} OVERDUE" if state.drill_overdue else shown


def _notice(pin: DeprecatedPin | None) -> str:
    """'! gpt-4.1-2025-04-14 retires in 40d' for a Production pin with a deprecation notice, else ''."""
    if pin is None:
        return ""
    if pin.days_left is None:
        return f"! {pin.provider_version} deprecated"
    if pin.days_left < 0:
        return f"! {pin.provider_version} retired {-pin.days_left}d ago"
    return f"! {pin.provider_version} retires in {pin.days_left}d"


def _configure_versions(parser: argparse.ArgumentParser) -> None:
    """Options of `versions`."""
    parser.add_argument("model", metavar="MODEL")


def cmd_versions(args: argparse.Namespace, service: RegistryService) -> int:
    """List a model's versions, newest first."""
    fresh_read(service, args)
    versions = reads.model_version_list(service, args.model)
    if args.json:
        print_json(versions)
        return 0
    print_table(
        ["VERSION", "STAGE", "CHANGE", "PARENT", "FRAMEWORK", "CREATED", "REGISTERED BY"],
        [
            [
                v.version,
                _stage_cell(v.stage, v.canary_share),
                v.change_kind,
                v.parent,
                v.framework,
                v.created_at,
                v.registered_by,
            ]
            for v in versions
        ],
    )
    return 0


def _stage_cell(stage: str, share: float | None) -> str:
    """A stage, with the canary share when there is one."""
    return f"{stage} {share:g}%" if share is not None else stage


def _configure_ref(parser: argparse.ArgumentParser) -> None:
    """A single MODEL@VERSION argument."""
    parser.add_argument("ref", metavar="MODEL@VERSION")


def cmd_show(args: argparse.Namespace, service: RegistryService) -> int:
    """Show one version in full."""
    fresh_read(service, args)
    model, version = split_ref(args.ref)
    detail = reads.get_version(service, model, version)
    document = version_document(detail.manifest)
    document["content_hash"] = detail.content_hash
    document["children"] = list(detail.children)
    if args.json:
        print_json(document)
        return 0
    _print_document(document)
    return 0


def _print_document(document: dict[str, Any], indent: str = "") -> None:
    """Nested keys and values, indented, each value on one cleaned line."""
    for key, value in document.items():
        if key == "kind":
            continue
        if isinstance(value, dict) and value:
            say(f"{indent}{key}:")
            _print_document(value, indent + "  ")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            say(f"{indent}{key}:")
            for item in value:
                say(f"{indent}  - " + ", ".join(f"{k}={v}" for k, v in item.items()))
        else:
            shown = (
                ", ".join(map(str, value)) if isinstance(value, list) else ("-" if value in (None, "", {}) else value)
            )
            say(f"{indent}{key}: {shown}")


def _configure_verify(parser: argparse.ArgumentParser) -> None:
    """Options of `verify`."""
    parser.add_argument("ref", nargs="?", metavar="MODEL@VERSION")
    parser.add_argument("--all", action="store_true", help="verify every version's artifacts")


def cmd_verify(args: argparse.Namespace, service: RegistryService) -> int:
    """Re-hash artifacts; exit 1 when any does not match its recorded checksum."""
    if bool(args.ref) == bool(args.all):
        raise InputError("verify takes MODEL@VERSION or --all")
    fresh_read(service, args)
    meter = HashMeter(StatusLine(interactive(args.json)))
    try:
        results = service.verify(None if args.all else [split_ref(args.ref)], on_bytes=meter.add)
    finally:
        meter.done()
    failures = [(ref, r) for ref, r in results if r.status in ("mismatch", "missing", "error")]
    if args.json:
        print_json([{"version": ref, **_result_plain(r)} for ref, r in results])
    else:
        print_table(
            ["VERSION", "ARTIFACT", "STATUS", "DETAIL"],
            [[ref, r.name, r.status.upper(), r.message] for ref, r in results],
        )
        say(f"{len(results)} artifact(s) checked, {len(failures)} problem(s)")
    if failures:
        raise CheckFailedError(
            f"{len(failures)} artifact(s) failed verification: "
            + ", ".join(f"{ref} {r.name} ({r.status})" for ref, r in failures[:5])
        )
    return 0


def _result_plain(result: Any) -> dict[str, Any]:
    """A verification result as JSON-ready fields."""
    return {
        "artifact": result.name,
        "uri": result.uri,
        "status": result.status,
        "expected_sha256": result.expected_sha256,
        "actual_sha256": result.actual_sha256,
        "expected_size": result.expected_size,
        "actual_size": result.actual_size,
        "message": result.message,
    }


def cmd_sync(args: argparse.Namespace, service: RegistryService) -> int:
    """Pull the registry's changes into the cache and say what changed."""
    report = service.sync()
    if args.json:
        print_json(report)
        return 0
    if report.total == 0:
        say(f"cache up to date (change {report.to_seq})")
        return 0
    parts = [f"{count} {table}" for table, count in report.counts.items() if count]
    say(f"pulled changes {report.from_seq + 1}..{report.to_seq} in {report.seconds * 1000:.0f} ms: {', '.join(parts)}")
    for ref in report.versions[:20]:
        say(f"  {ref}")
    if len(report.versions) > 20:
        say(f"  ... and {len(report.versions) - 20} more version(s)")
    return 0


COMMANDS: dict[str, tuple[Configure, Handler]] = {
    "demo": (_configure_demo, cmd_demo),
    "init": (_configure_init, cmd_init),
    "import": (_configure_import, cmd_import),
    "export": (_configure_export, cmd_export),
    "register": (_configure_register, cmd_register),
    "models": (_no_options, cmd_models),
    "versions": (_configure_versions, cmd_versions),
    "show": (_configure_ref, cmd_show),
    "verify": (_configure_verify, cmd_verify),
    "sync": (_no_options, cmd_sync),
}
"""Command name -> (configure, handler); the help texts are in regtui.cli.catalog."""
