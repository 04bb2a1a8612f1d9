"""HTTP plumbing of the proxy stand-in: routing, auth, faults, and writing JSON and file answers."""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from ...loopback import TrackedHandler
from .music01 import DIRECT_LYRICS_MAX, PROXY_LYRICS_MAX, Music01Error, check_music01, check_upload
from .tasks import submit_problems
from .tones import CONTENT_TYPES, tone

if TYPE_CHECKING:
    from .server import ProxyFault

logger = logging.getLogger("musicgen.aimlapi.standin")

TASKS = "/v2/generate/audio"
PROXY_MUSIC01, PROXY_UPLOAD = "/v2/generate/audio/minimax/generate", "/v2/generate/audio/minimax/upload"
DIRECT_MUSIC, DIRECT_UPLOAD = "/v1/music_generation", "/v1/music_upload"
POST_ROUTES = {
    TASKS: "submit",
    PROXY_MUSIC01: "music01",
    DIRECT_MUSIC: "music01",
    PROXY_UPLOAD: "upload",
    DIRECT_UPLOAD: "upload",
}
REASONS = {400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 404: "Not Found", 429: "Too Many Requests"}
MAX_BODY_BYTES = 60 * 1024 * 1024
OK = {"status_code": 0, "status_msg": "success"}


class ProxyHandler(TrackedHandler):
    """One connection to the stand-in; each request is routed to the ProxyStandIn that owns the server."""

    server_version = "AimlApiStandIn/1.0"
    log_name = "musicgen.aimlapi.standin"
    max_body_bytes = MAX_BODY_BYTES
    disable_nagle_algorithm = True  # headers and body go out as two writes; Nagle would hold the body ~40 ms
    _entry: dict[str, Any] = {}

    # -- routing -----------------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path.startswith("/files/"):
            name = url.path.removeprefix("/files/")
            self._log(url.path, query, None, name.rsplit(".", 1)[0])
            if not self._faulted(self.standin.take_fault("files")):
                self._serve_file(name)
        elif url.path == TASKS:
            task_id = query.get("generation_id", "")
            self._log(url.path, query, None, task_id)
            if not self._faulted(self.standin.take_fault("poll")) and self._authorized(proxy=True):
                self._poll(task_id)
        else:
            self._send_json(404, {"statusCode": 404, "message": f"Cannot GET {url.path}"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        raw = self._read_body()
        if raw is None:
            return
        route = POST_ROUTES.get(url.path)
        is_form = route == "upload"
        try:
            payload = None if is_form else json.loads(raw or b"null")
        except ValueError:
            payload = None
        self._log(url.path, {}, payload, None)
        if route is None:
            self._send_json(404, {"statusCode": 404, "message": f"Cannot POST {url.path}"})
            return
        proxy = url.path.startswith("/v2/")
        if self._faulted(self.standin.take_fault(route)) or not self._authorized(proxy):
            return
        if route == "submit":
            self._submit(payload)
        elif route == "upload":
            self._upload(raw, proxy)
        else:
            self._music01(payload, proxy)

    def _refuse_body(self, length: int) -> None:
        self._send_json(413, {"statusCode": 413, "message": "body too large or without Content-Length"})

    def _log(self, path: str, query: dict[str, str], payload: Any, task_id: str | None) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        entry = {"method": self.command, "path": path, "query": query, "headers": headers, "json": payload}
        self._entry = {**entry, "at": self.standin.clock(), "task": task_id}
        self.standin.log_request(self._entry)

    def _fault_error(self, fault: ProxyFault) -> None:
        headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
        message = fault.message or REASONS.get(fault.status, "Internal Server Error")
        self._send_json(fault.status, {"statusCode": fault.status, "message": message}, headers)

    def _authorized(self, proxy: bool) -> bool:
        """Check the key; answer and return False when it is refused (401 on the proxy, base_resp on MiniMax)."""
        header = self.headers.get("Authorization")
        if self.standin.key_accepted(header):
            return True
        if proxy:
            self._send_json(401, {"statusCode": 401, "message": "Invalid API key", "error": "Unauthorized"})
        else:
            code, msg = (2049, "invalid api key") if header else (1004, "login fail: carry the API key")
            self._send_json(200, {"trace_id": uuid.uuid4().hex, "base_resp": {"status_code": code, "status_msg": msg}})
        return False

    # -- routes ------------------------------------------------------------------------------------------------

    def _submit(self, payload: Any) -> None:
        problems = submit_problems(payload)
        if problems:
            self._send_json(400, {"statusCode": 400, "message": problems, "error": "Bad Request"})
            return
        st = self.standin
        task = st.create_task(payload)
        self._entry["task"] = task.id  # the submission belongs to the task it created
        self._send_json(201, st.task_body(task, with_usage=True))

    def _poll(self, task_id: str) -> None:
        st = self.standin
        if not task_id:
            self._send_json(400, {"statusCode": 400, "message": ["generation_id should not be empty"]})
            return
        task = st.tasks.get(task_id)
        if task is None:
            self._send_json(404, {"statusCode": 404, "message": f"Generation {task_id} not found"})
            return
        task.polls += 1
        self._send_json(200, st.task_body(task))

    def _serve_file(self, name: str) -> None:
        st = self.standin
        task = st.tasks.get(name.rsplit(".", 1)[0])
        if task is None or task.status(st.clock()) != "completed":
            self._send(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
            return
        task.downloads.append(st.clock())
        self._send(200, tone(st.audio_s, task.fmt, task.sample_rate), CONTENT_TYPES[task.fmt])

    def _upload(self, raw: bytes, proxy: bool) -> None:
        try:
            upload = check_upload(self.headers.get("Content-Type", ""), raw)
        except Music01Error as exc:
            self._refuse(str(exc), proxy)
            return
        ids = self.standin.record_upload(upload)
        self._send_json(200, {**ids, "trace_id": uuid.uuid4().hex, "base_resp": OK})

    def _music01(self, payload: Any, proxy: bool) -> None:
        st = self.standin
        model = payload.get("model") if isinstance(payload, dict) else None
        if st.music01_retired or model != "music-01":
            if proxy:
                self._send_json(404, {"statusCode": 404, "message": f"Model {model} is not available"})
            else:
                self._refuse(f"invalid params, model {model} is not supported", proxy)
            return
        try:
            check_music01(payload, st.known_ids, PROXY_LYRICS_MAX if proxy else DIRECT_LYRICS_MAX)
        except Music01Error as exc:
            self._refuse(str(exc), proxy)
            return
        setting = payload.get("audio_setting") or {}
        fmt, rate = setting.get("format") or "mp3", int(setting.get("sample_rate") or 44100)
        audio = tone(min(st.audio_s, 60.0), fmt, rate)  # music-01 makes at most a minute
        extra = {"music_duration": int(min(st.audio_s, 60.0) * 1000), "music_sample_rate": rate, "music_channel": 2}
        data = {"audio": audio.hex(), "status": 2}
        body = {"data": data, "extra_info": {**extra, "music_size": len(audio)}, "trace_id": uuid.uuid4().hex}
        self._send_json(200, {**body, "base_resp": OK})

    def _refuse(self, message: str, proxy: bool) -> None:
        """A rejected parameter: HTTP 400 on the proxy, MiniMax's 200 + base_resp 2013 on the direct routes."""
        if proxy:
            self._send_json(400, {"statusCode": 400, "message": message, "error": "Bad Request"})
        else:
            body = {"trace_id": uuid.uuid4().hex, "base_resp": {"status_code": 2013, "status_msg": message}}
            self._send_json(200, body)

    # -- writing answers ---------------------------------------------------------------------------------------

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json", headers)
