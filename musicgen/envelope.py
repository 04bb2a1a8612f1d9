"""Reading a JSON answer whose `audio` field may hold megabytes of hex, without holding it twice.

A 4-minute song is ~7.7 MB of mp3 and ~15 MB of hex. Parsing the whole body with `json.loads` and then
`bytes.fromhex` keeps the body, the decoded string and the bytes alive at once (about 5x the audio). Instead the
hex is decoded chunk by chunk as it arrives and the rest of the (small) JSON is parsed normally.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Iterable

import httpx

from . import errors
from .errors import CorruptAudioError
from .progress import ProgressClock
from .transport import reason, retry_after

_AUDIO_KEY = re.compile(rb'"audio"\s*:\s*"')
_HEX = frozenset(b"0123456789abcdefABCDEF")
_KEY_OVERLAP = 16  # the key pattern may straddle two network chunks


class EnvelopeReader:
    """Feed body chunks; `finish()` returns the parsed JSON (with data.audio emptied) and the decoded audio."""

    def __init__(self) -> None:
        self._head = bytearray()  # the JSON text, minus the hex audio
        self._audio: bytearray | None = None
        self._carry = b""  # an odd trailing hex digit waiting for its partner
        self._in_value = False
        self._searched = 0  # how far _head has been searched for the audio key
        self._done_audio = False  # only the first `"audio":"<hex>"` is extracted

    def feed(self, chunk: bytes) -> None:
        """Consume the next piece of the body."""
        while chunk:
            if self._in_value:
                chunk = self._feed_value(chunk)
            else:
                chunk = self._feed_json(chunk)

    def _feed_json(self, chunk: bytes) -> bytes:
        if self._done_audio:
            self._head += chunk
            return b""
        start = max(0, self._searched - _KEY_OVERLAP)
        self._head += chunk
        m = _AUDIO_KEY.search(self._head, start)
        if not m:
            self._searched = len(self._head)
            return b""
        rest = bytes(self._head[m.end() :])
        del self._head[m.end() :]
        if rest and rest[0] not in _HEX:
            # Not hex (a URL, or an empty string): leave it in the JSON for json.loads.
            self._done_audio = True
            self._head += rest
            return b""
        self._in_value = True
        self._audio = bytearray()
        return rest

    def _feed_value(self, chunk: bytes) -> bytes:
        end = chunk.find(b'"')
        piece, rest = (chunk, b"") if end < 0 else (chunk[:end], chunk[end:])
        if self._carry:
            piece = self._carry + piece
        even = len(piece) - (len(piece) & 1)
        self._carry = piece[even:]
        assert self._audio is not None  # set when the audio value began
        try:
            self._audio += binascii.unhexlify(piece[:even])
        except binascii.Error:
            raise CorruptAudioError("The audio in the answer is not valid hex") from None
        if end >= 0:
            if self._carry:
                raise CorruptAudioError("The audio in the answer has an odd number of hex digits")
            self._in_value = False
            self._done_audio = True
        return rest

    def finish(self) -> tuple[object, bytes | None]:
        """The parsed JSON document and the decoded audio (None when the body held no hex audio)."""
        if self._in_value:
            raise CorruptAudioError("The answer ended in the middle of its audio")
        doc = json.loads(bytes(self._head))
        audio = None
        if self._audio is not None:
            audio = bytes(self._audio)
            self._audio = None
        return doc, audio


def read_envelope(chunks: Iterable[bytes]) -> tuple[object, bytes | None]:
    """Parse a whole JSON body from its chunks; raises json.JSONDecodeError when it is not JSON."""
    reader = EnvelopeReader()
    for chunk in chunks:
        reader.feed(chunk)
    return reader.finish()


# -- MiniMax's answers: the HTTP status, the business code in base_resp, the envelope read as it arrives -------------


def check_status(resp: httpx.Response) -> None:
    """Raise the exception for an HTTP error answer (its base_resp code when it has a telling one)."""
    if resp.status_code < 400:
        return
    trace = resp.headers.get("trace-id")
    try:
        body = json.loads(resp.read())
        base = body.get("base_resp") or {}
        code, msg = int(base.get("status_code") or 0), str(base.get("status_msg") or "")
        trace = body.get("trace_id") or trace
    except (json.JSONDecodeError, ValueError, AttributeError, httpx.HTTPError):
        code, msg = 0, f"The API answered {reason(resp)} with a page that is not JSON (a gateway error)"
    wait = retry_after(resp.headers.get("retry-after"))
    resp.close()
    if code and code != resp.status_code and resp.status_code not in (404, 410):
        err = errors.from_business_code(code, msg, trace, resp.status_code)
        if isinstance(err, errors.RateLimitError):
            err.retry_after = wait
    else:
        told = code if code and code != resp.status_code else None  # 2153 with HTTP 410, say
        err = errors.from_http_status(resp.status_code, msg or reason(resp), trace, wait, told)
    raise err


def raise_for_business(body: dict, trace: str | None, partial: bytes | bytearray | None = None) -> None:
    """Raise the exception for a `base_resp.status_code` that is not 0; what arrived before is kept on it."""
    base = body.get("base_resp") or {}
    code = base.get("status_code")
    if code in (None, 0, "0"):
        return
    err = errors.from_business_code(int(code), str(base.get("status_msg") or ""), body.get("trace_id") or trace)
    if partial:
        err.partial = bytes(partial)  # what arrived before a mid-stream error is kept (copied only on an error)
    raise err


def read_answer(resp: httpx.Response, progress: ProgressClock) -> tuple[dict, bytes | None]:
    """Read a JSON envelope (hex audio decoded on the fly), then raise for a business error."""
    reader = EnvelopeReader()
    received = 0
    try:
        for chunk in resp.iter_bytes():
            received += len(chunk)
            reader.feed(chunk)
            progress("receiving", received)
        body, audio = reader.finish()
    except errors.CorruptAudioError as exc:
        exc.trace_id = exc.trace_id or resp.headers.get("trace-id")
        raise
    except httpx.TimeoutException:
        raise errors.APITimeoutError("The answer stopped arriving before it was complete") from None
    except httpx.TransportError as exc:
        raise errors.APIConnectionError(f"The connection broke while reading the answer: {exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise errors.ServerError(
            "The API answered with something that is not JSON (a gateway error page?)",
            http_status=resp.status_code,
            trace_id=resp.headers.get("trace-id"),
        ) from None
    finally:
        resp.close()
    if not isinstance(body, dict):
        raise errors.ServerError("The API answered with unexpected JSON", trace_id=resp.headers.get("trace-id"))
    if not body.get("trace_id") and resp.headers.get("trace-id"):
        body["trace_id"] = resp.headers["trace-id"]  # some answers carry it only as a header
    raise_for_business(body, body.get("trace_id"))
    return body, audio
