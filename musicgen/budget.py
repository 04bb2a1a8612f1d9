"""The ledger of what the server's own keys spent: uses, refusals and wrong access codes, per UTC day.

One SQLite file (`usage.db`) beside the song library in MUSICGEN_DATA_DIR, so counts survive restarts. Visitors are
stored only as keyed hashes (HMAC-SHA256 with this file's own random salt, as the library stores owner tokens): no raw
address or token is ever written. Rows older than 30 days are purged.

A use is taken inside one `BEGIN IMMEDIATE` transaction that counts and inserts together, so simultaneous clicks
cannot both see the last remaining song: with 3 left, 10 clicks at once get exactly 3 uses.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .library.db import private
from .library.owners import keyed_hash, new_salt

FILE_NAME = "usage.db"
KEEP_DAYS = 30
SONG, HELPER = "song", "helper"  # a generation of any kind; lyrics writing, cover analysis, music-01 uploads
# Why a request was refused (the usage record's columns).
BUDGET, CODE, THROTTLED = "budget", "code", "throttled"
PURGE_EVERY_S = 3600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uses (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL, backend TEXT NOT NULL,
    browser TEXT NOT NULL, address TEXT NOT NULL, returned INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS uses_by_day ON uses (day, kind);
CREATE TABLE IF NOT EXISTS refusals (
    id INTEGER PRIMARY KEY, at REAL NOT NULL, day TEXT NOT NULL, reason TEXT NOT NULL, backend TEXT NOT NULL,
    visitor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS code_failures (at REAL NOT NULL, address TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lockouts (address TEXT PRIMARY KEY, until REAL NOT NULL)
"""


def utc_day(now: float) -> str:
    """'2026-12-03': the UTC day budgets count in."""
    return time.strftime("%Y-%m-%d", time.gmtime(now))


def seconds_to_reset(now: float) -> float:
    """Seconds until the next 00:00 UTC, when the daily budgets start again."""
    return 86400.0 - now % 86400.0


@dataclass(frozen=True)
class Limits:
    """How many uses of one kind a visitor (each of its browser and its address) and everyone together may make
    per UTC day; None = no limit."""

    per_visitor: int | None = None
    per_day: int | None = None


@dataclass(frozen=True)
class Taken:
    """The outcome of take(): `use_id` when a use was taken, else `refused` names the spent budget."""

    use_id: int | None
    left: int | None  # uses left after this one (None: no limit)
    refused: str = ""  # "visitor" or "day" when refused


class Ledger:
    """Counts of the server keys' uses; every method is safe to call from any thread (and any process)."""

    def __init__(self, data_dir: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(data_dir).expanduser() / FILE_NAME
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.clock = clock
        self._lock = threading.Lock()
        self._last_purge = float("-inf")
        # SQLite gives the -wal and -shm files the database file's mode: make that the user's alone.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        private(self.path)
        conn = sqlite3.connect(str(self.path), timeout=15.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=NORMAL")  # a WAL commit survives a crash of the app, not a power cut
        self._conn = conn
        with self._transaction() as c:
            for statement in _SCHEMA.split(";"):  # (executescript would COMMIT the transaction)
                c.execute(statement)
            row = c.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if row is None:
                row = (new_salt(),)
                c.execute("INSERT INTO meta (key, value) VALUES ('salt', ?)", row)
        self._salt: str = row[0]
        self.purge()

    # -- plumbing ------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")  # the write lock first: counting and inserting are one step
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise

    def visitor(self, value: str) -> str:
        """The stored form of a browser token or an address: a keyed hash, '' for an unknown one."""
        return keyed_hash(value, self._salt) if value else ""

    def close(self) -> None:
        """Close the file; later calls fail."""
        with self._lock:
            self._conn.close()

    # -- uses ----------------------------------------------------------------------------------------------------

    def take(self, kind: str, backend: str, browser: str, address: str, limits: Limits) -> Taken:
        """Take one use unless the visitor's browser, its address or the day total has none left (then the refusal
        is recorded). `browser` and `address` are raw; only their hashes are stored."""
        now = self.clock()
        day, b, a = utc_day(now), self.visitor(browser), self.visitor(address)
        with self._transaction() as c:
            left, refused = self._left(c, day, kind, b, a, limits)
            if left is not None and left <= 0:
                c.execute(
                    "INSERT INTO refusals (at, day, reason, backend, visitor) VALUES (?, ?, ?, ?, ?)",
                    (now, day, BUDGET, backend, b or a),
                )
                return Taken(None, 0, refused)
            cur = c.execute(
                "INSERT INTO uses (at, day, kind, backend, browser, address) VALUES (?, ?, ?, ?, ?, ?)",
                (now, day, kind, backend, b, a),
            )
            use_id = int(cur.lastrowid or 0)
        if now - self._last_purge > PURGE_EVERY_S:
            self.purge()
        return Taken(use_id, None if left is None else left - 1)

    def give_back(self, use_id: int) -> None:
        """Return a use that cannot have been charged: it no longer counts against any budget."""
        with self._transaction() as c:
            c.execute("UPDATE uses SET returned = 1 WHERE id = ?", (use_id,))

    def left(self, kind: str, browser: str, address: str, limits: Limits) -> int | None:
        """Uses of `kind` this visitor has left today (None: no limit)."""
        day = utc_day(self.clock())
        with self._lock:
            return self._left(self._conn, day, kind, self.visitor(browser), self.visitor(address), limits)[0]

    @staticmethod
    def _left(
        c: sqlite3.Connection, day: str, kind: str, browser: str, address: str, limits: Limits
    ) -> tuple[int | None, str]:
        counts: list[tuple[int, str]] = []
        base = "SELECT COUNT(*) FROM uses WHERE day = ? AND kind = ? AND returned = 0"
        if limits.per_visitor is not None:
            for column, value in (("browser", browser), ("address", address)):
                if value:
                    n = c.execute(f"{base} AND {column} = ?", (day, kind, value)).fetchone()[0]
                    counts.append((limits.per_visitor - n, "visitor"))
            if not (browser or address):
                counts.append((limits.per_visitor, "visitor"))
        if limits.per_day is not None:
            n = c.execute(base, (day, kind)).fetchone()[0]
            counts.append((limits.per_day - n, "day"))
        if not counts:
            return None, ""
        left, which = min(counts)
        return max(0, left), which

    # -- refusals and access codes -------------------------------------------------------------------------------

    def refuse(self, reason: str, backend: str, visitor: str) -> None:
        """Record a refusal (CODE, THROTTLED) for the usage record; `visitor` is raw, stored hashed."""
        now = self.clock()
        with self._transaction() as c:
            c.execute(
                "INSERT INTO refusals (at, day, reason, backend, visitor) VALUES (?, ?, ?, ?, ?)",
                (now, utc_day(now), reason, backend or "any", self.visitor(visitor)),
            )

    def locked_for(self, address: str) -> float:
        """Seconds this address is still refused after too many wrong codes (0: it may try)."""
        row = self._query("SELECT until FROM lockouts WHERE address = ?", (self.visitor(address),))
        return max(0.0, row[0][0] - self.clock()) if row else 0.0

    def code_failed(self, address: str, tries: int, window_s: float, lockout_s: float) -> int:
        """Record a wrong code from `address`; returns the tries it has left in the window (0: now locked out)."""
        now, a = self.clock(), self.visitor(address)
        with self._transaction() as c:
            c.execute("INSERT INTO code_failures (at, address) VALUES (?, ?)", (now, a))
            n = c.execute(
                "SELECT COUNT(*) FROM code_failures WHERE address = ? AND at > ?", (a, now - window_s)
            ).fetchone()[0]
            if n >= tries:
                c.execute("INSERT OR REPLACE INTO lockouts (address, until) VALUES (?, ?)", (a, now + lockout_s))
                c.execute("DELETE FROM code_failures WHERE address = ?", (a,))
            return max(0, tries - n)

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, args).fetchall()

    # -- the owner's record --------------------------------------------------------------------------------------

    def report(self, days: int = 7) -> list[dict[str, Any]]:
        """Per UTC day and backend, newest first: songs, helper calls, distinct visitors and refusals by reason."""
        since = utc_day(self.clock() - (max(1, days) - 1) * 86400.0)
        rows: dict[tuple[str, str], dict[str, Any]] = {}

        def row(day: str, backend: str) -> dict[str, Any]:
            return rows.setdefault(
                (day, backend),
                {"day": day, "backend": backend, "songs": 0, "helper_calls": 0, "visitors": 0, "addresses": 0,
                 "refused_budget": 0, "refused_code": 0, "refused_throttled": 0},
            )  # fmt: skip

        uses = self._query(
            "SELECT day, backend, SUM(kind = 'song'), SUM(kind != 'song'), COUNT(DISTINCT browser), "
            "COUNT(DISTINCT address) FROM uses WHERE day >= ? AND returned = 0 GROUP BY day, backend",
            (since,),
        )
        for day, backend, songs, helpers, visitors, addresses in uses:
            r = row(day, backend)
            r.update(songs=songs, helper_calls=helpers, visitors=visitors, addresses=addresses)
        refusals = self._query(
            "SELECT day, backend, reason, COUNT(*) FROM refusals WHERE day >= ? GROUP BY day, backend, reason",
            (since,),
        )
        for day, backend, reason, n in refusals:
            row(day, backend)[f"refused_{reason}"] = n
        return sorted(rows.values(), key=lambda r: (r["day"], r["backend"]), reverse=True)

    def purge(self) -> None:
        """Delete everything older than KEEP_DAYS days, and lockouts that ended."""
        now = self.clock()
        self._last_purge = now
        cutoff = now - KEEP_DAYS * 86400.0
        with self._transaction() as c:
            for table in ("uses", "refusals", "code_failures"):
                c.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,))
            c.execute("DELETE FROM lockouts WHERE until < ?", (now,))
