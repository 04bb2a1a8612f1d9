"""Audio files on disk: all-or-nothing writes, durable renames and quiet removal."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sys
import time
from pathlib import Path

TMP_PREFIX = ".part-"
# Leftovers younger than this may belong to a save still running in another process.
STALE_AFTER_S = 3600.0
_CHUNK = 1 << 20
_FILE_MODE = 0o600


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (after a rename) to disk; a no-op where the OS cannot do it."""
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(data: bytes | bytearray | memoryview, final: Path, tmp_dir: Path) -> None:
    """Write data to final all-or-nothing: temp file, fsync, rename, fsync the folder."""
    tmp = tmp_dir / f"{TMP_PREFIX}{secrets.token_hex(8)}"
    view = memoryview(data).cast("B")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, _FILE_MODE)
        try:
            offset = 0
            while offset < len(view):
                offset += os.write(fd, view[offset : offset + _CHUNK])
            os.fsync(fd)
        finally:
            os.close(fd)
        if not final.parent.is_dir():
            final.parent.mkdir(parents=True, exist_ok=True)
            fsync_dir(final.parent.parent)  # a new shard folder must survive power loss too
        os.replace(tmp, final)
        fsync_dir(final.parent)
    except BaseException:
        # Covers KeyboardInterrupt too: never leave a half-written temp file behind.
        with contextlib.suppress(OSError):
            remove_quietly(tmp)
        raise


def remove_quietly(path: Path) -> None:
    """Delete a file if present, ignoring a file that is already gone."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def is_disk_full(exc: OSError) -> bool:
    """Return True for the out-of-space / over-quota errors."""
    codes = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), getattr(errno, "EFBIG", errno.ENOSPC)}
    return exc.errno in codes


def remove_old_files(directory: Path, max_age_s: float) -> int:
    """Delete plain files in directory older than max_age_s; return how many were removed."""
    if not directory.is_dir():
        return 0
    cutoff = time.time() - max_age_s
    removed = 0
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime <= cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
