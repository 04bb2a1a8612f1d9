"""Offline demo engine: answers MiniMax music, cover and lyrics requests with local synthesis."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import soundfile as sf

from .analysis import ReferenceAnalysis, analyse_reference, estimate_tempo
from .lyrics_text import parse_lyrics
from .lyrics_writer import write_lyrics
from .plan import SongPlan, build_cover_plan, build_plan, request_seed
from .render import SAMPLE_RATES, SongRenderer, render_array

__all__ = [
    "DemoRenderer",
    "Rendering",
    "SongPlan",
    "ReferenceAnalysis",
    "analyse_reference",
    "estimate_tempo",
    "write_lyrics",
    "render_array",
    "SAMPLE_RATES",
]

DEFAULT_SAMPLE_RATE = 44100


@dataclass
class Rendering:
    """A lazily rendered song: frames are known up front, audio arrives block by block."""

    sample_rate: int
    channels: int
    frames: int
    blocks: Iterator[np.ndarray]
    plan: SongPlan

    @property
    def duration_s(self) -> float:
        """Length of the song in seconds."""
        return self.frames / self.sample_rate


def read_reference(reference: bytes) -> tuple[np.ndarray, int]:
    """Decode reference audio bytes (wav/flac/ogg/mp3) to (float32 samples, sample rate)."""
    samples, rate = sf.read(io.BytesIO(reference), dtype="float32", always_2d=True)
    return samples, int(rate)


class DemoRenderer:
    """Answers MiniMax-shaped requests with locally synthesized audio."""

    def __init__(self) -> None:
        # cover_preprocess results by feature id, so a later cover can cite the id instead of the audio.
        self._analyses: dict[str, ReferenceAnalysis] = {}

    def analyse(self, audio: bytes) -> ReferenceAnalysis:
        """Analyse (and remember) a reference track."""
        samples, rate = read_reference(audio)
        analysis = analyse_reference(samples, rate, audio)
        self._analyses[analysis.cover_feature_id] = analysis
        return analysis

    def plan(self, payload: dict[str, Any], reference: bytes | None = None) -> SongPlan:
        """The song plan a music request would be rendered from."""
        if _is_cover(payload, reference):
            analysis = self._reference_analysis(payload, reference)
            segments = [(s.start, s.end, s.label) for s in analysis.segments]
            return build_cover_plan(payload, analysis.tempo_bpm, segments, request_seed(payload, reference))
        lyrics = None
        has_lines = any(s.lines for s in parse_lyrics(str(payload.get("lyrics") or "")))
        if payload.get("lyrics_optimizer") and not has_lines and not payload.get("is_instrumental"):
            lyrics = write_lyrics(str(payload.get("prompt") or ""))["lyrics"]
        return build_plan(payload, lyrics=lyrics)

    def music(self, payload: dict[str, Any], reference: bytes | None = None) -> Rendering:
        """Render a /v1/music_generation request lazily (cover models use the reference audio)."""
        sample_rate = _sample_rate(payload)
        plan = self.plan(payload, reference)
        renderer = SongRenderer(plan, sample_rate)
        return Rendering(sample_rate, 2, renderer.frames, renderer.blocks(), plan)

    def stems(self, payload: dict[str, Any], stems: Iterable[str], reference: bytes | None = None) -> np.ndarray:
        """Only the chosen stems (drums, bass, chords, lead, vocals) of a request, unlimited, as one array."""
        return render_array(self.plan(payload, reference), _sample_rate(payload), stems, limit=False)

    def cover_preprocess(self, audio: bytes) -> dict[str, Any]:
        """Feature id (md5), placeholder lyrics, structure JSON string and duration of a reference."""
        analysis = self.analyse(audio)
        return {
            "cover_feature_id": analysis.cover_feature_id,
            "formatted_lyrics": analysis.placeholder_lyrics(),
            "structure_result": analysis.structure_result(),
            "audio_duration": float(round(analysis.duration_s, 3)),
        }

    def lyrics(self, payload: dict[str, Any]) -> dict[str, str]:
        """Answer a /v1/lyrics_generation request: {"song_title", "style_tags", "lyrics"}."""
        return write_lyrics(
            str(payload.get("prompt") or ""),
            mode=str(payload.get("mode") or "write_full_song"),
            lyrics=str(payload.get("lyrics") or ""),
            title=str(payload.get("title") or ""),
        )

    def _reference_analysis(self, payload: dict[str, Any], reference: bytes | None) -> ReferenceAnalysis:
        if reference is not None:
            return self.analyse(reference)
        feature_id = str(payload.get("cover_feature_id") or "")
        if feature_id in self._analyses:
            return self._analyses[feature_id]
        raise ValueError("cover request needs the reference audio or a cover_feature_id from cover_preprocess")


def _is_cover(payload: dict[str, Any], reference: bytes | None) -> bool:
    return (
        reference is not None
        or "cover" in str(payload.get("model") or "").lower()
        or bool(payload.get("cover_feature_id"))
    )


def _sample_rate(payload: dict[str, Any]) -> int:
    setting = payload.get("audio_setting") or {}
    rate = int(setting.get("sample_rate") or DEFAULT_SAMPLE_RATE)
    if rate not in SAMPLE_RATES:
        raise ValueError(f"audio_setting.sample_rate must be one of {SAMPLE_RATES}, got {rate}")
    return rate
