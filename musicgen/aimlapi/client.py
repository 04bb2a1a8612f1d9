"""MiniMax's music models through the AI/ML API proxy: submit a task, poll it, download the song.

The proxy answers POST /v2/generate/audio with a task, and GET /v2/generate/audio?generation_id=... reports it
queued → generating → completed (with audio_file.url) or error. Polling starts quick, backs off gently and is capped,
so a finished song is noticed within about 1 s on median at ~34 requests a minute, where the vendor's fixed 15 s
poll notices after 7.5 s (benchmarks/bench_polling.py). The proxy has no stream, no instrumentals, no covers and
no lyrics writing: such requests are refused before any call, naming the field.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from .. import config, errors
from ..progress import Chunk, ProgressClock, ProgressFn
from ..requests import CoverPreprocessRequest, LyricsRequest, MusicRequest
from ..results import CoverAnalysis, LyricsResult, MusicResult, build_music_result
from ..transport import Transport, TransportClient
from .requests import (
    ELSEWHERE,
    proxy_payload,
    with_proxy_model,
)
from .tasks import TERMINAL, PollPolicy, Task, TaskFailedError

# The proxy's defaults live in config.py with MiniMax's; these names are kept for callers of this module.
DEFAULT_BASE_URL = config.AIMLAPI_BASE_URL
ENV_API_KEY = config.ENV_AIMLAPI_KEY
ENV_BASE_URL = config.ENV_AIMLAPI_BASE_URL
POLL_INITIAL = config.POLL_INITIAL
POLL_FACTOR = config.POLL_FACTOR
POLL_MAX_INTERVAL = config.POLL_MAX_INTERVAL
POLL_TOTAL_TIMEOUT = config.POLL_TOTAL_TIMEOUT
SUBMIT_READ_TIMEOUT = config.AIMLAPI_SUBMIT_READ_TIMEOUT
POLL_READ_TIMEOUT = config.AIMLAPI_POLL_READ_TIMEOUT
TASKS_PATH = "/v2/generate/audio"


def fetch_how(generation_id: str) -> str:
    """How to get a song whose wait was cut short: the CLI command, or the client method."""
    return f"`python -m musicgen --provider aimlapi fetch {generation_id}` (or AimlApiClient.wait({generation_id!r}))"


UNKNOWN_TASK_HINT = "Check the generation id (from this key's account); the proxy may keep finished tasks only a while."
HINTS = {
    errors.AuthenticationError: f"Check the AI/ML API key ({ENV_API_KEY} or the studio's Settings).",
    errors.InsufficientBalanceError: "Your AI/ML API credits are used up: top them up in its dashboard.",
    errors.InvalidParametersError: "The AI/ML API rejected a parameter: correct the field it names and try again.",
    errors.ModelUnavailableError: f"The AI/ML API does not offer this (any more): {ELSEWHERE}.",
    errors.ServerError: "The AI/ML API had a problem on its side: wait a little and try again.",
    errors.APIConnectionError: f"Could not reach the AI/ML API: check the network and {ENV_BASE_URL}, then retry.",
    errors.APIError: "The AI/ML API answered with an error: try again; if it repeats, report it to AI/ML API support.",
}
# The exception each HTTP error status becomes (429 and 5xx are handled apart).
STATUS_ERRORS: dict[int, type[errors.APIError]] = {
    400: errors.InvalidParametersError, 422: errors.InvalidParametersError, 401: errors.AuthenticationError,
    403: errors.AuthenticationError, 402: errors.InsufficientBalanceError, 404: errors.ModelUnavailableError,
    410: errors.ModelUnavailableError,
}  # fmt: skip


class AimlApiClient(TransportClient):
    """A client for the AI/ML API proxy. Reads AIMLAPI_KEY / AIMLAPI_BASE_URL when built, if not given."""

    provider = "aimlapi"
    hints: errors.Hints = HINTS
    music01_paths = ("/v2/generate/audio/minimax/upload", "/v2/generate/audio/minimax/generate")

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeouts: config.Timeouts | None = None,
        retry: config.RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        key = (api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")).strip()
        url = (base_url or os.environ.get(ENV_BASE_URL, "") or DEFAULT_BASE_URL).strip().rstrip("/")
        self.settings = config.ClientSettings(api_key=key, base_url=url)
        self.transport = Transport(
            url,
            key,
            check=check_status,
            missing_key=lambda: errors.AuthenticationError(
                "No AI/ML API key is set", hint=f"Set {ENV_API_KEY}, or pick a provider."
            ),
            timeouts=timeouts,
            retry=retry,
            transport=transport,
            sleep=sleep,
        )
        self.timeouts, self.retry = self.transport.timeouts, self.transport.retry
        self.poll = poll or PollPolicy()
        self._clock = clock

    # -- public calls -------------------------------------------------------------------------------------------

    @errors.carries_provider
    def generate(
        self,
        request: MusicRequest,
        *,
        on_progress: ProgressFn | None = None,
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> MusicResult:
        """Submit, wait for and download a song. `stream` is ignored (the proxy has none): on_chunk gets it whole."""
        request = with_proxy_model(request)  # the result names the model the proxy used
        payload = proxy_payload(request)  # refuse before reporting any progress
        report = ProgressClock(on_progress, self._clock)
        report("sending")
        result = self._finish(self._submit(payload), request, report)
        if on_chunk:
            on_chunk(Chunk(result.audio, result.size, result.elapsed_s))
        return result

    def stream(
        self, request: MusicRequest, *, on_progress: ProgressFn | None = None, into: bytearray | None = None
    ) -> Iterator[Chunk | MusicResult]:
        """Yield the song as one Chunk, then the MusicResult (no stream on the proxy). Sends when first iterated.

        `into`, as for MusicClient.stream: the song's bytes are added to it before the Chunk is yielded."""
        proxy_payload(request)  # refuse now, not at the first iteration

        def run() -> Iterator[Chunk | MusicResult]:
            result = self.generate(request, on_progress=on_progress)
            if into is not None:
                into.extend(result.audio)
            yield Chunk(result.audio, result.size, result.elapsed_s)
            yield result

        return run()

    @errors.carries_provider
    def submit(self, request: MusicRequest) -> Task:
        """Start a generation and return its task at once; retried only after a 429 or a connection never made."""
        return self._submit(proxy_payload(request))

    def _submit(self, payload: dict) -> Task:
        t = self.transport
        return t.with_retry(lambda: Task.from_body(read_json(t.post_json(TASKS_PATH, payload, SUBMIT_READ_TIMEOUT))))

    @errors.carries_provider
    def status(self, generation_id: str) -> Task:
        """Ask once how a task is doing."""
        return self._check(Task(generation_id, "queued"))

    @errors.carries_provider
    def wait(
        self, task: Task | str, *, request: MusicRequest | None = None, on_progress: ProgressFn | None = None
    ) -> MusicResult:
        """Poll a task (or a generation id from an earlier timeout) until it completes, then download the song."""
        task = task if isinstance(task, Task) else Task(task, "queued")
        return self._finish(task, request, ProgressClock(on_progress, self._clock))

    @errors.carries_provider
    def preprocess_cover(
        self, request: CoverPreprocessRequest | str | Path, *, on_progress: ProgressFn | None = None
    ) -> CoverAnalysis:
        """Not offered through the AI/ML API: raises ModelUnavailableError."""
        raise _not_offered("Cover preprocessing")

    @errors.carries_provider
    def generate_lyrics(self, request: LyricsRequest, *, on_progress: ProgressFn | None = None) -> LyricsResult:
        """Not offered through the AI/ML API: raises ModelUnavailableError."""
        raise _not_offered("Lyrics writing")

    # -- waiting and fetching -----------------------------------------------------------------------------------

    def _finish(self, task: Task, request: MusicRequest | None, report: ProgressClock) -> MusicResult:
        task = self._poll(task, report)
        report("downloading")
        audio = self.transport.download(task.audio_url, task.trace_id) if task.audio_url else b""
        if not audio:
            raise errors.CorruptAudioError(f"Task {task.id} completed without audio", trace_id=task.trace_id)
        suffix = Path(urlsplit(task.audio_url or "").path).suffix.lstrip(".").lower()
        guess = suffix if suffix in config.FORMATS else config.DEFAULT_FORMAT  # for a bare generation id
        result = build_music_result(
            audio,
            fmt=request.audio_setting.format if request else guess,
            model=request.model if request else "",
            extra_info=task.extra_info,
            requested_rate=request.audio_setting.sample_rate if request else config.DEFAULT_SAMPLE_RATE,
            trace_id=task.trace_id,
            provider=self.provider,
            elapsed_s=report("done", len(audio)),
            url=task.audio_url,
        )
        result.extra.update(credits_used=task.credits_used, usd_spent=task.usd_spent, generation_id=task.id)
        return result

    def _poll(self, task: Task, report: ProgressClock) -> Task:
        """Check until the task is completed; raises TaskFailedError, or APITimeoutError naming the task."""
        report(task.status)
        intervals = self.poll.intervals()
        wait, failures = next(intervals), 0
        deadline = self._clock() + self.poll.total_timeout
        while task.status not in TERMINAL:
            now = self._clock()
            if now >= deadline:
                raise errors.APITimeoutError(
                    f"Task {task.id} was still {task.status} after {self.poll.total_timeout:.0f} s",
                    hint=f"It may still finish, and be charged: fetch it later with {fetch_how(task.id)}.",
                )
            self.transport.sleep(min(wait, deadline - now))
            try:
                task = self._check(task)
            except errors.RateLimitError as exc:
                wait = self.retry.wait(0, exc.retry_after)  # a poll starts nothing: honour Retry-After, keep polling
                continue
            except (errors.APIConnectionError, errors.ServerError) as exc:
                failures += 1  # a GET is safe to repeat, but a proxy that stays down must not be polled forever
                if failures > self.retry.max_retries:
                    kind = errors.ServerError if isinstance(exc, errors.ServerError) else errors.APIConnectionError
                    exc.hint = (
                        f"{HINTS[kind]} Task {task.id} may still finish: fetch it later with {fetch_how(task.id)}."
                    )
                    raise
                wait = self.retry.wait(failures - 1)
                continue
            failures = 0
            report(task.status)
            wait = next(intervals)
        if task.status == "error":
            msg = f"Task {task.id} failed: {task.error_name or 'error'}: {task.error_message or 'no message'}"
            raise TaskFailedError(msg, task_id=task.id, error_name=task.error_name, trace_id=task.trace_id)
        return task

    def _check(self, task: Task) -> Task:
        """One status request for `task`."""
        resp = self.transport.get(TASKS_PATH, {"generation_id": task.id}, POLL_READ_TIMEOUT, f"task {task.id}")
        if resp.status_code == 404:  # here a 404 means the id, not the model
            resp.close()
            raise errors.APIError(f"The AI/ML API knows no task {task.id}", http_status=404, hint=UNKNOWN_TASK_HINT)
        check_status(resp)
        return Task.from_body(read_json(resp), known=task)


# -- the proxy's answers -------------------------------------------------------------------------------------------


def check_status(resp: httpx.Response) -> None:
    """Map the proxy's HTTP errors ({statusCode, message} bodies) onto the shared exception classes."""
    status = resp.status_code
    if status < 400:
        return
    try:
        body = read_json(resp)
        msg = body["error"].get("message") if isinstance(body.get("error"), dict) else body.get("message")
        msg = "; ".join(map(str, msg)) if isinstance(msg, list) else str(msg or f"HTTP {status} {resp.reason_phrase}")
    except errors.MusicGenError:
        msg = f"The AI/ML API answered HTTP {status} with a page that is not JSON (a gateway error)"
    value = resp.headers.get("retry-after")
    retry_after = float(value) if value and value.replace(".", "", 1).isdigit() else None
    trace = resp.headers.get("x-request-id") or resp.headers.get("trace-id")
    if status == 429:
        raise errors.RateLimitError(msg, retry_after=retry_after, http_status=status, trace_id=trace)
    cls = STATUS_ERRORS.get(status) or (errors.ServerError if status >= 500 else errors.APIError)
    raise cls(msg, http_status=status, trace_id=trace, hint=HINTS.get(cls))


def read_json(resp: httpx.Response) -> dict:
    """Read a (small) JSON answer whole."""
    try:
        raw = resp.read()
    except httpx.TimeoutException:
        raise errors.APITimeoutError("The answer stopped arriving before it was complete") from None
    except httpx.TransportError as exc:
        raise errors.APIConnectionError(f"The connection broke while reading the answer: {exc}") from None
    finally:
        resp.close()
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise errors.ServerError("The AI/ML API answered with something that is not JSON", http_status=resp.status_code)
    return body


def _not_offered(what: str) -> errors.ModelUnavailableError:
    return errors.ModelUnavailableError(f"{what} is not offered through the AI/ML API", hint=f"Instead, {ELSEWHERE}.")
