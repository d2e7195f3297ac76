"""`regtui` command line: parse arguments, run one command, map errors to exit statuses."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from regtui import __version__
from regtui.cli.catalog import CATALOG, Handler, command, run_tui, takes_handle
from regtui.cli.options import common_options
from regtui.cli.output import warn
from regtui.config import load_settings, settings_locations
from regtui.errors import RegtuiError
from regtui.services.failures import database_error
from regtui.services.handle import ServiceHandle

SIGPIPE_STATUS = 141
"""What a shell reports for a command killed by SIGPIPE: 128 + 13."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit 2), as the CLI contract says."""

    def error(self, message: str) -> NoReturn:
        """Report a usage error in one line and exit 2."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


class ScoutError(Exception):
    """The scouting parse met something it cannot read; the full parse reports it."""


class ScoutParser(argparse.ArgumentParser):
    """A parser that raises instead of exiting, for finding the command name before the full parse."""

    def error(self, message: str) -> NoReturn:
        """Give up quietly: the full parse says what is wrong."""
        raise ScoutError(message)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the line (None for the dashboard), read with the global options alone."""
    scout = ScoutParser(add_help=False, parents=[common_options()])
    scout.add_argument("--readonly", action="store_true")
    scout.add_argument("command", nargs="?")
    scout.add_argument("rest", nargs=argparse.REMAINDER)
    try:
        known, _unknown = scout.parse_known_args(argv)
    except ScoutError:
        return None
    return known.command if known.command in CATALOG else None


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: global options and one subparser per command; only the chosen command's module is
    imported to give its subparser its options."""
    common = common_options()
    parser = OneLineParser(
        prog="regtui",
        parents=[common],
        description="Terminal dashboard and CLI for a governed machine-learning model registry.",
    )
    parser.add_argument("--version", action="version", version=f"regtui {__version__}")
    parser.add_argument("--readonly", action="store_true", help="open the TUI without any write action")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name, (help_text, _module) in CATALOG.items():
        subparser = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        if name == chosen:
            configure, _handler = command(name)
            configure(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 done, 1 check failed, 2 error, 3 pending)."""
    line = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(chosen_command(line))
    try:
        args = parser.parse_args(line)
    except SystemExit as exc:
        return 2 if exc.code not in (0, None) else 0
    for option, default in (("registry", None), ("cache", None), ("json", False), ("fresh", False)):
        if not hasattr(args, option):
            setattr(args, option, default)
    handler: Handler | None = command(args.command)[1] if args.command else None
    try:
        services = ServiceHandle(settings_locations(load_settings(), args.registry, args.cache))
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


if __name__ == "__main__":
    sys.exit(main())
