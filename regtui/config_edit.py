"""Writing one setting back into the user's configuration file: the other keys and the comments are kept as they
were, and the new file is checked, then swapped in atomically (a temporary file renamed over the old one)."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

from regtui.config import ConfigError, parse_settings
from regtui.errors import InputError
from regtui.input_files import CONFIG_FILE_BYTES, read_text, refuse_anchors

PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
"""Values written unquoted (when YAML reads them back as the same string)."""


def save_theme(path: Path, name: str) -> None:
    """Set `theme:` in the configuration file (created when missing); ConfigError when it cannot be done."""
    set_setting(path, "theme", name)


def set_setting(path: Path, key: str, value: str) -> None:
    """Set one top-level key to a string; a symlinked file stays a link (its target is rewritten)."""
    target = path.resolve()
    try:
        text = read_text(target, CONFIG_FILE_BYTES, "configuration") if os.path.exists(target) else ""
    except InputError as exc:
        raise ConfigError(exc.message) from None
    updated = with_setting(text, key, value, path)
    parse_settings(updated, path)
    try:
        write_atomically(target, updated)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write configuration: {exc}") from None


def with_setting(text: str, key: str, value: str, path: Path) -> str:
    """The file's text with `key: value` set in place (or added at the end); when an in-place edit would change
    anything else, the whole mapping rewritten (every key kept, comments lost)."""
    current = _mapping(text, path)
    wanted = {**current, key: value}
    edited = _edit_in_place(text, key, yaml_scalar(value))
    if edited is not None and _loads(edited) == wanted:
        return edited
    return yaml.safe_dump(wanted, sort_keys=False, allow_unicode=True)


def yaml_scalar(value: str) -> str:
    """A string as a YAML scalar: plain when it reads back unchanged, else double-quoted (JSON is valid YAML)."""
    if PLAIN.fullmatch(value) and _loads(value) == value:
        return value
    return json.dumps(value, ensure_ascii=False)


def _mapping(text: str, path: Path) -> dict[str, Any]:
    """The file's top-level mapping (empty for an empty file); ConfigError for anything else (anchors too)."""
    try:
        refuse_anchors(text, str(path))
        document = yaml.safe_load(text)
    except InputError as exc:
        raise ConfigError(f"{exc.message}, not changed") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML, not changed: {exc}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values, not changed")
    return document


def _edit_in_place(text: str, key: str, scalar: str) -> str | None:
    """Replace the key's value where it is written, or add the key at the end; None when YAML cannot say where."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    if root is None:
        return f"{text}{'' if not text or text.endswith(chr(10)) else chr(10)}{key}: {scalar}\n"
    if not isinstance(root, yaml.MappingNode):
        return None
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return text[: value_node.start_mark.index] + scalar + text[value_node.end_mark.index :]
    if root.flow_style:
        return None
    return f"{text}{'' if text.endswith(chr(10)) else chr(10)}{key}: {scalar}\n"


def _loads(text: str) -> Any:
    """YAML text as Python values, or None when it is not valid YAML."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def write_atomically(path: Path, text: str) -> None:
    """Write a file through a temporary file in the same folder renamed over it: readers see the old file or the
    new one, never half of one; an existing file keeps its permissions (a new one is private to the user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
