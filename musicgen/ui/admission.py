"""A first-come, first-served limit on generations at once that tells each waiting visitor their place in line.

One per limited backend: MiniMax's free models (3 at once per key), a self-hosted MiniMax-Music3 server (its
admission, MUSIC3_CONCURRENCY = 16). Gradio's own queue sits in front of all generations; this line is behind it,
per backend, so the studio never sends a server more than it admits and the 17th song sees "1 ahead of you".
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator


class Line:
    """At most `limit` holders at once; the others wait in arrival order and learn how many are ahead of them."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._cond = threading.Condition()
        self._running = 0
        self._waiting: deque[object] = deque()

    @property
    def running(self) -> int:
        """How many hold a place now."""
        with self._cond:
            return self._running

    def wait(self, tick_s: float) -> Iterator[int]:
        """Yield, every `tick_s` while waiting, how many are ahead (0: next); return once admitted.

        The caller then holds a place and must `release()` it. Closing the generator while waiting (Stop) gives
        the place in line up.
        """
        ticket = object()
        admitted = False
        with self._cond:
            self._waiting.append(ticket)
        try:
            while True:
                with self._cond:
                    if self._admit(ticket):
                        admitted = True
                        return
                    ahead = self._waiting.index(ticket)
                yield ahead
                with self._cond:
                    self._cond.wait_for(lambda: self._can_admit(ticket), timeout=tick_s)
        finally:
            if not admitted:
                with self._cond:
                    self._waiting.remove(ticket)
                    self._cond.notify_all()

    def release(self) -> None:
        """Give a place back; the first in line takes it."""
        with self._cond:
            self._running -= 1
            self._cond.notify_all()

    def _can_admit(self, ticket: object) -> bool:
        return self._running < self.limit and self._waiting[0] is ticket

    def _admit(self, ticket: object) -> bool:
        if not self._can_admit(ticket):
            return False
        self._waiting.popleft()
        self._running += 1
        self._cond.notify_all()
        return True
