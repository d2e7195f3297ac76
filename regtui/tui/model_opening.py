"""Opening a model: read it in a worker (or take its read ahead), then have the app show it on the model screen."""

from __future__ import annotations

from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from regtui.errors import RegtuiError
from regtui.tui.read_ahead import ReadAhead

if TYPE_CHECKING:
    from regtui.tui.host import ModelHost
    from regtui.tui.screens.model import ModelRead

OPEN_GROUP = "open-model"
AHEAD_GROUP = "read-ahead"


class ModelReadToOpen(Message):
    """A model read for its screen: show it."""

    def __init__(self, name: str, version: str | None, read: ModelRead) -> None:
        super().__init__()
        self.name = name
        self.version = version
        self.read = read


class ModelReadAhead(Message):
    """The model under the registry's cursor, read ahead (None: the read failed; an open reads again)."""

    def __init__(self, name: str, generation: int, read: ModelRead | None) -> None:
        super().__init__()
        self.name = name
        self.generation = generation
        self.read = read


class ModelOpening:
    """Reads models for the app's model screen: on Enter, and ahead for the model under the registry's cursor."""

    def __init__(self, app: ModelHost) -> None:
        self.app = app
        self.ahead = ReadAhead()

    def open(self, name: str, version: str | None = None) -> None:
        """Open a model once it is read: at once when it was read ahead, when its read ahead arrives if one is under
        way, else after a read of its own."""
        read = self.ahead.ready(name, version)
        if read is not None:
            self.app.show_model_read(name, version, read)
        elif not self.ahead.wait_for(name, version):
            self.read_to_open(name, version)

    def read_to_open(self, name: str, version: str | None) -> None:
        """Read the model for its screen in a worker thread (a missing model is reported and nothing opens)."""
        self.app.run_worker(
            partial(self.read_for_screen, name, version),
            thread=True,
            exclusive=True,
            group=OPEN_GROUP,
            exit_on_error=False,
        )

    def read_for_screen(self, name: str, version: str | None) -> None:
        """The read of an open (in the worker's thread), posted to the app."""
        from regtui.tui.screens.model import read_model

        read = read_model(self.app.services.reader, name, version, self.app.clock())
        self.app.post_message(ModelReadToOpen(name, version, read))

    def read_ahead(self, name: str) -> None:
        """Read the model under the registry's cursor in the background, so Enter on it only paints."""
        if self.ahead.ask(name):
            self.app.run_worker(
                partial(self.read_in_advance, name, self.ahead.generation),
                thread=True,
                exclusive=True,
                group=AHEAD_GROUP,
                exit_on_error=False,
            )

    def read_in_advance(self, name: str, generation: int) -> None:
        """The read ahead (in the worker's thread); a failed read is left to the open, which reads again and reports."""
        from regtui.tui.screens.model import read_model

        read: ModelRead | None = None
        try:
            with suppress(RegtuiError):
                read = read_model(self.app.services.reader, name, None, self.app.clock())
        finally:
            self.app.post_message(ModelReadAhead(name, generation, read))

    def arrived(self, message: ModelReadAhead) -> None:
        """Hold a read ahead; open the model now if an Enter was waiting for it."""
        if not self.ahead.arrived(message.name, message.generation, message.read):
            return
        if message.read is None:
            self.read_to_open(message.name, None)
        else:
            self.app.show_model_read(message.name, None, message.read)

    def drop(self) -> None:
        """The cache changed: forget the model read ahead (an open waiting for it reads it afresh)."""
        waiting = self.ahead.invalidate()
        if waiting is not None:
            self.read_to_open(waiting, None)
