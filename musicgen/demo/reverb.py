"""A small stereo room: FFT convolution with a decaying, decorrelated noise impulse response."""

from __future__ import annotations

import numpy as np

from .instruments import band_noise


class Reverb:
    """Convolution reverb for a send bus; spectra of the impulse response are cached per FFT size."""

    def __init__(self, sample_rate: int, rng: np.random.Generator, seconds: float = 1.2) -> None:
        n = int(seconds * sample_rate)
        t = np.arange(n) / sample_rate
        decay = np.exp(-t * 6.9 / seconds)  # -60 dB after `seconds`
        # Independent noise per channel makes the tail wide; the band limits keep it from hissing.
        ir = np.stack([band_noise(n, sample_rate, 180.0, 6500.0, rng) * decay for _ in range(2)])
        ir[:, : int(0.018 * sample_rate)] = 0.0  # pre-delay keeps the dry attack clear
        ir /= np.sqrt(np.sum(ir**2, axis=1, keepdims=True))
        self.ir = ir
        self._spectra: dict[int, np.ndarray] = {}

    @property
    def length(self) -> int:
        """Impulse response length in frames."""
        return self.ir.shape[1]

    def apply(self, send: np.ndarray) -> np.ndarray:
        """Wet signal (2, n + length - 1) for a (2, n) send."""
        out_len = send.shape[1] + self.length - 1
        size = 1 << int(np.ceil(np.log2(out_len)))
        spectrum = self._spectra.get(size)
        if spectrum is None:
            spectrum = self._spectra[size] = np.fft.rfft(self.ir, size, axis=1)
        return np.fft.irfft(np.fft.rfft(send, size, axis=1) * spectrum, size, axis=1)[:, :out_len]
