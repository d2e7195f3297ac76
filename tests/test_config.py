"""The configuration file: validated into Settings, errors naming file and line; flag > env > file."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.cli.main import main
from regtui.config import ConfigError, Settings, load_settings, parse_settings, settings_locations
from regtui.errors import InputError


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    """No file: defaults (dark theme, 10 s sync, feeds hourly, no animations)."""
    settings = load_settings(tmp_path / "absent.yaml")
    assert settings == Settings()
    assert settings.theme == "regtui-dark" and settings.sync_interval == 10.0 and settings.animations is False
    assert settings.feed_interval == 3600.0


def test_full_file(tmp_path: Path) -> None:
    """Every key, typed."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "registry: sqlite:///shared/registry.db\ncache: ~/cache.db\ntheme: regtui-light\nsync_interval: 2.5\n"
        "feed_interval: 900\nshow_identity: false\nanimations: true\nkeys:\n  cycle_sort: O\n  cursor_down: j,down,n\n"
        "ascii: true\n"
    )
    settings = load_settings(path)
    assert settings.registry == "sqlite:///shared/registry.db" and settings.cache == "~/cache.db"
    assert settings.theme == "regtui-light" and settings.sync_interval == 2.5 and settings.feed_interval == 900.0
    assert settings.show_identity is False and settings.animations is True
    assert settings.keys == {"cycle_sort": "O", "cursor_down": "j,down,n"}
    assert settings.ascii is True


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("theme: regtui-dark\ncolour: red\n", 2, "unknown key 'colour'"),
        ("theme: x\nsync_interval: soon\n", 2, "expected a positive number of seconds, got a string 'soon'"),
        ("ascii: yes please\n", 1, "expected true or false, got a string 'yes please'"),
        ("\n\nsync_interval: 0\n", 3, "positive number"),
        ("feed_interval: -5\n", 1, "expected a positive number of seconds, got a number -5"),
        ("animations: maybe\n", 1, "expected true or false"),
        ("keys:\n  cycle_sort: [o, O]\n", 2, "expected `binding_id: key`"),
        ("keys: [o]\n", 1, "expected a mapping of binding ids to keys"),
        ("theme: [unclosed\n", 2, "invalid YAML"),
        ("- a list\n", 1, "must be a mapping"),
        ("prepare_threshold: -1\n", 1, "expected a whole number (0 or more) or null, got a number -1"),
        ("prepare_threshold: yes\n", 1, "expected a whole number (0 or more) or null, got a boolean"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    """Unknown keys, wrong types and broken YAML are errors that say FILE:LINE and what is wrong."""
    path = tmp_path / "config.yaml"
    with pytest.raises(ConfigError) as caught:
        parse_settings(text, path)
    assert caught.value.message.startswith(f"{path}:{line}:")
    assert words in caught.value.message


def test_precedence_flag_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Locations: a flag beats the environment, which beats the file, which beats the default."""
    settings = Settings(registry=f"sqlite:///{tmp_path}/file.db", cache=str(tmp_path / "file-cache.db"))
    monkeypatch.delenv("REGTUI_REGISTRY", raising=False)
    monkeypatch.delenv("REGTUI_CACHE", raising=False)
    assert settings_locations(settings).registry_url.endswith("/file.db")
    assert settings_locations(settings).cache_path == tmp_path / "file-cache.db"
    monkeypatch.setenv("REGTUI_REGISTRY", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("REGTUI_CACHE", str(tmp_path / "env-cache.db"))
    assert settings_locations(settings).registry_url.endswith("/env.db")
    assert settings_locations(settings).cache_path == tmp_path / "env-cache.db"
    flagged = settings_locations(settings, f"sqlite:///{tmp_path}/flag.db", str(tmp_path / "flag-cache.db"))
    assert flagged.registry_url.endswith("/flag.db") and flagged.cache_path == tmp_path / "flag-cache.db"


def test_prepared_statements_are_off_unless_the_file_or_the_environment_asks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """prepare_threshold: none by default, the file's value, REGTUI_PREPARE_THRESHOLD over it, a bad value refused."""
    monkeypatch.delenv("REGTUI_PREPARE_THRESHOLD", raising=False)
    assert settings_locations(Settings()).prepare_threshold is None
    from_file = parse_settings("prepare_threshold: 3\n", tmp_path / "config.yaml")
    assert settings_locations(from_file).prepare_threshold == 3
    monkeypatch.setenv("REGTUI_PREPARE_THRESHOLD", "0")
    assert settings_locations(from_file).prepare_threshold == 0
    monkeypatch.setenv("REGTUI_PREPARE_THRESHOLD", "often")
    with pytest.raises(InputError, match="REGTUI_PREPARE_THRESHOLD: expected a whole number"):
        settings_locations(from_file)
    assert main(["models"]) == 2


def test_config_path_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """REGTUI_CONFIG points at another file; the CLI reports its errors with exit status 2."""
    path = tmp_path / "custom.yaml"
    path.write_text("sync_interval: -1\n")
    monkeypatch.setenv("REGTUI_CONFIG", str(path))
    with pytest.raises(ConfigError):
        load_settings()
    assert main(["models"]) == 2


def test_feed_polling_can_be_turned_off(tmp_path: Path) -> None:
    """`feed_interval: null` means the dashboard never fetches provider feeds by itself."""
    assert parse_settings("feed_interval: null\n", tmp_path / "config.yaml").feed_interval is None
