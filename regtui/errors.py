"""One error hierarchy for every layer: a one-line message and a short title for the TUI."""

from __future__ import annotations


class RegtuiError(Exception):
    """Base of every error regtui reports to a person; never shown with a traceback."""

    title = "Error"
    exit_code = 2

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class InputError(RegtuiError):
    """Bad input: a malformed manifest, an invalid version, a missing file."""

    title = "Invalid input"


class RuleError(RegtuiError):
    """An action refused by a governance rule (stage, gate, role, immutability)."""

    title = "Refused"


class NotAllowedError(RuleError):
    """The acting user lacks the role or right the action needs."""

    title = "Not allowed"


class ConflictError(RegtuiError):
    """Someone else changed what the caller saw; nothing was written."""

    title = "Conflict"


class RegistryUnavailableError(RegtuiError):
    """The shared registry cannot be reached; reads fall back to the cache, writes are refused."""

    title = "Registry unreachable"


class CacheRebuildError(RegtuiError):
    """The local cache was corrupt and moved aside, and cannot be rebuilt now (the registry is unreachable)."""

    title = "Cache"


class NotARegistryError(RegtuiError):
    """The database is not a regtui registry, or its schema is newer than this regtui knows."""

    title = "Not a registry"


class NotFoundError(RegtuiError):
    """A model, version or request that does not exist."""

    title = "Not found"


class CheckFailedError(RegtuiError):
    """A check (verify, audit verify) found a problem: exit status 1."""

    title = "Check failed"
    exit_code = 1


class PendingError(RegtuiError):
    """A promotion request stays pending: exit status 3."""

    title = "Pending"
    exit_code = 3
