"""`regtui pull` (the command a deploy pipeline or an init container runs to get a version's verified bytes) and
`regtui retention` (versions past their retention and the artifacts no longer needed), `regtui storage check` (bucket
settings against the lifecycle)."""

from __future__ import annotations

import argparse
from pathlib import Path

from regtui.cli.catalog import Configure, Handler
from regtui.cli.commands import fresh_read
from regtui.cli.output import print_json, print_table, say, warn
from regtui.cli.progress import HashMeter, StatusLine, interactive
from regtui.errors import CheckFailedError
from regtui.services.pull import pull
from regtui.services.registry import RegistryService
from regtui.services.retention import past_retention
from regtui.services.storage import storage_check


def _configure_pull(parser: argparse.ArgumentParser) -> None:
    """Options of `pull`."""
    parser.add_argument("ref", metavar="MODEL@VERSION|MODEL@STAGE", help="a version, or the one version in a stage")
    parser.add_argument("--dest", type=Path, required=True, metavar="DIR", help="the folder to write the artifacts to")


def cmd_pull(args: argparse.Namespace, service: RegistryService) -> int:
    """Download and verify a version's artifacts into DIR; exit 1, DIR unchanged, when any does not match."""
    meter = HashMeter(StatusLine(interactive(args.json)), "pulling")
    try:
        outcome = pull(service, args.ref, args.dest, on_bytes=meter.add, on_count=meter.count)
    finally:
        meter.done()
    if args.json:
        print_json(outcome)
        return 0
    print_table(
        ["ARTIFACT", "SIZE", "SHA256", "OBJECT VERSION", "PATH"],
        [[a.name, a.size, a.sha256[:12], a.object_version or "-", a.path] for a in outcome.artifacts],
    )
    say(f"pulled {outcome.model}@{outcome.version} ({outcome.stage}): {len(outcome.artifacts)} artifact(s) verified")
    return 0


def _no_options(_parser: argparse.ArgumentParser) -> None:
    """A command without options of its own."""


def cmd_retention(args: argparse.Namespace, service: RegistryService) -> int:
    """List former Production versions past retention and the artifacts nothing needs any more; deletes nothing."""
    fresh_read(service, args)
    past = past_retention(service)
    if args.json:
        print_json(past)
        return 0
    print_table(
        ["VERSION", "STAGE", "ARCHIVED", "RETENTION ENDED", "ARTIFACTS NO LONGER NEEDED"],
        [[f"{p.model}@{p.version}", p.stage, p.archived_at, p.retention_ended, [a.uri for a in p.freed]] for p in past],
    )
    freed = sum(len(p.freed) for p in past)
    say(f"{len(past)} version(s) past retention, {freed} artifact(s) no longer needed for a rollback; nothing deleted")
    return 0


def _configure_storage(parser: argparse.ArgumentParser) -> None:
    """Options of `storage`."""
    parser.add_argument("action", choices=["check"], help="check: bucket settings against the lifecycle")
    parser.add_argument("model", nargs="?", metavar="MODEL", help="one model (default: all)")


def cmd_storage(args: argparse.Namespace, service: RegistryService) -> int:
    """Each object-store artifact's bucket settings against its stage and the retention policy; exit 1 on a
    finding."""
    fresh_read(service, args)
    report = storage_check(service, args.model)
    checks = report.checks
    for bucket, unread in report.unread.items():
        warn(f"{bucket}: {'; '.join(unread)}")
    if args.json:
        print_json(checks)
    else:
        print_table(
            ["VERSION", "STAGE", "ARTIFACT", "BUCKET", "VERSIONING", "LOCK", "ACCESS", "FINDINGS"],
            [
                [f"{c.model}@{c.version}", c.stage, c.artifact, c.bucket, c.versioning, c.lock, c.public, c.findings]
                for c in checks
            ],
        )
    found = [c for c in checks if c.findings]
    if found:
        raise CheckFailedError(
            f"{sum(len(c.findings) for c in found)} storage finding(s) on {len(found)} artifact(s): "
            + "; ".join(f"{c.model}@{c.version} {c.artifact}: {c.findings[0]}" for c in found[:3])
        )
    if not args.json:
        say(f"{len(checks)} object-store artifact(s) checked, no findings")
    return 0


COMMANDS: dict[str, tuple[Configure, Handler]] = {
    "storage": (_configure_storage, cmd_storage),
    "pull": (_configure_pull, cmd_pull),
    "retention": (_no_options, cmd_retention),
}
"""Command name -> (configure, handler); the help texts are in regtui.cli.catalog."""
