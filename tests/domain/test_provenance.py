"""Provenance in manifests: the `source` section and bounded tags, parsed, refused when malformed, hashed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from regtui.domain.manifest import VersionManifest, parse_version_manifest, version_document
from regtui.domain.provenance import MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS, Source
from regtui.errors import InputError
from tests.factories import version_document as document_of

SOURCE = {
    "run_id": "4f1c2a",
    "git_commit": "A1B2C3D4E5F6",
    "code_uri": "https://git.example.com/risk/churn",
    "lock_file": "uv.lock",
    "lock_sha256": "ab" * 32,
    "builder": "ci/pipeline-812",
}


def parsed(**fields: Any) -> Any:
    """The entry of a version manifest with some fields set."""
    return parse_version_manifest(document_of("churn", "1.0.0", **fields), base_dir=Path("."), source="m.yaml").entry


def test_source_and_tags_are_parsed_and_exported() -> None:
    """Every source field is kept (a commit lowercased), tags sorted by key; the document round-trips."""
    entry = parsed(source=SOURCE, tags={"team": "risk", "ci": "812"})
    assert entry.source == Source(**{**SOURCE, "git_commit": "a1b2c3d4e5f6"})
    assert list(entry.tags.items()) == [("ci", "812"), ("team", "risk")]
    document = version_document(VersionManifest(entry=parsed(source=SOURCE, tags={"a": 1})))
    assert document["source"]["git_commit"] == "a1b2c3d4e5f6" and document["tags"] == {"a": "1"}


def test_provenance_is_hashed_only_when_set() -> None:
    """A version without provenance keeps the hash it had before the fields existed; with it, the hash changes."""
    plain = parsed()
    assert "source" not in version_document_keys(plain)
    assert plain.content_hash() == parsed(source=None, tags={}).content_hash()
    assert parsed(source={"run_id": "x"}).content_hash() != plain.content_hash()
    assert parsed(tags={"a": "b"}).content_hash() != plain.content_hash()
    assert parsed(source={"run_id": "x"}).differing_fields(plain) == ["source"]


def version_document_keys(entry: Any) -> set[str]:
    """The keys an exported document of the entry has."""
    return set(version_document(VersionManifest(entry=entry)))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source": {"run": "x"}}, "source: unknown field(s) run"),
        ({"source": "abc"}, "source: expected a mapping"),
        ({"source": {"git_commit": "xyz"}}, "source.git_commit: expected 7 to 64 hexadecimal digits"),
        ({"source": {"lock_sha256": "12"}}, "source.lock_sha256: expected 64 hexadecimal digits"),
        ({"source": {"builder": "a\nb"}}, "source.builder: expected one line"),
        ({"source": {"code_uri": "u" * 501}}, "source.code_uri: expected one line of at most 500"),
        ({"tags": ["a"]}, "tags: expected a mapping"),
        ({"tags": {f"k{i}": "v" for i in range(MAX_TAGS + 1)}}, f"{MAX_TAGS + 1} tags; at most {MAX_TAGS}"),
        ({"tags": {"k" * (MAX_TAG_KEY + 1): "v"}}, f"a tag key is 1 to {MAX_TAG_KEY}"),
        ({"tags": {"-k": "v"}}, "a tag key is"),
        ({"tags": {"k": "v" * (MAX_TAG_VALUE + 1)}}, f"tags.k: expected one line of at most {MAX_TAG_VALUE}"),
        ({"tags": {"k": {"nested": 1}}}, "tags.k: expected text, got dict"),
    ],
)
def test_malformed_provenance_is_one_line_naming_the_field(fields: dict[str, Any], message: str) -> None:
    """Bad provenance is refused with the manifest and the field named."""
    with pytest.raises(InputError, match="^m.yaml: ") as caught:
        parsed(**fields)
    assert message in caught.value.message and "\n" not in caught.value.message


def test_an_empty_source_is_not_recorded() -> None:
    """A source whose fields are all empty is the same content as none."""
    assert parsed(source={"run_id": "", "builder": None}).source is None
