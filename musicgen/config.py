"""Every default the client uses, in one place, and the settings read from the environment.

README.md repeats these numbers; change both together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Final

# Hosts. Keys are region-bound: a global key on the mainland-China host (or the reverse) fails as "invalid key".
GLOBAL_BASE_URL = "https://api.minimax.io"
CN_BASE_URL = "https://api.minimaxi.com"
REGIONS = {"global": GLOBAL_BASE_URL, "cn": CN_BASE_URL}

ENV_API_KEY = "MINIMAX_API_KEY"
ENV_BASE_URL = "MINIMAX_BASE_URL"

# Every result of the offline demo engine carries this label: in the UI, the metadata and the file name.
DEMO_LABEL = "Demo engine: synthesized locally, not by MiniMax"

# Models the studio offers. The server has the last word on which exist (contract §0): we never refuse others.
# The current reference lists six models, with one set of rules for the four song models (contract §0, update
# 2026-12-03). music-3.0 is the default: the newest, listed first by the reference and the default of MiniMax's own
# CLI, with the same rules and rate limits as music-2.6; an account whose plan lacks it is told to pick music-2.6.
# The -free models are being discontinued, so they are offered but never the default.
SONG_MODELS = ("music-3.0", "music-2.6", "music-3.0-free", "music-2.6-free")
COVER_MODELS = ("music-cover", "music-cover-free")
DEFAULT_SONG_MODEL = "music-3.0"
DEFAULT_COVER_MODEL = "music-cover"
PREPROCESS_MODEL: Final = "music-cover"

# Audio settings the API accepts, and the defaults the official CLI uses.
SAMPLE_RATES = (16000, 24000, 32000, 44100)
BITRATES = (32000, 64000, 128000, 256000)
FORMATS = ("mp3", "wav", "pcm")
DEFAULT_SAMPLE_RATE: Final = 44100  # Final: the request models type these as Literals
DEFAULT_BITRATE: Final = 256000
DEFAULT_FORMAT: Final = "mp3"

# Timeouts in seconds. Songs take 30 s to 5 min, so a generation may sit silent for minutes before answering.
CONNECT_TIMEOUT = 15.0
WRITE_TIMEOUT = 120.0  # a 50 MB reference uploads as ~67 MB of base64
GENERATION_READ_TIMEOUT = 600.0
STREAM_IDLE_TIMEOUT = 300.0  # longest silence between two stream chunks; the stream's total time is unbounded
PREPROCESS_READ_TIMEOUT = 180.0
LYRICS_READ_TIMEOUT = 90.0
DOWNLOAD_TIMEOUT = 120.0  # fetching a url-mode result

# Retries happen only where no song can have been started or charged (see client.py).
MAX_RETRIES = 3
BACKOFF_INITIAL = 1.0
BACKOFF_FACTOR = 2.0
BACKOFF_MAX = 30.0  # no single wait is longer than this, whatever Retry-After says

# The AI/ML API proxy (second provider, musicgen/aimlapi/): its host, environment variables, task polling.
AIMLAPI_BASE_URL = "https://api.aimlapi.com"
ENV_AIMLAPI_KEY = "AIMLAPI_KEY"
ENV_AIMLAPI_BASE_URL = "AIMLAPI_BASE_URL"
POLL_INITIAL = 0.5  # first check soon after submitting: refusals and queue states show at once
POLL_FACTOR = 1.3  # gentle back-off: reaches the cap after ~6 s
POLL_MAX_INTERVAL = 2.0  # a finished song waits half of this on average: ~1 s median, ~34 polls/min (benchmark)
POLL_TOTAL_TIMEOUT = 900.0  # songs take 30 s – 5 min, plus the proxy's queue
AIMLAPI_SUBMIT_READ_TIMEOUT = 60.0  # the submission answers with a task id at once
AIMLAPI_POLL_READ_TIMEOUT = 30.0

# MiniMax Music 3 on your own GPU through sglang-omni (musicgen/music3.py; contract: docs of the engine).
ENV_MUSIC3_BASE_URL = "MUSIC3_BASE_URL"  # e.g. http://gpu-box:8000; unset = the backend is not offered
ENV_MUSIC3_API_KEY = "MUSIC3_API_KEY"  # optional Bearer token for a server behind a gateway
ENV_MUSIC3_MODEL = "MUSIC3_MODEL"
ENV_MUSIC3_CONCURRENCY = "MUSIC3_CONCURRENCY"
ENV_MUSIC3_READ_TIMEOUT = "MUSIC3_READ_TIMEOUT"
ENV_ALLOW_VISITOR_SERVERS = "MUSICGEN_ALLOW_VISITOR_SERVERS"  # visitors may type a server URL; never on a Space
MUSIC3_LABEL = "MiniMax-Music3"  # the model's licence asks products built on it to show this name
MUSIC3_MODEL = "MiniMaxAI/MiniMax-Music3"
MUSIC3_CONCURRENCY = 16  # the engine admits 16 requests at once by default (--max-running-requests)
MUSIC3_READ_TIMEOUT = 1200.0  # nothing arrives until the song is done (minutes); community servers ask for 1200 s
MUSIC3_HEALTH_TIMEOUT = 5.0  # GET /health answers at once, or the server is not there
MUSIC3_FRAMES_PER_SECOND = 25  # max_new_tokens counts audio frames at 25 per second
MUSIC3_MIN_SECONDS, MUSIC3_MAX_SECONDS = 10, 360  # the engine's cap is 9000 frames: six minutes
MUSIC3_DEFAULT_SECONDS = 180  # a typical song; the model may end earlier
MUSIC3_SAMPLE_RATE = 32000  # its answer: 32 kHz stereo 16-bit WAV
MUSIC3_SECONDS_PER_SECOND = 2.0  # progress estimate: GPU seconds per second of audio (community reports: minutes)
MUSIC3_INSTRUMENTAL_LYRICS = "[Intro]\n(instrumental)"  # lyrics are required; the cookbook sends this for none
MUSIC3_INSTRUMENTAL_CAPTION = "Instrumental, no vocals."

# Takes: one click makes this many generations side by side (the studio's Takes control and its endpoints).
TAKES_MAX = 4  # each take is a song (and counts as one against the server key's budgets)
DEFAULT_TAKES = 1

# Reference tracks for covers (contract §3, §6).
REFERENCE_MIN_SECONDS = 6.0
REFERENCE_MAX_SECONDS = 360.0
REFERENCE_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Timeouts:
    """Timeouts for each kind of call, in seconds."""

    connect: float = CONNECT_TIMEOUT
    write: float = WRITE_TIMEOUT
    generation: float = GENERATION_READ_TIMEOUT
    stream_idle: float = STREAM_IDLE_TIMEOUT
    preprocess: float = PREPROCESS_READ_TIMEOUT
    lyrics: float = LYRICS_READ_TIMEOUT
    download: float = DOWNLOAD_TIMEOUT


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait before re-sending a request that cannot have been charged."""

    max_retries: int = MAX_RETRIES
    initial: float = BACKOFF_INITIAL
    factor: float = BACKOFF_FACTOR
    max_wait: float = BACKOFF_MAX

    def wait(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (0-based), honouring Retry-After within the cap."""
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, self.max_wait)
        return min(self.initial * self.factor**attempt, self.max_wait)


@dataclass(frozen=True)
class ClientSettings:
    """Resolved connection settings. Built when a client is built, never at import time."""

    api_key: str = field(repr=False)
    base_url: str = GLOBAL_BASE_URL

    @classmethod
    def resolve(cls, api_key: str | None = None, base_url: str | None = None) -> ClientSettings:
        """Explicit arguments win; otherwise MINIMAX_API_KEY / MINIMAX_BASE_URL; otherwise the global host."""
        key = (api_key if api_key is not None else os.environ.get(ENV_API_KEY, "")).strip()
        url = (base_url or os.environ.get(ENV_BASE_URL, "") or GLOBAL_BASE_URL).strip().rstrip("/")
        if url in REGIONS:  # allow "global" / "cn" as shorthands
            url = REGIONS[url]
        return cls(api_key=key, base_url=url)

    @property
    def region(self) -> str:
        """'cn' for the mainland-China host, 'global' for the global host, 'custom' otherwise."""
        for name, url in REGIONS.items():
            if self.base_url == url:
                return name
        return "custom"

    def __repr__(self) -> str:  # never show the key, even by accident in a traceback
        return f"ClientSettings(api_key={'set' if self.api_key else 'unset'}, base_url={self.base_url!r})"
