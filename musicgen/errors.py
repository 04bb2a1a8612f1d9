"""Exceptions the client raises: one class per failure a user can act on.

MusicGenError                      base; .message, .hint (what to do next), .code, .http_status, .trace_id, .provider
├── APIError                       the API answered with an error
│   ├── AuthenticationError        1004, 2049, HTTP 401/403: bad key, or a key used on the wrong region's host
│   ├── RateLimitError             1002, 1039, 2045, HTTP 429; .retry_after when known
│   ├── InsufficientBalanceError   1008
│   ├── QuotaExceededError         2056, 1028, 1030: usage window or plan exceeded
│   ├── ContentFlaggedError        1026 (input), 1027 (output); .stage
│   ├── InvalidParametersError     2013 with the server's message; .field when it names one it refuses
│   ├── ModelUnavailableError      HTTP 404/410, 2061, 2153, unknown or retired model: a closed door; .model
│   └── ServerError                1000, 1001, 1013, 1024, 1033, HTTP 5xx, non-JSON gateway bodies
├── APIConnectionError             the request could not reach the API or the answer was cut off
│   └── APITimeoutError            no answer (or no stream chunk) within the timeout
└── AudioError                     the answer arrived but its audio is unusable
    ├── CorruptAudioError          empty audio, bad hex, undecodable bytes
    └── StreamTruncatedError       a stream ended before its terminal frame; .partial holds what arrived
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class MusicGenError(Exception):
    """Base of every error this package raises on purpose."""

    default_hint = ""
    partial: bytes = b""  # audio that arrived before the failure, if any; never thrown away
    provider: str = ""  # the backend that raised it ("minimax", "aimlapi", ...), set by its client (raised_by)

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        trace_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.http_status = http_status
        self.trace_id = trace_id
        self.hint = hint if hint is not None else self.default_hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [self.message]
        if self.hint:
            parts.append(self.hint)
        text = " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in parts)
        return f"{text} {self.tags()}" if self.tags() else text

    def tags(self) -> str:
        """'(code 2061, HTTP 410, trace id …)', or '' when there is none of them."""
        tags = []
        if self.code is not None:
            tags.append(f"code {self.code}")
        if self.http_status is not None and self.http_status != 200:
            tags.append(f"HTTP {self.http_status}")
        if self.trace_id:
            tags.append(f"trace id {self.trace_id}")
        return f"({', '.join(tags)})" if tags else ""


class APIError(MusicGenError):
    """The API answered, with an error."""

    default_hint = "Try again; if it keeps failing, report the trace id to MiniMax support."


class AuthenticationError(APIError):
    default_hint = (
        "Check the API key (MINIMAX_API_KEY or the studio's Settings). Keys are region-bound: a mainland-China "
        "key needs https://api.minimaxi.com, a global key https://api.minimax.io."
    )


class RateLimitError(APIError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        if kw.get("hint") is None:
            wait = f"about {retry_after:.0f} s" if retry_after else "a minute"
            kw["hint"] = f"Too many requests at once: wait {wait} and try again."
        super().__init__(message, **kw)


class InsufficientBalanceError(APIError):
    default_hint = "Your MiniMax account balance is too low: top it up in the MiniMax console, or use a free model."


class QuotaExceededError(APIError):
    default_hint = (
        "Your plan's usage window or quota is used up: wait for the next window, or switch to a "
        "pay-as-you-go key or a model your plan includes."
    )


class ContentFlaggedError(APIError):
    def __init__(self, message: str, *, stage: str = "input", **kw: Any) -> None:
        self.stage = stage
        if kw.get("hint") is None:
            kw["hint"] = (
                "The prompt or lyrics were flagged by MiniMax's content filter: rephrase them and try again."
                if stage == "input"
                else "The generated song was flagged by MiniMax's content filter: change the prompt or lyrics."
            )
        super().__init__(message, **kw)


class InvalidParametersError(APIError):
    default_hint = "MiniMax rejected a parameter: correct the field it names and try again."
    field: str = ""  # the request field the server refused, when its message names one (REFUSED_FIELDS)


class ModelUnavailableError(APIError):
    """A closed door: the model, or the Music API itself, is not available to this account or on this host."""

    default_hint = (
        "MiniMax closed its paid Music API to new accounts on 2026-08-20 and is retiring its free models. Ways on: "
        "another model (music-3.0 or music-2.6), the AI/ML API proxy (AimlApiClient, AIMLAPI_KEY), a self-hosted "
        "MiniMax-Music3 server, or the offline demo engine."
    )
    model: str = ""  # the model asked for, when the client knows it


class ServerError(APIError):
    default_hint = "MiniMax had a problem on its side: wait a little and try again."


class APIConnectionError(MusicGenError):
    default_hint = "Could not reach the API: check the network and the base URL (MINIMAX_BASE_URL), then retry."


class APITimeoutError(APIConnectionError):
    default_hint = (
        "No answer within the timeout. A song can take up to 5 minutes; the request was not re-sent, so it "
        "may still finish and be charged: wait before trying again, or raise the timeout."
    )


class AudioError(MusicGenError):
    default_hint = "The API answered but the audio is unusable: try again; report the trace id if it repeats."


class CorruptAudioError(AudioError):
    pass


class StreamTruncatedError(AudioError):
    default_hint = "The stream stopped before the song was complete; what arrived has been kept."

    def __init__(self, message: str, *, partial: bytes = b"", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.partial = partial


_AUTH = {1004, 2049}
_RATE = {1002, 1039, 2045}
_QUOTA = {2056, 1028, 1030}
# A closed door: 2061 "token plan not support model"; 2153, reported with HTTP 410 after the sunset (contract §0).
_CLOSED = {2061, 2153}
# Fields a MiniMax-compatible community server refuses with 2013 (contract: music3-selfhosted.md), and how to turn
# each off; the first named in the server's message is the one reported.
REFUSED_FIELDS = {
    "stream": "turn off streaming (the studio's Stream switch; leave out --stream) and try again",
    "lyrics_optimizer": "turn off auto lyrics and give the lyrics yourself",
    "is_instrumental": "this server makes songs with lyrics only: give lyrics in the Song tab instead",
    "cover_feature_id": "this server makes no covers: use the Song tab instead",
    "audio_url": "this server makes no covers: use the Song tab instead",
    "audio_base64": "this server makes no covers: use the Song tab instead",
    "aigc_watermark": "turn off the watermark and try again",
    "output_format": "ask for hex output (leave out --output-format url) and try again",
}
_FIELD_WORD = re.compile(r"[a-z_]+")
_SERVER = {1000, 1001, 1013, 1024, 1033}


def from_business_code(code: int, message: str, trace_id: str | None, http_status: int = 200) -> APIError:
    """The exception for a `base_resp.status_code` that is not 0."""
    msg = message or f"MiniMax error {code}"
    kw: dict[str, Any] = {"code": code, "trace_id": trace_id, "http_status": http_status}
    if code in _AUTH:
        return AuthenticationError(msg, **kw)
    if code in _RATE:
        return RateLimitError(msg, **kw)
    if code == 1008:
        return InsufficientBalanceError(msg, **kw)
    if code in _QUOTA:
        return QuotaExceededError(msg, **kw)
    if code in _CLOSED:
        return ModelUnavailableError(msg, **kw)
    if code == 1026:
        return ContentFlaggedError(msg, stage="input", **kw)
    if code == 1027:
        return ContentFlaggedError(msg, stage="output", **kw)
    if code == 2013:
        low = msg.lower()
        if "model" in low and any(w in low for w in ("not support", "no longer", "unknown", "not exist", "not found")):
            return ModelUnavailableError(msg, **kw)
        return _invalid_parameter(msg, kw)
    if code in _SERVER:
        return ServerError(msg, **kw)
    return APIError(msg, **kw)


def _invalid_parameter(msg: str, kw: dict[str, Any]) -> InvalidParametersError:
    """A 2013 refusal; when it names a field a compatible server refuses, the hint says how to turn it off."""
    field = next((w for w in _FIELD_WORD.findall(msg.lower()) if w in REFUSED_FIELDS), "")
    if not field:
        return InvalidParametersError(msg, **kw)
    err = InvalidParametersError(msg, hint=f"The server refused {field}: {REFUSED_FIELDS[field]}.", **kw)
    err.field = field
    return err


def from_http_status(
    status: int, message: str, trace_id: str | None, retry_after: float | None = None, code: int | None = None
) -> APIError:
    """The exception for an HTTP error status whose business code (if any, kept as .code) does not decide it."""
    kw: dict[str, Any] = {"http_status": status, "trace_id": trace_id, "code": code}
    if status in (401, 403):
        return AuthenticationError(message or "The API refused the key", **kw)
    if status == 429:
        return RateLimitError(message or "Rate limited", retry_after=retry_after, **kw)
    if status in (404, 410):
        return ModelUnavailableError(message or "Endpoint not found", **kw)
    if status >= 500:
        return ServerError(message or "The API had a server error", **kw)
    return APIError(message or f"Unexpected HTTP {status}", **kw)


Hints = Mapping[type[MusicGenError], str]


@contextmanager
def raised_by(provider: str, hints: Hints | None = None) -> Iterator[None]:
    """Mark every MusicGenError raised inside with the backend that raised it, and give it that backend's hint
    where it still has its class's default (which speaks of MiniMax)."""
    try:
        yield
    except MusicGenError as exc:
        attribute(exc, provider, hints)
        raise


def attribute(exc: MusicGenError, provider: str, hints: Hints | None = None) -> MusicGenError:
    """Set `exc.provider` (unless already set) and swap a default hint for the backend's own; returns `exc`."""
    if not exc.provider:
        exc.provider = provider
    if hints and type(exc) in hints and exc.hint == type(exc).default_hint:
        exc.hint = hints[type(exc)]  # its own class only: a timeout keeps its "not re-sent" advice
    return exc


def carries_provider(method: _F) -> _F:
    """Decorate a client's public call: what it raises carries the client's `provider` and `hints`."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kw: Any) -> Any:
        with raised_by(self.provider, self.hints):
            return method(self, *args, **kw)

    return call  # type: ignore[return-value]


@contextmanager
def for_model(model: str) -> Iterator[None]:
    """Note on a closed-door error which model was asked for (its message may not say)."""
    try:
        yield
    except ModelUnavailableError as exc:
        exc.model = exc.model or model
        raise
