"""regtui: a keyboard-driven terminal dashboard and CLI for a governed model registry, and its Python API
(`regtui.connect(url)`, docs/python-api.md; imported on first use, so `import regtui` stays light)."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

API_NAMES = ("connect", "Registry")


def __getattr__(name: str) -> Any:
    """`regtui.connect` and `regtui.Registry`, from regtui.api on first use."""
    if name in API_NAMES:
        from regtui import api

        return getattr(api, name)
    raise AttributeError(f"module 'regtui' has no attribute {name!r}")
