"""Untrusted files: only regular files are read, within a byte limit; YAML anchors and aliases are refused with
their line; size limits come from one table."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from regtui.config import ConfigError, load_settings
from regtui.domain.limits import LINE_CHARS, NAME_CHARS, TEXT_CHARS, URI_CHARS, check_text, field_limit
from regtui.domain.manifest import dump_yaml
from regtui.errors import InputError
from regtui.input_files import NotRegularFileError, load_yaml, open_regular, read_text, refuse_anchors


def test_only_regular_files_are_opened(tmp_path: Path) -> None:
    """A FIFO, a directory, a socket and a character device are refused, each naming what it is."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock"))
    try:
        for path, kind in ((fifo, "a FIFO"), (tmp_path, "a directory"), (tmp_path / "sock", "a socket")):
            with pytest.raises(NotRegularFileError, match=f": is {kind}, not a regular file$"):
                open_regular(path)
    finally:
        server.close()
    with pytest.raises(NotRegularFileError, match="is a character device"):
        open_regular("/dev/null")
    regular = tmp_path / "file"
    regular.write_bytes(b"data")
    with open_regular(regular) as handle:
        assert handle.read() == b"data"


def test_a_file_over_its_limit_is_refused_and_a_missing_one_named(tmp_path: Path) -> None:
    """Over the limit by one byte is refused; a missing file says it cannot be read."""
    path = tmp_path / "evidence.yaml"
    path.write_text("x" * 11)
    assert read_text(path, 11, "evidence") == "x" * 11
    with pytest.raises(InputError, match="evidence.yaml: evidence is over the limit of 10 bytes"):
        read_text(path, 10, "evidence")
    with pytest.raises(InputError, match="gone.yaml: cannot read evidence: No such file or directory"):
        read_text(tmp_path / "gone.yaml", 10, "evidence")
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(InputError, match="evidence is not UTF-8 text"):
        read_text(path, 10, "evidence")


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("a: &x 1\n", 1, "anchors"),
        ("a:\n  - b\n  - !!str &x c\n", 3, "anchors"),
        ("a: 1\nb: *x\n", 2, "aliases"),
        ("a: {k: [1, 2]}\nb:\n  <<: *m\n", 3, "aliases"),
    ],
)
def test_anchors_and_aliases_are_refused_with_their_line(text: str, line: int, what: str) -> None:
    """Wherever they are, before any node is built."""
    with pytest.raises(InputError, match=f"^doc.yaml: line {line}: YAML {what}"):
        refuse_anchors(text, "doc.yaml")
    with pytest.raises(InputError, match=f"^doc.yaml: line {line}: YAML {what}"):
        load_yaml(text, "doc.yaml")


def test_plain_yaml_loads_and_syntax_errors_name_the_line() -> None:
    """No anchor, no alias: loaded as before; a syntax error is one line with its line number."""
    assert load_yaml("a: [1, 2]\nb: '&not an anchor *nor an alias'\n", "doc") == {
        "a": [1, 2],
        "b": "&not an anchor *nor an alias",
    }
    with pytest.raises(InputError, match="^doc: line 3: malformed YAML"):
        load_yaml("a: 1\nb: [1\nc: 2\n", "doc")


def test_the_configuration_file_is_bounded_and_refuses_anchors(tmp_path: Path) -> None:
    """A FIFO or an anchor in the configuration is a ConfigError naming the file."""
    config = tmp_path / "config.yaml"
    config.write_text("theme: &t nord\n")
    with pytest.raises(ConfigError, match="config.yaml: line 1: YAML anchors"):
        load_settings(config)
    config.unlink()
    os.mkfifo(config)
    with pytest.raises(ConfigError, match="config.yaml: is a FIFO, not a regular file"):
        load_settings(config)


def test_exports_never_write_an_alias() -> None:
    """A document sharing one list twice is written out twice, so import (which refuses aliases) reads it back."""
    shared = ["traffic drained"]
    text = dump_yaml({"a": shared, "b": shared})
    assert "&" not in text and "*" not in text
    assert load_yaml(text, "export") == {"a": shared, "b": shared}


def test_field_limits_come_from_one_table() -> None:
    """A field is limited by its last name; list indices do not matter; anything else is an identifier."""
    assert field_limit("requests[3].reason") == field_limit("comment") == TEXT_CHARS
    assert field_limit("model_card.fairness.summary") == field_limit("description") == TEXT_CHARS
    assert field_limit("model_card.training_data.source") == field_limit("archival_checklist[2]") == LINE_CHARS
    assert field_limit("artifacts[0].uri") == URI_CHARS
    assert field_limit("model") == field_limit("users[0].teams") == field_limit("metric") == NAME_CHARS
    assert check_text("reason", "r" * TEXT_CHARS) == "r" * TEXT_CHARS
    with pytest.raises(InputError, match=f"^reason: {TEXT_CHARS + 1} characters, over the limit of {TEXT_CHARS}$"):
        check_text("reason", "r" * (TEXT_CHARS + 1))
