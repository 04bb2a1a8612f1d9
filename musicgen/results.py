"""What the API's answers become: typed results with the audio already downloaded and decoded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .audio import pcm_to_wav, probe, wav_to_mp3
from .config import DEMO_LABEL

EXTENSIONS = {"mp3": "mp3", "wav": "wav", "pcm": "pcm"}


@dataclass
class MusicResult:
    """A finished (or, with partial=True, cut-off) song: its bytes as received and the facts about it."""

    audio: bytes = field(repr=False)
    format: str
    sample_rate: int
    channels: int
    bitrate: int | None
    duration_s: float | None
    model: str
    trace_id: str | None = None
    provider: str = "minimax"
    elapsed_s: float = 0.0
    url: str | None = None  # url-mode link (expires after 24 h; the bytes are already here)
    partial: bool = False
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        """Bytes of audio, as received."""
        return len(self.audio)

    def playable(self) -> tuple[bytes, str]:
        """Bytes and extension a player can open: pcm is wrapped as WAV, other formats are returned as is."""
        if self.format == "pcm":
            return pcm_to_wav(self.audio, self.sample_rate, self.channels), "wav"
        return self.audio, EXTENSIONS.get(self.format, self.format)

    def save(self, path: str | Path, *, playable: bool = False) -> Path:
        """Write the audio to `path`; with playable=True pcm is written as WAV. Returns the path written."""
        p = Path(path)
        data = self.playable()[0] if playable else self.audio
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        return p

    def converted(self, fmt: str, bitrate: int) -> MusicResult:
        """This result as `fmt`: a WAV encoded here as mp3 when mp3 was asked for (backends that answer only WAV);
        otherwise itself. The received WAV stays what the library keeps."""
        if fmt != "mp3" or self.format != "wav" or not self.audio:
            return self
        return replace(self, audio=wav_to_mp3(self.audio, bitrate), format="mp3", bitrate=bitrate)

    def metadata(self) -> dict[str, Any]:
        """The facts about this result as a plain dict (what the studio and the library show)."""
        return {
            "format": self.format,
            "duration_s": None if self.duration_s is None else round(self.duration_s, 3),
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "bitrate": self.bitrate,
            "size": self.size,
            "model": self.model,
            "provider": self.provider,
            "trace_id": self.trace_id,
            "elapsed_s": round(self.elapsed_s, 2),
            "partial": self.partial,
            **({"label": DEMO_LABEL} if self.provider == "demo" else {}),
            **({"url": self.url} if self.url else {}),
            **self.extra,
        }


def build_music_result(
    audio: bytes,
    *,
    fmt: str,
    model: str,
    extra_info: dict | None,
    requested_rate: int,
    trace_id: str | None,
    provider: str = "minimax",
    elapsed_s: float = 0.0,
    url: str | None = None,
    partial: bool = False,
) -> MusicResult:
    """Combine the audio with `extra_info`, falling back to the audio's own header when a fact is missing."""
    info = extra_info or {}
    rate = int(info.get("music_sample_rate") or requested_rate)
    channels = int(info.get("music_channel") or 0)
    duration_ms = info.get("music_duration")
    duration = float(duration_ms) / 1000 if duration_ms else None
    if fmt == "pcm":
        channels = channels or 2
        if duration is None or partial:
            duration = len(audio) / (2 * channels * rate)
    elif duration is None or not channels or partial:
        try:
            head = probe(audio)
            duration = head.duration_s if (duration is None or partial) else duration
            channels = channels or head.channels
            rate = head.sample_rate if not info.get("music_sample_rate") else rate
        except Exception:  # a cut-off stream may not decode; keep what we know
            channels = channels or 2
    bitrate = info.get("bitrate")
    return MusicResult(
        audio=audio,
        format=fmt,
        sample_rate=rate,
        channels=channels,
        bitrate=int(bitrate) if bitrate else None,
        duration_s=duration,
        model=model,
        trace_id=trace_id,
        provider=provider,
        elapsed_s=elapsed_s,
        url=url,
        partial=partial,
    )


@dataclass(frozen=True)
class Segment:
    """One labelled part of a reference track, in seconds."""

    start: float
    end: float
    label: str


@dataclass(frozen=True)
class CoverAnalysis:
    """A preprocessed reference: reuse `cover_feature_id` (24 h) with edited lyrics for covers."""

    cover_feature_id: str
    formatted_lyrics: str
    segments: tuple[Segment, ...]
    duration_s: float | None
    trace_id: str | None = None
    provider: str = "minimax"

    @classmethod
    def from_response(cls, body: dict, provider: str = "minimax") -> CoverAnalysis:
        """Parse the preprocess answer; `structure_result` arrives as a JSON string (contract §6)."""
        raw = body.get("structure_result")
        try:
            structure = json.loads(raw) if isinstance(raw, str) and raw else (raw or {})
        except json.JSONDecodeError:
            structure = {}
        segs = tuple(
            Segment(float(s.get("start", 0)), float(s.get("end", 0)), str(s.get("label", "")))
            for s in (structure.get("segments") or [])
            if isinstance(s, dict)
        )
        dur = body.get("audio_duration")
        return cls(
            cover_feature_id=str(body.get("cover_feature_id") or ""),
            formatted_lyrics=str(body.get("formatted_lyrics") or ""),
            segments=segs,
            duration_s=float(dur) if dur is not None else None,
            trace_id=body.get("trace_id"),
            provider=provider,
        )


@dataclass(frozen=True)
class LyricsResult:
    """Lyrics written or edited by the lyrics endpoint."""

    title: str
    style_tags: str
    lyrics: str
    trace_id: str | None = None
    provider: str = "minimax"
