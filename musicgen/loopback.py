"""What the two stand-ins (MiniMax's contract, the AI/ML API proxy's) share: a threaded HTTP server on loopback.

`LoopbackServer` starts and stops the server in a daemon thread and remembers open connections, so that `stop()`
can close them (a pooled client connection must not reach a stopped server). `TrackedHandler` is the request
handler side of that bookkeeping; each stand-in subclasses it with its own routes. `TrackedHandler._faulted` is
the one home of the simple faults both stand-ins can be told to commit (slow, reset, gateway page, HTTP error); the
MiniMax stand-in (musicgen/standin/) has richer faults of its own (business codes, streams) and shares only `_abort`.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, Protocol, TypeVar

logger = logging.getLogger("musicgen.loopback")
_F = TypeVar("_F")

# What a gateway in front of a stopped upstream answers: HTML, not the JSON the client expects.
GATEWAY_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


class LoopbackFault(Protocol):
    """A queued fault: `kind` is slow, reset, html or http; `status`/`message` shape the http error."""

    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def message(self) -> str: ...
    @property
    def delay_s(self) -> float: ...


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of parallel clients must not wait in SYN retries
    standin: Any

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-answer is routine here (timeouts, fault tests); keep it out of stderr.
        logger.debug("connection from %s ended with an error", client_address, exc_info=True)


class TrackedHandler(BaseHTTPRequestHandler):
    """A connection to a LoopbackServer: registered while open, quiet in the logs."""

    protocol_version = "HTTP/1.1"
    sys_version = ""
    log_name: ClassVar[str] = "musicgen.loopback"
    max_body_bytes: ClassVar[int] = 1024 * 1024  # a larger request body is refused (_refuse_body), never read

    @property
    def standin(self) -> Any:
        return self.server.standin  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.standin.track_connection(self.connection, True)

    def finish(self) -> None:
        self.standin.track_connection(self.connection, False)
        try:
            super().finish()
        except OSError:
            pass  # the peer (or a reset fault) already closed the socket

    def log_message(self, format: str, *args: Any) -> None:
        logging.getLogger(self.log_name).debug("%s " + format, self.address_string(), *args)

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
        """One whole answer (or only its headers, for HEAD; or half its body, for a truncation fault)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if not send_body:
            return
        if truncate:
            # Promise the whole body, deliver half, hang up: the client sees an incomplete message.
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def _read_body(self) -> bytes | None:
        """The request body when its Content-Length is a number from 0 to max_body_bytes; otherwise None, once
        _refuse_body has answered (and the connection closes: the unread body would be taken for the next request)."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= self.max_body_bytes:
            self.close_connection = True
            self._refuse_body(length)
            return None
        return self.rfile.read(length)

    def _refuse_body(self, length: int) -> None:
        """Answer a request whose body is too large (or whose Content-Length is -1: not a number) as the server does."""
        raise NotImplementedError

    def _faulted(self, fault: LoopbackFault | None) -> bool:
        """Apply a queued fault; True when it replaced the answer (a slow fault only delays it)."""
        if fault is None:
            return False
        if fault.kind == "slow":
            time.sleep(fault.delay_s)
            return False
        if fault.kind == "reset":
            self._abort()
        elif fault.kind == "html":
            self._send(502, GATEWAY_PAGE, "text/html")
        else:
            self._fault_error(fault)
        return True

    def _fault_error(self, fault: Any) -> None:
        """Answer an http fault as this stand-in's server shapes its errors."""
        raise NotImplementedError

    def _abort(self) -> None:
        """Close the connection with a TCP RST instead of an answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()  # rfile holds a reference to the socket; without closing it close() would be deferred
        self.connection.close()


class FaultQueue(Generic[_F]):
    """Thread-safe FIFO of the faults a stand-in was told to commit; each entry is handed to `times` requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[list[Any]] = []

    def push(self, fault: _F, times: int = 1) -> None:
        """Queue `fault` for the next `times` requests (that it is meant for)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._entries.append([fault, times])

    def pop(self, meant_for: Callable[[_F], bool] | None = None) -> _F | None:
        """Take the fault for the request being handled now: the first queued one `meant_for` it (any by default)."""
        with self._lock:
            for i, entry in enumerate(self._entries):
                if meant_for is None or meant_for(entry[0]):
                    entry[1] -= 1
                    if entry[1] == 0:
                        del self._entries[i]
                    return entry[0]
        return None

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(times for _, times in self._entries)


class LoopbackServer:
    """Start/stop, URL and connection tracking; subclasses set `handler_class` and call `_init_server()`."""

    handler_class: ClassVar[type[TrackedHandler]]

    def _init_server(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._lock = threading.Lock()
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT (valid once started)."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting requests."""
        return self._server is not None

    def start(self):  # -> Self
        """Bind and serve in a daemon thread; returns self."""
        if self._server is None:
            server = _HTTPServer((self.host, self.port), self.handler_class)
            server.standin = self
            self._server = server
            self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections (so pooled client connections cannot reach a stopped server)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns, self._connections = list(self._connections), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):  # -> Self
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def track_connection(self, conn: socket.socket, alive: bool) -> None:
        """Remember (or forget) an open client connection so stop() can close it."""
        with self._lock:
            (self._connections.add if alive else self._connections.discard)(conn)
