"""Options every command accepts, before or after its name (and after a sub-action's name)."""

from __future__ import annotations

import argparse


def common_options() -> argparse.ArgumentParser:
    """A parent parser with --registry, --cache and --json (defaults suppressed, so any position works)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--registry", metavar="URL", default=argparse.SUPPRESS,
                        help="SQLAlchemy URL of the shared registry (env REGTUI_REGISTRY)")
    common.add_argument("--cache", metavar="PATH", default=argparse.SUPPRESS,
                        help="local cache file (env REGTUI_CACHE)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    return common
