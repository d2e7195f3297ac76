"""Untrusted input files read safely: regular files only, a byte limit, YAML without anchors or aliases.

A FIFO, a device or a socket in a file's place would block or never end, a directory has nothing to read, and a
YAML alias (`*name`) can expand a small file into gigabytes: each is refused here, before any read or parse,
with a one-line reason. The byte limits themselves are in `regtui/domain/limits.py` (this leaf holds only the
configuration file's, which the leaves use).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from regtui.errors import InputError

CONFIG_FILE_BYTES = 1024 * 1024
"""The largest configuration or theme file read (documented in docs/limits.md)."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PATH_SHOWN = 240
_REFUSED = "YAML %s are not accepted (they can expand without bound); write the value out"
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_regular_reason(mode: int) -> str | None:
    """Why a file of this mode cannot be read as data ('is a FIFO, not a regular file'), None when it can."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"is {kind}, not a regular file"


class NotRegularFileError(InputError):
    """A path that names a FIFO, directory, device or socket where a regular file is needed."""

    title = "Not a regular file"

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{clip(str(path), _PATH_SHOWN)}: {reason}")
        self.path = str(path)
        self.reason = reason


def open_regular(path: Path | str) -> BinaryIO:
    """Open a regular file for reading, refusing anything else before a byte is read.

    The path is stat'ed first; the open is non-blocking (a FIFO swapped in after the stat cannot block it) and the
    opened descriptor is checked again, which closes that race. OSError (missing, unreadable) passes through."""
    reason = not_regular_reason(os.stat(path).st_mode)
    if reason is not None:
        raise NotRegularFileError(path, reason)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        reason = not_regular_reason(os.fstat(descriptor).st_mode)
        if reason is not None:
            raise NotRegularFileError(path, reason)
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_bytes(path: Path, max_bytes: int, what: str) -> bytes:
    """A regular file's bytes, refusing one over max_bytes before reading past the limit."""
    try:
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > max_bytes else handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{clip(str(path), _PATH_SHOWN)}: cannot read {what}: {exc.strerror or exc}") from None
    if size > max_bytes or len(data) > max_bytes:
        raise InputError(f"{clip(str(path), _PATH_SHOWN)}: {what} is over the limit of {max_bytes} bytes")
    return data


def read_text(path: Path, max_bytes: int, what: str) -> str:
    """A regular file's UTF-8 text, bounded as read_bytes is."""
    data = read_bytes(path, max_bytes, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{clip(str(path), _PATH_SHOWN)}: {what} is not UTF-8 text (byte {exc.start})") from None


def refuse_anchors(text: str, source: str) -> None:
    """Refuse YAML that defines an anchor (&name) or uses an alias (*name, << merges), naming the line.

    Scanned as parser events (no node is built), so an alias bomb is refused before any expansion. A syntax error
    raises yaml.YAMLError, for the caller to report as it reports the same error from loading. A text without '&'
    and '*' holds neither, and is not scanned."""
    if "&" not in text and "*" not in text:
        return
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise InputError(f"{source}: line {_line(event)}: {_REFUSED % 'aliases (*name)'}")
        if getattr(event, "anchor", None) is not None:
            raise InputError(f"{source}: line {_line(event)}: {_REFUSED % 'anchors (&name)'}")


def load_yaml(text: str, source: str) -> Any:
    """Safe-load a YAML document after refusing anchors and aliases; errors are one line with the line number."""
    try:
        refuse_anchors(text, source)
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise InputError(yaml_error(exc, source)) from None


def yaml_error(exc: yaml.YAMLError, source: str) -> str:
    """One line for a YAML syntax error, with the line number when PyYAML knows it."""
    mark = getattr(exc, "problem_mark", None)
    line = f": line {mark.line + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or "malformed YAML"
    return f"{source}{line}: malformed YAML: {problem}"


def _line(event: yaml.Event) -> int:
    """The 1-based line an event starts on."""
    mark = event.start_mark
    return mark.line + 1 if mark is not None else 0


def clip(value: str, limit: int = 80) -> str:
    """A value short enough to quote in a one-line message: its start, an ellipsis and its length when cut."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value)} characters)"
