"""The stand-in: a real loopback HTTP server that speaks the MiniMax Music API contract, and its state."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..loopback import LoopbackServer
from .encoding import CONTENT_TYPES, EncodedAudio, EncodingCache, conform, encode_blocks, probe_format
from .faults import CODE_MESSAGES, Fault, FaultQueue
from .handler import StandInHandler
from .references import load_reference
from .renderers import ToneRenderer
from .storage import ExpiringStore
from .streaming import SSE_FRAMINGS, STREAM_SHAPES, slices
from .validation import DEFAULT_RETIRED_MODELS, MusicJob, validate_lyrics, validate_preprocess

__all__ = ["Fault", "StandIn", "Track"]

logger = logging.getLogger("musicgen.standin")

DAY_S = 24 * 3600.0
URL_FIELDS = ("audio", "audio_url")
# Settings a separate process may change through POST /_standin/config (the in-process way is plain assignment).
CONFIGURABLE = frozenset(
    {
        "stream_shape",
        "stream_done",
        "chunk_bytes",
        "latency_s",
        "chunk_interval_s",
        "crlf",
        "sse_framing",
        "url_field",
        "url_ttl_s",
        "feature_ttl_s",
    }
)


@dataclass
class Track:
    """Encoded audio on its way out: the facts for extra_info and the bytes, produced lazily."""

    fmt: str
    sample_rate: int
    channels: int
    bitrate: int
    duration_ms: int
    pieces: Iterator[bytes]

    def extra_info(self, size: int) -> dict[str, int]:
        """The extra_info object (§4) for a file of `size` bytes."""
        return {
            "music_duration": self.duration_ms,
            "music_sample_rate": self.sample_rate,
            "music_channel": self.channels,
            "bitrate": self.bitrate,
            "music_size": size,
        }


class StandIn(LoopbackServer):
    """A local HTTP server that speaks MiniMax's Music API contract."""

    handler_class = StandInHandler

    def __init__(
        self,
        renderer: Any = None,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        stream_shape: str = "aggregate",
        stream_done: bool = False,
        chunk_bytes: int = 32768,
        latency_s: float = 0.0,
        chunk_interval_s: float = 0.0,
        crlf: bool = False,
        sse_framing: str = "chunked",
        url_field: str = "audio",
        url_ttl_s: float = DAY_S,
        feature_ttl_s: float = DAY_S,
        retired_models: frozenset[str] | set[str] = DEFAULT_RETIRED_MODELS,
        cache_size: int = 4,
        fetch_local: bool = False,
        community: bool = False,
    ) -> None:
        self.renderer = renderer if renderer is not None else ToneRenderer()
        self.api_key = api_key
        self.fetch_local = fetch_local  # read audio_url from this machine: for tests only, never the studio
        # A MiniMax-compatible community server (music3-selfhosted.md): music-3.0 only, no key, no stream, no
        # auto-lyrics, instrumentals or covers (refused with HTTP 400 + 2013 naming the field), 32 kHz WAV.
        self.community = community
        self._init_server(host, port)
        self.retired_models = frozenset(retired_models)
        self.fixed_audio: bytes | None = None
        self.requests: list[dict[str, Any]] = []
        self.faults: FaultQueue[Fault] = FaultQueue()
        self.files: ExpiringStore[tuple[bytes, str]] = ExpiringStore(url_ttl_s)
        self.features: ExpiringStore[bytes] = ExpiringStore(feature_ttl_s)
        self.cache = EncodingCache(cache_size)
        self.stream_shape, self.stream_done, self.chunk_bytes = stream_shape, stream_done, chunk_bytes
        self.latency_s, self.chunk_interval_s = latency_s, chunk_interval_s
        self.crlf, self.sse_framing, self.url_field = crlf, sse_framing, url_field
        self.configure()  # validates the settings above
        self._fixed_facts: tuple[bytes, tuple[int, int, int] | None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------------

    # -- control -----------------------------------------------------------------------------------------------

    def inject(self, fault: Fault, times: int = 1) -> None:
        """Make the next `times` requests to API routes misbehave as `fault` describes."""
        self.faults.push(fault, times)

    def clear_faults(self) -> None:
        """Forget all injected faults."""
        self.faults.clear()

    def reset(self) -> None:
        """Forget faults and the request log (the POST /_standin/reset route)."""
        self.faults.clear()
        with self._lock:
            self.requests.clear()

    def configure(self, **settings: Any) -> None:
        """Change stream/url settings by name, validating them; raises ValueError."""
        unknown = set(settings) - CONFIGURABLE
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        for name, value in settings.items():
            if name == "url_ttl_s":
                self.files.ttl_s = float(value)
            elif name == "feature_ttl_s":
                self.features.ttl_s = float(value)
            else:
                setattr(self, name, value)
        if self.stream_shape not in STREAM_SHAPES:
            raise ValueError(f"stream_shape must be one of {STREAM_SHAPES}")
        if self.sse_framing not in SSE_FRAMINGS:
            raise ValueError(f"sse_framing must be one of {SSE_FRAMINGS}")
        if self.url_field not in URL_FIELDS:
            raise ValueError(f"url_field must be one of {URL_FIELDS}")
        if not isinstance(self.chunk_bytes, int) or self.chunk_bytes < 1:
            raise ValueError("chunk_bytes must be a positive integer")

    def log_request(self, method: str, path: str, headers: dict[str, str], body: Any) -> None:
        """Append a received request to `requests` (with its arrival time on the monotonic clock, `at`)."""
        with self._lock:
            self.requests.append(
                {"method": method, "path": path, "headers": headers, "json": body, "at": time.monotonic()}
            )

    # -- the API's work ----------------------------------------------------------------------------------------

    def auth_error(self, authorization: str | None) -> tuple[int, str] | None:
        """The base_resp (code, message) an Authorization header earns, or None when it is accepted."""
        scheme, _, key = (authorization or "").strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            return 1004, CODE_MESSAGES[1004]
        if self.api_key is not None and key != self.api_key:
            return 2049, CODE_MESSAGES[2049]
        return None

    def music_reference(self, job: MusicJob) -> bytes | None:
        """The cover reference bytes for a job (None for text-to-music); raises ParamError."""
        if job.reference_field is None or job.reference_value is None:
            return None
        return load_reference(job.reference_field, job.reference_value, self.features, local=self.fetch_local)

    def track(self, job: MusicJob, reference: bytes | None) -> Track:
        """The audio for a job: canned, cached, or rendered and encoded progressively (then cached)."""
        size = self.chunk_bytes
        fixed = self.fixed_audio
        if fixed is not None:
            facts = self._fixed_audio_facts(fixed)
            rate, channels, ms = facts if facts else (job.sample_rate, job.channels, 0)
            return Track(job.fmt, rate, channels, job.bitrate, ms, slices(fixed, size))
        key = self._cache_key(job, reference)
        hit = self.cache.get(key)
        if hit is not None:
            return Track(hit.fmt, hit.sample_rate, hit.channels, job.bitrate, hit.duration_ms, slices(hit.audio, size))
        rendering = self.renderer.music(job.render_payload, reference)
        rate, frames, channels = int(rendering.sample_rate), int(rendering.frames), job.channels
        duration_ms = frames * 1000 // rate
        blocks = conform(iter(rendering.blocks), frames, channels)
        pieces = encode_blocks(blocks, job.fmt, frames, rate, channels, job.bitrate)

        def caching() -> Iterator[bytes]:
            # Only a fully delivered encoding is cached; an abandoned stream leaves no partial entry behind.
            produced = []
            for piece in pieces:
                produced.append(piece)
                yield piece
            self.cache.put(key, EncodedAudio(b"".join(produced), job.fmt, rate, channels, duration_ms))

        return Track(job.fmt, rate, channels, job.bitrate, duration_ms, caching())

    def store_file(self, audio: bytes, fmt: str) -> str:
        """Keep `audio` downloadable under /files for url_ttl_s; returns its URL."""
        name = f"{secrets.token_hex(16)}.{fmt}"
        self.files.put(name, (audio, CONTENT_TYPES.get(fmt, "application/octet-stream")))
        return f"{self.url}/files/{name}"

    def preprocess(self, payload: Any) -> dict[str, Any]:
        """Run music_cover_preprocess (§6): returns the top-level result fields; raises ParamError."""
        field, value = validate_preprocess(payload)
        audio = load_reference(
            field, value, self.features, local=self.fetch_local
        )  # also enforces the 6 s - 6 min / 50 MB limits
        result = dict(self.renderer.cover_preprocess(audio))
        if not isinstance(result.get("structure_result"), str):
            # The contract double-encodes it; keep that even if a renderer hands back a dict.
            result["structure_result"] = json.dumps(result.get("structure_result"))
        self.features.put(str(result["cover_feature_id"]), audio)
        return result

    def write_lyrics(self, payload: Any) -> dict[str, Any]:
        """Run lyrics_generation (§7): returns song_title, style_tags, lyrics; raises ParamError."""
        request = validate_lyrics(payload)
        result = dict(self.renderer.lyrics(request))
        if request["title"]:
            result["song_title"] = request["title"]
        return result

    def _cache_key(self, job: MusicJob, reference: bytes | None) -> str:
        h = hashlib.sha256(json.dumps(job.render_payload, sort_keys=True, default=str).encode())
        h.update(f"|{id(self.renderer)}|".encode())
        if reference is not None:
            h.update(hashlib.md5(reference).digest())
        return h.hexdigest()

    def _fixed_audio_facts(self, audio: bytes) -> tuple[int, int, int] | None:
        # Probing a 7.7 MB mp3 per request would dominate benchmarks, so the facts are kept per bytes object.
        memo = self._fixed_facts
        if memo is None or memo[0] is not audio:
            memo = (audio, probe_format(audio))
            self._fixed_facts = memo
        return memo[1]
