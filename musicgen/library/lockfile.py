"""A shared lock on the data dir that tells an opening Library whether anyone else is using it."""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; callers then assume other users may be live.
    fcntl = None  # type: ignore[assignment]


class DirLock:
    """Holds a shared flock on <data_dir>/.lock for the life of a Library; the OS drops it on any exit."""

    def __init__(self, path: Path) -> None:
        self._fd: int | None = None
        if fcntl is None:
            return
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)

    def acquire(self) -> bool:
        """Take the lock; return True when no other live process or Library holds it (safe to sweep)."""
        if self._fd is None or fcntl is None:
            return False
        try:
            # Exclusive means nobody else has the dir open, so every leftover belongs to a dead writer.
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            fcntl.flock(self._fd, fcntl.LOCK_SH)
            return False

    def share(self) -> None:
        """Downgrade to a shared lock once the sweep is done so other Libraries can open."""
        if self._fd is not None and fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_SH)

    def release(self) -> None:
        """Drop the lock and close its file."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
