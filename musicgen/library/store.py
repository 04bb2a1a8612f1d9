"""The song library: every generation saved atomically, private to the visitor who made it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import blobs, export, maintenance
from .db import DISK_FULL_MESSAGE, Index, private, translated
from .entry import PENDING, READY, Entry, entry_from_row
from .errors import EntryNotFound, LibraryError, LibraryFullError, LibraryUnavailableError
from .lockfile import DirLock
from .owners import new_owner_token, owner_hash, same_owner
from .sanitize import clean_format, clean_label, derive_title, duration_seconds, scrub, text_of
from .settings import max_age_days_from_env, max_bytes_from_env, resolve_data_dir

__all__ = ["Library", "Entry", "resolve_data_dir", "new_owner_token"]

log = logging.getLogger(__name__)
_ID = re.compile(r"^[0-9a-f]{32}$")
_MAX_QUERY_TERMS = 8
_MAX_LIMIT = 10_000
EXPORT_TTL_S = 24 * 3600.0
# One message for "not yours" and "does not exist", so ids cannot be probed.
_NOT_FOUND = "That song is not in your library (it may have been deleted)."


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.1f} MB"


class Library:
    """Owner-scoped store of generated songs under a data dir (index.db, audio/, tmp/, exports/)."""

    def __init__(
        self,
        data_dir: Path | str | None = None,
        *,
        max_bytes_per_owner: int | None = None,
        max_age_days: float | None = None,
        share_all: bool = False,
        undo_grace_s: float = 3600.0,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser() if data_dir is not None else resolve_data_dir()
        self.max_bytes_per_owner = max_bytes_from_env() if max_bytes_per_owner is None else max_bytes_per_owner
        self.max_age_days = max_age_days_from_env() if max_age_days is None else float(max_age_days)
        if self.max_bytes_per_owner < 0 or self.max_age_days < 0 or undo_grace_s < 0:
            raise ValueError("max_bytes_per_owner, max_age_days and undo_grace_s must be >= 0 (0 = no limit)")
        self.share_all = bool(share_all)
        self.undo_grace_s = float(undo_grace_s)
        self._clock: Callable[[], float] = time.time
        self._audio_dir = self.data_dir / "audio"
        self._tmp_dir = self.data_dir / "tmp"
        self._exports_dir = self.data_dir / "exports"
        with translated(self.data_dir / "index.db"):
            for folder in (self.data_dir, self._audio_dir, self._tmp_dir, self._exports_dir):
                # 0o700: on a shared machine other users must not read someone's songs.
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                private(folder)  # also a folder made before, by an older version or by hand
            self._dir_lock = DirLock(self.data_dir / ".lock")
        sole = self._dir_lock.acquire()
        try:
            self._index = Index(self.data_dir / "index.db")
            try:
                self._sweep_tmp(sole)
                maintenance.finish_interrupted(self._index, self.data_dir, sole=sole, now=self._clock())
                self._dir_lock.share()
                self.cleanup()
            except BaseException:
                self._index.close()
                raise
        except BaseException:
            self._dir_lock.release()
            raise

    # -- writing ---------------------------------------------------------------------------------

    def save(
        self,
        owner: str,
        *,
        audio: bytes,
        audio_format: str,
        kind: str,
        params: dict[str, Any],
        metadata: dict[str, Any],
        provider: str,
        model: str = "",
        trace_id: str | None = None,
        title: str = "",
        partial: bool = False,
        prompt: str | None = None,
        lyrics: str | None = None,
        duration_s: float | None = None,
    ) -> Entry:
        """Store one result all-or-nothing and return it; raises LibraryFullError when there is no room."""
        owner_h = owner_hash(owner, self._index.salt)
        fmt = clean_format(audio_format)
        kind = clean_label(kind, "kind")
        provider = clean_label(provider, "provider")
        data = memoryview(audio).cast("B")
        if not len(data):
            raise ValueError("no audio to save (0 bytes)")
        clean_params, clean_meta = scrub(dict(params or {})), scrub(dict(metadata or {}))
        prompt = text_of(clean_params.get("prompt")) if prompt is None else prompt
        lyrics = text_of(clean_params.get("lyrics")) if lyrics is None else lyrics
        name = secrets.token_hex(16)  # independent of the entry id, so an id never reveals a path
        rel = f"audio/{name[:2]}/{name}.{fmt}"
        row = {
            "id": secrets.token_hex(16),
            "owner": owner_h,
            "kind": kind,
            "title": derive_title(title, prompt, lyrics, kind),
            "prompt": prompt,
            "lyrics": lyrics,
            "provider": provider,
            "model": str(model or clean_meta.get("model") or clean_params.get("model") or ""),
            "audio_format": fmt,
            "audio_rel": rel,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "duration_s": duration_seconds(duration_s, clean_meta),
            "trace_id": str(trace_id) if trace_id else None,
            "created_at": self._clock(),
            "partial": int(bool(partial)),
            "params_json": json.dumps(clean_params, ensure_ascii=False),
            "metadata_json": json.dumps(clean_meta, ensure_ascii=False),
            "deleted_at": None,
            "state": PENDING,
            "starred": 0,
        }
        # 1. Reserve: an invisible pending row, so a crash at any later step leaves a record the sweep
        #    on next open uses to remove the file. The cap check shares its transaction: concurrent
        #    saves cannot both slip under the cap, and nothing is written when there is no room.
        with self._index.transaction() as conn:
            self._check_room(conn, owner_h, len(data))
            self._index.insert(conn, row)
        final = self.data_dir / rel
        try:
            # 2. The file, complete and fsynced, appears under its final name in one rename.
            blobs.write_atomic(data, final, self._tmp_dir)
            # 3. Only now does the row become visible.
            with self._index.transaction() as conn:
                sql = f"UPDATE entries SET state = '{READY}' WHERE id = ? AND state = '{PENDING}'"
                if conn.execute(sql, (row["id"],)).rowcount != 1:
                    raise LibraryUnavailableError("This save took too long and was abandoned; nothing was saved.")
        except BaseException as exc:
            with contextlib.suppress(OSError):  # report the original failure, not the cleanup's
                blobs.remove_quietly(final)
            self._abandon(str(row["id"]))
            if isinstance(exc, OSError):
                if blobs.is_disk_full(exc):
                    raise LibraryFullError(DISK_FULL_MESSAGE) from exc
                raise LibraryUnavailableError(
                    f"Could not write the song to the library ({exc.strerror or exc}); nothing was saved."
                ) from exc
            raise
        row["state"] = READY
        return entry_from_row(row, self.data_dir)

    def _abandon(self, entry_id: str) -> None:
        # Best effort: if the index is unusable now, the pending row is swept on the next open.
        with contextlib.suppress(LibraryError):
            with self._index.transaction() as conn:
                conn.execute(f"DELETE FROM entries WHERE id = ? AND state = '{PENDING}'", (entry_id,))

    def _check_room(self, conn: sqlite3.Connection | None, owner_h: str, size: int) -> None:
        cap = self.max_bytes_per_owner
        if not cap:
            return
        used = self._index.usage(conn, owner_h)
        if used + size > cap:
            raise LibraryFullError(
                f"Your library holds {_mb(used)} of its {_mb(cap)} cap and this song needs {_mb(size)}; "
                "delete or export some songs, then save again. This song was not saved to the library.",
                used_bytes=used,
                cap_bytes=cap,
            )

    # -- reading ---------------------------------------------------------------------------------

    def list(self, owner: str, query: str = "", limit: int = 200, *, starred_only: bool = False) -> list[Entry]:
        """Return the owner's entries newest first, filtered by words in title, prompt or lyrics (and ★ only)."""
        owner_h = owner_hash(owner, self._index.salt)
        terms = str(query or "").split()[:_MAX_QUERY_TERMS]
        limit = max(0, min(int(limit), _MAX_LIMIT))
        rows = self._index.visible(None if self.share_all else owner_h, terms, limit, starred_only=bool(starred_only))
        return [entry_from_row(row, self.data_dir) for row in rows]

    def get(self, owner: str, entry_id: str) -> Entry:
        """Return one entry (with params and kind to refill the tab); raises EntryNotFound."""
        return entry_from_row(self._owned_row(owner, entry_id), self.data_dir)

    def read_audio(self, owner: str, entry_id: str) -> bytes:
        """Return an entry's audio bytes; raises EntryNotFound."""
        entry = self.get(owner, entry_id)
        with translated(self._index.path):
            return entry.audio_path.read_bytes()

    def copy_audio(self, owner: str, entry_id: str, dest_dir: Path | str) -> Path:
        """Copy an entry's audio to dest_dir under a readable name (for serving) and return the copy."""
        entry = self.get(owner, entry_id)
        folder = Path(dest_dir) / secrets.token_hex(8)  # own folder: names may repeat across entries
        with translated(self._index.path):
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{export.safe_name(entry.title, entry.id[:8])}.{entry.audio_format}"
            shutil.copyfile(entry.audio_path, target)
        return target

    def usage_bytes(self, owner: str) -> int:
        """Return the bytes the owner's (non-deleted) entries take."""
        return self._index.usage(None, owner_hash(owner, self._index.salt))

    def export_zip(self, owner: str, entry_ids: Sequence[str], dest_dir: Path | None = None) -> Path:
        """Zip the given entries (audio, lyrics.txt, metadata.json each) and return the zip path."""
        ids = list(dict.fromkeys(entry_ids))  # keep order, drop repeats
        entries = [self.get(owner, entry_id) for entry_id in ids]
        with translated(self._index.path):
            return export.write_zip(entries, Path(dest_dir) if dest_dir is not None else self._exports_dir)

    def _owned_row(self, owner: str, entry_id: str, *, include_deleted: bool = False) -> Any:
        owner_h = owner_hash(owner, self._index.salt)
        if not isinstance(entry_id, str) or not _ID.match(entry_id):
            raise EntryNotFound(_NOT_FOUND)
        row = self._index.find(entry_id, include_deleted=include_deleted)
        if row is None or not (self.share_all or same_owner(row["owner"], owner_h)):
            raise EntryNotFound(_NOT_FOUND)
        return row

    # -- marking -------------------------------------------------------------------------------------

    def set_starred(self, owner: str, entry_id: str, starred: bool) -> Entry:
        """Mark (or unmark) one of the owner's songs as kept (★) and return it; raises EntryNotFound otherwise."""
        if not isinstance(starred, bool):
            raise ValueError(f"starred must be True or False, got {starred!r}")
        row = self._owned_row(owner, entry_id)
        with self._index.transaction() as conn:
            sql = "UPDATE entries SET starred = ? WHERE id = ? AND deleted_at IS NULL AND state = ?"
            if conn.execute(sql, (int(starred), row["id"], READY)).rowcount != 1:
                raise EntryNotFound(_NOT_FOUND)  # deleted or purged by a concurrent call in between
        return entry_from_row({**dict(row), "starred": int(starred)}, self.data_dir)

    # -- deleting --------------------------------------------------------------------------------

    def delete(self, owner: str, entry_id: str) -> Entry:
        """Hide an entry (undo_delete restores it until cleanup purges it after the grace period)."""
        row = self._owned_row(owner, entry_id)
        with self._index.transaction() as conn:
            sql = "UPDATE entries SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL"
            if conn.execute(sql, (self._clock(), row["id"])).rowcount != 1:
                raise EntryNotFound(_NOT_FOUND)  # deleted by a concurrent call in between
        return entry_from_row(row, self.data_dir)

    def undo_delete(self, owner: str, entry_id: str) -> Entry:
        """Restore a deleted entry that has not been purged yet; raises EntryNotFound otherwise."""
        row = self._owned_row(owner, entry_id, include_deleted=True)
        with self._index.transaction() as conn:
            if conn.execute("UPDATE entries SET deleted_at = NULL WHERE id = ?", (row["id"],)).rowcount != 1:
                raise EntryNotFound(_NOT_FOUND)  # purged by a concurrent cleanup in between
        return entry_from_row(row, self.data_dir)

    def cleanup(self) -> int:
        """Purge deletions past the grace period and entries past max_age_days; return how many."""
        now = self._clock()
        where, args = ["(deleted_at IS NOT NULL AND deleted_at <= ?)"], [now - self.undo_grace_s]
        if self.max_age_days > 0:
            where.append("created_at < ?")
            args.append(now - self.max_age_days * 86400.0)
        removed = maintenance.purge(self._index, self.data_dir, " OR ".join(where), args)
        maintenance.finish_interrupted(self._index, self.data_dir, sole=False, now=now)
        with translated(self._index.path):
            blobs.remove_old_files(self._exports_dir, EXPORT_TTL_S)
        self._sweep_tmp(sole=False)
        return removed

    def _sweep_tmp(self, sole: bool) -> None:
        # Temp files are never referenced; when others may be mid-write, only clearly stale ones go.
        with translated(self._index.path):
            blobs.remove_old_files(self._tmp_dir, 0.0 if sole else blobs.STALE_AFTER_S)

    def close(self) -> None:
        """Close the index and release the data-dir lock; further calls raise LibraryUnavailableError."""
        self._index.close()
        self._dir_lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
