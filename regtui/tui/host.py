"""What the app's helpers (sync, feed polling, model opening) need of the app that hosts them, without importing it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from textual.message import Message
from textual.notifications import SeverityLevel
from textual.worker import Worker

if TYPE_CHECKING:
    from regtui.services.handle import ServiceHandle
    from regtui.services.registry import RegistryService
    from regtui.tui.screens.model import ModelRead


class WorkerHost(Protocol):
    """An app that runs workers and takes messages: what every helper uses."""

    services: ServiceHandle
    clock: Callable[[], datetime]

    @property
    def service(self) -> RegistryService:
        """The registry service (built on first use)."""

    @property
    def workers(self) -> Iterable[Worker[object]]:
        """The app's workers, to tell whether one of a group is running."""

    @property
    def writable(self) -> bool:
        """Whether writes may run now."""

    def run_worker(
        self, work: Callable[[], object], *, thread: bool, exclusive: bool, group: str, exit_on_error: bool
    ) -> Worker[object]:
        """Run work in a worker of the app."""

    def post_message(self, message: Message) -> bool:
        """Post a message to the app (thread-safe)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification."""

    def report_error(self, error: BaseException) -> None:
        """Show an error as a notification."""

    def sync_registry(self) -> None:
        """Start a sync."""


class ModelHost(WorkerHost, Protocol):
    """An app that shows a model read on its model screen (what ModelOpening needs)."""

    def show_model_read(self, name: str, version: str | None, read: ModelRead) -> None:
        """Show the model read on the model screen."""
