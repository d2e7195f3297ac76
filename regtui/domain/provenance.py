"""Where a version came from: its `source` (run, commit, code, dependency lock, builder) and bounded free-form tags.

Both are registered content (immutable, part of the content hash when present). Limits (README, "Manifest format"):
at most MAX_TAGS tags, keys of at most MAX_TAG_KEY characters, values of at most MAX_TAG_VALUE; each source field at
most MAX_SOURCE_TEXT characters, a git commit 7 to 64 hexadecimal digits, a lock file digest a SHA-256.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from regtui.errors import InputError

MAX_TAGS = 32
MAX_TAG_KEY = 64
MAX_TAG_VALUE = 256
MAX_SOURCE_TEXT = 500
GIT_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
TAG_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")

Fail = Callable[[str, str], InputError]
"""Builds the one-line error for a field (where, problem), naming the manifest it came from."""


@dataclass(frozen=True)
class Source:
    """How a version was built: the training run, the code's commit and location, the dependency lock, the builder."""

    run_id: str = ""
    git_commit: str = ""
    code_uri: str = ""
    lock_file: str = ""
    lock_sha256: str = ""
    builder: str = ""

    def is_empty(self) -> bool:
        """Whether no field is set (such a source is not recorded)."""
        return not any(self.to_dict().values())

    def to_dict(self) -> dict[str, str]:
        """The fields in declaration order."""
        return {
            "run_id": self.run_id,
            "git_commit": self.git_commit,
            "code_uri": self.code_uri,
            "lock_file": self.lock_file,
            "lock_sha256": self.lock_sha256,
            "builder": self.builder,
        }


SOURCE_KEYS = frozenset(Source().to_dict())


def parse_source(value: Any, fail: Fail) -> Source | None:
    """The `source` section of a manifest (None when absent or empty), each field checked."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise fail("source", f"expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(map(str, value)) - SOURCE_KEYS)
    if unknown:
        raise fail("source", f"unknown field(s) {', '.join(unknown)}")
    fields = {key: _source_text(str(key), raw, fail) for key, raw in value.items()}
    commit = fields.get("git_commit", "").lower()
    if commit and not GIT_COMMIT.match(commit):
        raise fail("source.git_commit", "expected 7 to 64 hexadecimal digits")
    digest = fields.get("lock_sha256", "").lower()
    if digest and not SHA256_HEX.match(digest):
        raise fail("source.lock_sha256", "expected 64 hexadecimal digits (the lock file's SHA-256)")
    source = Source(**{**fields, "git_commit": commit, "lock_sha256": digest})
    return None if source.is_empty() else source


def _source_text(key: str, value: Any, fail: Fail) -> str:
    """One source field: text (a number is taken as its text), one line, bounded."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(f"source.{key}", f"expected text, got {type(value).__name__}")
    text = str(value).strip()
    if len(text) > MAX_SOURCE_TEXT or "\n" in text:
        raise fail(f"source.{key}", f"expected one line of at most {MAX_SOURCE_TEXT} characters")
    return text


def parse_tags(value: Any, fail: Fail) -> dict[str, str]:
    """The `tags` section: a mapping of at most MAX_TAGS keys to one-line text values, both bounded."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise fail("tags", f"expected a mapping, got {type(value).__name__}")
    if len(value) > MAX_TAGS:
        raise fail("tags", f"{len(value)} tags; at most {MAX_TAGS} are allowed")
    tags: dict[str, str] = {}
    for raw_key, raw_value in value.items():
        key = str(raw_key)
        if len(key) > MAX_TAG_KEY or not TAG_KEY.match(key):
            raise fail(
                f"tags.{key[:MAX_TAG_KEY]}",
                f"a tag key is 1 to {MAX_TAG_KEY} letters, digits or . _ : / - (starting with a letter or digit)",
            )
        if isinstance(raw_value, bool) or not isinstance(raw_value, (str, int, float)):
            raise fail(f"tags.{key}", f"expected text, got {type(raw_value).__name__}")
        text = str(raw_value)
        if len(text) > MAX_TAG_VALUE or "\n" in text:
            raise fail(f"tags.{key}", f"expected one line of at most {MAX_TAG_VALUE} characters")
        tags[key] = text
    return dict(sorted(tags.items()))


def source_from_stored(data: Mapping[str, Any] | None) -> Source | None:
    """A source from its stored JSON form (None: not recorded)."""
    if not data:
        return None
    return Source(**{key: str(data.get(key) or "") for key in SOURCE_KEYS})
