"""HTTP plumbing of the Music 3 stand-in: routing, the key, faults, and JSON errors shaped like the engine's."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...loopback import TrackedHandler
from .validation import RequestRefused, check

if TYPE_CHECKING:
    from .server import Music3Fault

SPEECH, HEALTH = "/v1/audio/speech", "/health"
MAX_BODY_BYTES = 1024 * 1024
TYPES = {400: "BadRequestError", 401: "AuthenticationError", 404: "NotFoundError", 413: "BadRequestError",
         503: "ServiceUnavailableError"}  # fmt: skip


class Music3Handler(TrackedHandler):
    """One connection to the stand-in; each request is routed to the Music3StandIn that owns the server."""

    server_version = "SglangOmniStandIn/1.0"
    log_name = "musicgen.standin_music3"
    max_body_bytes = MAX_BODY_BYTES
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self._log(path, None)
        if path != HEALTH:
            self._error(404, f"Not Found: GET {path}")
        elif not self.standin.key_accepted(self.headers.get("Authorization")):
            self._error(401, "Invalid or missing API key")  # a gateway in front of the engine checks every route
        elif self.standin.starting:
            self._error(503, "the engine is starting")
        else:
            self._send(200, b"", "text/plain")  # sglang answers an empty 200 when healthy

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        raw = self._read_body()
        if raw is None:
            return
        try:
            payload = json.loads(raw or b"null")
        except ValueError:
            payload = None
        self._log(path, payload)
        st = self.standin
        if path != SPEECH:
            self._error(404, f"Not Found: POST {path}")
        elif not st.key_accepted(self.headers.get("Authorization")):
            self._error(401, "Invalid or missing API key")
        elif st.starting:
            self._error(503, "the engine is starting")
        elif not self._faulted(self.standin.take_fault()):
            self._speech(payload)

    def _refuse_body(self, length: int) -> None:
        self._error(413, "body too large or without Content-Length")

    def _speech(self, payload: Any) -> None:
        try:
            request = check(payload, self.standin.model)
        except RequestRefused as exc:
            self._error(exc.status, str(exc), exc.field)
            return
        audio = self.standin.generate(request)
        self._send(200, audio, "audio/wav")

    def _fault_error(self, fault: Music3Fault) -> None:
        self._error(fault.status, fault.message or "Internal Server Error")

    def _log(self, path: str, payload: Any) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        entry = {"method": self.command, "path": path, "headers": headers, "json": payload, "at": time.monotonic()}
        self.standin.log_request(entry)

    def _error(self, status: int, message: str, field: str | None = None) -> None:
        """An error as OpenAI-style servers answer it: {"error": {"message", "type", "param", "code"}}."""
        error = {"message": message, "type": TYPES.get(status, "InternalServerError"), "param": field, "code": status}
        self._send(status, json.dumps({"error": error}).encode(), "application/json")
