"""Live playback: a streaming song's bytes go to the visitor's browser as they arrive, exactly as they arrived.

One LiveStream per streamed generation holds the song's growing buffer: the client gathers the song in it;
the route `/live/{session}/{token}` hands the bytes to the page's `<audio>` element as a chunked response (MP3 as
progressive MP3, WAV as it is, raw pcm behind a WAV header whose sizes say "until the end"); and the same buffer is
the partial song kept if the call fails. The server decodes and re-encodes nothing, so no ffmpeg is needed and a
stream costs about what a whole song costs.

Privacy: the token is 128 random bits, and the URL also names the visitor's session id (which their own result
file URLs already hold). It answers only when both match a stream that is running or ended less than
`LIVE_GRACE_S` ago; a guessed token, another session's id or an expired stream all get the same 404. Nothing
lists streams.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import suppress
from html import escape

from fastapi.routing import APIRoute
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from ..audio import wav_header

LIVE_GRACE_S = 60.0  # a live URL answers this long after its stream ended (a late first request still plays)
LIVE_MAX_READERS = 4  # open requests per stream; a browser uses one, a seek or a reload another
LIVE_LABEL = "Live: the song as it arrives"
# Playing starts as soon as the browser can play (canplay), not when it guesses it can play through (what
# `autoplay` waits for: on a stream of unknown length Chromium held 2-4 s of audio first). Once per stream, so a
# visitor's own pause is kept. Media events do not bubble, hence the capturing listener on the component.
PLAYER_JS = """element.addEventListener('canplay', (e) => {
  const a = e.target;
  if (a.tagName === 'AUDIO' && !a.dataset.started && !a.closest('.mg-takes')) { a.dataset.started = '1'; a.play().catch(() => {}); }
}, true);"""
MEDIA_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "pcm": "audio/wav"}
_GATHER_BYTES, _GATHER_S = 65536, 0.02  # a piece under 64 KB waits up to 20 ms for more (an MP3 frame is ~1 KB)
_ID_MAX = 64  # longer path parts cannot be ours: refused before any lookup


def player_html(stream: LiveStream | None, prefix: str = "live") -> str:
    """The live player: a native <audio> element (keyboard-usable, named for screen readers) on the stream's URL.

    Empty for no stream: that also stops and removes the previous song's live player.
    """
    if stream is None:
        return ""
    label = f"{prefix}-live-label"
    return (
        f'<div class="mg-live"><p id="{label}" class="mg-live-label">{escape(LIVE_LABEL)}</p>'
        f'<audio controls autoplay preload="auto" aria-labelledby="{label}" src="{escape(stream.url)}"></audio></div>'
    )


class LiveStream:
    """One streamed song as it arrives: its bytes (appended by one thread), read by any number of requests."""

    def __init__(self, owner: str, fmt: str, sample_rate: int, channels: int = 2) -> None:
        self.owner = owner
        self.token = secrets.token_urlsafe(16)  # 128 random bits
        self.media_type = MEDIA_TYPES.get(fmt, "application/octet-stream")
        # MiniMax's pcm is 16-bit little-endian; a browser plays it as WAV once it has a header.
        self.head = wav_header(None, sample_rate, channels) if fmt == "pcm" else b""
        self.buf: bytearray | bytes = bytearray()
        self.ended_at: float | None = None
        self.failed = False
        self.readers = 0
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    @property
    def url(self) -> str:
        """Relative to the page, so it works under any root path (a Space's proxy, a mounted app)."""
        return f"live/{self.owner}/{self.token}"

    def append(self, data: bytes) -> None:
        """Add arrived bytes and wake the readers waiting for them."""
        assert isinstance(self.buf, bytearray), "append after end"
        self.buf += data
        self._wake()

    def grew(self) -> None:
        """Bytes were added to `buf` directly (the client gathers the song there): wake the readers."""
        self._wake()

    def end(self, whole: bytes | None = None, *, failed: bool = False, now: float | None = None) -> None:
        """The stream is over: readers get the rest and their response ends. Safe to call more than once.

        `whole` is the finished song; when it holds exactly what arrived, it replaces the buffer, so the server
        keeps one copy of the song while the URL lives on for its grace period.
        """
        if self.ended_at is not None:
            return
        if whole is not None and len(whole) == len(self.buf):
            self.buf = whole
        self.failed = failed
        self.ended_at = time.monotonic() if now is None else now
        self._wake()

    def _wake(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for loop, event in waiters:
            with suppress(RuntimeError):  # that reader's event loop has closed
                loop.call_soon_threadsafe(event.set)

    async def _more(self, seen: int) -> None:
        """Return once the buffer holds more than `seen` bytes or the stream has ended."""
        event = asyncio.Event()
        with self._lock:
            if len(self.buf) > seen or self.ended_at is not None:
                return
            self._waiters.append((asyncio.get_running_loop(), event))
        await event.wait()

    async def body(self) -> AsyncIterator[bytes]:
        """Everything from the first byte, then each new piece as it arrives, until the stream ends."""
        self.readers += 1
        try:
            if self.head:
                yield self.head
            sent = 0
            while True:
                size = len(self.buf)
                if 0 < size - sent < _GATHER_BYTES and self.ended_at is None:
                    await asyncio.sleep(_GATHER_S)  # a fast stream goes out in fewer, larger pieces
                    size = len(self.buf)
                if size > sent:
                    piece = bytes(self.buf[sent:size])
                    sent = size
                    yield piece
                elif self.ended_at is not None:
                    return
                else:
                    await self._more(sent)
        finally:
            self.readers -= 1


class LiveStreams:
    """The studio's live streams by token; each answers only its own session, and only for a while."""

    def __init__(self, grace_s: float = LIVE_GRACE_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.grace_s = grace_s
        self._clock = clock
        self._streams: dict[str, LiveStream] = {}
        self._lock = threading.Lock()

    def open(self, owner: str, fmt: str, sample_rate: int, channels: int = 2) -> LiveStream:
        """A new stream for the session `owner` (its random id)."""
        self.prune()
        stream = LiveStream(owner, fmt, sample_rate, channels)
        with self._lock:
            self._streams[stream.token] = stream
        return stream

    def find(self, owner: str, token: str) -> LiveStream | None:
        """The stream `token` if it belongs to `owner` and has not expired; None otherwise, whichever the reason."""
        if len(owner) > _ID_MAX or len(token) > _ID_MAX:
            return None
        with self._lock:
            stream = self._streams.get(token)
        if stream is None or not hmac.compare_digest(stream.owner.encode(), owner.encode()):
            return None
        if self._expired(stream):
            self.prune()
            return None
        return stream

    def prune(self) -> None:
        """Forget streams whose grace period is over (their readers, if any, keep the bytes they hold)."""
        with self._lock:
            for token in [t for t, s in self._streams.items() if self._expired(s)]:
                del self._streams[token]

    def _expired(self, stream: LiveStream) -> bool:
        return stream.ended_at is not None and self._clock() - stream.ended_at > self.grace_s

    async def serve(self, owner: str, token: str) -> Response:
        """GET /live/{owner}/{token}: the song's bytes as they arrive, or 404."""
        stream = self.find(owner, token)
        if stream is None:
            return PlainTextResponse("Not Found", status_code=404)
        if stream.readers >= LIVE_MAX_READERS:
            return PlainTextResponse("Too many requests for this stream", status_code=429)
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Accept-Ranges": "none"}
        return StreamingResponse(stream.body(), media_type=stream.media_type, headers=headers)

    def route(self) -> APIRoute:
        """The route for the studio's FastAPI app (see launch_options); not in the API docs."""
        return APIRoute("/live/{owner}/{token}", self.serve, methods=["GET"], include_in_schema=False)
