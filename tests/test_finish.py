"""Finished copies: loudness targets under the true-peak ceiling, trimmed silent ends, fades, names, formats."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from pydantic import ValidationError

from musicgen import finish, loudness
from musicgen.audio import mp3_compression_level
from musicgen.finish import FinishError, FinishRequest

RATE = 44100


def tone(seconds: float, amplitude: float, freq: float = 330.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def music(seconds: float = 8.0, peak_dbfs: float = -12.0) -> np.ndarray:
    """A dynamic stereo 'song': a soft chord with short plucks twice a second whose peaks stand ~19 dB above its
    loudness (a plain boost to -14 LUFS would clip), scaled to the given sample peak."""
    t = np.arange(int(seconds * RATE)) / RATE
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 3
    plucks = np.exp(-80 * (t % 0.5)) * np.sin(2 * np.pi * 880 * t)
    song = np.stack([chord + 8 * plucks, chord + 6.4 * plucks], axis=1)
    return (song / np.abs(song).max() * 10 ** (peak_dbfs / 20)).astype(np.float32)


def encode(samples: np.ndarray, fmt: str = "WAV") -> bytes:
    """16-bit WAV, or an mp3 at 256 kbps like the API's default (compression level 0.2 in libsndfile's scale)."""
    buf = io.BytesIO()
    extra = {"bitrate_mode": "CONSTANT", "compression_level": 0.2} if fmt == "MP3" else {}
    sf.write(buf, samples, RATE, format=fmt, subtype="PCM_16" if fmt == "WAV" else None, **extra)
    return buf.getvalue()


def decoded(done: finish.Finished) -> np.ndarray:
    samples, rate = loudness.decode(done.data)
    assert rate == RATE
    return samples


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_a_boost_to_streaming_loudness_hits_minus_14_and_never_clips(fmt):
    song = music()
    source = encode(song, fmt.upper())
    before = loudness.measure(*loudness.decode(source))
    assert before.lufs < -28 and before.true_peak_dbtp > -13  # quiet, with peaks: a plain +15 dB boost would clip

    done = finish.finish_audio(source, fmt, FinishRequest(loudness="streaming", trim=False))
    samples = decoded(done)  # measured on the file as written, decoded again
    assert done.ext == fmt and not done.format_note
    assert loudness.integrated_lufs(samples, RATE) == pytest.approx(-14.0, abs=0.5)
    assert loudness.true_peak_dbtp(samples) <= -1.0
    assert done.measured.lufs == pytest.approx(loudness.integrated_lufs(samples, RATE), abs=0.01)
    assert len(samples) == len(loudness.decode(source)[0])  # nothing trimmed: trim was off


def test_broadcast_loudness_turns_a_loud_song_down_without_limiting():
    song = music(peak_dbfs=-1.0)  # about -20 LUFS
    done = finish.finish_audio(encode(song), "wav", FinishRequest(loudness="broadcast", trim=False))
    samples = decoded(done)
    assert loudness.integrated_lufs(samples, RATE) == pytest.approx(-23.0, abs=0.5)
    # A pure gain change: the finished copy is the original scaled (PCM_16 rounding aside).
    gain = np.abs(samples).max() / np.abs(song).max()
    np.testing.assert_allclose(samples, song * gain, atol=2e-4)


def test_as_generated_keeps_the_level():
    song = music()
    done = finish.finish_audio(encode(song), "wav", FinishRequest(loudness="as_generated", trim=False))
    np.testing.assert_allclose(decoded(done), song, atol=1e-4)
    assert done.levelled


def test_trim_removes_the_silent_ends_but_keeps_quiet_music_and_short_gaps():
    quiet_intro = tone(1.0, 10 ** (-50 / 20))  # -50 dBFS: quiet music, above the -60 dBFS threshold
    gap = np.zeros(int(0.05 * RATE), np.float32)  # 50 ms: shorter than the 0.1 s minimum, part of the song
    body = tone(2.0, 0.3)
    mono = np.concatenate([np.zeros(RATE, np.float32), quiet_intro, gap, body, np.zeros(2 * RATE, np.float32)])
    samples, head, tail = finish.trim_silence(mono[:, None], RATE)
    # The 1 s and 2 s of silence went (and the few samples where the tones start from zero, under the threshold).
    assert RATE <= head <= RATE + 10 and 2 * RATE <= tail <= 2 * RATE + 10
    kept = np.concatenate([quiet_intro, gap, body])
    np.testing.assert_array_equal(samples[:, 0], kept[head - RATE : len(kept) - (tail - 2 * RATE)])

    short = np.concatenate([np.zeros(int(0.05 * RATE), np.float32), body])[:, None]
    assert finish.trim_silence(short, RATE)[1:] == (0, 0)  # 50 ms at the start is the song's timing, kept
    silent = np.zeros((RATE, 2), np.float32)
    assert len(finish.trim_silence(silent, RATE)[0]) == RATE  # nothing to tell apart: nothing trimmed


def test_a_finished_copy_reports_what_was_trimmed():
    stereo = np.concatenate([np.zeros((RATE // 2, 2)), music(4.0), np.zeros((RATE, 2))]).astype(np.float32)
    done = finish.finish_audio(encode(stereo), "wav", FinishRequest(loudness="as_generated", trim=True))
    assert done.trimmed_start_s == pytest.approx(0.5, abs=0.01)
    assert done.trimmed_end_s == pytest.approx(1.0, abs=0.05)
    assert done.duration_s == pytest.approx(4.0, abs=0.05)
    assert len(decoded(done)) / RATE == pytest.approx(done.duration_s, abs=1e-3)


def test_fades_shape_the_envelope():
    flat = np.ones((4 * RATE, 2), np.float32) * 0.5
    out = finish.apply_fades(flat, RATE, 1.0, 2.0)
    env = out[:, 0]
    assert env[0] == 0.0 and env[-1] == 0.0
    assert env[RATE // 2] == pytest.approx(0.25, abs=1e-3)  # halfway into the 1 s fade in: half level
    assert env[RATE] == pytest.approx(0.5) and env[2 * RATE - 1] == pytest.approx(0.5)  # full level between fades
    assert env[3 * RATE] == pytest.approx(0.25, abs=1e-3)  # halfway through the 2 s fade out
    assert np.all(np.diff(env[:RATE]) > 0) and np.all(np.diff(env[2 * RATE :]) < 0)
    np.testing.assert_array_equal(out[:, 0], out[:, 1])  # both channels alike


def test_fades_longer_than_the_song_are_refused_naming_the_fields():
    with pytest.raises(FinishError, match=r"fade_in_s \+ fade_out_s.*2\.0 s"):
        finish.apply_fades(np.ones((2 * RATE, 1), np.float32), RATE, 1.5, 1.0)


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [("fade_in_s", -1, "greater than or equal to 0"), ("fade_out_s", 31, "less than or equal to 30"),
     ("loudness", "louder", "as_generated")],
)  # fmt: skip
def test_bad_settings_are_refused_naming_the_field_and_the_limit(field, value, limit):
    with pytest.raises(ValidationError) as err:
        FinishRequest(**{field: value})
    assert field in str(err.value) and limit in str(err.value)


def test_a_silent_song_cannot_be_levelled_and_says_so():
    done = finish.finish_audio(encode(np.zeros((RATE, 2), np.float32)), "wav", FinishRequest(loudness="streaming"))
    assert not done.levelled and done.measured.lufs is None


def test_a_format_soundfile_cannot_write_here_becomes_wav_and_says_why():
    done = finish.finish_audio(encode(music(2.0), "FLAC"), "flac", FinishRequest(trim=False))
    assert done.ext == "wav" and "WAV" in done.format_note and "flac" in done.format_note
    assert sf.info(io.BytesIO(done.data)).format == "WAV"


def test_the_name_says_finished_and_the_target():
    assert (
        finish.finished_name("song-demo-engine-1.mp3", FinishRequest(), "mp3")
        == "song-demo-engine-1-finished-14LUFS.mp3"
    )
    assert finish.finished_name("a.mp3", FinishRequest(loudness="broadcast"), "wav") == "a-finished-23LUFS.wav"
    assert finish.finished_name("a.wav", FinishRequest(loudness="as_generated"), "wav") == "a-finished.wav"


@pytest.mark.parametrize("kbps", [32, 128, 256])
def test_an_mp3_copy_keeps_the_length_to_the_sample_at_every_bitrate_the_api_offers(kbps):
    buf = io.BytesIO()
    level = mp3_compression_level(RATE, kbps * 1000)
    sf.write(buf, music(3.0), RATE, format="MP3", bitrate_mode="CONSTANT", compression_level=level)
    source = buf.getvalue()
    done = finish.finish_audio(source, "mp3", FinishRequest(loudness="broadcast", trim=False))
    assert len(decoded(done)) == len(loudness.decode(source)[0])  # what the song decodes to, not a frame more


@pytest.mark.parametrize("bitrate", [64000, 128000, 256000])
def test_an_mp3_copy_is_written_at_the_bitrate_asked_for(bitrate):
    done = finish.finish_audio(encode(music(4.0), "MP3"), "mp3", FinishRequest(trim=False), bitrate=bitrate)
    assert sf.info(io.BytesIO(done.data)).format == "MP3"
    kbps = len(done.data) * 8 / len(decoded(done)) * RATE
    assert kbps == pytest.approx(bitrate, rel=0.1)  # the measured table in audio.py, as every mp3 encoder here uses
