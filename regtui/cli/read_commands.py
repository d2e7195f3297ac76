"""The other read commands: models, show, diff, audit (and `audit --follow`); resolve and versions are in
lookup_commands, whose freshness check these share.

They read the local cache through plain SQL and take the registry service (and with it the ORM) only when the cache
must be synced first, or for what only the service computes (the diff's policy, `audit verify`). Every --json
answer carries `registry`, `synced_at` and `stale` (regtui.services.read_path)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from regtui.cli.lookup_commands import configure_ref, current, stream_json
from regtui.cli.options import positive_count
from regtui.cli.output import print_json, print_table, print_table_row, say, to_plain, warn
from regtui.cli.signals import stop_on_signals
from regtui.domain.anchor import parse_anchor
from regtui.domain.checksums import unpinned
from regtui.domain.diff import MetricDelta, VersionDiff, tally
from regtui.domain.listing import ModelState, ModelSummary
from regtui.domain.manifest import version_document
from regtui.domain.provider_views import DeprecatedPin
from regtui.domain.text import format_age
from regtui.errors import CheckFailedError, InputError
from regtui.services import cache_reads, models, read_path
from regtui.services.cache_reads import split_ref
from regtui.services.handle import ServiceHandle
from regtui.services.read_status import ReadStatus
from regtui.services.views import LogRecord, ModelQuery

LISTING_WINDOW = 1000
"""Models read and written per window by `models`: the listing streams, its memory does not grow with the registry."""


def _no_options(_parser: argparse.ArgumentParser) -> None:
    """A command without options of its own."""


def cmd_models(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """List every model with what runs in Production, Canary and Staging, open requests and drill state."""
    status = current(args, handle)
    now = handle.clock()
    notices = {pin.model: pin for pin in models.deprecated_pins(handle.reader, now)}
    rows = _model_rows(handle, now)
    if args.json:
        stream_json(
            read_path.provenance(status, handle),
            "models",
            ({**to_plain(m), **to_plain(state), "provider_notice": to_plain(notices.get(m.name))} for m, state in rows),
        )
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


def _model_rows(handle: ServiceHandle, now: datetime) -> Iterable[tuple[ModelSummary, ModelState]]:
    """Every model by name with its state, read window by window."""
    offset = 0
    while True:
        window = models.model_rows(handle.reader, ModelQuery(), offset, LISTING_WINDOW, now)
        yield from window
        if len(window) < LISTING_WINDOW:
            return
        offset += LISTING_WINDOW


def _drill(state: ModelState, now: datetime) -> str:
    """'12d ago', '102d ago OVERDUE', 'never OVERDUE' or 'never' (the last passed drill), 'FAILED; ' before it when
    the most recent drill failed."""
    shown = "never" if state.last_drill is None else f"{format_age((now - state.last_drill).total_seconds())} ago"
    failed = "FAILED; passed " if state.drill_failed else ""
    return f"{failed}{shown} OVERDUE" if state.drill_overdue else f"{failed}{shown}"


def _notice(pin: DeprecatedPin | None) -> str:
    """'! gpt-4.1-2025-04-14 retires in 40d' for a Production pin with a deprecation notice, else ''."""
    if pin is None:
        return ""
    if pin.days_left is None:
        return f"! {pin.provider_version} deprecated"
    if pin.days_left < 0:
        return f"! {pin.provider_version} retired {-pin.days_left}d ago"
    return f"! {pin.provider_version} retires in {pin.days_left}d"


def cmd_show(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """Show one version in full (named by its number or its stage)."""
    status = current(args, handle)
    model, ref = split_ref(args.ref)
    detail = cache_reads.version_detail(handle.reader, model, ref)
    document = version_document(detail.manifest)
    document["content_hash"] = detail.content_hash
    document["children"] = list(detail.children)
    for item, artifact in zip(document.get("artifacts") or [], detail.manifest.entry.artifacts, strict=True):
        if unpinned(artifact):
            item["versioning"] = "off: the bucket keeps no versions, an overwrite of the key loses these bytes"
    if args.json:
        print_json({**document, **read_path.provenance(status, handle)})
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


def _configure_diff(parser: argparse.ArgumentParser) -> None:
    """Options of `diff`."""
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("candidate", metavar="CANDIDATE", help="a version or a stage")
    parser.add_argument(
        "baseline", nargs="?", metavar="BASELINE", help="a version or a stage (default: the current Production)"
    )


def cmd_diff(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """The diff screen's comparison of CANDIDATE against BASELINE; exit 0 whatever the verdict (it is printed)."""
    status = current(args, handle)
    candidate = cache_reads.resolve_version(handle.reader, args.model, args.candidate)
    baseline = None if args.baseline is None else cache_reads.resolve_version(handle.reader, args.model, args.baseline)
    from regtui.services import review

    view = review.version_diff(handle.service, args.model, candidate, baseline)
    counts = None if view.diff is None else tally(view.diff)
    if args.json:
        print_json(
            {
                "model": args.model,
                "candidate": view.b.key,
                "baseline": view.a.key if view.a else None,
                "note": view.note,
                "verdict": None if counts is None else {**asdict(counts), "gates_pass": counts.gates_pass},
                "diff": view.diff.to_dict() if view.diff else None,
                **read_path.provenance(status, handle),
            }
        )
        return 0
    _print_diff(view.b.version, view.a.version if view.a else None, view.note, view.diff)
    return 0


def _print_diff(candidate: str, baseline: str | None, note: str, diff: VersionDiff | None) -> None:
    """The diff for a person: the verdict line, then one row per metric and scope, then the changed fields."""
    if diff is None or baseline is None:
        say(f"{candidate}: nothing to compare with ({note})")
        return
    counts = tally(diff)
    gates = (
        "every gate threshold passes" if counts.gates_pass else f"{counts.threshold_failures} gate threshold(s) FAIL"
    )
    tallied = f"{counts.better} better, {counts.worse} worse, {counts.same} same"
    say(f"B {candidate} against A {baseline}: {tallied}; {gates}")
    print_table(
        ["SCOPE", "METRIC", "A", "B", "DELTA", "DELTA%", "VERDICT", "GATE"],
        [
            [row.scope, row.metric, row.a, row.b, row.abs_delta, _percent(row.rel_delta), row.verdict, _gate(row)]
            for row in diff.metrics
        ],
    )
    changed = (("field", diff.fields), ("hyperparameter", diff.hyperparameters), ("model card", diff.model_card))
    for title, changes in changed:
        for change in changes:
            say(f"{title} {change.key} {change.change}: {change.a} -> {change.b}")


def _percent(value: float | None) -> str | None:
    """A relative delta as a signed percentage."""
    return None if value is None else f"{value * 100:+.1f}%"


def _gate(row: MetricDelta) -> str:
    """'pass >=0.85', 'FAIL <=40' or '' (no threshold on this metric and scope)."""
    if row.threshold is None:
        return ""
    bound = f"{'>=' if row.threshold.direction == 'higher' else '<='}{row.threshold.bound:g}"
    return f"{'pass' if row.passes_threshold else 'FAIL'} {bound}"


def _configure_audit(parser: argparse.ArgumentParser) -> None:
    """Options of `audit`."""
    parser.add_argument(
        "target", nargs="?", metavar="MODEL|verify|head", help="a model to filter by, `verify`, or `head`"
    )
    parser.add_argument("--actor", help="only entries by this identity")
    parser.add_argument(
        "--expect", metavar="POS:HASH", help="with `verify`: the log must still hold this entry (from `audit head`)"
    )
    parser.add_argument("--limit", type=positive_count, default=200, help="at most this many entries (default 200)")
    parser.add_argument("--follow", action="store_true", help="print new entries as they appear, until stopped")
    parser.add_argument(
        "--since", type=int, metavar="POSITION", help="with --follow: first print the entries after this position"
    )
    parser.add_argument(
        "--interval", type=positive_count, default=2, metavar="SECONDS", help="with --follow: poll interval (default 2)"
    )


def cmd_audit(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """The promotion log (newest first), `audit --follow` to stream new entries, or `audit verify`."""
    if args.target == "verify":
        return _audit_verify(args, handle)
    if args.expect is not None:
        raise InputError("--expect goes with `audit verify`")
    if args.target == "head":
        return _audit_head(args, handle)
    if args.since is not None and not args.follow:
        raise InputError("--since goes with --follow")
    status = current(args, handle)
    model = args.target
    if args.follow:
        return follow_log(args, handle, status)
    rows = cache_reads.log_records(handle.reader, model=model, actor=args.actor, limit=args.limit)
    if args.json:
        stream_json(read_path.provenance(status, handle), "entries", map(_entry_plain, rows))
        return 0
    print_table(["#", "AT", "KIND", "ACTOR", "VERSION", "MOVE", "DETAIL"], [_entry_cells(r) for r in rows])
    return 0


def follow_log(args: argparse.Namespace, handle: ServiceHandle, status: ReadStatus) -> int:
    """Print each new log entry as the registry gets it (JSON lines with --json), polling every interval, until
    Ctrl-C or SIGTERM (exit 0) or the reader closes the pipe."""
    after = cache_reads.last_log_position(handle.reader) if args.since is None else args.since
    with stop_on_signals() as stopped:
        while not stopped.is_set():
            entries = cache_reads.log_records(handle.reader, model=args.target, actor=args.actor, after=after)
            for record in entries:
                if args.json:
                    line = {**_entry_plain(record), **read_path.provenance(status, handle)}
                    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
                else:
                    print_table_row(_entry_cells(record))
                after = record.position
            sys.stdout.flush()
            if stopped.wait(args.interval):
                break
            status = poll(args, handle, status)
    return 0


def poll(args: argparse.Namespace, handle: ServiceHandle, last: ReadStatus) -> ReadStatus:
    """Bring the cache up to date for the next round of --follow; while the registry is unreachable, say so once
    (when it goes away) and keep polling, unless --fresh asked for the live registry only or the cache holds another
    registry (read_path.settled)."""
    status = read_path.current_without_sync(handle) or handle.service.refresh()
    status = read_path.settled(status, handle, require_live=args.fresh)
    if not status.fresh and last.fresh:
        warn(status.describe(handle.clock()))
    return status


def _entry_plain(r: LogRecord) -> dict[str, Any]:
    """A log entry as JSON-ready fields."""
    return {
        "position": r.position,
        "kind": r.kind,
        "actor": r.actor,
        "at": to_plain(r.at),
        "model": r.model,
        "version": r.version,
        "from_stage": r.from_stage,
        "to_stage": r.to_stage,
        "details": to_plain(r.details),
        "hash": r.hash,
    }


def _entry_cells(r: LogRecord) -> list[Any]:
    """A log entry as the audit table's cells."""
    return [
        r.position,
        r.at,
        r.kind,
        r.actor,
        f"{r.model}@{r.version}" if r.version else (r.model or "-"),
        _move_text(r.from_stage, r.to_stage),
        _event_detail(r.details),
    ]


def _move_text(from_stage: str | None, to_stage: str | None) -> str:
    """'Staging->Canary', just the stage for a registration, '-' when the entry moves nothing."""
    if not to_stage:
        return "-"
    return f"{from_stage}->{to_stage}" if from_stage else to_stage


def _event_detail(details: dict[str, Any]) -> str:
    """The most telling part of an entry's details, short."""
    for key in ("reason", "comment", "detail", "replaced_by"):
        if details.get(key):
            return f"{key}: {details[key]}"[:80]
    if "request" in details:
        return f"request #{details['request']}"
    return ""


def _audit_head(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """The registry's last log position and hash, as POS:HASH (what `audit verify --expect` reads)."""
    from regtui.services import audit

    head = audit.log_head(handle.service)
    if args.json:
        print_json({"position": head.position if head else 0, "hash": head.hash if head else None})
    elif head is None:
        say("the promotion log is empty")
    else:
        say(head.text())
    return 0


def _audit_verify(args: argparse.Namespace, handle: ServiceHandle) -> int:
    """Verify the whole chain, the anchors (this cache's witness, --expect) and the stages the log implies; exit 1
    naming the first problem (every problem listed when there are several)."""
    from regtui.services import audit

    expect = parse_anchor(args.expect) if args.expect is not None else None
    verdict = audit.verify_anchored_log(handle.service, expect)
    broken, problems = verdict.broken, verdict.problems
    if args.json:
        print_json(
            {
                "entries": verdict.entries,
                "intact": broken is None,
                "broken_at": broken.position if broken else None,
                "reason": broken.reason if broken else None,
                "head": verdict.head.text() if verdict.head else None,
                "witness": verdict.witness_break,
                "expected": verdict.expected_break,
                "stage_differences": list(verdict.stage_differences),
            }
        )
    elif not problems:
        say(f"promotion log intact: {verdict.entries} entries, hash chain verified")
        if expect is not None:
            say(f"the log still holds entry {expect.position} as expected")
    elif len(problems) > 1:
        for problem in problems:
            say(f"  {problem}")
    if problems:
        listed = "" if args.json else ", listed above"
        more = f" (and {len(problems) - 1} more problem(s){listed})" if len(problems) > 1 else ""
        raise CheckFailedError(problems[0] + more)
    return 0


COMMANDS = {
    "models": (_no_options, cmd_models),
    "show": (configure_ref, cmd_show),
    "diff": (_configure_diff, cmd_diff),
    "audit": (_configure_audit, cmd_audit),
}
"""Command name -> (configure, handler taking the ServiceHandle); the help texts are in regtui.cli.catalog."""
TAKES_HANDLE = True
"""The handlers take the ServiceHandle (the registry service is built only if a read needs it)."""
