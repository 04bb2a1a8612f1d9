"""The ledger's file: `usage.db` (SQLite, WAL) beside the song library in MUSICGEN_DATA_DIR.

Tables: `uses` (one row per use of a server key; `returned` when given back), `counts` (running counts per UTC day,
kind and visitor, kept by triggers from `uses`, read back at start so budgets survive restarts), `refusals`,
`code_failures` and `lockouts` (wrong access codes), and `meta` (this file's random salt). Visitors are stored only
as keyed hashes (HMAC-SHA256 under that salt, as the library stores owner tokens); rows older than 30 days are purged.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .library.db import private
from .library.owners import keyed_hash, new_salt

FILE_NAME = "usage.db"
KEEP_DAYS = 30

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uses (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL, backend TEXT NOT NULL,
    browser TEXT NOT NULL, address TEXT NOT NULL, returned INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS uses_by_day ON uses (day, kind);
CREATE TABLE IF NOT EXISTS counts (
    day TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, kind, scope, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refusals (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, day TEXT NOT NULL, reason TEXT NOT NULL, backend TEXT NOT NULL,
    visitor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS code_failures (at REAL NOT NULL, address TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS failures_by_address ON code_failures (address, at);
CREATE TABLE IF NOT EXISTS lockouts (address TEXT PRIMARY KEY, until REAL NOT NULL)
"""
# scope 'b': a browser's count, 'a': an address's, 'd': everyone's (key 'd').
_BUMP = (
    "INSERT INTO counts (day, kind, scope, key, n) SELECT NEW.day, NEW.kind, '{scope}', {key}, {step} "
    "WHERE {key} != '' ON CONFLICT (day, kind, scope, key) DO UPDATE SET n = n + {step};"
)
_SCOPES = (("b", "NEW.browser"), ("a", "NEW.address"), ("d", "'d'"))
_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS uses_counted AFTER INSERT ON uses BEGIN "
    + "".join(_BUMP.format(scope=s, key=k, step=1) for s, k in _SCOPES)
    + " END",
    "CREATE TRIGGER IF NOT EXISTS uses_returned AFTER UPDATE OF returned ON uses "
    "WHEN OLD.returned = 0 AND NEW.returned = 1 BEGIN "
    + "".join(_BUMP.format(scope=s, key=k, step=-1) for s, k in _SCOPES)
    + " END",
)


def utc_day(now: float) -> str:
    """'2026-12-03': the UTC day budgets count in."""
    return time.strftime("%Y-%m-%d", time.gmtime(now))


class Store:
    """The SQLite file; every method is safe to call from any thread (one connection behind a lock)."""

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir).expanduser() / FILE_NAME
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # SQLite gives the -wal and -shm files the database file's mode: make that the user's alone.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        private(self.path)
        conn = sqlite3.connect(str(self.path), timeout=15.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=NORMAL")  # a WAL commit survives a crash of the app, not a power cut
        self._conn = conn
        with self.transaction() as c:
            for statement in (*_TABLES.split(";"), *_TRIGGERS):  # (executescript would COMMIT the transaction)
                c.execute(statement)
            row = c.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if row is None:
                row = (new_salt(),)
                c.execute("INSERT INTO meta (key, value) VALUES ('salt', ?)", row)
        self._salt: str = row[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes SQLite's write lock first (BEGIN IMMEDIATE)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of a read query."""
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    def hash(self, value: str) -> str:
        """The stored form of a browser token or an address: a keyed hash, '' for an unknown one."""
        return keyed_hash(value, self._salt) if value else ""

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    # -- what the ledger reads back ------------------------------------------------------------------------------

    def counts(self, day: str) -> dict[tuple[str, str, str], int]:
        """The running counts of one UTC day: {(kind, scope, key): n}."""
        rows = self.query("SELECT kind, scope, key, n FROM counts WHERE day = ?", (day,))
        return {(kind, scope, key): n for kind, scope, key, n in rows}

    # -- wrong access codes --------------------------------------------------------------------------------------

    def locked_until(self, address: str) -> float:
        """When this address (hashed) may try codes again (0: now)."""
        rows = self.query("SELECT until FROM lockouts WHERE address = ?", (address,))
        return float(rows[0][0]) if rows else 0.0

    def code_failed(self, address: str, now: float, tries: int, window_s: float, lockout_s: float) -> int:
        """Record a wrong code from `address` (hashed); returns the tries left in the window (0: now locked out)."""
        with self.transaction() as c:
            c.execute("INSERT INTO code_failures (at, address) VALUES (?, ?)", (now, address))
            sql = "SELECT COUNT(*) FROM code_failures WHERE address = ? AND at > ?"
            n = c.execute(sql, (address, now - window_s)).fetchone()[0]
            if n >= tries:
                c.execute("INSERT OR REPLACE INTO lockouts (address, until) VALUES (?, ?)", (address, now + lockout_s))
                c.execute("DELETE FROM code_failures WHERE address = ?", (address,))
            return max(0, tries - n)

    # -- the owner's record --------------------------------------------------------------------------------------

    def report(self, since: str) -> list[dict[str, Any]]:
        """Per UTC day (from `since`) and backend, newest first: songs, helper calls, distinct visitors, refusals."""
        rows: dict[tuple[str, str], dict[str, Any]] = {}

        def row(day: str, backend: str) -> dict[str, Any]:
            return rows.setdefault(
                (day, backend),
                {"day": day, "backend": backend, "songs": 0, "helper_calls": 0, "visitors": 0, "addresses": 0,
                 "refused_budget": 0, "refused_code": 0, "refused_throttled": 0},
            )  # fmt: skip

        uses = self.query(
            "SELECT day, backend, SUM(kind = 'song'), SUM(kind != 'song'), COUNT(DISTINCT browser), "
            "COUNT(DISTINCT address) FROM uses WHERE day >= ? AND returned = 0 GROUP BY day, backend",
            (since,),
        )
        for day, backend, songs, helpers, visitors, addresses in uses:
            row(day, backend).update(songs=songs, helper_calls=helpers, visitors=visitors, addresses=addresses)
        refusals = self.query(
            "SELECT day, backend, reason, COUNT(*) FROM refusals WHERE day >= ? GROUP BY day, backend, reason",
            (since,),
        )
        for day, backend, reason, n in refusals:
            row(day, backend)[f"refused_{reason}"] = n
        return sorted(rows.values(), key=lambda r: (r["day"], r["backend"]), reverse=True)

    def purge(self, now: float) -> None:
        """Delete everything older than KEEP_DAYS days, and lockouts that ended."""
        cutoff = now - KEEP_DAYS * 86400.0
        with self.transaction() as c:
            for table in ("uses", "refusals", "code_failures"):
                c.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,))
            c.execute("DELETE FROM counts WHERE day < ?", (utc_day(cutoff),))
            c.execute("DELETE FROM lockouts WHERE until < ?", (now,))
