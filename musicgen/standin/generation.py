"""Answers to POST /v1/music_generation: the JSON envelope (§4) and the event stream (§5.3), faults included."""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any

from .faults import Fault
from .streaming import (
    KEEPALIVE_EVERY,
    OK,
    chunk_event,
    error_event,
    rechunk,
    sse_comment,
    sse_data,
    status_frames,
    terminal_event,
)
from .validation import MusicJob, check_community, validate_music

if TYPE_CHECKING:
    from .handler import StandInHandler

logger = logging.getLogger("musicgen.standin")


def _corrupt_hex(text: str) -> str:
    """Make hex undecodable two ways at once: a non-hex character and an odd length."""
    return "zz" + text[3:] if len(text) >= 3 else "zzz"


class SseWriter:
    """Writes one event stream, either with chunked transfer encoding or as a read-until-close body."""

    def __init__(self, handler: StandInHandler, chunked: bool, crlf: bool) -> None:
        self.handler, self.chunked, self.crlf = handler, chunked, crlf

    def open(self) -> None:
        """Send the status line and headers."""
        h = self.handler
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Trace-Id", h.trace_id)
        if self.chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()

    def raw(self, data: bytes) -> None:
        """Send bytes as they are (framed as one chunk when chunked)."""
        if self.chunked:
            data = f"{len(data):x}\r\n".encode() + data + b"\r\n"
        self.handler.wfile.write(data)

    def event(self, obj: Any) -> None:
        """Send one `data:` event."""
        self.raw(sse_data(obj, self.crlf))

    def comment(self) -> None:
        """Send a `: keep-alive` comment."""
        self.raw(sse_comment("keep-alive", self.crlf))

    def close(self) -> None:
        """End the body (the last chunk; a read-until-close body ends when the handler closes the socket)."""
        if self.chunked:
            self.handler.wfile.write(b"0\r\n\r\n")


def answer_music(h: StandInHandler, payload: Any, fault: Fault | None) -> None:
    """Answer a music_generation request: a JSON envelope, or an event stream when stream is true."""
    st = h.standin
    if st.community:
        payload = check_community(payload)
    job = validate_music(payload, st.retired_models)
    reference = st.music_reference(job)
    kind = fault.kind if fault else None
    if job.stream and kind != "json_for_stream":
        _answer_stream(h, job, reference, fault)
        return
    if kind == "json_for_stream" and fault is not None:
        # A stream request answered with the plain JSON envelope of the whole song, its audio as the fault says.
        kind = {"badhex": "badhex", "empty": "empty_audio"}.get(fault.audio)
    if st.latency_s:
        time.sleep(st.latency_s)
    track = st.track(job, reference)
    audio = b"".join(track.pieces)
    if kind == "empty_audio":
        value = ""
    elif job.output_format == "url":
        value = st.store_file(audio, job.fmt)
    else:
        value = _corrupt_hex(audio.hex()) if kind == "badhex" else audio.hex()
    field = st.url_field if job.output_format == "url" else "audio"
    body = {
        "data": {field: value, "status": 2},
        "trace_id": h.trace_id,
        "extra_info": track.extra_info(len(audio)),
        "analysis_info": None,
        "base_resp": OK,
    }
    h.send_json(200, body, truncate=kind == "truncate")


def _answer_stream(h: StandInHandler, job: MusicJob, reference: bytes | None, fault: Fault | None) -> None:
    st = h.standin
    kind = fault.kind if fault else None
    interval = fault.delay_s if kind == "slow" and fault else st.chunk_interval_s
    writer = SseWriter(h, st.sse_framing == "chunked", st.crlf)
    writer.open()
    writer.comment()
    if st.latency_s:
        time.sleep(st.latency_s)
    total = 0

    def counted(pieces: Iterator[bytes]) -> Iterator[bytes]:
        nonlocal total
        for piece in pieces:
            total += len(piece)
            yield piece

    frames: Generator[tuple[int, bytes], None, None] | None = None
    try:
        track = st.track(job, reference)
        frames = status_frames(counted(rechunk(track.pieces, st.chunk_bytes)), st.stream_shape)
        sent = 0
        for status, piece in frames:
            if kind == "empty_audio" and status == 1:
                continue
            if kind in ("truncate", "stream_error") and (status == 2 or sent == 2):
                if kind == "stream_error" and fault is not None:
                    writer.event(error_event(fault.business_code(), fault.business_message(), h.trace_id))
                break
            text = "" if kind == "empty_audio" else piece.hex()
            if kind == "badhex" and sent == 0:
                text = _corrupt_hex(text)
            if sent and interval:
                time.sleep(interval)
            if status == 1:
                writer.event(chunk_event(text, h.trace_id))
            else:
                writer.event(terminal_event(text, track.extra_info(total), h.trace_id))
            sent += 1
            if status == 1 and sent % KEEPALIVE_EVERY == 0:
                writer.comment()
        else:
            if st.stream_done:
                writer.event("[DONE]")
        writer.close()
    except (BrokenPipeError, ConnectionResetError):
        h.close_connection = True  # the client left; stop rendering for it
    except Exception as exc:  # after the headers, an error can only travel as an event
        logger.exception("stand-in stream failed")
        try:
            writer.event(error_event(1000, f"unknown error: {exc}", h.trace_id))
            writer.close()
        except OSError:
            h.close_connection = True
    finally:
        if frames is not None:
            frames.close()
