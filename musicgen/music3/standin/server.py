"""The MiniMax Music 3 stand-in: a loopback HTTP server that speaks sglang-omni's /v1/audio/speech contract.

Tests and benchmarks point the client at it instead of a GPU. It refuses what the engine refuses (validation.py),
answers 32 kHz stereo WAV rendered by the demo engine (render.py: same request, same bytes), and can be told to
take its time (`latency_s`, like a GPU taking minutes), to be starting (503 on every route, as while the engine
loads its weights), or to fail the next requests (`inject`). A refused connection is a stopped stand-in's URL.
Every request is logged in `requests` (method, path, headers, JSON), the witness of what a client sent.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ...loopback import FaultQueue, LoopbackServer
from .handler import Music3Handler
from .render import render_wav

__all__ = ["Music3Fault", "Music3StandIn"]

SERVED_MODEL = "MiniMaxAI/MiniMax-Music3"
FAULT_KINDS = frozenset({"http", "html", "reset", "slow"})
_CACHE_SIZE = 32


@dataclass(frozen=True)
class Music3Fault:
    """One way the next generation misbehaves: an HTTP error with a message, a gateway page, a reset, a delay."""

    kind: str
    status: int = 500
    message: str = ""
    delay_s: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}")


class Music3StandIn(LoopbackServer):
    """A local sglang-omni server for MiniMax Music 3: POST /v1/audio/speech and GET /health."""

    handler_class = Music3Handler

    def __init__(
        self,
        *,
        api_key: str | None = None,
        model: str = SERVED_MODEL,
        latency_s: float = 0.0,
        starting: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._init_server(host, port)
        self.api_key = api_key
        self.model = model
        self.latency_s = latency_s
        self.starting = starting
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most generations it held at once (benchmarks read it)
        self._faults: FaultQueue[Music3Fault] = FaultQueue()
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._render_lock = threading.Lock()  # one render at a time: the stand-in must not starve the studio

    def inject(self, fault: Music3Fault, times: int = 1) -> None:
        """Make the next `times` generation requests misbehave."""
        self._faults.push(fault, times)

    def take_fault(self) -> Music3Fault | None:
        """The fault for the generation being handled now, if one is queued."""
        return self._faults.pop()

    def log_request(self, entry: dict[str, Any]) -> None:
        """Append a received request (method, path, headers, json, at) to `requests`."""
        with self._lock:
            self.requests.append(entry)

    def generations(self) -> list[dict[str, Any]]:
        """The JSON bodies of every POST /v1/audio/speech received, in order."""
        with self._lock:
            return [r["json"] for r in self.requests if r["method"] == "POST"]

    def key_accepted(self, authorization: str | None) -> bool:
        """Whether the Authorization header is acceptable: anything when no key is set, else that Bearer key."""
        if self.api_key is None:
            return True
        scheme, _, key = (authorization or "").strip().partition(" ")
        return scheme.lower() == "bearer" and key.strip() == self.api_key

    def generate(self, request: dict[str, Any]) -> bytes:
        """Hold the request for `latency_s` (as a GPU would), then answer its WAV (cached by request)."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            started = time.monotonic()
            key = repr(sorted(request.items()))
            with self._render_lock:
                audio = self._cache.get(key)
                if audio is None:
                    audio = render_wav(request)
                    self._cache[key] = audio
                    while len(self._cache) > _CACHE_SIZE:
                        self._cache.popitem(last=False)
            time.sleep(max(0.0, self.latency_s - (time.monotonic() - started)))
            return audio
        finally:
            with self._lock:
                self.in_flight -= 1
