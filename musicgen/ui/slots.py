"""A backend's slots: at most `size` of its generations run at once; the rest wait in line, first come first
served, and each knows its place, which the page shows ("2nd in line")."""

from __future__ import annotations

import threading
import time


class Line:
    """Slots with a queue in front of them. Thread-safe; a ticket is any object unique to one generation."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a line needs at least one slot")
        self.size = size
        self._cond = threading.Condition()
        self._running = 0
        self._waiting: list[object] = []

    def enter(self, ticket: object, timeout: float) -> int:
        """Wait up to `timeout` s for a slot: 0 once one is taken, else the ticket's place in line (1 = next)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if ticket not in self._waiting:
                self._waiting.append(ticket)
            while True:
                if self._waiting[0] is ticket and self._running < self.size:
                    self._waiting.pop(0)
                    self._running += 1
                    self._cond.notify_all()  # the next in line may fit too
                    return 0
                left = deadline - time.monotonic()
                if left <= 0:
                    return self._waiting.index(ticket) + 1
                self._cond.wait(left)

    def leave(self, ticket: object, *, holding: bool) -> None:
        """Give the slot back (`holding`), or step out of line (Stop while waiting)."""
        with self._cond:
            if holding:
                self._running -= 1
            elif ticket in self._waiting:
                self._waiting.remove(ticket)
            self._cond.notify_all()

    @property
    def running(self) -> int:
        with self._cond:
            return self._running

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)
