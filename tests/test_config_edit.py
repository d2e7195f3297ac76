"""Saving a setting into the configuration file keeps the rest of the file and never leaves half a file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regtui.config import ConfigError, load_settings
from regtui.config_edit import save_theme, with_setting

WHERE = Path("config.yaml")


def test_the_theme_is_replaced_in_place_keeping_comments_and_keys(tmp_path: Path) -> None:
    """The value after `theme:` changes; comments, order and every other key stay as written."""
    path = tmp_path / "config.yaml"
    text = "# my settings\nsync_interval: 2.5  # fast\ntheme: regtui-dark  # colours\nkeys:\n  cycle_sort: O\n"
    path.write_text(text)
    save_theme(path, "regtui-light")
    assert path.read_text() == text.replace("regtui-dark", "regtui-light")
    settings = load_settings(path)
    assert settings.theme == "regtui-light" and settings.sync_interval == 2.5 and settings.keys == {"cycle_sort": "O"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "theme: regtui-light\n"),
        ("# only a comment", "# only a comment\ntheme: regtui-light\n"),
        ("keys:\n  cycle_sort: O\n", "keys:\n  cycle_sort: O\ntheme: regtui-light\n"),
        ("{sync_interval: 2}\n", "sync_interval: 2\ntheme: regtui-light\n"),
        ("theme: 'regtui-dark'\n", "theme: regtui-light\n"),
    ],
)
def test_a_missing_key_is_added_and_flow_mappings_are_rewritten(text: str, expected: str) -> None:
    """No theme yet: appended at the end; a one-line {...} file is rewritten as a block (every key kept)."""
    assert with_setting(text, "theme", "regtui-light", WHERE) == expected


@pytest.mark.parametrize("name", ["true", "my theme: dark", "42", "#hash"])
def test_names_yaml_would_misread_are_quoted(tmp_path: Path, name: str) -> None:
    """A name that YAML would read as something else is written quoted, and reads back as written."""
    path = tmp_path / "config.yaml"
    path.write_text("animations: true\n")
    save_theme(path, name)
    assert load_settings(path).theme == name and load_settings(path).animations is True


def test_a_missing_file_and_folder_are_created_private(tmp_path: Path) -> None:
    """No configuration yet: the folder and a file readable by its owner only are created."""
    path = tmp_path / "regtui" / "config.yaml"
    save_theme(path, "regtui-high-contrast")
    assert path.read_text() == "theme: regtui-high-contrast\n"
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_existing_file_keeps_its_permissions_and_a_symlink_stays_a_link(tmp_path: Path) -> None:
    """The file is replaced by a rename, with the old file's mode; a symlinked file's target is rewritten."""
    target = tmp_path / "dotfiles" / "regtui.yaml"
    target.parent.mkdir()
    target.write_text("theme: regtui-dark\n")
    target.chmod(0o644)
    link = tmp_path / "config.yaml"
    link.symlink_to(target)
    save_theme(link, "regtui-light")
    assert link.is_symlink() and target.read_text() == "theme: regtui-light\n"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [entry.name for entry in target.parent.iterdir()] == ["regtui.yaml"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("theme: [unclosed\n", "invalid YAML"),
        ("- a list\n", "must be a mapping"),
        ("theme: x\ncolour: red\n", "unknown key 'colour'"),
    ],
)
def test_a_file_that_does_not_load_is_left_alone(tmp_path: Path, text: str, words: str) -> None:
    """A broken or invalid file is not rewritten: a ConfigError says why, the file is unchanged."""
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=words):
        save_theme(path, "regtui-light")
    assert path.read_text() == text


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rename fails (a full disk, a read-only folder): a ConfigError naming the file, the old file intact."""
    path = tmp_path / "config.yaml"
    path.write_text("theme: regtui-dark\n")

    def refuse(source: str, target: Path) -> None:
        """The rename fails as it does on a read-only folder."""
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(ConfigError, match="cannot write configuration"):
        save_theme(path, "regtui-light")
    assert path.read_text() == "theme: regtui-dark\n"
    assert [entry.name for entry in tmp_path.iterdir()] == ["config.yaml"]
