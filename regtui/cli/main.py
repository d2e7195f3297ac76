"""`regtui` command line: parse arguments, run one command, map errors to exit statuses."""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from regtui import __version__
from regtui.cli.catalog import CATALOG, Handler, command, run_tui
from regtui.cli.options import common_options
from regtui.cli.output import ascii_only, warn
from regtui.config import load_settings, settings_locations
from regtui.domain.limits import length_problem
from regtui.domain.text import clean_single_line
from regtui.errors import InputError, RegtuiError
from regtui.glyphs import ascii_wanted
from regtui.services.failures import database_error
from regtui.services.handle import ServiceHandle

UNSIZED_ARGUMENTS = frozenset({"registry", "cache", "command", "teams"})
"""Arguments not sized here: locations, the command's name, and --teams (a comma-separated list, whose names the
service checks one by one)."""
CLIPPED_CHARS = 80
"""How much of a bad argument value an error quotes."""
SIGPIPE_STATUS = 141
"""What a shell reports for a command killed by SIGPIPE: 128 + 13."""


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr (exit 2), as the CLI contract says."""

    def error(self, message: str) -> NoReturn:
        """Report a usage error in one line and exit 2: argparse names the argument; a long value it quotes is
        clipped (control characters shown, not sent to the terminal)."""
        shown = clean_single_line(QUOTED_VALUE.sub(_clipped, message))
        self.exit(2, f"{self.prog}: {shown} (see {self.prog} --help)\n")


QUOTED_VALUE = re.compile(rf"'([^']{{{CLIPPED_CHARS + 1},}})'")
"""A value argparse quotes in its message, when longer than CLIPPED_CHARS."""


def _clipped(match: re.Match[str]) -> str:
    """The quoted value clipped: its start, an ellipsis and its length."""
    value = match.group(1)
    return f"'{value[:CLIPPED_CHARS]}…' ({len(value)} characters)"


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
    for option, default in (("registry", None), ("cache", None), ("json", False)):
        if not hasattr(args, option):
            setattr(args, option, default)
    handler: Handler | None = command(args.command)[1] if args.command else None
    try:
        check_argument_sizes(args, line)
        settings = load_settings()
        ascii_only.set(ascii_wanted(settings.ascii, os.environ.get("TERM")))
        services = ServiceHandle(settings_locations(settings, args.registry, args.cache))
        try:
            status = run_tui(args, services) if handler is None else handler(args, services.service)
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


if __name__ == "__main__":
    sys.exit(main())
