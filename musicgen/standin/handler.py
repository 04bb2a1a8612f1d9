"""HTTP plumbing of the stand-in: routing, auth, faults, and writing JSON, SSE and file answers."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..loopback import TrackedHandler
from .faults import CODE_MESSAGES, GATEWAY_PAGE, HTTP_REASONS, Fault, fault_from_json
from .generation import answer_music
from .streaming import OK
from .validation import ParamError

if TYPE_CHECKING:
    pass

logger = logging.getLogger("musicgen.standin")

MUSIC, PREPROCESS, LYRICS = "/v1/music_generation", "/v1/music_cover_preprocess", "/v1/lyrics_generation"
API_ROUTES = frozenset({MUSIC, PREPROCESS, LYRICS})
MAX_BODY_BYTES = 100 * 1024 * 1024  # a 50 MB reference is ~67 MB of base64
# Object-storage style answers for download links, like the signed URLs the real service hands out.
EXPIRED_XML = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
MISSING_XML = "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>"


class StandInHandler(TrackedHandler):
    """One connection to the stand-in; each request is routed to the StandIn that owns the server."""

    server_version = "MiniMaxStandIn/1.0"
    log_name = "musicgen.standin"
    max_body_bytes = MAX_BODY_BYTES
    trace_id = ""

    # -- routing -----------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._get(send_body=True)

    def do_HEAD(self) -> None:
        self._get(send_body=False)

    def _get(self, send_body: bool) -> None:
        self.trace_id = uuid.uuid4().hex
        path = urlsplit(self.path).path
        self._log(path, None)
        if path.startswith("/files/"):
            self._serve_file(path.removeprefix("/files/"), send_body)
        elif path in API_ROUTES:
            self._send_text(405, "405 method not allowed", send_body=send_body)
        else:
            self._send_text(404, "404 page not found", send_body=send_body)

    def do_POST(self) -> None:
        self.trace_id = uuid.uuid4().hex
        path = urlsplit(self.path).path
        raw = self._read_body()
        if raw is None:
            return
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        if path.startswith("/_standin/"):
            self._control(path, payload)
            return
        self._log(path, payload)
        if path in API_ROUTES:
            self._api(path, payload)
        else:
            self._send_text(404, "404 page not found")

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            self._send_text(411, "411 length required")
            return None
        return super()._read_body()

    def _refuse_body(self, length: int) -> None:
        self._send_text(413 if length > 0 else 400, "request body too large or malformed")

    def _log(self, path: str, payload: Any) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.standin.log_request(self.command, path, headers, payload)

    def _control(self, path: str, payload: Any) -> None:
        st = self.standin
        try:
            if path == "/_standin/fault":
                fault, times = fault_from_json(payload)
                st.inject(fault, times)
            elif path == "/_standin/reset":
                st.reset()
            elif path == "/_standin/config":
                if not isinstance(payload, dict):
                    raise ValueError("body must be a JSON object")
                st.configure(**payload)
            else:
                self._send_text(404, "404 page not found")
                return
        except ValueError as exc:
            self.send_json(400, {"ok": False, "error": str(exc)})
            return
        self.send_json(200, {"ok": True, "queued_faults": len(st.faults)})

    # -- API routes --------------------------------------------------------------------------------------------

    def _api(self, path: str, payload: Any) -> None:
        st = self.standin
        fault = st.faults.pop()
        streaming = path == MUSIC and isinstance(payload, dict) and payload.get("stream") is True
        if fault is not None and self._fault_answers(fault, streaming):
            return
        denied = None if st.community else st.auth_error(self.headers.get("Authorization"))
        if denied is not None:
            code, message = denied
            self._business_error(code, message, fault)
            return
        try:
            if path == MUSIC:
                answer_music(self, payload, fault)
            elif path == PREPROCESS:
                self._success(st.preprocess(payload), fault)
            else:
                self._success(st.write_lyrics(payload), fault)
        except ParamError as exc:
            self._business_error(exc.code, str(exc), fault, exc.http_status)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a renderer bug must come back as an answer, not a hung client
            logger.exception("stand-in failed on %s", path)
            self._business_error(1000, f"unknown error: {exc}", None)

    def _fault_answers(self, fault: Fault, streaming: bool) -> bool:
        """Apply a fault that replaces the normal answer; True when the request has been answered."""
        kind = fault.kind
        if kind == "reset":
            self._abort()
        elif kind == "http":
            status = fault.status()
            headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            msg = fault.message or CODE_MESSAGES.get(fault.code) or HTTP_REASONS.get(status, "error")
            body = {
                "trace_id": self.trace_id,
                "base_resp": {"status_code": fault.code or status, "status_msg": msg},
            }
            self.send_json(status, body, headers)
        elif kind == "html":
            status = fault.status()
            page = GATEWAY_PAGE.format(status=status, reason=HTTP_REASONS[status])
            self._send(status, page.encode(), "text/html; charset=utf-8")
        elif kind in ("code", "json_error_for_stream") or (kind == "stream_error" and not streaming):
            self._business_error(fault.business_code(), fault.business_message(), None)
        else:
            if kind == "slow" and not streaming:
                time.sleep(fault.delay_s)
            return False
        return True

    # -- writing answers ---------------------------------------------------------------------------------------

    def _success(self, fields: dict[str, Any], fault: Fault | None) -> None:
        body = {**fields, "trace_id": self.trace_id, "base_resp": OK}
        self.send_json(200, body, truncate=fault is not None and fault.kind == "truncate")

    def _business_error(self, code: int, message: str, fault: Fault | None, status: int = 200) -> None:
        body = {"trace_id": self.trace_id, "base_resp": {"status_code": code, "status_msg": message}}
        self.send_json(status, body, truncate=fault is not None and fault.kind == "truncate")

    def _serve_file(self, name: str, send_body: bool) -> None:
        state, value = self.standin.files.lookup(name)
        if state == "ok" and value is not None:
            audio, content_type = value
            self._send(200, audio, content_type, send_body=send_body)
        elif state == "expired":
            self._send(403, EXPIRED_XML.encode(), "application/xml", send_body=send_body)
        else:
            self._send(404, MISSING_XML.encode(), "application/xml", send_body=send_body)

    def send_json(
        self, status: int, obj: Any, headers: dict[str, str] | None = None, *, truncate: bool = False
    ) -> None:
        """Send a JSON answer (optionally cut in half to simulate a truncated body)."""
        self._send(status, json.dumps(obj).encode(), "application/json", headers, truncate=truncate)

    def _send_text(self, status: int, text: str, *, send_body: bool = True) -> None:
        self._send(status, text.encode(), "text/plain; charset=utf-8", send_body=send_body)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        truncate: bool = False,
        send_body: bool = True,
    ) -> None:
        """Every answer carries the request's Trace-Id header, as MiniMax's do."""
        headers = {"Trace-Id": self.trace_id, **(headers or {})}
        super()._send(status, body, content_type, headers, truncate=truncate, send_body=send_body)
