"""MiniMax Music 3 on your own GPU: one POST /v1/audio/speech to a sglang-omni server per song, a WAV back.

The engine says nothing until the song is done (minutes), so the read timeout is long (MUSIC3_READ_TIMEOUT, 1200 s)
and nothing is ever re-sent: not after a timeout or a broken connection (the GPU may still be working on it), and not
after a refused connection either, since a server that is down or loading its weights is not back seconds later.
The request is checked before any call: the caption and lyrics are there, no tag has words after it on its line
(the model drops them without a word), the length cap is 10 s – 6 min. Only fields the engine accepts are sent.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import config, errors
from ..audio import probe
from ..progress import Chunk, ProgressClock, ProgressFn
from ..requests import SEED_MAX, MusicRequest, check_tags_on_own_lines, random_seed
from ..results import MusicResult
from ..transport import Transport, TransportClient

PROVIDER = "music3"
SPEECH_PATH, HEALTH_PATH = "/v1/audio/speech", "/health"
DOWN_HINT = (
    "The MiniMax-Music3 server is down or still starting (loading the model takes minutes): wait a minute and try "
    "again; check that `sgl-omni serve` runs and that MUSIC3_BASE_URL points at it."
)
TIMEOUT_HINT = (
    "It was not re-sent and may still be generating: wait, lower the length cap, or raise MUSIC3_READ_TIMEOUT."
)
HINTS: dict[type[errors.MusicGenError], str] = {
    errors.APIConnectionError: DOWN_HINT,
    errors.APITimeoutError: TIMEOUT_HINT,
    errors.InvalidParametersError: "The MiniMax-Music3 server refused a field: correct the one it names and retry.",
    errors.AuthenticationError: "Check MUSIC3_API_KEY: the Bearer token of the gateway in front of the server.",
    errors.ServerError: "The MiniMax-Music3 server failed: look at its log, then try again.",
    errors.APIError: "The MiniMax-Music3 server answered with an error: look at its log, then try again.",
}
_STATUS: dict[int, type[errors.APIError]] = {
    400: errors.InvalidParametersError, 422: errors.InvalidParametersError, 413: errors.InvalidParametersError,
    401: errors.AuthenticationError, 403: errors.AuthenticationError, 404: errors.ModelUnavailableError,
    429: errors.RateLimitError,
}  # fmt: skip


def frames_for(seconds: float) -> int:
    """The engine's `max_new_tokens` for a length cap in seconds (25 audio frames a second)."""
    return int(round(seconds * config.MUSIC3_FRAMES_PER_SECOND))


def instrumental_caption(prompt: str) -> str:
    """The caption of an instrumental: the prompt, saying "no vocals" unless it already does (cookbook advice)."""
    text = prompt.strip()
    low = text.lower()
    if "no vocal" in low or "instrumental" in low:
        return text
    return f"{text}{'' if text.endswith(('.', '!', '?')) else '.'} {config.MUSIC3_INSTRUMENTAL_CAPTION}"


class Music3Request(BaseModel):
    """A song or instrumental for MiniMax Music 3: the prompt is the caption, the lyrics are sung."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    prompt: str = Field(min_length=1)
    lyrics: str = ""
    seed: int = Field(default_factory=random_seed, ge=0, le=SEED_MAX)
    max_seconds: int = Field(default=config.MUSIC3_DEFAULT_SECONDS, ge=config.MUSIC3_MIN_SECONDS)
    instrumental: bool = False

    @model_validator(mode="before")
    @classmethod
    def _blank_seed_is_random(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("seed") in (None, ""):
            data = {**data, "seed": random_seed()}
        return data

    @model_validator(mode="after")
    def _rules(self) -> Music3Request:
        if not self.prompt.strip():
            raise ValueError("prompt is required: it is the caption (genre, instruments, tempo, mood, vocal)")
        if self.max_seconds > config.MUSIC3_MAX_SECONDS:
            raise ValueError(
                f"max_seconds must be {config.MUSIC3_MIN_SECONDS}–{config.MUSIC3_MAX_SECONDS} "
                f"(6 min, the engine's cap of 9000 frames); it is {self.max_seconds}"
            )
        if self.instrumental:
            if self.lyrics.strip():
                raise ValueError("lyrics must be empty for an instrumental (use a song to have them sung)")
            return self
        if not self.lyrics.strip():
            raise ValueError("lyrics is required for a song on MiniMax-Music3 (for no vocals, make an instrumental)")
        check_tags_on_own_lines(self.lyrics)
        return self

    @property
    def kind(self) -> str:
        """'instrumental' or 'song'."""
        return "instrumental" if self.instrumental else "song"

    @property
    def max_new_tokens(self) -> int:
        """The length cap in the engine's audio frames."""
        return frames_for(self.max_seconds)

    def payload(self, model: str) -> dict[str, Any]:
        """The JSON body: only fields the engine accepts (stream, voice, temperature … are never sent)."""
        if self.instrumental:
            caption, lyrics = instrumental_caption(self.prompt), config.MUSIC3_INSTRUMENTAL_LYRICS
        else:
            caption, lyrics = self.prompt.strip(), self.lyrics
        return {
            "model": model,
            "input": lyrics,
            "instructions": caption,
            "seed": self.seed,
            "max_new_tokens": self.max_new_tokens,
            "response_format": "wav",
        }


@dataclass(frozen=True)
class Health:
    """What GET /health said: ready, starting (503), unreachable, or an error; `message` is for people."""

    state: Literal["ready", "starting", "unreachable", "error"]
    message: str

    @property
    def ok(self) -> bool:
        return self.state == "ready"


def read_timeout_from_env() -> float:
    """MUSIC3_READ_TIMEOUT in seconds (default 1200); refuses what is not a number of seconds ≥ 1."""
    raw = os.environ.get(config.ENV_MUSIC3_READ_TIMEOUT, "").strip()
    try:
        value = float(raw) if raw else config.MUSIC3_READ_TIMEOUT
    except ValueError:
        value = 0.0
    if not value >= 1:
        raise ValueError(f"{config.ENV_MUSIC3_READ_TIMEOUT} must be a number of seconds ≥ 1, not {raw!r}")
    return value


def configured_url() -> str:
    """The server's URL from MUSIC3_BASE_URL, or '' when this backend is not configured."""
    return os.environ.get(config.ENV_MUSIC3_BASE_URL, "").strip().rstrip("/")


def visitor_servers_allowed() -> bool:
    """Whether visitors may type their own server URL: MUSICGEN_ALLOW_VISITOR_SERVERS=1, and never on a Space.

    A public page must not make this server send requests to addresses a stranger picks.
    """
    if os.environ.get("SPACE_ID", "").strip():
        return False
    return os.environ.get(config.ENV_ALLOW_VISITOR_SERVERS, "").strip() == "1"


def check_server_url(url: str) -> str:
    """The URL without a trailing slash; ValueError naming the field unless it is http(s)://host[:port][/path]."""
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ValueError(f"server URL must look like http://gpu-box:8000 (http or https, a host), not {url!r}")
    return url


class Music3Client(TransportClient):
    """A client for a sglang-omni server running MiniMax Music 3. Reads MUSIC3_* when built, if not given.

    `generate` takes a Music3Request, or the studio's MusicRequest (its `seed` and `max_seconds`; a blank seed is
    drawn here and reported in the result).
    """

    provider = PROVIDER
    hints: errors.Hints = HINTS
    repr_fields = ("model",)

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        *,
        read_timeout: float | None = None,
        connect_timeout: float = config.CONNECT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        url = (base_url or configured_url()).strip().rstrip("/")
        if not url:
            raise errors.attribute(
                errors.APIConnectionError(
                    f"No {config.MUSIC3_LABEL} server is configured",
                    hint=f"Set {config.ENV_MUSIC3_BASE_URL} to the sglang-omni server, e.g. http://gpu-box:8000.",
                ),
                PROVIDER,
            )
        self.base_url = check_server_url(url)
        key = api_key if api_key is not None else os.environ.get(config.ENV_MUSIC3_API_KEY, "")
        self.model = (model or os.environ.get(config.ENV_MUSIC3_MODEL, "") or config.MUSIC3_MODEL).strip()
        self.read_timeout = read_timeout if read_timeout is not None else read_timeout_from_env()
        self._clock = clock
        self.transport = Transport(
            self.base_url,
            key.strip(),
            check=self._check_status,
            missing_key=lambda: errors.AuthenticationError("No key"),  # never raised: the key is optional
            timeouts=config.Timeouts(connect=connect_timeout, generation=self.read_timeout),
            retry=config.RetryPolicy(max_retries=0),  # never re-sent: see the module docstring
            transport=transport,
            key_required=False,
        )
        # No redirects: a server (or a visitor's URL) must not bounce the studio's requests to other addresses.
        self.transport.http.follow_redirects = False

    def health(self) -> Health:
        """Ask GET /health once, briefly: ready, starting (503), unreachable, or an error."""
        where = f"{config.MUSIC3_LABEL} server at {self.base_url}"
        try:
            resp = self.transport.http.get(
                HEALTH_PATH, headers=self.transport.headers(None), timeout=config.MUSIC3_HEALTH_TIMEOUT
            )
        except httpx.TransportError:
            return Health("unreachable", f"No answer from {self.base_url}. {DOWN_HINT}")
        if resp.status_code == 200:
            return Health("ready", f"The {where} is ready ({self.model}).")
        if resp.status_code == 503:
            return Health("starting", f"The {where} is still starting (HTTP 503). {DOWN_HINT}")
        if resp.status_code in (401, 403):
            return Health(
                "error", f"The {where} refused the key (HTTP {resp.status_code}). {HINTS[errors.AuthenticationError]}"
            )
        return Health("error", f"The {where} answered /health with HTTP {resp.status_code}.")

    @errors.carries_provider
    def generate(
        self,
        request: Music3Request | MusicRequest,
        *,
        on_progress: ProgressFn | None = None,
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> MusicResult:
        """Send the request once and return the WAV as received, with its seed, cap and model in `extra`."""
        request = as_music3(request)
        payload = request.payload(self.model)
        report = ProgressClock(on_progress, self._clock)
        report("sending")
        report("waiting")  # the request goes out at once; then the engine composes, silent until the song is done
        resp = self.transport.post_json(SPEECH_PATH, payload, self.read_timeout)
        trace = resp.headers.get("x-request-id") or resp.headers.get("trace-id")
        try:
            audio = resp.read()
        except httpx.TimeoutException:
            raise errors.APITimeoutError("The song stopped arriving before it was complete", trace_id=trace) from None
        except httpx.TransportError as exc:
            raise errors.APIConnectionError(f"The connection broke while the song arrived: {exc}") from None
        finally:
            resp.close()
        try:
            info = probe(audio)
        except Exception:  # libsndfile reports many kinds of unreadable input
            raise errors.CorruptAudioError(
                f"The {config.MUSIC3_LABEL} server answered with {len(audio)} bytes that are not a WAV file",
                trace_id=trace,
                hint=f"Check that {config.ENV_MUSIC3_BASE_URL} points at the sglang-omni server itself.",
            ) from None
        elapsed = report("done", len(audio))
        if on_chunk:
            on_chunk(Chunk(audio, len(audio), elapsed))
        return MusicResult(
            audio=audio,
            format="wav",
            sample_rate=info.sample_rate,
            channels=info.channels,
            bitrate=None,
            duration_s=info.duration_s,
            model=self.model,
            trace_id=trace,
            provider=self.provider,
            elapsed_s=elapsed,
            extra={
                "label": config.MUSIC3_LABEL,
                "seed": request.seed,
                "max_seconds": request.max_seconds,
                "max_new_tokens": request.max_new_tokens,
            },
        )

    def stream(
        self,
        request: Music3Request | MusicRequest,
        *,
        on_progress: ProgressFn | None = None,
        into: bytearray | None = None,
    ) -> Iterator[Chunk | MusicResult]:
        """The engine does not stream: the song as one Chunk when done, then the result. Checked now, sent when
        first iterated. `into`, as for MusicClient.stream: the song's bytes are added to it before the Chunk."""
        request = as_music3(request)

        def run() -> Iterator[Chunk | MusicResult]:
            result = self.generate(request, on_progress=on_progress)
            if into is not None:
                into.extend(result.audio)
            yield Chunk(result.audio, result.size, result.elapsed_s)
            yield result

        return run()

    def preprocess_cover(self, request: Any, **kw: Any) -> Any:
        """Not offered by MiniMax-Music3: raises ModelUnavailableError."""
        raise _not_offered("Covers")

    def generate_lyrics(self, request: Any, **kw: Any) -> Any:
        """Not offered by MiniMax-Music3: raises ModelUnavailableError."""
        raise _not_offered("Lyrics writing")

    def _check_status(self, resp: httpx.Response) -> None:
        """Raise for an HTTP error: 4xx name the field, 503 means down or starting, redirects are not followed."""
        status = resp.status_code
        if status < 300:
            return
        try:
            resp.read()
        except httpx.HTTPError:
            pass  # the message falls back to the status line
        finally:
            resp.close()
        raise self._status_error(resp, resp.headers.get("x-request-id"))

    def _status_error(self, resp: httpx.Response, trace: str | None) -> errors.APIError:
        status = resp.status_code
        message = error_message(resp)
        kw: dict[str, Any] = {"http_status": status, "trace_id": trace}
        if 300 <= status < 400:
            where = resp.headers.get("location", "elsewhere")
            return errors.APIError(
                f"The {config.MUSIC3_LABEL} server redirected to {where}; redirects are not followed",
                hint=f"Point {config.ENV_MUSIC3_BASE_URL} at the server itself.",
                **kw,
            )
        if status == 503:
            return errors.ServerError(
                f"The {config.MUSIC3_LABEL} server is down or still starting: {message}", hint=DOWN_HINT, **kw
            )
        if status == 404:
            return errors.ModelUnavailableError(
                message,
                hint=f"The server does not serve {self.model!r} at {SPEECH_PATH}: set {config.ENV_MUSIC3_MODEL} "
                f"to the model it serves, and check {config.ENV_MUSIC3_BASE_URL}.",
                **kw,
            )
        cls = _STATUS.get(status) or (errors.ServerError if status >= 500 else errors.APIError)
        if cls is errors.RateLimitError:
            return errors.RateLimitError(message, **kw)
        return cls(message, hint=HINTS.get(cls, HINTS[errors.APIError]), **kw)


def as_music3(request: Music3Request | MusicRequest) -> Music3Request:
    """The Music 3 request for the studio's MusicRequest (checked here, before any call), or the request itself."""
    if isinstance(request, Music3Request):
        return request
    if request.kind == "cover":
        raise _not_offered("Covers")
    if request.lyrics_optimizer:
        raise _not_offered("Lyrics written from the prompt (auto-lyrics)")
    return Music3Request(
        prompt=request.prompt,
        lyrics=request.lyrics or "",
        instrumental=request.is_instrumental,
        seed=request.seed,
        max_seconds=request.max_seconds or config.MUSIC3_DEFAULT_SECONDS,
    )


def _not_offered(what: str) -> errors.MusicGenError:
    return errors.attribute(
        errors.ModelUnavailableError(
            f"{what}: not offered by {config.MUSIC3_LABEL}",
            hint="It makes songs and instrumentals only: use MiniMax or the Demo engine for this (Settings tab; "
            "--provider minimax or demo).",
        ),
        PROVIDER,
    )


def error_message(resp: httpx.Response) -> str:
    """The engine's error text: {"error": {"message"}}, FastAPI's {"detail"} (str or list) or {"message"}."""
    fallback = f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
    try:
        body = resp.json()
    except ValueError:
        return f"{fallback} (an answer that is not JSON: a gateway page?)"
    if not isinstance(body, dict):
        return fallback
    inner = body.get("error")
    if isinstance(inner, dict) and inner.get("message"):
        return str(inner["message"])
    detail = body.get("detail")
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
        return "; ".join(parts) or fallback
    for value in (detail, body.get("message"), inner):
        if isinstance(value, str) and value:
            return value
    return fallback
