"""Registry URLs without SQLAlchemy: parsed and rendered exactly as SQLAlchemy's make_url does, so the dashboard's
start (the cache file is named by a hash of the normalized URL; the header shows it redacted) loads no ORM."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, quote_plus, unquote

from regtui.errors import InputError

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_PATTERN = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
        """,
    re.X,
)
"""SQLAlchemy's URL grammar (sqlalchemy.engine.url._parse_url), so both read every URL the same way."""


@dataclass(frozen=True)
class RegistryUrl:
    """The parts of a database URL, as SQLAlchemy's URL object holds them."""

    drivername: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: tuple[tuple[str, tuple[str, ...]], ...]
    """Each key with its values in the order given (keys are sorted when rendered)."""

    @property
    def backend(self) -> str:
        """The database kind without the driver: 'postgresql' for 'postgresql+psycopg'."""
        return self.drivername.split("+")[0]

    def render(self, *, hide_password: bool) -> str:
        """The URL as text, as SQLAlchemy's render_as_string writes it."""
        text = self.drivername + "://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(self.password, safe=" +"))
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + quote(self.database, safe=" +/")
        if self.query:
            text += "?" + "&".join(
                f"{quote_plus(key)}={quote_plus(value)}" for key, values in sorted(self.query) for value in values
            )
        return text


def parse_url(url: str) -> RegistryUrl | None:
    """The URL's parts, or None when SQLAlchemy would not accept it either."""
    match = URL_PATTERN.match(url)
    if match is None:
        return None
    parts = match.groupdict()
    port = parts["port"]
    if port == "":
        return None
    try:
        number = int(port) if port is not None else None
    except ValueError:
        return None
    query: dict[str, list[str]] = {}
    for key, value in parse_qsl(parts["query"] or ""):
        query.setdefault(key, []).append(value)
    return RegistryUrl(
        drivername=parts["name"],
        username=_unquoted(parts["username"]),
        password=_unquoted(parts["password"]),
        host=parts["ipv4host"] or parts["ipv6host"],
        port=number,
        database=_unquoted(parts["database"]),
        query=tuple((key, tuple(values)) for key, values in query.items()),
    )


def _unquoted(part: str | None) -> str | None:
    """A percent-decoded URL part (None stays None)."""
    return None if part is None else unquote(part)


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs by selecting the psycopg 3 driver; refuse unknown schemes."""
    parsed = parse_url(url)
    if parsed is None:
        raise InputError(f"invalid registry URL {url!r}: expected sqlite:///PATH or postgresql://USER@HOST/DB")
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = replace(parsed, drivername="postgresql+psycopg")
    if parsed.backend not in SUPPORTED_BACKENDS:
        raise InputError(f"unsupported registry URL {redact(url)}: only sqlite and postgresql are supported")
    return parsed.render(hide_password=False)


def redact(url: str) -> str:
    """The URL with any password hidden, for messages and the header."""
    parsed = parse_url(url)
    return "<invalid URL>" if parsed is None else parsed.render(hide_password=True)
