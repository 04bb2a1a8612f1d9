"""Song library: saves every generation atomically, private to the visitor (owner token) who made it."""

from .errors import EntryNotFound, LibraryError, LibraryFullError, LibraryUnavailableError
from .store import Entry, Library, new_owner_token, resolve_data_dir

__all__ = [
    "Entry",
    "EntryNotFound",
    "Library",
    "LibraryError",
    "LibraryFullError",
    "LibraryUnavailableError",
    "new_owner_token",
    "resolve_data_dir",
]
