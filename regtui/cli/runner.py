"""Run one parsed `regtui` command on its registry and map what it raises to an exit status and one line."""

from __future__ import annotations

import argparse
import os
import sys
import traceback

from regtui.cli.catalog import Handler, command, run_tui, takes_handle
from regtui.cli.output import ascii_only, warn
from regtui.config import load_settings, settings_locations
from regtui.errors import RegtuiError
from regtui.glyphs import ascii_wanted
from regtui.services.failures import database_error
from regtui.services.handle import ServiceHandle

SIGPIPE_STATUS = 141
"""What a shell reports for a command killed by SIGPIPE: 128 + 13."""


def run(args: argparse.Namespace) -> int:
    """Run the command (the dashboard when none); returns the exit status (0 done, 1 check failed, 2 error,
    3 pending)."""
    handler: Handler | None = command(args.command)[1] if args.command else None
    try:
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


def _reader_went_away() -> int:
    """The reader of our output closed the pipe (`regtui versions x | head`): stop quietly, as SIGPIPE would."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return SIGPIPE_STATUS
