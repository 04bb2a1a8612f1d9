"""The ledger of what the server's own keys spent: uses, refusals and wrong access codes, per UTC day.

Budgets are checked against running counts kept in memory, under a lock held for microseconds: checking and taking
a use are one step, so with 3 left, 10 clicks at once get exactly 3 uses, and the check costs a generation click
next to nothing however busy the disk is (benchmarks/bench_budget.py). Every use, refusal and give-back is written
to `usage.db` (budget_store.py) by a background writer within milliseconds, in BEGIN IMMEDIATE transactions, and
the counts are read back from it at start, so they survive restarts. One studio process owns a data dir's ledger
(as it owns the library); `python -m musicgen usage` only reads it.
"""

from __future__ import annotations

import atexit
import logging
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .budget_store import FILE_NAME, KEEP_DAYS, Store, utc_day

__all__ = ["FILE_NAME", "KEEP_DAYS", "HELPER", "SONG", "Ledger", "Limits", "Taken", "seconds_to_reset", "utc_day"]

log = logging.getLogger(__name__)
SONG, HELPER = "song", "helper"  # a generation of any kind; lyrics writing, cover analysis, music-01 uploads
BUDGET, CODE, THROTTLED = "budget", "code", "throttled"  # why a request was refused (the usage record's columns)
PURGE_EVERY_S = 3600.0
_STOP = None
_USE = "INSERT INTO uses (id, at, day, kind, backend, browser, address) VALUES (?, ?, ?, ?, ?, ?, ?)"
_GIVE_BACK = "UPDATE uses SET returned = 1 WHERE id = ? AND returned = 0"
_REFUSAL = "INSERT INTO refusals (at, day, reason, backend, visitor) VALUES (?, ?, ?, ?, ?)"


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


def _keys(browser: str, address: str) -> list[tuple[str, str]]:
    """The running counts a use of this visitor moves: its browser's, its address's (when known), everyone's."""
    return [(scope, key) for scope, key in (("b", browser), ("a", address)) if key] + [("d", "d")]


def _left(counts: dict[str, int], limits: Limits, known: bool) -> tuple[int | None, str]:
    """(uses left, which budget binds: 'visitor' or 'day') from the running counts; (None, '') with no limit."""
    room: list[tuple[int, str]] = []
    if limits.per_visitor is not None:
        spent = max((counts.get(scope, 0) for scope in ("b", "a")), default=0) if known else 0
        room.append((limits.per_visitor - spent, "visitor"))
    if limits.per_day is not None:
        room.append((limits.per_day - counts.get("d", 0), "day"))
    if not room:
        return None, ""
    left, which = min(room)
    return max(0, left), which


class Ledger:
    """Counts of the server keys' uses; every method is safe to call from any thread."""

    def __init__(self, data_dir: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        self.store = Store(data_dir)
        self.path = self.store.path
        self.visitor = self.store.hash  # raw browser token or address -> what is stored
        self.clock = clock
        self._lock = threading.Lock()  # guards the counts below; never held around I/O except at a day's change
        self._day = ""
        self._counts: dict[tuple[str, str, str], int] = {}  # (kind, scope, key) -> uses of self._day
        self._uses: dict[int, tuple[str, list[tuple[str, str]]]] = {}  # this day's uses, for give_back
        self._writes: queue.Queue[tuple[str, tuple[Any, ...]] | None] = queue.Queue()
        self._writer = threading.Thread(target=self._write_loop, name="musicgen-ledger", daemon=True)
        self._writer.start()
        self._closed = False
        self._last_purge = float("-inf")
        atexit.register(self.close)  # what is still queued reaches the file when the app exits
        self._maybe_purge(self.clock())

    # -- uses ----------------------------------------------------------------------------------------------------

    def take(self, kind: str, backend: str, browser: str, address: str, limits: Limits) -> Taken:
        """Take one use unless the visitor's browser, its address or the day total has none left (the refusal is
        then recorded). `browser` and `address` are raw; only their hashes are stored."""
        now = self.clock()
        day, b, a = utc_day(now), self.visitor(browser), self.visitor(address)
        keys = _keys(b, a)
        with self._lock:
            self._roll(day)
            left, refused = _left({s: self._counts.get((kind, s, k), 0) for s, k in keys}, limits, bool(b or a))
            if left is not None and left <= 0:
                taken = Taken(None, 0, refused)
            else:
                # A random id: a second ledger on the same file (another process) cannot hand out the same one.
                taken = Taken(secrets.randbits(62), None if left is None else left - 1)
                self._uses[taken.use_id] = (kind, keys)  # type: ignore[index]
                for scope, key in keys:
                    self._counts[(kind, scope, key)] = self._counts.get((kind, scope, key), 0) + 1
        if taken.use_id is None:
            self._write(_REFUSAL, (now, day, BUDGET, backend or "any", b or a))
        else:
            self._write(_USE, (taken.use_id, now, day, kind, backend, b, a))
        self._maybe_purge(now)
        return taken

    def give_back(self, use_id: int) -> None:
        """Return a use that cannot have been charged: it no longer counts against any budget."""
        with self._lock:
            use = self._uses.pop(use_id, None)
            for scope, key in use[1] if use else ():
                self._counts[(use[0], scope, key)] -= 1  # type: ignore[index]
        self._write(_GIVE_BACK, (use_id,))

    def left(self, kind: str, browser: str, address: str, limits: Limits) -> int | None:
        """Uses of `kind` this visitor has left today (None: no limit)."""
        day, b, a = utc_day(self.clock()), self.visitor(browser), self.visitor(address)
        with self._lock:
            self._roll(day)
            counts = {s: self._counts.get((kind, s, k), 0) for s, k in _keys(b, a)}
        return _left(counts, limits, bool(b or a))[0]

    def _roll(self, day: str) -> None:
        """Under the lock: at a new UTC day, start from that day's counts in the file (none, unless restarted)."""
        if day != self._day:
            self.flush()
            self._counts = {(kind, s, k): n for (kind, s, k), n in self.store.counts(day).items()}
            self._uses.clear()
            self._day = day

    # -- refusals and access codes -------------------------------------------------------------------------------

    def refuse(self, reason: str, backend: str, visitor: str) -> None:
        """Record a refusal (CODE, THROTTLED) for the usage record; `visitor` is raw, stored hashed."""
        now = self.clock()
        self._write(_REFUSAL, (now, utc_day(now), reason, backend or "any", self.visitor(visitor)))

    def locked_for(self, address: str) -> float:
        """Seconds this address is still refused after too many wrong codes (0: it may try)."""
        return max(0.0, self.store.locked_until(self.visitor(address)) - self.clock())

    def code_failed(self, address: str, tries: int, window_s: float, lockout_s: float) -> int:
        """Record a wrong code from `address`; returns the tries it has left in the window (0: now locked out)."""
        return self.store.code_failed(self.visitor(address), self.clock(), tries, window_s, lockout_s)

    # -- the owner's record --------------------------------------------------------------------------------------

    def report(self, days: int = 7) -> list[dict[str, Any]]:
        """Per UTC day and backend, newest first: songs, helper calls, distinct visitors and refusals by reason."""
        self.flush()
        return self.store.report(utc_day(self.clock() - (max(1, days) - 1) * 86400.0))

    def purge(self) -> None:
        """Delete everything older than KEEP_DAYS days, and lockouts that ended."""
        self.flush()
        self._last_purge = self.clock()
        self.store.purge(self._last_purge)

    def _maybe_purge(self, now: float) -> None:
        if now - self._last_purge > PURGE_EVERY_S:
            self._last_purge = now
            self._write("", (now,))  # the writer purges

    # -- the writer ----------------------------------------------------------------------------------------------

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        self._writes.put((sql, args))

    def flush(self) -> None:
        """Wait until everything recorded so far is in the file."""
        if not self._closed:
            self._writes.join()

    def close(self) -> None:
        """Write what is queued, stop the writer and close the file (again: nothing)."""
        if self._closed:
            return
        self._writes.put(_STOP)
        self._writer.join()
        self._closed = True
        self.store.close()
        atexit.unregister(self.close)

    def _write_loop(self) -> None:
        while True:
            batch = [self._writes.get()]
            while batch[-1] is not _STOP:
                try:
                    batch.append(self._writes.get_nowait())
                except queue.Empty:
                    break
            items = [item for item in batch if item is not _STOP]
            try:
                self._commit(items)
            except sqlite3.Error as exc:  # the counts in memory stay right; the record misses these rows
                log.warning("The usage ledger could not record %d entries: %s", len(items), exc)
            for _ in batch:
                self._writes.task_done()
            if batch[-1] is _STOP:
                return

    def _commit(self, items: list[tuple[str, tuple[Any, ...]]]) -> None:
        purges = [args[0] for sql, args in items if not sql]
        with self.store.transaction() as c:
            for sql, args in items:
                if sql:
                    c.execute(sql, args)
        for now in purges:
            self.store.purge(now)
