"""`regtui verify`: re-hash artifacts against their recorded SHA-256 and size.

Named versions (MODEL@VERSION or MODEL@STAGE) are read from the local cache through plain SQL after the plain
freshness check, as the lookups are (regtui.cli.lookup_commands), so a deploy job's verify of one large file costs
little more than hashing it; `--all` reads every version through the registry service."""

from __future__ import annotations

import argparse
from typing import Any

from regtui.cli.lookup_commands import current
from regtui.cli.output import print_json, print_table, say
from regtui.cli.progress import HashMeter, StatusLine, interactive
from regtui.domain.checksums import VerifyResult
from regtui.errors import CheckFailedError, InputError
from regtui.services.cache_reads import split_ref
from regtui.services.cache_verify import verify_versions
from regtui.services.handle import ServiceHandle

FAILED = ("mismatch", "missing", "error")
"""The statuses that fail a verification (an unverifiable location is reported, not failed)."""


def _configure_verify(parser: argparse.ArgumentParser) -> None:
    """Options of `verify`."""
    parser.add_argument("ref", nargs="?", metavar="MODEL@VERSION", help="a version, by number or stage")
    parser.add_argument("--all", action="store_true", help="verify every version's artifacts")


def cmd_verify(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """Re-hash artifacts; exit 1 when any does not match its recorded checksum."""
    if bool(args.ref) == bool(args.all):
        raise InputError("verify takes MODEL@VERSION (or MODEL@STAGE) or --all")
    ref = None if args.all else split_ref(args.ref)
    current(args, handle)
    meter = HashMeter(StatusLine(interactive(args.json)))
    try:
        if ref is None:
            results = handle.service.verify(None, on_bytes=meter.add, on_count=meter.count)
        else:
            results = verify_versions(handle.reader, [ref], on_bytes=meter.add, on_count=meter.count)
    finally:
        meter.done()
    _report(results, args.json)
    return 0


def _report(results: list[tuple[str, VerifyResult]], as_json: bool) -> None:
    """Print the results (a table and a count, or JSON); raise CheckFailedError naming the failures."""
    failures = [(ref, r) for ref, r in results if r.status in FAILED]
    if as_json:
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


def _result_plain(result: VerifyResult) -> dict[str, Any]:
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


COMMANDS = {"verify": (_configure_verify, cmd_verify)}
"""Command name -> (configure, handler taking the ServiceHandle); the help text is in regtui.cli.catalog."""
TAKES_HANDLE = True
"""The handler takes the ServiceHandle (the registry service is built only if the read needs it)."""
