"""Simulated time shared by a poller and the stand-in, so hours of polling run in a fraction of a second."""

from __future__ import annotations

import threading


class VirtualClock:
    """A clock that only moves when someone sleeps on it: `sleep(dt)` returns at once and adds dt to `now()`."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()  # the stand-in reads it from its handler threads

    def now(self) -> float:
        """Seconds on the simulated clock."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Advance the clock by `seconds` (negative waits count as zero) without waiting."""
        with self._lock:
            self._now += max(0.0, seconds)
