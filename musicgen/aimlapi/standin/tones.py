"""Short test audio: a soft chord encoded as mp3, wav or raw pcm, so the stand-in needs no render engine."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
import soundfile as sf

CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "pcm": "application/octet-stream"}


@lru_cache(maxsize=16)
def tone(seconds: float = 2.0, fmt: str = "mp3", sample_rate: int = 44100, channels: int = 2) -> bytes:
    """`seconds` of an A-major chord in `fmt` (mp3, wav, or 16-bit little-endian pcm); cached, as encoding mp3 is slow."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    wave = np.sum([np.sin(2 * np.pi * f * t) for f in (220.0, 277.18, 329.63)], axis=0) * 0.2
    frames = np.repeat(wave[:, None], channels, axis=1).astype(np.float32)
    if fmt == "pcm":
        return (frames * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    if fmt == "wav":
        sf.write(buf, frames, sample_rate, format="WAV", subtype="PCM_16")
    elif fmt == "mp3":
        sf.write(buf, frames, sample_rate, format="MP3")
    else:
        raise ValueError(f"unsupported format {fmt!r}")
    return buf.getvalue()
