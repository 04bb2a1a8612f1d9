"""The SQLite index: schema, one shared connection behind a lock, and errors turned into LibraryErrors."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .blobs import is_disk_full
from .entry import COLUMNS, SELECT_COLUMNS
from .errors import LibraryError, LibraryFullError, LibraryUnavailableError
from .owners import new_salt

SCHEMA_VERSION = 2
_SQLITE_FULL = getattr(sqlite3, "SQLITE_FULL", 13)  # the constant exists from Python 3.11
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
    prompt TEXT NOT NULL, lyrics TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
    audio_format TEXT NOT NULL, audio_rel TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
    sha256 TEXT NOT NULL, duration_s REAL, trace_id TEXT, created_at REAL NOT NULL,
    partial INTEGER NOT NULL, params_json TEXT NOT NULL, metadata_json TEXT NOT NULL, deleted_at REAL, state TEXT NOT NULL,
    starred INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS entries_owner_created ON entries (owner, created_at);
CREATE INDEX IF NOT EXISTS entries_deleted ON entries (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS entries_unfinished ON entries (state) WHERE state != 'ready';
"""
# What brings an index written by an older version up to the next one, in order (a fresh index gets it from _SCHEMA).
# Each step keeps every row: only additions with defaults.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: ("ALTER TABLE entries ADD COLUMN starred INTEGER NOT NULL DEFAULT 0",),  # "Keep ★" in the Library
}
DISK_FULL_MESSAGE = (
    "The server's disk is full, so this song could not be saved to your library. "
    "Nothing already saved was affected; download this song now and try again later."
)


def _fold(text: object) -> str:
    # Python casefold is Unicode-aware; SQLite's LIKE/lower() only fold ASCII.
    return text.casefold() if isinstance(text, str) else ""


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """Turn sqlite3 and OS errors into LibraryErrors whose messages say what to do."""
    try:
        yield
    except LibraryError:
        raise
    except sqlite3.ProgrammingError as exc:
        raise LibraryUnavailableError(f"The song library is closed or misused ({exc}).") from exc
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in text:
            raise LibraryFullError(DISK_FULL_MESSAGE) from exc
        if "locked" in text or "busy" in text:
            raise LibraryUnavailableError("The song library is busy; please try again in a moment.") from exc
        raise LibraryUnavailableError(
            f"The song library index {path} cannot be used ({exc}). Check the disk and its permissions."
        ) from exc
    except sqlite3.DatabaseError as exc:
        raise LibraryUnavailableError(
            f"The song library index {path} is damaged ({exc}). It was left untouched; "
            "move it aside (the audio files stay in place) and restart to begin a new index."
        ) from exc
    except OSError as exc:
        if is_disk_full(exc):
            raise LibraryFullError(DISK_FULL_MESSAGE) from exc
        raise LibraryUnavailableError(
            f"The song library folder {path.parent} cannot be used ({exc.strerror or exc})."
        ) from exc


def private(path: Path) -> None:
    """Take group and other permissions off a file or folder of ours (best effort: it may belong to someone else)."""
    try:
        mode = path.stat().st_mode
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except OSError:
        pass


class Index:
    """Entries table plus meta (salt, schema version); every method is safe to call from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # One connection behind a lock: Gradio's worker threads call in concurrently, each call is short.
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        with translated(path):
            # SQLite gives the -wal and -shm files the database file's mode: make that the user's alone.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            private(path)
            conn = sqlite3.connect(str(path), timeout=15.0, isolation_level=None, check_same_thread=False)
            try:
                self._setup(conn)
            except BaseException:
                conn.close()
                raise
        self._conn = conn

    def _setup(self, conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        conn.create_function("fold", 1, _fold, deterministic=True)
        # A garbage file fails here ("file is not a database") before anything is written to it.
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        # FULL: a committed row survives power loss, and is never newer than its fsynced audio file.
        conn.execute("PRAGMA synchronous=FULL")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            meta = {r["key"]: r["value"] for r in conn.execute("SELECT key, value FROM meta")}
            version = int(meta.get("schema_version", SCHEMA_VERSION))
            if version > SCHEMA_VERSION:
                raise LibraryUnavailableError(
                    f"The song library index {self.path} was written by a newer version of this app "
                    f"(schema {version} > {SCHEMA_VERSION}); upgrade the app to use it."
                )
            if "salt" not in meta:
                meta["salt"] = new_salt()
                conn.execute("INSERT INTO meta (key, value) VALUES ('salt', ?)", (meta["salt"],))
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif version < SCHEMA_VERSION:
                self._migrate(conn, version)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):  # keep the original error, not a failed rollback's
                conn.execute("ROLLBACK")
            raise
        self.salt: str = meta["salt"]

    @staticmethod
    def _migrate(conn: sqlite3.Connection, version: int) -> None:
        """Bring an older index up to SCHEMA_VERSION inside the open transaction (all steps or none)."""
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS.get(step, ()):
                conn.execute(statement)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a write transaction (BEGIN IMMEDIATE ... COMMIT) holding the connection lock."""
        with self._lock, translated(self.path):
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):  # keep the original error
                        conn.execute("ROLLBACK")
                raise

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query and return all rows."""
        with self._lock, translated(self.path):
            return self._connection().execute(sql, args).fetchall()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LibraryUnavailableError("The song library has been closed.")
        return self._conn

    def find(self, entry_id: str, *, include_deleted: bool = False) -> sqlite3.Row | None:
        """Return the complete (ready) row with this id, or None."""
        hidden = "" if include_deleted else " AND deleted_at IS NULL"
        sql = f"SELECT {SELECT_COLUMNS} FROM entries WHERE id = ? AND state = 'ready'{hidden}"
        rows = self.query(sql, (entry_id,))
        return rows[0] if rows else None

    def visible(
        self, owner: str | None, terms: Sequence[str], limit: int, *, starred_only: bool = False
    ) -> list[sqlite3.Row]:
        """Return non-deleted rows, newest first, of one owner (None = all) matching every term (and starred)."""
        where = ["state = 'ready'", "deleted_at IS NULL"]
        args: list[Any] = []
        if owner is not None:
            where.append("owner = ?")
            args.append(owner)
        if starred_only:
            where.append("starred != 0")
        for term in terms:
            # instr on folded text: a case-insensitive substring match with no LIKE wildcards to escape.
            where.append("instr(fold(title || char(10) || prompt || char(10) || lyrics), ?) > 0")
            args.append(_fold(term))
        sql = f"SELECT {SELECT_COLUMNS} FROM entries WHERE {' AND '.join(where)}"
        return self.query(sql + " ORDER BY created_at DESC, rowid DESC LIMIT ?", (*args, limit))

    def usage(self, conn: sqlite3.Connection | None, owner: str) -> int:
        """Return the bytes of an owner's non-deleted entries, counting saves still in progress."""
        sql = "SELECT COALESCE(SUM(size), 0) FROM entries WHERE owner = ? AND deleted_at IS NULL AND state != 'purging'"
        if conn is not None:
            return int(conn.execute(sql, (owner,)).fetchone()[0])
        return int(self.query(sql, (owner,))[0][0])

    def insert(self, conn: sqlite3.Connection, row: dict[str, Any]) -> None:
        """Insert one entry row inside an open transaction."""
        marks = ", ".join("?" for _ in COLUMNS)
        conn.execute(f"INSERT INTO entries ({SELECT_COLUMNS}) VALUES ({marks})", [row[c] for c in COLUMNS])

    def close(self) -> None:
        """Checkpoint and close the connection; later calls raise LibraryUnavailableError."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            # The WAL is replayed on the next open anyway; closing must not fail.
            with contextlib.suppress(sqlite3.Error):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.close()
