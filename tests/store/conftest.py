"""Fixtures shared by the store tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from regtui.services.registry import RegistryService
from tests.factories import ServiceFactory, build_fixture_registry


@pytest.fixture
def writer_service(registry_url: str, make_service: ServiceFactory, tmp_path: Path) -> RegistryService:
    """An initialised registry holding the fixture registry, and the service that wrote it."""
    service = make_service(registry_url)
    service.import_paths([build_fixture_registry(tmp_path / "fixtures")])
    return service
