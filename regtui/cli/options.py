"""Options every command accepts, before or after its name (and after a sub-action's name), and the argument
types that turn a bad value into a one-line usage error naming the option."""

from __future__ import annotations

import argparse
from pathlib import Path


def registry_url(value: str) -> str:
    """A registry URL: refused when empty, rather than silently falling back to the default registry."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty URL (leave the option out to use the default registry)")
    return value


def cache_file(value: str) -> str:
    """A cache file path that can exist: not a folder, and its nearest existing parent is a folder."""
    if not value.strip():
        raise argparse.ArgumentTypeError("empty path")
    path = Path(value).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder, not a file")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"{value} cannot be created: {parent} is not a folder")
    return value


def positive_count(value: str) -> int:
    """A count of at least 1 (a --limit)."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {count}")
    return count


def common_options() -> argparse.ArgumentParser:
    """A parent parser with --registry, --cache and --json (defaults suppressed, so any position works)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--registry",
        metavar="URL",
        type=registry_url,
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL of the shared registry (env REGTUI_REGISTRY)",
    )
    common.add_argument(
        "--cache",
        metavar="PATH",
        type=cache_file,
        default=argparse.SUPPRESS,
        help="local cache file (env REGTUI_CACHE)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    common.add_argument(
        "--fresh",
        action="store_true",
        default=argparse.SUPPRESS,
        help="reads must reach the registry: exit 2 when it is unreachable instead of answering from the cache",
    )
    return common
