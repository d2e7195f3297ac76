"""Registry URLs are normalized and redacted without SQLAlchemy, to exactly SQLAlchemy's strings."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from regtui.errors import InputError
from regtui.urls import normalize_url, redact

URLS = (
    "sqlite://",
    "sqlite:///registry.db",
    "sqlite:///relative/dir/registry.db",
    "sqlite:////abs/path/registry.db",
    "sqlite:////abs/with space/and+plus/%C3%A9t%C3%A9.db",
    "sqlite:///:memory:",
    "sqlite:////tmp/x.db?mode=ro&cache=shared",
    "sqlite+pysqlite:////tmp/x.db",
    "postgres://alice@db.internal/models",
    "postgresql://alice@registry.internal:5432/models",
    "postgresql://alice:s3cret@registry.internal:5432/models",
    "postgresql://alice:p%40ss%3Aw%2Fo%3Frd%23%25@host/db",
    "postgresql://alice:pa ss+word@host/db",
    "postgresql://al%40ice:pw@host:05432/db",
    "postgresql://alice:@host/db",
    "postgresql://:pw@host/db",
    "postgresql+psycopg://alice@host/db?sslmode=require&application_name=x%20y",
    "postgresql://alice@host/db?options=-c%20a%3Db&b=2&a=1&a=0",
    "postgresql://alice@host/db?",
    "postgresql://alice@[::1]:5432/db",
    "postgresql://alice@host",
    "postgresql:///db",
    "postgresql://host/db%2Fwith%2Fslashes",
    "postgresql+psycopg2://u:p@h:1/d",
)
"""Accepted URLs of every shape the configuration may hold."""


def sqlalchemy_normalized(url: str) -> str:
    """What regtui's normalization gave when it used SQLAlchemy's URL object."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.mark.parametrize("url", URLS)
def test_normalized_and_redacted_urls_match_sqlalchemy(url: str) -> None:
    """The same normalized string (so the same cache file name) and the same redacted one as SQLAlchemy's."""
    normalized = normalize_url(url)
    assert normalized == sqlalchemy_normalized(url)
    assert redact(normalized) == make_url(normalized).render_as_string(hide_password=True)
    assert redact(url) == make_url(url).render_as_string(hide_password=True)


@pytest.mark.parametrize("url", ["registry.db", "sqlite:/registry.db", "postgresql://h:port/db", "postgresql://h:/db"])
def test_urls_sqlalchemy_refuses_are_input_errors(url: str) -> None:
    """What SQLAlchemy cannot parse is a one-line input error (and redacts as such)."""
    with pytest.raises(InputError, match="invalid registry URL"):
        normalize_url(url)
    assert redact(url) == "<invalid URL>"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "oracle+cx://u:secret@h/db"])
def test_other_databases_are_refused_without_showing_the_password(url: str) -> None:
    """Only SQLite and PostgreSQL registries; the message never shows a password."""
    with pytest.raises(InputError, match="only sqlite and postgresql") as raised:
        normalize_url(url)
    assert "secret" not in raised.value.message
