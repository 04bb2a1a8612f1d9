"""Housekeeping: finish what a crash interrupted, and purge expired or deleted entries (rows, then files)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .blobs import STALE_AFTER_S, remove_quietly
from .db import Index, translated
from .entry import PENDING, PURGING, READY


def finish_interrupted(index: Index, data_dir: Path, *, sole: bool, now: float) -> int:
    """Remove rows (and files) of saves and purges that never finished; return how many."""
    # A pending row may belong to a save still running in another process, unless we are the only
    # user of the data dir (sole) or it is far older than any save takes. Turning it into "purging"
    # makes that writer's final "ready" update fail, so it cleans up after itself.
    with index.transaction() as conn:
        conn.execute(
            f"UPDATE entries SET state = '{PURGING}' WHERE state = '{PENDING}' AND (? OR created_at < ?)",
            (int(sole), now - STALE_AFTER_S),
        )
    rows = index.query(f"SELECT id, audio_rel FROM entries WHERE state = '{PURGING}'")
    return _drop(index, data_dir, rows)


def purge(index: Index, data_dir: Path, where: str, args: Sequence[Any]) -> int:
    """Permanently remove the ready entries matching where; return how many."""
    with index.transaction() as conn:
        rows = conn.execute(f"SELECT id, audio_rel FROM entries WHERE state = '{READY}' AND ({where})", args).fetchall()
        # Marked first and committed: a crash while files go leaves rows the next sweep finishes,
        # never a visible row whose file is gone.
        conn.executemany(f"UPDATE entries SET state = '{PURGING}' WHERE id = ?", [(r["id"],) for r in rows])
    return _drop(index, data_dir, rows)


def _drop(index: Index, data_dir: Path, rows: Sequence[sqlite3.Row]) -> int:
    if not rows:
        return 0
    with translated(index.path):
        for row in rows:
            remove_quietly(data_dir / row["audio_rel"])
    # Rows go after their files: until then the row is what tells the sweep the file is garbage.
    with index.transaction() as conn:
        conn.executemany(f"DELETE FROM entries WHERE id = ? AND state = '{PURGING}'", [(r["id"],) for r in rows])
    return len(rows)
