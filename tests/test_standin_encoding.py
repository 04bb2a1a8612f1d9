"""Encoding rendered blocks: wav headers written up front, raw pcm, progressively streamed mp3, the cache."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
import soundfile as sf

from musicgen.standin.encoding import (
    EncodedAudio,
    EncodingCache,
    conform,
    encode_blocks,
    mp3_compression_level,
    probe_duration,
    probe_format,
    wav_header,
)


def tone_blocks(seconds: float, rate: int, channels: int, block_s: float = 0.5) -> list[np.ndarray]:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.3 * np.sin(2 * np.pi * 440 * t)).astype("float32")
    audio = np.repeat(mono[:, None], channels, axis=1)
    step = int(block_s * rate)
    return [audio[i : i + step] for i in range(0, len(audio), step)]


def test_wav_header_matches_what_soundfile_writes():
    frames, rate = 1000, 16000
    header = wav_header(frames, rate, 2)
    assert len(header) == 44 and header[:4] == b"RIFF" and header[8:16] == b"WAVEfmt "
    assert struct.unpack("<I", header[40:44])[0] == frames * 2 * 2
    data = b"".join(encode_blocks(iter(tone_blocks(1.0, rate, 2)), "wav", rate, rate, 2, 256000))
    y, got_rate = sf.read(io.BytesIO(data))
    assert got_rate == rate and y.shape == (rate, 2)


def test_pcm_is_headerless_int16():
    blocks = [np.array([[1.0], [-1.0], [0.5], [2.0]], "float32")]
    data = b"".join(encode_blocks(iter(blocks), "pcm", 4, 16000, 1, 256000))
    assert np.frombuffer(data, "<i2").tolist() == [32767, -32767, 16384, 32767]


def test_mp3_streams_piece_by_piece_and_the_pieces_make_one_playable_file():
    rate, seconds = 44100, 6.0
    pieces = list(encode_blocks(iter(tone_blocks(seconds, rate, 2)), "mp3", int(seconds * rate), rate, 2, 128000))
    assert len(pieces) >= 10  # bytes leave after (nearly) every block, not all at the end
    data = b"".join(pieces)
    assert data[:2] == b"\xff\xfb" and any(data[4:40])  # no zeroed LAME/Xing placeholder frame up front
    y, got_rate = sf.read(io.BytesIO(data))
    assert got_rate == rate and abs(len(y) / rate - seconds) < 0.1
    assert abs(len(data) * 8 / seconds - 128000) < 128000 * 0.1
    first, _ = sf.read(io.BytesIO(pieces[0]))
    assert len(first) > 0


@pytest.mark.parametrize(("rate", "bitrate"), [(16000, 32000), (24000, 64000), (32000, 128000), (44100, 256000)])
def test_mp3_bitrate_roughly_follows_the_request(rate, bitrate):
    rng = np.random.default_rng(1)
    blocks = [(0.1 * rng.standard_normal((rate * 3, 2))).astype("float32")]
    data = b"".join(encode_blocks(iter(blocks), "mp3", rate * 3, rate, 2, bitrate))
    expected = min(bitrate, 160000) if rate < 32000 else bitrate  # MPEG-2 rates top out at 160 kbps
    assert abs(len(data) * 8 / 3 - expected) < expected * 0.15
    assert 0.0 <= mp3_compression_level(rate, bitrate) < 1.0


def test_conform_fixes_length_and_channels():
    blocks = [np.ones((3, 2), "float32"), np.ones(4, "float32")]
    out = list(conform(iter(blocks), 10, 1))
    assert sum(len(b) for b in out) == 10 and all(b.shape[1] == 1 for b in out)
    out = list(conform(iter([np.ones((8, 1), "float32")]), 5, 2))
    assert [b.shape for b in out] == [(5, 2)]


def test_probes():
    buf = io.BytesIO()
    sf.write(buf, np.zeros((24000, 2), "float32"), 16000, format="WAV")
    assert probe_duration(buf.getvalue()) == pytest.approx(1.5)
    assert probe_format(buf.getvalue()) == (16000, 2, 1500)
    assert probe_duration(b"garbage") is None and probe_format(b"garbage") is None


def test_cache_is_lru():
    cache = EncodingCache(size=2)
    item = EncodedAudio(b"x", "mp3", 44100, 2, 1000)
    cache.put("a", item)
    cache.put("b", item)
    assert cache.get("a") is item
    cache.put("c", item)
    assert cache.get("b") is None and cache.get("a") is item and len(cache) == 2
