"""Where the stand-in's audio comes from: the Rendering contract and a fast, deterministic tone renderer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .encoding import probe_duration


@dataclass
class Rendering:
    """Audio a renderer promises: its format and length up front, the samples lazily in float32 blocks."""

    sample_rate: int
    channels: int
    frames: int
    blocks: Iterator[np.ndarray]  # float32 (n, channels), summing to `frames`
    plan: object = None


@dataclass(frozen=True)
class TonePlan:
    """What ToneRenderer decided to play: one chord (frequencies in Hz) per segment."""

    seconds: float
    segment_seconds: float
    chords: tuple[tuple[float, ...], ...]


_SECTION_LABELS = ("intro", "verse", "chorus", "bridge", "outro")
_STYLES = ("Pop", "Indie", "Synthwave", "Folk", "Lo-fi", "Rock", "Dream Pop", "Chillout")
_MOODS = ("Upbeat", "Melancholic", "Warm", "Nostalgic", "Energetic", "Calm")
# Scale degrees (semitones) the chord roots walk through; minor/major thirds keep it sounding like music.
_DEGREES = (0, 2, 3, 5, 7, 8, 10)


def _digest(payload: dict[str, Any], reference: bytes | None) -> bytes:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    h = hashlib.sha256(canonical.encode())
    if reference is not None:
        h.update(hashlib.md5(reference).digest())
    return h.digest()


def _lyric_lines(lyrics: str) -> list[str]:
    """Sung lines: section tags like [Chorus] take no time of their own."""
    lines = (line.strip() for line in lyrics.splitlines())
    return [line for line in lines if line and not (line.startswith("[") and line.endswith("]"))]


class ToneRenderer:
    """Renders a chord sequence whose length follows the request; different requests give different audio."""

    def __init__(
        self,
        *,
        seconds_per_line: float = 2.0,
        min_seconds: float = 6.0,
        instrumental_seconds: float = 8.0,
        cover_fallback_seconds: float = 10.0,
        segment_seconds: float = 2.0,
        block_seconds: float = 0.5,
        amplitude: float = 0.2,
    ) -> None:
        self.seconds_per_line = seconds_per_line
        self.min_seconds = min_seconds
        self.instrumental_seconds = instrumental_seconds
        self.cover_fallback_seconds = cover_fallback_seconds
        self.segment_seconds = segment_seconds
        self.block_seconds = block_seconds
        self.amplitude = amplitude

    def seconds_for(self, payload: dict[str, Any], reference: bytes | None = None) -> float:
        """How long the rendering of this request lasts."""
        if reference is not None:
            return probe_duration(reference) or self.cover_fallback_seconds
        if payload.get("is_instrumental"):
            return self.instrumental_seconds
        lines = _lyric_lines(payload.get("lyrics") or "")
        return max(self.min_seconds, self.seconds_per_line * len(lines))

    def plan(self, payload: dict[str, Any], reference: bytes | None = None) -> TonePlan:
        """Choose the chords for a request, seeded by a hash of the payload (and reference)."""
        seconds = self.seconds_for(payload, reference)
        digest = _digest(payload, reference)
        root_midi = 45 + digest[0] % 12
        segments = max(1, int(np.ceil(seconds / self.segment_seconds)))
        chords = []
        for i in range(segments):
            byte = digest[(i + 1) % len(digest)]
            root = root_midi + _DEGREES[byte % len(_DEGREES)]
            third = 3 if byte & 0x80 else 4
            notes = (root, root + third, root + 7, root + 12 + (byte % 3) * 2)
            chords.append(tuple(440.0 * 2 ** ((n - 69) / 12) for n in notes))
        return TonePlan(seconds=seconds, segment_seconds=self.segment_seconds, chords=tuple(chords))

    def music(self, payload: dict[str, Any], reference: bytes | None = None) -> Rendering:
        """Render a request: a lazily generated chord sequence at the requested sample rate/channels."""
        setting = payload.get("audio_setting") or {}
        sample_rate = int(setting.get("sample_rate", 44100))
        channels = int(setting.get("channel", 2))
        plan = self.plan(payload, reference)
        frames = int(round(plan.seconds * sample_rate))
        return Rendering(sample_rate, channels, frames, self._blocks(plan, sample_rate, channels, frames), plan)

    def _blocks(self, plan: TonePlan, sample_rate: int, channels: int, frames: int) -> Iterator[np.ndarray]:
        seg_len = max(1, int(round(plan.segment_seconds * sample_rate)))
        block_len = max(1, int(round(self.block_seconds * sample_rate)))
        freqs = np.array(plan.chords, dtype=np.float64)  # (segments, voices)
        voices = freqs.shape[1]
        # Short fades at every chord change so segment boundaries do not click.
        fade = max(1, int(0.02 * sample_rate))
        pans = np.linspace(0.3, 0.7, voices)
        for start in range(0, frames, block_len):
            n = np.arange(start, min(start + block_len, frames))
            seg = np.minimum(n // seg_len, len(freqs) - 1)
            pos = n - seg * seg_len
            seg_end = np.minimum((seg + 1) * seg_len, frames) - seg * seg_len
            env = np.clip(np.minimum(pos / fade, (seg_end - pos) / fade), 0.0, 1.0)
            t = pos / sample_rate
            tones = np.sin(2 * np.pi * freqs[seg] * t[:, None]) * (self.amplitude * env)[:, None]
            if channels == 1:
                block = tones.sum(axis=1, keepdims=True)
            else:
                # Voices spread across the stereo field; weights average 0.5, hence the factor 2.
                left = (tones * (1 - pans)).sum(axis=1) * 2
                right = (tones * pans).sum(axis=1) * 2
                block = np.stack([left, right], axis=1)
            yield np.clip(block, -1.0, 1.0).astype(np.float32)

    def cover_preprocess(self, audio: bytes) -> dict[str, Any]:
        """Analyse a reference: md5 feature id, placeholder lyrics and 2-4 equal structure segments."""
        digest = hashlib.md5(audio).hexdigest()
        seconds = probe_duration(audio) or self.cover_fallback_seconds
        count = 2 + int(digest[:2], 16) % 3
        step = seconds / count
        labels = ["intro", *(_SECTION_LABELS[1 + i % 3] for i in range(count - 2)), "outro"]
        segments = [
            {"start": round(i * step, 2), "end": round((i + 1) * step, 2), "label": labels[i]} for i in range(count)
        ]
        sections = [f"[{label.title()}]\nLa la la, line {i + 1} of the {label}" for i, label in enumerate(labels)]
        return {
            "cover_feature_id": digest,
            "formatted_lyrics": "\n\n".join(sections),
            "structure_result": json.dumps({"num_segments": count, "segments": segments}),
            "audio_duration": round(seconds, 2),
        }

    def lyrics(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Write (or edit) a templated song around the prompt."""
        prompt = (payload.get("prompt") or "").strip()
        digest = _digest(payload, None)
        words = prompt.split()
        title = payload.get("title") or (" ".join(words[:4]).title() if words else "Untitled Song")
        tags = f"{_STYLES[digest[0] % len(_STYLES)]}, {_MOODS[digest[1] % len(_MOODS)]}"
        theme = prompt or "a song about nothing in particular"
        if payload.get("mode") == "edit":
            lines = (payload.get("lyrics") or "").rstrip()
            text = f"{lines}\n\n[Outro]\nAnd that is how we sang of {theme}"
        else:
            text = (
                f"[Intro]\nOoh, ooh\n\n"
                f"[Verse]\nWoke up thinking of {theme}\nEvery street was humming along\n\n"
                f"[Pre-Chorus]\nHold on, hold on\n\n"
                f"[Chorus]\nThis is {title}\nSing it loud and sing it long\n\n"
                f"[Outro]\nOoh, {title.lower()}"
            )
        return {"song_title": title, "style_tags": tags, "lyrics": text}
