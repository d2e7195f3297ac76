"""The lookups a deploy job makes, kept light so each is one quick process: `resolve` and `versions`.

They read the local cache through plain SQL (regtui.services.cache_reads) after the plain freshness check
(regtui.services.read_path) and take the registry service, and with it the ORM, only when the cache must be synced
first. Every --json answer carries `registry`, `synced_at` and `stale`. The other reads are in read_commands."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from regtui.cli.output import print_json, print_table, say, to_plain, warn
from regtui.cli.progress import StatusLine, interactive, noticed_when_slow
from regtui.domain.entry import Stage
from regtui.services import cache_reads, read_path
from regtui.services.cache_reads import split_ref
from regtui.services.handle import ServiceHandle
from regtui.services.read_status import ReadStatus


def current(args: argparse.Namespace, handle: ServiceHandle) -> ReadStatus:
    """Make sure the cache is current before a read: a plain check, else a sync (said on a terminal when slow);
    then refuse or warn as read_path.settled says."""
    status = read_path.current_without_sync(handle)
    if status is None:
        line = StatusLine(interactive(args.json))
        with noticed_when_slow(line, f"regtui: syncing the local cache from {handle.url}…"):
            status = handle.service.refresh()
    return settle(status, handle, args)


def settle(status: ReadStatus, place: read_path.RegistryPlace, args: argparse.Namespace) -> ReadStatus:
    """The status a read answers with (read_path.settled refuses what must not be answered), saying on stderr when
    the answer comes from a cache behind the registry or one whose log anchor the registry broke."""
    status = read_path.settled(status, place, require_live=args.fresh)
    if not status.fresh:
        warn(status.describe(place.clock()))
    if status.anchor_break:
        warn(anchor_warning(status.anchor_break, place.locations.cache_path))
    return status


def anchor_warning(reason: str, cache_path: Path) -> str:
    """One line: the log's anchor is broken, why, and what the cache does about it."""
    return (
        f"LOG ANCHOR BROKEN: {reason}; the cache keeps what it saw and pulls nothing "
        f"(if the registry was restored on purpose, remove {cache_path} to accept it)"
    )


def stage_argument(text: str) -> Stage:
    """A stage name, any case (a usage error names the stages)."""
    stage = cache_reads.stage_named(text)
    if stage is None:
        raise argparse.ArgumentTypeError(f"unknown stage {text!r} (choose from {', '.join(s.value for s in Stage)})")
    return stage


def stream_json(head: dict[str, Any], key: str, items: Iterable[Any]) -> None:
    """An indented JSON object whose `key` holds a list written item by item (the rest of the object first): the
    same text print_json writes for the whole object, without holding the list."""
    out = sys.stdout
    opening = json.dumps({**head, key: []}, indent=2, ensure_ascii=False)
    out.write(opening.removesuffix("[]\n}") + "[")
    first = True
    for item in items:
        text = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
        out.write(("\n    " if first else ",\n    ") + text)
        first = False
    out.write("\n  ]\n}\n" if not first else "]\n}\n")


def _configure_versions(parser: argparse.ArgumentParser) -> None:
    """Options of `versions`."""
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("--stage", type=stage_argument, metavar="STAGE", help="only the versions in this stage")


def cmd_versions(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """List a model's versions, newest first (those of one stage with --stage)."""
    status = current(args, handle)
    versions = cache_reads.version_list(handle.reader, args.model, args.stage)
    if args.json:
        stream_json({**read_path.provenance(status, handle), "model": args.model}, "versions", map(to_plain, versions))
        return 0
    print_table(
        ["VERSION", "STAGE", "CHANGE", "PARENT", "FRAMEWORK", "CREATED", "REGISTERED BY"],
        [
            [
                v.version,
                stage_cell(v.stage, v.canary_share),
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


def stage_cell(stage: str, share: float | None) -> str:
    """A stage, with the canary share when there is one."""
    return f"{stage} {share:g}%" if share is not None else stage


def configure_ref(parser: argparse.ArgumentParser) -> None:
    """A single MODEL@VERSION or MODEL@STAGE argument."""
    parser.add_argument("ref", metavar="MODEL@VERSION|MODEL@STAGE")


def cmd_resolve(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """Resolve MODEL@STAGE or MODEL@VERSION to one version: its stage, digests and artifact URIs."""
    status = current(args, handle)
    model, ref = split_ref(args.ref)
    found = cache_reads.resolve(handle.reader, model, ref)
    if args.json:
        print_json({**asdict(found), **read_path.provenance(status, handle)})
        return 0
    say(f"{found.model}@{found.version}  {stage_cell(found.stage, found.canary_share)}")
    say(f"content_hash     {found.content_hash}")
    say(f"artifact_digest  {found.artifact_digest}")
    print_table(
        ["ARTIFACT", "SHA256", "SIZE", "URI"], [[a["name"], a["sha256"], a["size"], a["uri"]] for a in found.artifacts]
    )
    return 0


COMMANDS = {
    "versions": (_configure_versions, cmd_versions),
    "resolve": (configure_ref, cmd_resolve),
}
"""Command name -> (configure, handler taking the ServiceHandle); the help texts are in regtui.cli.catalog."""
TAKES_HANDLE = True
"""The handlers take the ServiceHandle (the registry service is built only if a read needs it)."""
