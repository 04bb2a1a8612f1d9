"""Synthesized voices: drum kit, bass, 808, piano, pad, strings, guitar, organ, synth lead (all numpy)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .harmony import midi_to_hz

Voice = Callable[[float, int, int], np.ndarray]


def _t(n: int, sr: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) / sr


def _edges(n: int, sr: int, attack: float, release: float) -> np.ndarray:
    """Linear attack and release ramps so notes never click."""
    env = np.ones(n)
    a = min(n // 2, max(1, int(attack * sr)))
    r = min(n - a, max(1, int(release * sr)))
    env[:a] = np.linspace(0.0, 1.0, a, endpoint=False)
    env[n - r :] *= np.linspace(1.0, 0.0, r)
    return env


def _additive(freqs: np.ndarray, amps: np.ndarray, decays: np.ndarray, n: int, sr: int) -> np.ndarray:
    """Sum of decaying sine partials; partials above 0.45·sr are dropped to avoid aliasing."""
    keep = (freqs < 0.45 * sr) & (amps > 0)
    t = _t(n, sr)
    out = np.zeros(n)
    for f, a, d in zip(freqs[keep], amps[keep], decays[keep], strict=True):
        out += a * np.sin(2 * np.pi * f * t) * (np.exp(-t * d) if d > 0 else 1.0)
    return out


def band_noise(n: int, sr: int, low: float, high: float, rng: np.random.Generator) -> np.ndarray:
    """White noise band-limited in the frequency domain (no IIR filters needed)."""
    size = max(2, n)
    spec = rng.standard_normal(size // 2 + 1) + 1j * rng.standard_normal(size // 2 + 1)
    freqs = np.fft.rfftfreq(size, 1.0 / sr)
    spec[(freqs < low) | (freqs > min(high, 0.48 * sr))] = 0.0
    out = np.fft.irfft(spec, size)[:n]
    peak = np.max(np.abs(out)) or 1.0
    return out / peak


# ---------------------------------------------------------------- drums (rendered once per song)


def drum_kit(sr: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One-shot drum samples at this sample rate; noise comes from the song's generator."""
    kit: dict[str, np.ndarray] = {}
    n = int(0.45 * sr)
    t = _t(n, sr)
    freq = 48.0 + 115.0 * np.exp(-t / 0.035)  # pitch drop gives the kick its thump
    kick = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / 0.16)
    kick[: int(0.004 * sr)] += band_noise(int(0.004 * sr), sr, 1000, 6000, rng) * 0.3
    kit["kick"] = np.tanh(1.6 * kick) * _edges(n, sr, 0.0005, 0.02)
    n = int(0.3 * sr)
    t = _t(n, sr)
    body = (np.sin(2 * np.pi * 185 * t) + 0.5 * np.sin(2 * np.pi * 330 * t)) * np.exp(-t / 0.045)
    snare = 0.55 * body + 0.8 * band_noise(n, sr, 1500, 9000, rng) * np.exp(-t / 0.09)
    kit["snare"] = snare * _edges(n, sr, 0.0005, 0.03)
    clap = band_noise(n, sr, 900, 4000, rng)
    bursts = sum(np.where((t >= d) & (t < d + 0.008), 1.0, 0.0) for d in (0.0, 0.011, 0.022))
    kit["clap"] = clap * (bursts * 0.8 + np.where(t >= 0.022, np.exp(-(t - 0.022) / 0.07), 0.0))
    n = int(0.08 * sr)
    t = _t(n, sr)
    kit["hat"] = band_noise(n, sr, 6500, 16000, rng) * np.exp(-t / 0.014) * _edges(n, sr, 0.0003, 0.01)
    n = int(0.35 * sr)
    t = _t(n, sr)
    kit["open_hat"] = band_noise(n, sr, 5500, 16000, rng) * np.exp(-t / 0.1) * _edges(n, sr, 0.0005, 0.05)
    kit["ride"] = band_noise(n, sr, 4000, 12000, rng) * np.exp(-t / 0.18) * 0.6 + 0.15 * np.sin(
        2 * np.pi * 3150 * t
    ) * np.exp(-t / 0.25)
    n = int(1.6 * sr)
    t = _t(n, sr)
    kit["crash"] = band_noise(n, sr, 3500, 15000, rng) * np.exp(-t / 0.55) * _edges(n, sr, 0.001, 0.2)
    n = int(0.05 * sr)
    t = _t(n, sr)
    kit["rim"] = (band_noise(n, sr, 1500, 5000, rng) * 0.6 + np.sin(2 * np.pi * 1700 * t)) * np.exp(-t / 0.008)
    return kit


# ---------------------------------------------------------------- pitched voices (pitch, frames, sr) → mono


def bass(pitch: float, n: int, sr: int) -> np.ndarray:
    """Round electric/synth bass: a few decaying harmonics."""
    f0 = float(midi_to_hz(pitch))
    k = np.arange(1, 7, dtype=float)
    out = _additive(f0 * k, 1.0 / k**1.3, 0.6 + 1.5 * k, n, sr)
    return np.tanh(1.3 * out) * _edges(n, sr, 0.004, 0.03)


def bass_808(pitch: float, n: int, sr: int) -> np.ndarray:
    """Trap 808: sine with a short downward glide, long decay and saturation."""
    t = _t(n, sr)
    f0 = float(midi_to_hz(pitch))
    freq = f0 * (1.0 + 0.35 * np.exp(-t / 0.03))
    out = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / 1.4)
    return np.tanh(2.2 * out) * 0.8 * _edges(n, sr, 0.002, 0.05)


def piano(pitch: float, n: int, sr: int) -> np.ndarray:
    """Piano-like: slightly inharmonic partials, higher ones dying faster."""
    f0 = float(midi_to_hz(pitch))
    k = np.arange(1, 10, dtype=float)
    freqs = f0 * k * np.sqrt(1.0 + 0.0004 * k**2)
    decay = (0.7 + 0.35 * k) * (f0 / 260.0) ** 0.4
    out = _additive(freqs, 1.0 / k**1.6, decay, n, sr)
    return out * _edges(n, sr, 0.002, 0.08)


def pad(pitch: float, n: int, sr: int) -> np.ndarray:
    """Warm synth pad: two detuned saw-like stacks with a slow swell."""
    f0 = float(midi_to_hz(pitch))
    k = np.arange(1, 9, dtype=float)
    out = np.zeros(n)
    for detune in (0.997, 1.003):
        out += _additive(f0 * detune * k, 0.6 / k**1.4, np.zeros_like(k), n, sr)
    return out * _edges(n, sr, min(0.35, n / sr / 3), min(0.4, n / sr / 3))


def strings(pitch: float, n: int, sr: int) -> np.ndarray:
    """String section: three detuned saw stacks with vibrato and a bowed attack."""
    t = _t(n, sr)
    f0 = float(midi_to_hz(pitch))
    vibrato = 1.0 + 0.004 * np.sin(2 * np.pi * 5.2 * t)
    out = np.zeros(n)
    for detune in (0.996, 1.0, 1.004):
        phase = 2 * np.pi * np.cumsum(f0 * detune * vibrato) / sr
        for k in range(1, 9):
            if k * f0 < 0.45 * sr:
                out += np.sin(k * phase) / k**1.5 * 0.45
    return out * _edges(n, sr, min(0.25, n / sr / 3), min(0.3, n / sr / 3))


def guitar(pitch: float, n: int, sr: int) -> np.ndarray:
    """Plucked string by Karplus-Strong, vectorised one delay-line period at a time."""
    f0 = float(midi_to_hz(pitch))
    period = max(2, int(round(sr / f0)))
    rng = np.random.default_rng(int(pitch * 100) + period)  # fixed excitation per pitch: cacheable
    periods = n // period + 2
    out = np.empty(periods * period)
    out[:period] = rng.uniform(-1.0, 1.0, period)
    out[:period] -= out[:period].mean()
    damping = 0.996 if f0 < 300 else 0.993
    for i in range(1, periods):
        prev = out[(i - 1) * period : i * period]
        before = out[i * period - period - 1] if i > 1 else 0.0
        # y[n] = d·(y[n-N] + y[n-N-1])/2 for a whole period at once: both terms lie in the previous period.
        out[i * period : (i + 1) * period] = damping * 0.5 * (prev + np.concatenate(([before], prev[:-1])))
    return out[:n] * 0.9 * _edges(n, sr, 0.001, 0.05)


def organ(pitch: float, n: int, sr: int) -> np.ndarray:
    """Drawbar organ: steady harmonics with a gentle rotary tremolo."""
    t = _t(n, sr)
    f0 = float(midi_to_hz(pitch))
    k = np.array([1.0, 2.0, 3.0, 4.0, 6.0])
    out = _additive(f0 * k, np.array([1.0, 0.6, 0.4, 0.25, 0.15]), np.zeros(5), n, sr)
    return out * 0.5 * (1.0 + 0.12 * np.sin(2 * np.pi * 6.0 * t)) * _edges(n, sr, 0.008, 0.05)


def lead(pitch: float, n: int, sr: int) -> np.ndarray:
    """Synth lead for solos: square-ish odd harmonics with delayed vibrato."""
    t = _t(n, sr)
    f0 = float(midi_to_hz(pitch))
    depth = 0.006 * np.clip((t - 0.15) / 0.2, 0.0, 1.0)
    phase = 2 * np.pi * np.cumsum(f0 * (1.0 + depth * np.sin(2 * np.pi * 5.5 * t))) / sr
    out = np.zeros(n)
    for k in (1, 3, 5, 7, 9):
        if k * f0 < 0.45 * sr:
            out += np.sin(k * phase) / k
    return out * 0.6 * np.exp(-t * 0.8) * _edges(n, sr, 0.005, 0.04)


VOICES: dict[str, Voice] = {
    "bass": bass,
    "808": bass_808,
    "piano": piano,
    "pad": pad,
    "strings": strings,
    "guitar": guitar,
    "organ": organ,
    "lead": lead,
}


class NoteCache:
    """Memoises rendered notes: songs repeat the same pitches and lengths bar after bar."""

    def __init__(self, sr: int, limit: int = 600) -> None:
        self.sr = sr
        self.limit = limit
        self._notes: dict[tuple[str, float, int], np.ndarray] = {}

    def get(self, voice: str, pitch: float, n: int) -> np.ndarray:
        """The note's samples (rendered on first use)."""
        key = (voice, pitch, n)
        note = self._notes.get(key)
        if note is None:
            if len(self._notes) >= self.limit:
                self._notes.clear()  # bounded memory for very long or varied songs
            note = VOICES[voice](pitch, n, self.sr).astype(np.float32)
            self._notes[key] = note
        return note
