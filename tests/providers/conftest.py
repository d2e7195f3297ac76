"""Fixtures of the provider tests: a real local feed server and an initialised registry with feeds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.providers.feed_server import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A real HTTP server on 127.0.0.1 serving scripted feed responses."""
    with FeedServer() as server:
        yield server
