"""Server-sent-event framing for music streams: cutting audio into pieces and shaping the terminal frame (§5.3)."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable, Iterator
from typing import Any

STREAM_SHAPES = ("aggregate", "tail", "empty")
SSE_FRAMINGS = ("chunked", "close")
KEEPALIVE_EVERY = 3  # a `: keep-alive` comment after every this many data events, as proxies do on slow streams
OK = {"status_code": 0, "status_msg": "success"}


def sse_data(obj: Any, crlf: bool = False) -> bytes:
    """One `data:` event carrying `obj` as single-line JSON (or the literal `[DONE]`)."""
    eol = "\r\n" if crlf else "\n"
    text = obj if isinstance(obj, str) else json.dumps(obj, separators=(",", ":"))
    return f"data: {text}{eol}{eol}".encode()


def sse_comment(text: str = "keep-alive", crlf: bool = False) -> bytes:
    """An SSE comment line, which clients must ignore."""
    eol = "\r\n" if crlf else "\n"
    return f": {text}{eol}{eol}".encode()


def rechunk(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Regroup encoder output into pieces of `size` bytes; the first piece goes out as soon as it exists."""
    # Flushing the first piece early is what lets a client hear audio soon after the first block is rendered.
    buf = bytearray()
    first = True
    for piece in pieces:
        buf += piece
        if first and buf:
            first = False
            yield bytes(buf)
            buf.clear()
            continue
        while len(buf) >= size:
            yield bytes(buf[:size])
            del buf[:size]
    if buf:
        yield bytes(buf)


def slices(audio: bytes, size: int) -> Iterator[bytes]:
    """Cut a finished file into `size`-byte pieces."""
    for start in range(0, len(audio), size):
        yield audio[start : start + size]


def status_frames(pieces: Iterable[bytes], shape: str) -> Generator[tuple[int, bytes], None, None]:
    """(status, audio) frames: status-1 pieces, then one status-2 frame whose audio depends on `shape`."""
    if shape not in STREAM_SHAPES:
        raise ValueError(f"unknown stream shape {shape!r}")
    if shape == "tail":
        # The last piece travels only in the terminal frame, so it must be held back one step.
        held: bytes | None = None
        for piece in pieces:
            if held is not None:
                yield 1, held
            held = piece
        yield 2, held or b""
        return
    sent: list[bytes] = []
    for piece in pieces:
        if shape == "aggregate":
            sent.append(piece)
        yield 1, piece
    yield 2, b"".join(sent)


def chunk_event(audio_hex: str, trace_id: str) -> dict[str, Any]:
    """A status-1 event: a hex audio piece, `extra_info: null` as the real service sends."""
    return {
        "data": {"audio": audio_hex, "status": 1},
        "extra_info": None,
        "trace_id": trace_id,
        "base_resp": OK,
    }


def terminal_event(audio_hex: str, extra_info: dict[str, Any], trace_id: str) -> dict[str, Any]:
    """The status-2 event that ends a successful stream."""
    return {
        "data": {"audio": audio_hex, "status": 2},
        "extra_info": extra_info,
        "trace_id": trace_id,
        "base_resp": OK,
    }


def error_event(code: int, message: str, trace_id: str) -> dict[str, Any]:
    """An in-stream failure: no data, a non-zero base_resp."""
    return {"trace_id": trace_id, "base_resp": {"status_code": code, "status_msg": message}}
