"""Errors the song library raises; every message says what happened and what to do."""

from __future__ import annotations


class LibraryError(Exception):
    """Base class: the library could not do what was asked; the app should keep serving."""


class LibraryFullError(LibraryError):
    """A save was refused for lack of room (the owner's cap or the server disk); nothing was written."""

    def __init__(self, message: str, *, used_bytes: int | None = None, cap_bytes: int | None = None) -> None:
        super().__init__(message)
        self.used_bytes = used_bytes
        self.cap_bytes = cap_bytes


class LibraryUnavailableError(LibraryError):
    """The index or the data directory cannot be used (corrupt, unreadable, closed)."""


class EntryNotFound(LibraryError, LookupError):
    """No visible entry with that id for this owner; deliberately the same for someone else's entry."""
