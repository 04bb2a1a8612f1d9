"""How a call reports where it is (Progress), the pieces of a streamed song (Chunk), and the clock that times both."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """Where a call is: stage ('sending', 'waiting', 'receiving', 'downloading', 'done'), time and bytes so far."""

    stage: str
    elapsed_s: float
    bytes_received: int = 0


@dataclass(frozen=True)
class Chunk:
    """A piece of a streamed song as it arrived."""

    data: bytes
    bytes_received: int
    elapsed_s: float


ProgressFn = Callable[[Progress], None]


class ProgressClock:
    """Reports progress with the time elapsed since it was made; calling it returns that time."""

    def __init__(self, fn: ProgressFn | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._fn, self._clock = fn, clock
        self._t0 = clock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._t0

    def __call__(self, stage: str, received: int = 0) -> float:
        elapsed = self.elapsed
        if self._fn:
            self._fn(Progress(stage, elapsed, received))
        return elapsed
