"""The registry commands: init, demo, import, export, register, verify, sync (the reads are in read_commands)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from regtui.cli.catalog import Configure, Handler, run_tui
from regtui.cli.lookup_commands import anchor_warning, settle
from regtui.cli.output import print_json, say, warn
from regtui.cli.progress import HashMeter, StatusLine, interactive, noticed_when_slow
from regtui.config import Locations
from regtui.errors import CheckFailedError, InputError
from regtui.services import demo, models, reads
from regtui.services.handle import ServiceHandle
from regtui.services.registry import ReadStatus, RegistryService


def split_ref(text: str) -> tuple[str, str]:
    """MODEL@VERSION into its two parts, refusing anything else clearly."""
    model, sep, version = text.partition("@")
    if not sep or not model or not version:
        raise InputError(f"expected MODEL@VERSION, got {text!r}")
    return model, version


def fresh_read(service: RegistryService, args: argparse.Namespace) -> ReadStatus:
    """Sync before a read (a slow one, such as a first sync, says so on a terminal); then answer, warn or refuse as
    every read does (`--fresh`, a cache of another registry, a broken log anchor)."""
    line = StatusLine(interactive(args.json))
    with noticed_when_slow(line, f"regtui: syncing the local cache from {service.url}…"):
        status = service.refresh()
    return settle(status, service, args)


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
    """Register one version after hashing its artifacts (a no-op when the identical version exists)."""
    meter = HashMeter(StatusLine(interactive(args.json)))
    try:
        report = service.register(args.manifest, on_bytes=meter.add, on_count=meter.count)
    finally:
        meter.done()
    if args.json:
        print_json(report)
    elif report.registered:
        say(f"registered {report.registered[0]} in Development")
    else:
        say(f"{report.unchanged[0]} is already registered with identical content; nothing to do")
    return 0


def cmd_sync(args: argparse.Namespace, service: RegistryService) -> int:
    """Pull the registry's changes into the cache and say what changed."""
    report = service.sync()
    if args.json:
        print_json(report)
    if report.anchor_break:
        raise CheckFailedError(anchor_warning(report.anchor_break, service.locations.cache_path))
    if args.json:
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
    "sync": (_no_options, cmd_sync),
}
"""Command name -> (configure, handler); the help texts are in regtui.cli.catalog."""
