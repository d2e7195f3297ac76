"""regtui: a keyboard-driven terminal dashboard and CLI for a governed model registry."""

__version__ = "0.1.0"
