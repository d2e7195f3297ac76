"""The model under the registry's cursor, read while the cursor rests there, so Enter opens it without a read.

A model's read is a large part of an open (every version, its metrics, the shown version in full); read
while the operator looks at the row, Enter only paints. One model is held at a time; a sync that changes the cache
drops it (the generation moves on), and an Enter that arrives while its read runs waits for that read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regtui.tui.screens.model import ModelRead


@dataclass
class ReadAhead:
    """Which model is read ahead, its read once it arrived, and whether an open waits for it."""

    generation: int = 0
    """Moves on whenever the cache changes: a read started under an older generation is dropped."""
    name: str | None = None
    read: ModelRead | None = None
    open_waiting: bool = False

    def ask(self, name: str) -> bool:
        """Whether the model needs reading (it is neither held nor being read); if so it becomes the awaited one."""
        if name == self.name:
            return False
        self.name, self.read, self.open_waiting = name, None, False
        return True

    def arrived(self, name: str, generation: int, read: ModelRead | None) -> bool:
        """Keep a read that is still the awaited one (None: it failed, and is asked again next time); whether an open
        waits for it."""
        if name != self.name or generation != self.generation:
            return False
        waiting, self.open_waiting = self.open_waiting, False
        if read is None:
            self.name = None
        self.read = read
        return waiting

    def ready(self, name: str, version: str | None) -> ModelRead | None:
        """The held read, when it is of this model and shows the version asked for (None: the default one)."""
        if self.read is not None and name == self.name and version in (None, self.read.key):
            return self.read
        return None

    def wait_for(self, name: str, version: str | None) -> bool:
        """Have an open of the model's default version wait for its read under way; whether one is under way."""
        self.open_waiting = version is None and name == self.name and self.read is None
        return self.open_waiting

    def invalidate(self) -> str | None:
        """The cache changed: drop what is held or being read; the model an open was waiting for, if any."""
        waiting = self.name if self.open_waiting else None
        self.generation += 1
        self.name, self.read, self.open_waiting = None, None, False
        return waiting
