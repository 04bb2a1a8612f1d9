"""The MiniMax Music API client: one typed request in, one HTTP call (or stream) out, one result back.

Retries happen only where no song can have been started or charged: a rate-limit rejection, or a connection that
failed before the request was sent. A generation is never re-sent after a read timeout.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from . import config, errors
from .audio import check_reference
from .envelope import check_status, raise_for_business, read_answer
from .progress import Chunk, Progress, ProgressClock, ProgressFn
from .requests import CoverPreprocessRequest, LyricsRequest, MusicRequest
from .results import CoverAnalysis, LyricsResult, MusicResult, build_music_result
from .streaming import DONE, StreamAssembler, iter_sse_data
from .transport import Transport, TransportClient, tls_context

__all__ = ["Chunk", "MusicClient", "Progress", "ProgressClock", "ProgressFn", "tls_context"]
MISSING_KEY_HINT = "Set MINIMAX_API_KEY (or enter a key in the studio's Settings), or use the offline demo engine."


class MusicClient(TransportClient):
    """A client for MiniMax's Music API. Reads MINIMAX_API_KEY / MINIMAX_BASE_URL when built, if not given."""

    provider = "minimax"
    hints: errors.Hints = {}  # MiniMax's hints are the error classes' own defaults
    music01_paths = ("/v1/music_upload", "/v1/music_generation")  # legacy music-01: upload, generate

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
        if provider:
            self.provider = provider
        self.transport = Transport(
            self.settings.base_url,
            self.settings.api_key,
            check=check_status,
            missing_key=lambda: errors.AuthenticationError("No API key is set", hint=MISSING_KEY_HINT),
            timeouts=timeouts,
            retry=retry,
            transport=transport,
            sleep=sleep,
        )
        self.timeouts, self.retry = self.transport.timeouts, self.transport.retry

    # -- public calls -------------------------------------------------------------------------------------------

    @errors.carries_provider
    def generate(
        self,
        request: MusicRequest,
        *,
        on_progress: ProgressFn | None = None,
        on_chunk: Callable[[Chunk], None] | None = None,
    ) -> MusicResult:
        """Generate a song, instrumental or cover and return it complete (streams are consumed here)."""
        with errors.for_model(request.model):
            return self._generate(request, on_progress, on_chunk)

    def _generate(
        self, request: MusicRequest, on_progress: ProgressFn | None, on_chunk: Callable[[Chunk], None] | None
    ) -> MusicResult:
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

    def stream(
        self, request: MusicRequest, *, on_progress: ProgressFn | None = None, into: bytearray | None = None
    ) -> Iterator[Chunk | MusicResult]:
        """Yield each audio Chunk as it arrives, then the complete MusicResult. Sends when first iterated.

        `into`: the song is gathered in this buffer (each chunk's bytes are in it when the Chunk is yielded), so a
        caller that needs the whole song as it grows (the studio's live player) shares the one copy.
        """
        if not request.stream:
            request = request.model_copy(update={"stream": True, "output_format": "hex"})
        buffer = bytearray() if into is None else into
        return _attributed_items(self, self._stream(request, on_progress, buffer), request.model)

    @errors.carries_provider
    def preprocess_cover(
        self, request: CoverPreprocessRequest | str | Path, *, on_progress: ProgressFn | None = None
    ) -> CoverAnalysis:
        """Analyse a reference track (a request, or a local file checked before upload): lyrics and structure."""
        if not isinstance(request, CoverPreprocessRequest):
            data, _info = check_reference(request)
            request = CoverPreprocessRequest(audio_base64=base64.b64encode(data).decode("ascii"))
        body = self._post_json("/v1/music_cover_preprocess", request.payload(), self.timeouts.preprocess, on_progress)
        return CoverAnalysis.from_response(body, provider=self.provider)

    @errors.carries_provider
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

    def _envelope(
        self, path: str, payload: dict, read_timeout: float, clock: ProgressClock
    ) -> tuple[dict, bytes | None]:
        """POST and read MiniMax's envelope; a rate-limit rejection (which started nothing) is sent again."""
        t = self.transport
        return t.with_retry(lambda: read_answer(t.post_json(path, payload, read_timeout), clock))

    def _post_json(self, path: str, payload: dict, read_timeout: float, on_progress: ProgressFn | None) -> dict:
        clock = ProgressClock(on_progress)
        clock("sending")
        body, _ = self._envelope(path, payload, read_timeout, clock)
        clock("done")
        return body

    def _generate_whole(self, request: MusicRequest, on_progress: ProgressFn | None) -> MusicResult:
        clock = ProgressClock(on_progress)
        clock("sending")
        payload = request.payload()
        body, audio = self._envelope("/v1/music_generation", payload, self.timeouts.generation, clock)
        audio, url = self._envelope_audio(body, audio, clock)
        return self._result(request, audio, body.get("extra_info"), body.get("trace_id"), clock, url)

    def _envelope_audio(self, body: dict, audio: bytes | None, clock: ProgressClock) -> tuple[bytes, str | None]:
        """The song a JSON answer carries (hex decoded on the fly, or a link downloaded now) and its link, if any.

        The one place that refuses an answer without playable bytes, for generate() and for a stream request
        answered with plain JSON alike: a missing, empty or undecodable audio field raises CorruptAudioError.
        """
        trace = body.get("trace_id")
        data = body.get("data") or {}
        url = None
        if audio is None:
            link = data.get("audio") or data.get("audio_url") or ""
            if isinstance(link, str) and link.startswith(("http://", "https://")):
                url = link
                clock("downloading")
                audio = self.transport.download(url, trace)
            elif link:
                raise errors.CorruptAudioError("The answer's audio is neither hex nor a link", trace_id=trace)
            else:
                raise errors.CorruptAudioError("The answer carried no audio", trace_id=trace)
        if not audio:
            raise errors.CorruptAudioError("The answer's audio is empty", trace_id=trace)
        return audio, url

    def _stream(
        self, request: MusicRequest, on_progress: ProgressFn | None, into: bytearray
    ) -> Iterator[Chunk | MusicResult]:
        clock = ProgressClock(on_progress)
        clock("sending")
        payload = request.payload()

        def open_stream() -> tuple[httpx.Response, tuple[dict, bytes | None] | None]:
            resp = self.transport.post_json("/v1/music_generation", payload, self.timeouts.stream_idle)
            if "text/event-stream" in resp.headers.get("content-type", ""):
                return resp, None
            # Errors (and sometimes the whole song) come back as a plain JSON envelope.
            return resp, read_answer(resp, clock)

        resp, whole = self.transport.with_retry(open_stream)
        clock("waiting")
        trace = resp.headers.get("trace-id")
        if whole is not None:  # the whole song (or a refusal) as a plain JSON envelope instead of events
            body, audio = whole
            body["trace_id"] = body.get("trace_id") or trace
            audio, url = self._envelope_audio(body, audio, clock)
            into += audio
            yield Chunk(audio, len(audio), clock.elapsed)
            yield self._result(request, audio, body.get("extra_info"), body["trace_id"], clock, url)
            return
        asm = StreamAssembler(into)
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
                raise_for_business(event, trace, partial=asm.audio)  # copied only on an error
                data = event.get("data") or {}
                hex_audio = data.get("audio") or ""
                try:
                    if data.get("status") == 2:
                        new = asm.add_terminal(hex_audio, event.get("extra_info"))
                    else:
                        new = asm.add_chunk(hex_audio)
                except errors.CorruptAudioError as exc:  # what arrived before the bad event is kept
                    exc.trace_id, exc.partial = trace, bytes(asm.audio)
                    raise
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
        yield self._result(request, bytes(asm.audio), asm.extra_info, trace, clock)

    def _result(
        self,
        request: MusicRequest,
        audio: bytes,
        extra_info: dict | None,
        trace: str | None,
        clock: ProgressClock,
        url: str | None = None,
    ) -> MusicResult:
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
            url=url,
        )


def _attributed_items(
    client: MusicClient, items: Iterator[Chunk | MusicResult], model: str
) -> Iterator[Chunk | MusicResult]:
    with errors.raised_by(client.provider, client.hints), errors.for_model(model):
        yield from items
