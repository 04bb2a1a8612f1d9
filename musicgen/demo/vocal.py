"""The lead voice: a vibrato sawtooth through vowel formants, one note per syllable."""

from __future__ import annotations

import numpy as np

from .harmony import midi_to_hz
from .instruments import band_noise

# (frequency Hz, bandwidth Hz, gain) for the first three formants of each vowel (average adult voice).
FORMANTS: dict[str, tuple[tuple[float, float, float], ...]] = {
    "a": ((800, 90, 1.0), (1200, 110, 0.55), (2600, 160, 0.22)),
    "e": ((480, 70, 1.0), (1900, 110, 0.45), (2600, 160, 0.25)),
    "i": ((320, 60, 1.0), (2300, 120, 0.38), (3000, 170, 0.25)),
    "o": ((520, 80, 1.0), (900, 90, 0.5), (2500, 160, 0.15)),
    "u": ((360, 70, 1.0), (800, 90, 0.35), (2300, 160, 0.12)),
}


_LEVEL = 0.25  # RMS of a sung syllable before the mix gain


def _fast_size(n: int) -> int:
    return 1 << int(np.ceil(np.log2(max(n, 64))))


def _formant_response(freqs: np.ndarray, vowel: str) -> np.ndarray:
    """Magnitude response of parallel resonators (Lorentzian peaks) for a vowel."""
    response = np.zeros_like(freqs)
    for centre, width, gain in FORMANTS.get(vowel, FORMANTS["a"]):
        response += gain / (1.0 + ((freqs - centre) / (0.5 * width)) ** 2)
    # Gentle roll-off above the formants so the buzz of the sawtooth does not hiss.
    return response / (1.0 + (freqs / 4500.0) ** 4)


def sing(pitch: float, n: int, sr: int, vowel: str, consonant: bool, rng: np.random.Generator) -> np.ndarray:
    """One sung syllable of n frames at a MIDI pitch."""
    t = np.arange(n) / sr
    f0 = float(midi_to_hz(pitch))
    # Singers scoop into a note and add vibrato only once it is held.
    scoop = -0.4 * np.exp(-t / 0.035)
    vibrato = 0.28 * np.clip((t - 0.18) / 0.25, 0.0, 1.0) * np.sin(2 * np.pi * 5.4 * t + rng.uniform(0, 6.28))
    freq = f0 * 2.0 ** ((scoop + vibrato) / 12.0)
    phase = np.cumsum(freq) / sr
    source = 2.0 * (phase % 1.0) - 1.0
    attack = min(n // 3, int(0.03 * sr))
    release = min(n // 3, int(0.07 * sr))
    env = np.ones(n)
    env[:attack] = np.linspace(0.0, 1.0, attack, endpoint=False)
    env[n - release :] = np.linspace(1.0, 0.0, release)
    size = _fast_size(n + 512)  # zero padding so the resonators' ring does not wrap around
    spectrum = np.fft.rfft(source * env, size)
    spectrum *= _formant_response(np.fft.rfftfreq(size, 1.0 / sr), vowel)
    voice = np.fft.irfft(spectrum, size)[:n]
    # Equal loudness whatever the vowel or register (formants pass more or fewer harmonics).
    voice *= _LEVEL / (np.sqrt(np.mean(voice**2)) + 1e-9)
    if consonant:
        burst = min(n, int(0.03 * sr))
        voice[:burst] += band_noise(burst, sr, 2500, 8000, rng) * np.linspace(0.12, 0.0, burst)
    return voice
