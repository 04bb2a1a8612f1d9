"""The proxy stand-in: a real loopback HTTP server that speaks the AI/ML API's task contract, and its state."""

from __future__ import annotations

import logging
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...loopback import FaultQueue, LoopbackServer
from .handler import ProxyHandler
from .music01 import Upload, new_ids
from .tasks import Task, TaskPlan

__all__ = ["ProxyFault", "ProxyStandIn"]

logger = logging.getLogger("musicgen.aimlapi.standin")

FAULT_KINDS = frozenset({"http", "html", "reset", "slow"})
ROUTES = frozenset({"submit", "poll", "files", "music01", "upload"})
CREDITS_PER_SONG, USD_PER_SONG = 390_000, 0.195  # what the vendor page's music-2.6 example reports


@dataclass(frozen=True)
class ProxyFault:
    """One way a request should misbehave: an HTTP error (with Retry-After), a gateway page, a reset, or a delay."""

    kind: str
    status: int = 500
    message: str = ""
    retry_after: float | None = None
    delay_s: float = 0.0
    route: str | None = None  # submit, poll, files, music01, upload; None = the next request to any of them

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if self.route is not None and self.route not in ROUTES:
            raise ValueError(f"unknown route {self.route!r}; expected one of {sorted(ROUTES)}")


class ProxyStandIn(LoopbackServer):
    """A local HTTP server that speaks the AI/ML API's /v2/generate/audio contract, music-01 included.

    It also answers MiniMax's legacy `/v1/music_upload` and `/v1/music_generation` (model music-01 only), so legacy
    tests can use it as "the MiniMax host". Task timing reads `clock`, which may be a VirtualClock's `now`.
    """

    handler_class = ProxyHandler

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        audio_s: float = 2.0,
        default_plan: TaskPlan | None = None,
        music01_retired: bool = False,
    ) -> None:
        self.api_key = api_key
        self._init_server(host, port)
        self.clock = clock
        self.audio_s = audio_s
        self.default_plan = default_plan or TaskPlan()
        self.music01_retired = music01_retired
        self.tasks: dict[str, Task] = {}
        self.requests: list[dict[str, Any]] = []
        self.uploads: list[Upload] = []
        self.known_ids: set[str] = set()
        self._plans: deque[TaskPlan] = deque()
        self._faults: FaultQueue[ProxyFault] = FaultQueue()

    # -- lifecycle ---------------------------------------------------------------------------------------------

    # -- control -----------------------------------------------------------------------------------------------

    def plan(self, plan: TaskPlan, times: int = 1) -> None:
        """Make the next `times` submitted tasks follow `plan` (later ones fall back to `default_plan`)."""
        with self._lock:
            self._plans.extend([plan] * times)

    def inject(self, fault: ProxyFault, times: int = 1) -> None:
        """Make the next `times` requests to the fault's route (or to any route) misbehave."""
        self._faults.push(fault, times)

    def take_fault(self, route: str) -> ProxyFault | None:
        """The fault for a request to `route` being handled now, if one is queued for it."""
        return self._faults.pop(lambda fault: fault.route in (None, route))

    def log_request(self, entry: dict[str, Any]) -> None:
        """Append a received request (method, path, query, headers, json, at, task) to `requests`."""
        with self._lock:
            self.requests.append(entry)

    def requests_for(self, task_id: str) -> list[dict[str, Any]]:
        """Every logged request that concerned one task: its submission, its polls and its downloads."""
        with self._lock:
            return [r for r in self.requests if r.get("task") == task_id]

    # -- the service's work ------------------------------------------------------------------------------------

    def key_accepted(self, authorization: str | None) -> bool:
        """Whether an Authorization header carries an acceptable bearer key."""
        scheme, _, key = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return False
        return self.api_key is None or key.strip() == self.api_key

    def create_task(self, payload: dict[str, Any]) -> Task:
        """Register a valid submission under a new id, following the next queued plan."""
        with self._lock:
            plan = self._plans.popleft() if self._plans else self.default_plan
            # Hex, like the service's ids: a urlsafe token starts with "-" one time in 32, which the CLI's
            # `fetch <generation_id>` would read as an option (the flaky fetch test).
            task = Task(secrets.token_hex(16), self.clock(), plan, payload)
            self.tasks[task.id] = task
        return task

    def task_body(self, task: Task, *, with_usage: bool = False) -> dict[str, Any]:
        """The task as the proxy reports it now; usage comes with the submission answer, as on the vendor page."""
        status = task.status(self.clock())
        body: dict[str, Any] = {"id": task.id, "status": status}
        if status == "completed":
            body["audio_file"] = {"url": f"{self.url}/files/{task.id}.{task.fmt}"}
        elif status == "error" and task.plan.error:
            body["error"] = {"name": task.plan.error[0], "message": task.plan.error[1]}
        if with_usage:
            body["meta"] = {"usage": {"credits_used": CREDITS_PER_SONG, "usd_spent": USD_PER_SONG}}
        return body

    def record_upload(self, upload: Upload) -> dict[str, str]:
        """Keep an accepted upload and return the ids it earns."""
        ids = new_ids(upload.purpose)
        with self._lock:
            self.uploads.append(upload)
            self.known_ids.update(ids.values())
        return ids
