"""Loudness (ITU-R BS.1770 via pyloudnorm), true peak (4x oversampled) and the limiter, on signals whose answer is
known from theory."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from musicgen import loudness

RATE = 48000


def sine(freq: float, amplitude: float, seconds: float = 5.0, rate: int = RATE, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def taper(x: np.ndarray, rate: int = RATE) -> np.ndarray:
    """10 ms raised-cosine edges, so an abrupt start does not ring in the interpolation filter."""
    n = int(0.01 * rate)
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)
    y = x.copy()
    y[:n] *= ramp
    y[-n:] *= ramp[::-1]
    return y


@pytest.mark.parametrize("dbfs", [0.0, -6.02, -20.0])
def test_a_1khz_sine_in_one_channel_measures_3_db_below_its_peak_level(dbfs):
    # BS.1770's calibration: a 0 dBFS 1 kHz sine in one channel reads -3.01 LKFS; 997 Hz avoids sample-rate alignment.
    x = sine(997, 10 ** (dbfs / 20))
    assert loudness.integrated_lufs(x, RATE) == pytest.approx(dbfs - 3.01, abs=0.1)


def test_the_same_sine_in_both_channels_is_3_db_louder_than_in_one():
    x = sine(997, 0.5)
    mono = loudness.integrated_lufs(x, RATE)
    stereo = loudness.integrated_lufs(np.stack([x, x], axis=1), RATE)
    assert stereo - mono == pytest.approx(3.01, abs=0.05)


def test_true_peak_finds_the_peak_between_samples():
    # A sine at a quarter of the sample rate sampled at 45 degrees: every sample is at 0.707, the wave reaches 1.0.
    x = taper(sine(RATE / 4, 1.0, seconds=1.0, phase=np.pi / 4))
    sample_peak = 20 * np.log10(np.abs(x).max())
    assert sample_peak == pytest.approx(-3.01, abs=0.01)
    assert loudness.true_peak_dbtp(x) == pytest.approx(0.0, abs=0.1)


def test_true_peak_of_a_low_tone_equals_its_level():
    assert loudness.true_peak_dbtp(taper(sine(440, 0.25))) == pytest.approx(-12.04, abs=0.02)


def test_silence_and_very_short_audio_have_no_loudness():
    assert loudness.measure(np.zeros((RATE, 2), np.float32), RATE) == loudness.Measured(None, None)
    short = sine(997, 0.5, seconds=0.3)
    assert loudness.integrated_lufs(short, RATE) is None
    assert loudness.true_peak_dbtp(short) == pytest.approx(-6.02, abs=0.05)


def test_measure_file_reads_an_encoded_file_and_never_raises_on_garbage():
    buf = io.BytesIO()
    sf.write(buf, np.stack([sine(997, 0.5)] * 2, axis=1), RATE, format="WAV", subtype="PCM_16")
    facts = loudness.measure_file(buf.getvalue())
    assert facts["loudness_lufs"] == pytest.approx(-6.0, abs=0.15)
    assert facts["true_peak_dbtp"] == pytest.approx(-6.0, abs=0.05)
    assert loudness.measure_file(b"not audio at all") == {}


def test_the_limiter_holds_peaks_under_the_ceiling_and_leaves_quiet_parts_alone():
    quiet = sine(220, 0.1, seconds=2.0)
    burst = sine(1000, 1.8, seconds=0.2)  # +5 dBFS: over the ceiling by 6 dB
    x = np.concatenate([quiet, burst, quiet])
    y = loudness.limit(x, RATE, -1.0)
    assert loudness.true_peak_dbtp(y) <= -1.0 + 0.05
    # A second away from the burst the gain is back to 1: the quiet tone is unchanged.
    np.testing.assert_allclose(y[:RATE, 0], x[:RATE], atol=1e-6)
    np.testing.assert_allclose(y[-RATE:, 0], x[-RATE:], atol=1e-6)
    np.testing.assert_array_equal(loudness.limit(quiet, RATE)[:, 0], quiet)  # under the ceiling: untouched
