"""`regtui pull`: the command a deploy pipeline or an init container runs to get a version's verified bytes."""

from __future__ import annotations

import argparse
from pathlib import Path

from regtui.cli.catalog import Configure, Handler
from regtui.cli.output import print_json, print_table, say
from regtui.cli.progress import HashMeter, StatusLine, interactive
from regtui.services.pull import pull
from regtui.services.registry import RegistryService


def _configure_pull(parser: argparse.ArgumentParser) -> None:
    """Options of `pull`."""
    parser.add_argument("ref", metavar="MODEL@VERSION|MODEL@STAGE", help="a version, or the one version in a stage")
    parser.add_argument("--dest", type=Path, required=True, metavar="DIR", help="the folder to write the artifacts to")


def cmd_pull(args: argparse.Namespace, service: RegistryService) -> int:
    """Download and verify a version's artifacts into DIR; exit 1, DIR unchanged, when any does not match."""
    meter = HashMeter(StatusLine(interactive(args.json)), "pulling")
    try:
        outcome = pull(service, args.ref, args.dest, on_bytes=meter.add)
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


COMMANDS: dict[str, tuple[Configure, Handler]] = {"pull": (_configure_pull, cmd_pull)}
"""Command name -> (configure, handler); the help texts are in regtui.cli.catalog."""
