"""Run one parsed `regtui` command on its registry and map what it raises to an exit status and one line."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from regtui.cli.catalog import Handler, command, run_tui, takes_handle
from regtui.cli.output import ascii_only, warn
from regtui.config import load_settings, settings_locations
from regtui.domain.limits import length_problem
from regtui.errors import InputError, RegtuiError
from regtui.glyphs import ascii_wanted
from regtui.services.failures import database_error
from regtui.services.handle import ServiceHandle

UNSIZED_ARGUMENTS = frozenset({"registry", "cache", "command", "teams"})
"""Arguments not sized here: locations, the command's name, and --teams (a comma-separated list, whose names the
service checks one by one)."""
SIGPIPE_STATUS = 141
"""What a shell reports for a command killed by SIGPIPE: 128 + 13."""


def run(args: argparse.Namespace, line: Sequence[str]) -> int:
    """Run the command (the dashboard when none); returns the exit status (0 done, 1 check failed, 2 error,
    3 pending)."""
    handler: Handler | None = command(args.command)[1] if args.command else None
    try:
        check_argument_sizes(args, line)
        settings = load_settings()
        ascii_only.set(ascii_wanted(settings.ascii, os.environ.get("TERM")))
        services = ServiceHandle(settings_locations(settings, args.registry, args.cache))
        try:
            if handler is None:
                status = run_tui(args, services)
            else:
                status = handler(args, services if takes_handle(args.command) else services.service)
            sys.stdout.flush()
            return status
        finally:
            for notice in services.take_notices():
                warn(notice)
            services.close()
    except RegtuiError as exc:
        warn(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        database = database_error(exc)
        if database is not None:
            warn(database)
            return 2
        if os.environ.get("REGTUI_DEBUG"):
            traceback.print_exc()
        warn(f"internal error: {type(exc).__name__}: {exc} (set REGTUI_DEBUG=1 for details)")
        return 2


def check_argument_sizes(args: argparse.Namespace, line: Sequence[str]) -> None:
    """Refuse an argument whose text is over its field's limit (docs/limits.md), naming the argument as typed."""
    for dest, value in vars(args).items():
        if dest in UNSIZED_ARGUMENTS:
            continue
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            problem = length_problem(dest, text)
            if problem is not None:
                option = f"--{dest.replace('_', '-')}"
                shown = option if any(word.partition("=")[0] == option for word in line) else dest.upper()
                raise InputError(f"argument {shown}: {problem}")


def _reader_went_away() -> int:
    """The reader of our output closed the pipe (`regtui versions x | head`): stop quietly, as SIGPIPE would."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return SIGPIPE_STATUS
