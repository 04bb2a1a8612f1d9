"""Measured loudness and true peak of a song, and the true-peak limiter a loudness boost goes through.

Integrated loudness follows ITU-R BS.1770-4 (K-weighting; 400 ms blocks overlapping by 75 %; an absolute gate at
-70 LUFS and a relative gate 10 LU below the ungated level), as computed by pyloudnorm: a well-kept implementation of
the standard is worth more than our own filter code. True peak follows the standard's Annex 2: the signal is
oversampled TRUE_PEAK_OVERSAMPLING times (zero-stuffing and a 49-tap Kaiser-windowed low-pass FIR, run by scipy's
upfirdn) and the largest absolute value of the oversampled signal, in dB, is the true peak (dBTP). A sample peak
misses the overs that appear between samples when a file is converted or played back: a sine at a quarter of the
sample rate whose samples fall at 45 degrees reads -3.0 dBFS sample peak and 0.0 dBTP here (tests/test_loudness.py).
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyloudnorm
import soundfile as sf
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, upfirdn

log = logging.getLogger(__name__)

TRUE_PEAK_OVERSAMPLING = 4  # BS.1770-4 Annex 2: at least 4x for 48 kHz material
TRUE_PEAK_CEILING_DBTP = -1.0  # the highest true peak a finished copy may have, so a boost never clips
BLOCK_S = 0.4  # BS.1770 gating block: shorter audio has no integrated loudness
LIMITER_RAMP_S = 0.05  # how fast the limiter's gain falls before a peak and recovers after it
_CHUNK = 1 << 18  # frames oversampled at a time: bounded memory for long songs
_TAPS = 49  # odd: a whole-sample delay of 24 oversampled samples (6 frames); flat within 0.01 dB to 19 kHz at 44.1 kHz
_FILTER = (firwin(_TAPS, 1 / TRUE_PEAK_OVERSAMPLING, window=("kaiser", 8.0)) * TRUE_PEAK_OVERSAMPLING).astype(
    np.float32
)
_PAD = 16  # frames of context on each side of a chunk (the filter reaches 6)


@dataclass(frozen=True)
class Measured:
    """Integrated loudness (LUFS) and true peak (dBTP); None when there is nothing to measure (silence, < 0.4 s)."""

    lufs: float | None
    true_peak_dbtp: float | None

    def metadata(self) -> dict[str, float | None]:
        """As stored with a song and shown on its card, to a tenth of a dB."""
        return {
            "loudness_lufs": None if self.lufs is None else round(self.lufs, 1),
            "true_peak_dbtp": None if self.true_peak_dbtp is None else round(self.true_peak_dbtp, 1),
        }


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Samples as float32 (frames, channels) and the sample rate of an encoded file (wav, mp3, flac, ogg)."""
    samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    return samples, int(rate)


def db_to_gain(db: float) -> float:
    """A level change in dB as an amplitude factor."""
    return 10.0 ** (db / 20.0)


def integrated_lufs(samples: np.ndarray, rate: int) -> float | None:
    """Integrated loudness per ITU-R BS.1770-4 (pyloudnorm), or None for silence or audio shorter than a block."""
    x = _frames(samples)[:, :5]  # the standard weighs at most 5 channels (L, R, C, Ls, Rs)
    if len(x) <= BLOCK_S * rate:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyloudnorm warns on clipping-looking input; we only measure
        value = float(pyloudnorm.Meter(rate).integrated_loudness(x))
    return value if math.isfinite(value) else None


def true_peak_envelope(samples: np.ndarray) -> np.ndarray:
    """Per frame, the largest absolute value over all channels of the 4x oversampled signal from that frame on."""
    x = _frames(samples)
    envelope = np.zeros(len(x), dtype=np.float32)
    for ch in range(x.shape[1]):
        np.maximum(envelope, _oversampled_peaks(x[:, ch]), out=envelope)
    return envelope


def true_peak_dbtp(samples: np.ndarray) -> float | None:
    """The true peak in dBTP (4x oversampled), or None for digital silence."""
    peak = float(true_peak_envelope(samples).max(initial=0.0))
    return 20.0 * math.log10(peak) if peak > 0 else None


def measure(samples: np.ndarray, rate: int) -> Measured:
    """Integrated loudness and true peak of decoded samples."""
    return Measured(integrated_lufs(samples, rate), true_peak_dbtp(samples))


def measure_file(data: bytes) -> dict[str, Any]:
    """The loudness facts a result card shows ({} when the audio cannot be decoded): never raises, a song is kept
    and shown whatever its measurement does."""
    try:
        return measure(*decode(data)).metadata()
    except Exception as exc:  # noqa: BLE001 - a cut-off stream or an odd file must not cost the visitor the song
        log.warning("Could not measure the loudness of a result: %s", exc)
        return {}


def limit(samples: np.ndarray, rate: int, ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP) -> np.ndarray:
    """Lower the gain around every true peak above the ceiling, with LIMITER_RAMP_S ramps; quieter audio is kept.

    The gain is a hold-then-smooth envelope: per frame the gain that frame needs, held by a running minimum over
    ±ramp, then smoothed by two box filters of one ramp each. A frame's gain only averages held values within one
    ramp of it, all of which include its own need, so no frame ends above the ceiling (up to the interpolation
    filter's few frames of reach, which the caller's final check covers).
    """
    x = _frames(samples)
    ceiling = db_to_gain(ceiling_dbtp)
    envelope = true_peak_envelope(x)
    if float(envelope.max(initial=0.0)) <= ceiling:
        return x
    need = np.minimum(
        np.float32(1.0), np.float32(ceiling) / np.maximum(envelope, np.float32(1e-12))
    )  # float32: half the memory
    ramp = max(1, int(LIMITER_RAMP_S * rate)) | 1  # odd: the box filters stay centred
    held = minimum_filter1d(need, size=2 * ramp + 1, mode="nearest")
    gain = uniform_filter1d(uniform_filter1d(held, ramp, mode="nearest"), ramp, mode="nearest")
    return (x * gain[:, None]).astype(np.float32)


def _frames(samples: np.ndarray) -> np.ndarray:
    return samples[:, None] if samples.ndim == 1 else samples


def _oversampled_peaks(channel: np.ndarray) -> np.ndarray:
    """Per frame, max |x| over the TRUE_PEAK_OVERSAMPLING interpolated points from that frame to the next."""
    n, k, delay = len(channel), TRUE_PEAK_OVERSAMPLING, (_TAPS - 1) // 2
    out = np.empty(n, dtype=np.float32)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        lo, hi = max(0, start - _PAD), min(n, stop + _PAD)
        up = upfirdn(_FILTER, channel[lo:hi].astype(np.float32, copy=False), k)
        first = (start - lo) * k + delay
        part = np.abs(up[first : first + (stop - start) * k])
        peaks = part[0::k]
        for phase in range(1, k):
            np.maximum(peaks, part[phase::k], out=peaks)
        out[start:stop] = peaks
    return out
