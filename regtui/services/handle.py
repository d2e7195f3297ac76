"""The dashboard's way to its RegistryService: what the first frame needs (where the registry is, the clock, a
plain reader of the cache) without building the service, which imports the ORM (built on first use, in the
sync worker's thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from regtui.config import Locations
from regtui.domain.entry import utc_now
from regtui.store.cache_reader import CacheReader
from regtui.urls import redact

if TYPE_CHECKING:
    from regtui.services.registry import RegistryService


class ServiceHandle:
    """A registry's locations and clock, a reader of its cache, and its RegistryService once something needs it."""

    def __init__(
        self, locations: Locations, clock: Callable[[], datetime] = utc_now, service: RegistryService | None = None
    ) -> None:
        self.locations = locations
        self.clock = clock
        self.reader = CacheReader(locations.cache_path)
        self._service = service
        self._owns_service = service is None
        self._lock = threading.Lock()

    @classmethod
    def wrapping(cls, service: RegistryService) -> ServiceHandle:
        """A handle on a service built elsewhere (tests, the demo, benchmarks); its maker closes it."""
        return cls(service.locations, service.clock, service)

    @property
    def url(self) -> str:
        """The registry URL with any password hidden, for the header."""
        return redact(self.locations.registry_url)

    @property
    def service(self) -> RegistryService:
        """The registry service, built on first use (the first caller imports the ORM; others wait for it)."""
        with self._lock:
            if self._service is None:
                from regtui.services.registry import RegistryService

                self._service = RegistryService(self.locations, self.clock)
            return self._service

    def take_notices(self) -> list[str]:
        """The service's one-line notices since the last call (none when the service was never built)."""
        with self._lock:
            service = self._service
        return service.take_notices() if service is not None else []

    def close(self) -> None:
        """Close the cache reader, and the service if this handle built it."""
        self.reader.close()
        with self._lock:
            if self._owns_service and self._service is not None:
                self._service.close()
