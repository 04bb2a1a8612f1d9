"""The MiniMax Music API client: one typed request in, one HTTP call (or stream) out, one result back.

Retries happen only where no song can have been started or charged: a rate-limit rejection, or a connection that
failed before the request was sent. A generation is never re-sent after a read timeout.
"""

from __future__ import annotations

import base64
import functools
import json
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx

from . import config, errors
from .audio import check_reference
from .envelope import EnvelopeReader
from .requests import CoverPreprocessRequest, LyricsRequest, MusicRequest
from .results import CoverAnalysis, LyricsResult, MusicResult, build_music_result
from .streaming import DONE, StreamAssembler, iter_sse_data


@dataclass(frozen=True)
class Progress:
    """Where a call is: stage ('sending', 'waiting', 'receiving', 'downloading', 'done'), time and bytes so far."""

    stage: str
    elapsed_s: float
    bytes_received: int = 0


@dataclass(frozen=True)
class Chunk:
    """A piece of a streamed song as it arrived."""

    data: bytes
    bytes_received: int
    elapsed_s: float


ProgressFn = Callable[[Progress], None]
_T = TypeVar("_T")
_RETRY_BEFORE_SEND = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The certificate store, loaded once per process and shared by every client (SSLContext is thread-safe).

    httpx loads it anew for each client, about 20 ms of CPU; the studio builds a client per generation, and with
    many visitors at once that was a fifth of its CPU time (benchmarks/bench_studio.py, py-spy). Same rules as
    httpx's default: SSL_CERT_FILE / SSL_CERT_DIR when set, else certifi's bundle.
    """
    return httpx.create_ssl_context()


class MusicClient:
    """A client for MiniMax's Music API. Reads MINIMAX_API_KEY / MINIMAX_BASE_URL when built, if not given."""

    provider = "minimax"

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeouts: config.Timeouts | None = None,
        retry: config.RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        provider: str | None = None,
    ) -> None:
        self.settings = config.ClientSettings.resolve(api_key, base_url)
        self.timeouts = timeouts or config.Timeouts()
        self.retry = retry or config.RetryPolicy()
        self._sleep = sleep
        if provider:
            self.provider = provider
        # The key is added per request, so downloads from other hosts never carry it.
        self._http = httpx.Client(
            base_url=self.settings.base_url, transport=transport, follow_redirects=True, verify=tls_context()
        )

    def __repr__(self) -> str:
        return f"MusicClient(base_url={self.settings.base_url!r}, key={'set' if self.settings.api_key else 'unset'})"

    def __enter__(self) -> MusicClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # -- public calls -------------------------------------------------------------------------------------------

    def generate(
        self,
        request: MusicRequest,
        *,
        on_progress: ProgressFn | None = None,
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> MusicResult:
        """Generate a song, instrumental or cover and return it complete (streams are consumed here)."""
        if request.stream:
            result = None
            for item in self.stream(request, on_progress=on_progress):
                if isinstance(item, Chunk):
                    if on_chunk:
                        on_chunk(item)
                else:
                    result = item
            assert result is not None  # stream() always ends with a result or raises
            return result
        return self._generate_whole(request, on_progress)

    def stream(self, request: MusicRequest, *, on_progress: ProgressFn | None = None) -> Iterator[Chunk | MusicResult]:
        """Yield each audio Chunk as it arrives, then the complete MusicResult. Sends when first iterated."""
        if not request.stream:
            request = request.model_copy(update={"stream": True, "output_format": "hex"})
        return self._stream(request, on_progress)

    def preprocess_cover(
        self, request: CoverPreprocessRequest | str | Path, *, on_progress: ProgressFn | None = None
    ) -> CoverAnalysis:
        """Analyse a reference track (a request, or a local file checked before upload): lyrics and structure."""
        if not isinstance(request, CoverPreprocessRequest):
            data, _info = check_reference(request)
            request = CoverPreprocessRequest(audio_base64=base64.b64encode(data).decode("ascii"))
        body = self._post_json("/v1/music_cover_preprocess", request.payload(), self.timeouts.preprocess, on_progress)
        return CoverAnalysis.from_response(body, provider=self.provider)

    def generate_lyrics(self, request: LyricsRequest, *, on_progress: ProgressFn | None = None) -> LyricsResult:
        """Write a full song's lyrics from a prompt, or edit given lyrics."""
        body = self._post_json("/v1/lyrics_generation", request.payload(), self.timeouts.lyrics, on_progress)
        return LyricsResult(
            title=str(body.get("song_title") or request.title or ""),
            style_tags=str(body.get("style_tags") or ""),
            lyrics=str(body.get("lyrics") or ""),
            trace_id=body.get("trace_id"),
            provider=self.provider,
        )

    # -- HTTP plumbing ------------------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        if not self.settings.api_key:
            raise errors.AuthenticationError(
                "No API key is set",
                hint="Set MINIMAX_API_KEY (or enter a key in the studio's Settings), or use the offline demo engine.",
            )
        return {"Authorization": f"Bearer {self.settings.api_key}", "Content-Type": "application/json"}

    def _timeout(self, read: float) -> httpx.Timeout:
        t = self.timeouts
        return httpx.Timeout(connect=t.connect, read=read, write=t.write, pool=t.connect)

    def _send(self, path: str, payload: dict, read_timeout: float) -> httpx.Response:
        """POST JSON and return the open (streaming) response; retries only connections that never sent anything."""
        headers = self._headers()
        content = json.dumps(payload, ensure_ascii=False).encode()
        return self._post(
            lambda timeout: self._http.build_request("POST", path, content=content, headers=headers, timeout=timeout),
            read_timeout,
        )

    def _post(
        self, build: Callable[[httpx.Timeout], httpx.Request], read_timeout: float, what: str = ""
    ) -> httpx.Response:
        """Send the request `build` makes and return the open (streaming) response, after the HTTP status checks.

        Retries only connections that never sent anything; `what` names the request in timeout and failure
        messages ("upload"), else they name the host.
        """
        base = self.settings.base_url
        attempt = 0
        while True:
            try:
                resp = self._http.send(build(self._timeout(read_timeout)), stream=True)
            except _RETRY_BEFORE_SEND as exc:
                if attempt < self.retry.max_retries:
                    self._sleep(self.retry.wait(attempt))
                    attempt += 1
                    continue
                raise errors.APIConnectionError(f"Could not connect to {base}: {exc}") from None
            except httpx.TimeoutException:
                where = f"to the {what}" if what else f"from {base}"
                raise errors.APITimeoutError(f"No answer {where} within {read_timeout:.0f} s") from None
            except httpx.TransportError as exc:
                raise errors.APIConnectionError(f"The {what or 'connection'} to {base} failed: {exc}") from None
            self._raise_for_http_status(resp)
            return resp

    def _with_retry(self, call: Callable[[], _T]) -> _T:
        """Run `call`, re-running it after a rate-limit rejection: a rejected request started no song."""
        attempt = 0
        while True:
            try:
                return call()
            except errors.RateLimitError as exc:
                if exc.partial or attempt >= self.retry.max_retries:
                    raise
                self._sleep(self.retry.wait(attempt, exc.retry_after))
                attempt += 1

    def _raise_for_http_status(self, resp: httpx.Response) -> None:
        if resp.status_code < 400:
            return
        trace = resp.headers.get("trace-id")
        try:
            body = json.loads(resp.read())
            base = body.get("base_resp") or {}
            code, msg = int(base.get("status_code") or 0), str(base.get("status_msg") or "")
            trace = body.get("trace_id") or trace
        except (json.JSONDecodeError, ValueError, AttributeError, httpx.HTTPError):
            code, msg = 0, f"The API answered {_reason(resp)} with a page that is not JSON (a gateway error)"
        retry_after = _retry_after(resp.headers.get("retry-after"))
        resp.close()
        if code and code not in (resp.status_code,) and resp.status_code not in (404, 410):
            err = errors.from_business_code(code, msg, trace, resp.status_code)
            if isinstance(err, errors.RateLimitError):
                err.retry_after = retry_after
        else:
            err = errors.from_http_status(resp.status_code, msg or _reason(resp), trace, retry_after)
        raise err

    def _read_json(self, resp: httpx.Response, progress: ProgressClock) -> tuple[dict, bytes | None]:
        """Read a JSON envelope (hex audio decoded on the fly), then raise for a business error."""
        reader = EnvelopeReader()
        received = 0
        try:
            for chunk in resp.iter_bytes():
                received += len(chunk)
                reader.feed(chunk)
                progress("receiving", received)
            body, audio = reader.finish()
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
        _raise_for_business(body, body.get("trace_id"))
        return body, audio

    def _post_json(self, path: str, payload: dict, read_timeout: float, on_progress: ProgressFn | None) -> dict:
        clock = ProgressClock(on_progress)
        clock("sending")
        body, _ = self._with_retry(lambda: self._read_json(self._send(path, payload, read_timeout), clock))
        clock("done")
        return body

    def _generate_whole(self, request: MusicRequest, on_progress: ProgressFn | None) -> MusicResult:
        clock = ProgressClock(on_progress)
        clock("sending")
        payload = request.payload()
        body, audio = self._with_retry(
            lambda: self._read_json(self._send("/v1/music_generation", payload, self.timeouts.generation), clock)
        )
        trace = body.get("trace_id")
        data = body.get("data") or {}
        url = None
        if audio is None:
            link = data.get("audio") or data.get("audio_url") or ""
            if isinstance(link, str) and link.startswith(("http://", "https://")):
                url = link
                clock("downloading")
                audio = self._download(url, trace)
            else:
                raise errors.CorruptAudioError("The answer carried no audio", trace_id=trace)
        if not audio:
            raise errors.CorruptAudioError("The answer's audio is empty", trace_id=trace)
        clock("done", len(audio))
        return build_music_result(
            audio,
            fmt=request.audio_setting.format,
            model=request.model,
            extra_info=body.get("extra_info"),
            requested_rate=request.audio_setting.sample_rate,
            trace_id=trace,
            provider=self.provider,
            elapsed_s=clock.elapsed,
            url=url,
        )

    def _download(self, url: str, trace: str | None) -> bytes:
        """Fetch a url-mode result at once (links expire after 24 h). No Authorization header goes with it."""
        try:
            resp = self._http.get(url, timeout=self.timeouts.download)
        except httpx.HTTPError as exc:
            raise errors.APIConnectionError(
                f"The song is ready but downloading it failed: {exc}",
                trace_id=trace,
                hint=f"Download it yourself within 24 h from {url}",
            ) from None
        if resp.status_code != 200:
            raise errors.APIConnectionError(
                f"The song is ready but its download link answered HTTP {resp.status_code}",
                trace_id=trace,
                hint=f"Try the link yourself (valid 24 h): {url}",
            )
        return resp.content

    def _stream(self, request: MusicRequest, on_progress: ProgressFn | None) -> Iterator[Chunk | MusicResult]:
        clock = ProgressClock(on_progress)
        clock("sending")
        payload = request.payload()

        def open_stream() -> tuple[httpx.Response, tuple[dict, bytes | None] | None]:
            resp = self._send("/v1/music_generation", payload, self.timeouts.stream_idle)
            if "text/event-stream" in resp.headers.get("content-type", ""):
                return resp, None
            # Errors (and sometimes the whole song) come back as a plain JSON envelope.
            return resp, self._read_json(resp, clock)

        resp, whole = self._with_retry(open_stream)
        clock("waiting")
        trace = resp.headers.get("trace-id")
        if whole is not None:
            body, audio = whole
            data = body.get("data") or {}
            if audio is None and not data.get("audio"):
                raise errors.CorruptAudioError("The stream answered with no audio", trace_id=trace)
            audio = audio or b""
            yield Chunk(audio, len(audio), clock.elapsed)
            yield self._stream_result(request, audio, body.get("extra_info"), body.get("trace_id") or trace, clock)
            return
        asm = StreamAssembler()
        try:
            for text in iter_sse_data(resp.iter_lines()):
                if text.strip() == DONE:
                    asm.finished = asm.finished or bool(asm.audio)  # [DONE] also closes a stream
                    break
                try:
                    event = json.loads(text)
                except json.JSONDecodeError:
                    continue  # a malformed keep-alive is not worth failing a paid song over
                trace = event.get("trace_id") or trace
                _raise_for_business(event, trace, partial=bytes(asm.audio))
                data = event.get("data") or {}
                hex_audio = data.get("audio") or ""
                if data.get("status") == 2:
                    new = asm.add_terminal(hex_audio, event.get("extra_info"))
                else:
                    new = asm.add_chunk(hex_audio)
                if new:
                    clock("receiving", len(asm.audio))
                    yield Chunk(new, len(asm.audio), clock.elapsed)
                if asm.finished:
                    break
        except httpx.TimeoutException:
            raise errors.StreamTruncatedError(
                f"No stream data for {self.timeouts.stream_idle:.0f} s", partial=bytes(asm.audio), trace_id=trace
            ) from None
        except httpx.TransportError as exc:
            raise errors.StreamTruncatedError(
                f"The stream broke off: {exc}", partial=bytes(asm.audio), trace_id=trace
            ) from None
        finally:
            resp.close()
        if not asm.finished:
            raise errors.StreamTruncatedError(
                f"The stream ended after {len(asm.audio)} bytes without its final frame",
                partial=bytes(asm.audio),
                trace_id=trace,
            )
        if not asm.audio:
            raise errors.CorruptAudioError("The stream carried no audio", trace_id=trace)
        yield self._stream_result(request, bytes(asm.audio), asm.extra_info, trace, clock)

    def _stream_result(self, request, audio, extra_info, trace, clock) -> MusicResult:
        clock("done", len(audio))
        return build_music_result(
            audio,
            fmt=request.audio_setting.format,
            model=request.model,
            extra_info=extra_info,
            requested_rate=request.audio_setting.sample_rate,
            trace_id=trace,
            provider=self.provider,
            elapsed_s=clock.elapsed,
        )


class ProgressClock:
    """Reports progress with the time elapsed since it was made; calling it returns that time."""

    def __init__(self, fn: ProgressFn | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._fn, self._clock = fn, clock
        self._t0 = clock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._t0

    def __call__(self, stage: str, received: int = 0) -> float:
        elapsed = self.elapsed
        if self._fn:
            self._fn(Progress(stage, elapsed, received))
        return elapsed


def _raise_for_business(body: dict, trace: str | None, partial: bytes | None = None) -> None:
    base = body.get("base_resp") or {}
    code = base.get("status_code")
    if code in (None, 0, "0"):
        return
    err = errors.from_business_code(int(code), str(base.get("status_msg") or ""), body.get("trace_id") or trace)
    if partial:
        err.partial = partial  # what arrived before a mid-stream error is kept
    raise err


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP-date; the default backoff applies


def _reason(resp: httpx.Response) -> str:
    return f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
