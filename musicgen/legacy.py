"""Legacy music-01: songs sung and played in the manner of an uploaded reference, direct or through the AI/ML API.

Upload a reference (purpose song / voice / instrumental) to get a voice_id and/or instrumental_id, then generate with
refer_voice / refer_instrumental. Lyrics are at most 200 characters and results at most a minute. MiniMax lists
music-01 as legacy and may no longer serve it: that surfaces as ModelUnavailableError with a hint saying so.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol

import httpx
import soundfile as sf
from pydantic import BaseModel, ConfigDict, model_validator

from . import errors
from .audio import ReferenceError
from .envelope import read_answer
from .progress import ProgressClock, ProgressFn
from .requests import AudioSetting
from .results import MusicResult, build_music_result
from .transport import Transport

MODEL: Final = "music-01"
LYRICS_MAX = 200  # MiniMax's music-01 page (the AI/ML API's schema allows 600; the stricter rule works on both)
REFERENCE_MIN_S, REFERENCE_MAX_S = 10.0, 600.0
PURPOSES = ("song", "voice", "instrumental")
UPLOAD_TYPES = {"WAV": "audio/wav", "MP3": "audio/mpeg"}  # libsndfile's format name -> the part's content type
ACCOMPANIMENT = "##"  # at both ends of the lyrics: sing them with accompaniment
RETIRED_HINT = (
    "music-01 is a legacy model that may no longer be served: use music-2.6 for songs, or a cover model "
    "(music-cover) to follow a reference track."
)


class Music01Request(BaseModel):
    """A music-01 generation: lyrics sung after a reference voice and/or instrumental uploaded before."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    model: Literal["music-01"] = MODEL
    lyrics: str
    refer_voice: str | None = None
    refer_instrumental: str | None = None
    refer_vocal: str | None = None  # a T2A or cloned voice id to sing with
    audio_setting: AudioSetting = AudioSetting()

    @model_validator(mode="after")
    def _rules(self) -> Music01Request:
        if not (self.refer_voice or self.refer_instrumental):
            raise ValueError("give at least one of refer_voice or refer_instrumental (ids from upload_reference)")
        if not self.lyrics.strip():
            raise ValueError(f"lyrics is required for music-01 (1–{LYRICS_MAX} characters)")
        if len(self.lyrics) > LYRICS_MAX:
            raise ValueError(f"lyrics must be at most {LYRICS_MAX} characters for music-01 (it has {len(self.lyrics)})")
        if self.refer_vocal and not (self.refer_voice and self.refer_instrumental):
            raise ValueError("refer_vocal needs refer_voice, refer_instrumental and lyrics all set")
        return self

    def payload(self) -> dict:
        """The JSON body sent to the API (unset ids left out)."""
        return self.model_dump(exclude_none=True)


def with_accompaniment(lyrics: str) -> str:
    """Lyrics marked with `##` at both ends, which asks music-01 for accompaniment (idempotent)."""
    text, _ = split_accompaniment(lyrics)
    return f"{ACCOMPANIMENT}{text}{ACCOMPANIMENT}"


def sent_lyrics(lyrics: str, accompaniment: bool = False) -> str:
    """The lyrics as music-01 receives them: trimmed, and wrapped in `##` when accompaniment is asked for."""
    text = (lyrics or "").strip()
    return with_accompaniment(text) if accompaniment and text else text


def split_accompaniment(lyrics: str) -> tuple[str, bool]:
    """(the lyrics without `##` at both ends, whether they had them): what with_accompaniment undoes."""
    text = lyrics.strip()
    n = len(ACCOMPANIMENT)
    if text.startswith(ACCOMPANIMENT) and text.endswith(ACCOMPANIMENT) and len(text) >= 2 * n:
        return text[n:-n], True
    return text, False


@dataclass(frozen=True)
class UploadResult:
    """The ids an upload returned: a song gives both, a voice or an instrumental gives its own."""

    voice_id: str | None
    instrumental_id: str | None
    trace_id: str | None = None
    purpose: str = "song"


def check_upload_file(path: str | Path) -> tuple[bytes, str]:
    """Read a local reference and check it before upload: wav or mp3, 10 s – 10 min. Returns bytes and MIME type."""
    p = Path(path)
    if not p.is_file():
        raise ReferenceError(f"reference file not found: {p}")
    data = p.read_bytes()
    try:
        info = sf.info(io.BytesIO(data))
    except Exception:  # libsndfile raises several types; all mean "not audio it knows"
        raise ReferenceError(f"reference file {p.name} could not be decoded as wav or mp3") from None
    if info.format not in UPLOAD_TYPES:
        raise ReferenceError(f"reference file {p.name} is {info.format}; music-01 takes wav or mp3")
    seconds = info.frames / info.samplerate if info.samplerate else 0.0
    if not REFERENCE_MIN_S <= seconds <= REFERENCE_MAX_S:
        raise ReferenceError(f"reference track is {seconds:.1f} s long; it must be 10 s – 10 min for music-01")
    return data, UPLOAD_TYPES[info.format]


class LegacyClient(Protocol):
    """What music-01 needs of a client (MusicClient and AimlApiClient have it): its routes, hints and transport."""

    provider: str
    hints: errors.Hints
    music01_paths: tuple[str, str]  # (upload, generate)
    transport: Transport


def upload_reference(
    client: LegacyClient, path: str | Path, purpose: str = "song", *, on_progress: ProgressFn | None = None
) -> UploadResult:
    """Upload a local reference for music-01 (MiniMax's /v1/music_upload, or the proxy's upload route)."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(PURPOSES)} (got {purpose!r})")
    data, mime = check_upload_file(path)
    files = {"file": (Path(path).name, data, mime)}
    progress = ProgressClock(on_progress)
    progress("sending")
    t = client.transport
    # The service analyses the track before answering: the preprocess read timeout applies.
    send = lambda: t.post_form(client.music01_paths[0], {"purpose": purpose}, files, t.timeouts.preprocess, "upload")  # noqa: E731
    body, _ = _legacy_call(client, send, progress)
    want = {"song": ("voice_id", "instrumental_id"), "voice": ("voice_id",), "instrumental": ("instrumental_id",)}
    missing = [k for k in want[purpose] if not body.get(k)]
    if missing:
        raise errors.ServerError(f"The upload answer has no {' or '.join(missing)}", trace_id=body.get("trace_id"))
    progress("done")
    return UploadResult(body.get("voice_id"), body.get("instrumental_id"), body.get("trace_id"), purpose)


def generate_music01(
    client: LegacyClient, request: Music01Request, *, on_progress: ProgressFn | None = None
) -> MusicResult:
    """Generate with music-01 (POST /v1/music_generation on MiniMax, or the proxy's music-01 route); hex decoded."""
    payload = request.payload()
    progress = ProgressClock(on_progress)
    progress("sending")
    t = client.transport
    send = lambda: t.post_json(client.music01_paths[1], payload, t.timeouts.generation)  # noqa: E731
    body, audio = _legacy_call(client, send, progress)
    trace = body.get("trace_id")
    if not audio:
        raise errors.CorruptAudioError("The music-01 answer carried no audio", trace_id=trace)
    elapsed = progress("done", len(audio))
    result = build_music_result(
        audio,
        fmt=request.audio_setting.format,
        model=MODEL,
        extra_info=body.get("extra_info"),
        requested_rate=request.audio_setting.sample_rate,
        trace_id=trace,
        provider=client.provider,
        elapsed_s=elapsed,
    )
    result.extra.update({k: v for k, v in payload.items() if k.startswith("refer_")})
    return result


# -- plumbing: the client's transport does the HTTP; this adds the legacy hint and the provider -------------------


def _legacy_call(
    client: LegacyClient, send: Callable[[], httpx.Response], progress: ProgressClock
) -> tuple[dict, bytes | None]:
    """Send (retrying a 429 like every call) and read the MiniMax envelope; a retired model gets RETIRED_HINT."""
    with errors.raised_by(client.provider, client.hints):
        try:
            return client.transport.with_retry(lambda: read_answer(send(), progress))
        except errors.ModelUnavailableError as exc:
            exc.hint = RETIRED_HINT
            raise
