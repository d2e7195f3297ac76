"""Where the registry and the cache live (flags, then environment, then the config file, then the user's
default folders), and the user's validated configuration file."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from platformdirs import user_cache_dir, user_config_dir, user_data_dir

from regtui.errors import InputError
from regtui.input_files import CONFIG_FILE_BYTES, read_text, refuse_anchors
from regtui.urls import normalize_url

REGISTRY_ENV = "REGTUI_REGISTRY"
CACHE_ENV = "REGTUI_CACHE"
PREPARE_ENV = "REGTUI_PREPARE_THRESHOLD"


@dataclass(frozen=True)
class Locations:
    """The registry URL and the cache file this invocation uses, and how it talks to a PostgreSQL registry."""

    registry_url: str
    cache_path: Path
    prepare_threshold: int | None = None
    """PostgreSQL: prepare a statement once it ran this many times on a connection; None (default): never."""


def default_registry_url() -> str:
    """An SQLite file in the user's data folder."""
    return f"sqlite:///{Path(user_data_dir('regtui')) / 'registry.db'}"


def default_cache_path(cache_dir: Path, registry_url: str) -> Path:
    """One cache file per registry URL, named by a hash of the (normalized) URL."""
    digest = hashlib.sha256(registry_url.encode()).hexdigest()[:16]
    return cache_dir / f"cache-{digest}.db"


def resolve_locations(
    registry: str | None = None, cache: str | None = None, prepare_threshold: int | None = None
) -> Locations:
    """Pick the registry URL, cache path and prepare threshold: explicit value, else environment, else the default."""
    url = normalize_url(registry or os.environ.get(REGISTRY_ENV) or default_registry_url())
    cache_value = cache or os.environ.get(CACHE_ENV)
    cache_path = (
        Path(cache_value).expanduser() if cache_value else default_cache_path(Path(user_cache_dir("regtui")), url)
    )
    threshold = env_prepare_threshold()
    return Locations(
        registry_url=url, cache_path=cache_path, prepare_threshold=prepare_threshold if threshold is None else threshold
    )


def env_prepare_threshold() -> int | None:
    """REGTUI_PREPARE_THRESHOLD as a whole number (None when unset or empty); anything else is a one-line error."""
    value = os.environ.get(PREPARE_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InputError(f"{PREPARE_ENV}: expected a whole number of runs (0: prepare at once), got {value!r}")
    return int(value)


CONFIG_ENV = "REGTUI_CONFIG"
DEFAULT_THEME = "regtui-dark"
DEFAULT_SYNC_INTERVAL = 10.0
DEFAULT_FEED_INTERVAL = 3600.0


class ConfigError(InputError):
    """The configuration file is unreadable or invalid; the message names the file and line."""

    title = "Configuration"


@dataclass(frozen=True)
class Settings:
    """The user's configuration file, validated: where to connect and how the dashboard looks and behaves."""

    registry: str | None = None
    cache: str | None = None
    theme: str = DEFAULT_THEME
    sync_interval: float = DEFAULT_SYNC_INTERVAL
    feed_interval: float | None = DEFAULT_FEED_INTERVAL
    show_identity: bool = True
    keys: dict[str, str] = field(default_factory=dict)
    animations: bool = False
    prepare_threshold: int | None = None
    ascii: bool | None = None
    """Draw with ASCII only (true/false); unset: on under TERM=linux and other consoles without drawing glyphs."""
    source: Path | None = None


def config_path() -> Path:
    """The configuration file: REGTUI_CONFIG, else config.yaml in the user's config folder."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override).expanduser() if override else Path(user_config_dir("regtui")) / "config.yaml"


def themes_folder(config_file: Path) -> Path:
    """The user's own theme files: themes/*.yaml beside the configuration file."""
    return config_file.parent / "themes"


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate the configuration file; a missing file means the defaults."""
    path = path or config_path()
    if not os.path.exists(path):
        return Settings()
    try:
        text = read_text(path, CONFIG_FILE_BYTES, "configuration")
    except InputError as exc:
        raise ConfigError(exc.message) from None
    return parse_settings(text, path)


def parse_settings(text: str, path: Path) -> Settings:
    """Validate configuration YAML into Settings; every error names the file and line (anchors are refused)."""
    loader = yaml.SafeLoader(text)
    try:
        refuse_anchors(text, str(path))
        root = loader.get_single_node()
        if root is None:
            return Settings(source=path)
        if not isinstance(root, yaml.MappingNode):
            raise ConfigError(f"{_where(path, root)}: the configuration must be a mapping of keys to values")
        values: dict[str, Any] = {}
        for key_node, value_node in root.value:
            key = str(loader.construct_object(key_node))
            if key not in _FIELD_CHECKS:
                known = ", ".join(sorted(_FIELD_CHECKS))
                raise ConfigError(f"{_where(path, key_node)}: unknown key {key!r} (known keys: {known})")
            values[key] = _FIELD_CHECKS[key](loader.construct_object(value_node, deep=True), value_node, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    except InputError as exc:
        raise ConfigError(exc.message) from None
    finally:
        loader.dispose()
    return Settings(**values, source=path)


def _where(path: Path, node: yaml.Node) -> str:
    """FILE:LINE of a YAML node."""
    return f"{path}:{node.start_mark.line + 1}"


def _optional_text(value: Any, node: yaml.Node, path: Path) -> str | None:
    """A string or null."""
    if value is None or (isinstance(value, str) and value.strip()):
        return value
    raise ConfigError(f"{_where(path, node)}: expected a non-empty string, got {_kind(value)}")


def _text(value: Any, node: yaml.Node, path: Path) -> str:
    """A non-empty string."""
    if isinstance(value, str) and value.strip():
        return value
    raise ConfigError(f"{_where(path, node)}: expected a non-empty string, got {_kind(value)}")


def _optional_seconds(value: Any, node: yaml.Node, path: Path) -> float | None:
    """A positive number of seconds, or null for never."""
    return None if value is None else _seconds(value, node, path)


def _optional_count(value: Any, node: yaml.Node, path: Path) -> int | None:
    """A whole number (0 or more), or null for none."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise ConfigError(f"{_where(path, node)}: expected a whole number (0 or more) or null, got {_kind(value)}")


def _flag(value: Any, node: yaml.Node, path: Path) -> bool:
    """true or false."""
    if isinstance(value, bool):
        return value
    raise ConfigError(f"{_where(path, node)}: expected true or false, got {_kind(value)}")


def _optional_flag(value: Any, node: yaml.Node, path: Path) -> bool | None:
    """true, false, or null for the default."""
    return None if value is None else _flag(value, node, path)


def _seconds(value: Any, node: yaml.Node, path: Path) -> float:
    """A positive number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    raise ConfigError(f"{_where(path, node)}: expected a positive number of seconds, got {_kind(value)}")


def _keymap(value: Any, node: yaml.Node, path: Path) -> dict[str, str]:
    """A mapping of binding ids to key strings (e.g. cursor_down: "j,down")."""
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{_where(path, node)}: expected a mapping of binding ids to keys, got {_kind(value)}")
    keys: dict[str, str] = {}
    for key_node, value_node in node.value:
        if not (
            isinstance(key_node, yaml.ScalarNode)
            and isinstance(value_node, yaml.ScalarNode)
            and value_node.value.strip()
        ):
            raise ConfigError(f"{_where(path, value_node)}: expected `binding_id: key`, e.g. `cursor_down: j,down`")
        keys[key_node.value] = value_node.value
    return keys


def _kind(value: Any) -> str:
    """A short description of a YAML value, for error messages."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping"}
    name = "nothing" if value is None else names.get(type(value), type(value).__name__)
    return f"{name} {value!r}" if isinstance(value, (str, int, float)) and not isinstance(value, bool) else name


_FIELD_CHECKS: dict[str, Callable[[Any, yaml.Node, Path], Any]] = {
    "registry": _optional_text,
    "cache": _optional_text,
    "theme": _text,
    "sync_interval": _seconds,
    "feed_interval": _optional_seconds,
    "show_identity": _flag,
    "keys": _keymap,
    "animations": _flag,
    "prepare_threshold": _optional_count,
    "ascii": _optional_flag,
}


def settings_locations(settings: Settings, registry: str | None = None, cache: str | None = None) -> Locations:
    """Locations by precedence: flag, then environment, then the configuration file, then the default."""
    return resolve_locations(
        registry or os.environ.get(REGISTRY_ENV) or settings.registry,
        cache or os.environ.get(CACHE_ENV) or settings.cache,
        settings.prepare_threshold,
    )
