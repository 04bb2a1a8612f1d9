"""Finished copies of a song: silent ends trimmed, faded in and out, brought to a loudness target under a true-peak
ceiling. The original is never changed: a finished copy is new bytes under a name that says so.

The steps, in order: decode -> trim the silent ends -> fade in / out -> loudness (the gain that brings the integrated
loudness to the target, then the true-peak limiter at the ceiling, measured again and corrected until within
LOUDNESS_TOLERANCE_LU) -> encode in the song's own format when soundfile writes it here (mp3 at the song's bitrate,
or wav), otherwise WAV -> measure the file as written. An mp3 encoder can add a few tenths of a dB of peak, so a
written file over the ceiling has its gain lowered by the excess and is encoded again: the ceiling holds for the file
the visitor downloads, not only for the samples before encoding.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

import numpy as np
import soundfile as sf
from pydantic import BaseModel, ConfigDict, Field

from . import config
from .audio import mp3_compression_level
from .loudness import (
    TRUE_PEAK_CEILING_DBTP,
    Measured,
    db_to_gain,
    decode,
    integrated_lufs,
    limit,
    measure,
    true_peak_dbtp,
)

# Loudness targets (integrated, LUFS): None keeps the level the song was generated at.
Loudness = Literal["as_generated", "streaming", "broadcast"]
LOUDNESS_TARGETS: dict[str, float | None] = {"as_generated": None, "streaming": -14.0, "broadcast": -23.0}
LOUDNESS_CHOICES = [
    ("As generated", "as_generated"),
    ("Streaming (−14 LUFS)", "streaming"),
    ("Broadcast (−23 LUFS)", "broadcast"),
]
LOUDNESS_TOLERANCE_LU = 0.1  # how close to the target the limiter's make-up gain is corrected
LOUDNESS_ROUNDS = 4  # at most this many gain / limit / measure rounds
TRIM_THRESHOLD_DBFS = -60.0  # a frame is silent when every channel's sample is quieter than this
TRIM_MIN_SILENCE_S = 0.1  # a silent end is trimmed only when it lasts this long; shorter gaps are the song's timing
FADE_MAX_S = 30.0  # longest fade in or fade out
# What the controls start with (the README states them).
DEFAULT_LOUDNESS: Loudness = "streaming"
DEFAULT_TRIM = True
DEFAULT_FADE_IN_S = 0.0
DEFAULT_FADE_OUT_S = 0.0
# Formats a finished copy is written in, as soundfile (libsndfile 1.2) writes them; anything else becomes WAV.
WRITERS = {"mp3": ("MP3", "MPEG_LAYER_III"), "wav": ("WAV", "PCM_16")}
# At 32 kbps libsndfile's encoder pads the end of a 44.1 kHz file by ~40 ms that decoding keeps: a finished copy of a
# 32 kbps song is written at 64 kbps so that its length (and its trimmed end) is exact.
MP3_MIN_BITRATE = 64000
_ENCODE_TRIES = 3
ENCODED_TOLERANCE_LU = 0.2  # how far the written file's loudness may be from the target before it is made again


class FinishRequest(BaseModel):
    """How to finish a song; out-of-range values are refused naming the field and the limit."""

    model_config = ConfigDict(extra="forbid")

    loudness: Loudness = DEFAULT_LOUDNESS
    trim: bool = DEFAULT_TRIM
    fade_in_s: float = Field(DEFAULT_FADE_IN_S, ge=0.0, le=FADE_MAX_S, allow_inf_nan=False)
    fade_out_s: float = Field(DEFAULT_FADE_OUT_S, ge=0.0, le=FADE_MAX_S, allow_inf_nan=False)

    @property
    def target_lufs(self) -> float | None:
        """The integrated loudness asked for, or None to keep the song's own."""
        return LOUDNESS_TARGETS[self.loudness]


class FinishError(ValueError):
    """A finishing request this song cannot satisfy (its message names the field and the limit)."""


@dataclass(frozen=True)
class Finished:
    """A finished copy: its bytes and extension, and what was done and measured."""

    data: bytes
    ext: str
    measured: Measured  # of the file as written (decoded again)
    duration_s: float
    sample_rate: int
    trimmed_start_s: float
    trimmed_end_s: float
    levelled: bool  # False when a loudness target was asked but the song was too short or silent to measure
    format_note: str  # "" when the copy is in the song's own format, else why it is WAV


def silent_ends(samples: np.ndarray, rate: int, threshold_dbfs: float = TRIM_THRESHOLD_DBFS) -> tuple[int, int]:
    """Frames at the start and at the end that are quieter than the threshold on every channel."""
    loud = np.abs(samples).max(axis=1) >= db_to_gain(threshold_dbfs)
    if not loud.any():
        return 0, 0  # all silence: nothing to tell apart from the song, so nothing is trimmed
    return int(np.argmax(loud)), int(np.argmax(loud[::-1]))


def trim_silence(
    samples: np.ndarray,
    rate: int,
    threshold_dbfs: float = TRIM_THRESHOLD_DBFS,
    min_silence_s: float = TRIM_MIN_SILENCE_S,
) -> tuple[np.ndarray, int, int]:
    """The samples without silent ends of at least min_silence_s, and the frames cut at the start and at the end."""
    head, tail = silent_ends(samples, rate, threshold_dbfs)
    least = math.ceil(min_silence_s * rate)
    head = head if head >= least else 0
    tail = tail if tail >= least else 0
    return samples[head : len(samples) - tail], head, tail


def apply_fades(samples: np.ndarray, rate: int, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    """Linear fades in amplitude: from silence to full level over fade_in_s, and back to silence over fade_out_s."""
    n = len(samples)
    fade_in, fade_out = round(fade_in_s * rate), round(fade_out_s * rate)
    if fade_in + fade_out > n:
        raise FinishError(
            f"fade_in_s + fade_out_s: together at most the song's length ({n / rate:.1f} s after trimming), "
            f"got {fade_in_s:g} s + {fade_out_s:g} s"
        )
    out = samples.astype(np.float32, copy=True)
    if fade_in:
        out[:fade_in] *= np.linspace(0.0, 1.0, fade_in, endpoint=False, dtype=np.float32)[:, None]
    if fade_out:
        out[n - fade_out :] *= np.linspace(1.0, 0.0, fade_out, dtype=np.float32)[:, None]
    return out


def to_loudness(
    samples: np.ndarray, rate: int, target_lufs: float, ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP
) -> np.ndarray | None:
    """The samples at target_lufs with no true peak above the ceiling; None when there is no loudness to measure.

    A boost that would push peaks over the ceiling goes through the limiter (musicgen.loudness.limit), which lowers
    the loudness a little; the gain is raised by what was lost and the result limited again, up to LOUDNESS_ROUNDS
    times. A last check lowers the gain if the true peak is still over the ceiling (the ceiling always wins over
    the target: a song this dynamic ends slightly below the target).
    """
    measured = integrated_lufs(samples, rate)
    if measured is None:
        return None
    gain_db = target_lufs - measured
    out = samples
    for _ in range(LOUDNESS_ROUNDS):
        out = limit(samples * np.float32(db_to_gain(gain_db)), rate, ceiling_dbtp - 0.1)
        got = integrated_lufs(out, rate)
        if got is None or abs(got - target_lufs) <= LOUDNESS_TOLERANCE_LU:
            break
        gain_db += target_lufs - got
    return _under_ceiling(out, ceiling_dbtp)


def finish_audio(data: bytes, fmt: str, request: FinishRequest, bitrate: int | None = None) -> Finished:
    """A finished copy of an encoded song (`fmt` is its format: mp3, wav, ...); `data` itself is left as it is.

    `bitrate` (bits/s) is the mp3 bitrate to write; by default the original's average, to the nearest the API offers.
    Raises FinishError for a request the song cannot satisfy, soundfile's errors for audio that cannot be decoded.
    """
    samples, rate = decode(data)
    original_s = len(samples) / rate
    head = tail = 0
    if request.trim:
        samples, head, tail = trim_silence(samples, rate)
    samples = apply_fades(samples, rate, request.fade_in_s, request.fade_out_s)
    ext, note = _writable(fmt)
    if ext == "mp3" and not bitrate:
        bitrate = _nearest_bitrate(len(data) * 8 / max(original_s, 1e-3))
    encoded, measured, levelled = _level_and_encode(samples, rate, request.target_lufs, ext, bitrate)
    return Finished(
        data=encoded,
        ext=ext,
        measured=measured,
        duration_s=len(samples) / rate,
        sample_rate=rate,
        trimmed_start_s=head / rate,
        trimmed_end_s=tail / rate,
        levelled=levelled,
        format_note=note,
    )


def finished_name(original: str, request: FinishRequest, ext: str) -> str:
    """'song-demo-engine-20261203-173000.mp3' -> 'song-demo-engine-20261203-173000-finished-14LUFS.mp3'."""
    stem = PurePath(original).stem or "song"
    target = request.target_lufs
    level = f"-{abs(target):g}LUFS" if target is not None else ""
    return f"{stem}-finished{level}.{ext}"


def _writable(fmt: str) -> tuple[str, str]:
    fmt = (fmt or "").lower()
    if fmt == "pcm":
        return "wav", ""  # raw pcm is offered as WAV everywhere in the studio
    if fmt in WRITERS and fmt.upper() in sf.available_formats():
        return fmt, ""
    return "wav", f"WAV: this song's format ({fmt or 'unknown'}) cannot be written here"


def _nearest_bitrate(bps: float) -> int:
    return min(config.BITRATES, key=lambda b: abs(math.log(b / max(bps, 1.0))))


def _write(samples: np.ndarray, rate: int, ext: str, bitrate: int | None) -> bytes:
    container, subtype = WRITERS[ext]
    extra = {}
    if ext == "mp3":
        level = mp3_compression_level(rate, max(bitrate or config.DEFAULT_BITRATE, MP3_MIN_BITRATE))
        extra = {"bitrate_mode": "CONSTANT", "compression_level": level}
    buf = io.BytesIO()
    sf.write(buf, np.clip(samples, -1.0, 1.0), rate, subtype=subtype, format=container, **extra)
    return buf.getvalue()


def _level_and_encode(
    samples: np.ndarray, rate: int, target_lufs: float | None, ext: str, bitrate: int | None
) -> tuple[bytes, Measured, bool]:
    """Level (when a target is given), encode, decode and measure: (file, its measurement, levelled).

    An encoder changes the level a little (an mp3's overs and its filtering), so the written file is measured: when
    its true peak is over the ceiling, it is levelled again under a ceiling lowered by the excess; when its loudness
    is off the target by more than ENCODED_TOLERANCE_LU, levelled again to a target moved by the error. After
    _ENCODE_TRIES the gain itself is lowered to meet the ceiling, which wins over the target.
    """
    margin, aim = 0.0, target_lufs
    for attempt in range(_ENCODE_TRIES + 1):
        levelled = samples if aim is None else to_loudness(samples, rate, aim, TRUE_PEAK_CEILING_DBTP - margin)
        data = _write(samples if levelled is None else levelled, rate, ext, bitrate)
        measured = measure(*decode(data))
        if aim is None or levelled is None or target_lufs is None:
            break
        over = (measured.true_peak_dbtp or -math.inf) - TRUE_PEAK_CEILING_DBTP
        off = target_lufs - (measured.lufs if measured.lufs is not None else target_lufs)
        if over <= 0 and abs(off) <= ENCODED_TOLERANCE_LU:
            break
        if attempt >= _ENCODE_TRIES - 1:  # the last try: lower the gain until the ceiling holds
            if over <= 0:
                break
            samples, aim = levelled * np.float32(db_to_gain(-(over + 0.05))), None
        else:
            margin += over + 0.05 if over > 0 else 0.0
            aim += off
    return data, measured, levelled is not None


def _under_ceiling(samples: np.ndarray, ceiling_dbtp: float) -> np.ndarray:
    peak = true_peak_dbtp(samples)
    if peak is None or peak <= ceiling_dbtp:
        return samples
    return samples * np.float32(db_to_gain(ceiling_dbtp - peak))
