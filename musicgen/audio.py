"""Audio helpers: wrap raw PCM as WAV, read facts from encoded audio, check a reference track before upload."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf

from . import config

# libsndfile maps compression_level to LAME's CBR bitrate non-linearly (measured with libsndfile 1.2.2); these
# levels land on the requested rate. MPEG-2 (16/24 kHz) tops out at 160 kbps, so 256k asks for the maximum.
_MP3_LEVELS = {
    "mpeg1": {32000: 0.99, 64000: 0.88, 128000: 0.65, 256000: 0.2},
    "mpeg2": {32000: 0.84, 64000: 0.62, 128000: 0.2, 256000: 0.0},
}


def mp3_compression_level(sample_rate: int, bitrate: int) -> float:
    """The libsndfile compression level that gives roughly `bitrate` bps at `sample_rate`."""
    table = _MP3_LEVELS["mpeg1" if sample_rate >= 32000 else "mpeg2"]
    nearest = min(table, key=lambda b: abs(b - bitrate))
    return table[nearest]


def wav_to_mp3(wav: bytes, bitrate: int = config.DEFAULT_BITRATE) -> bytes:
    """Encode a WAV file as a constant-bitrate mp3 here, with libsndfile (for backends that answer only WAV)."""
    with sf.SoundFile(io.BytesIO(wav)) as src:
        rate, channels = src.samplerate, src.channels
        out = io.BytesIO()
        level = mp3_compression_level(rate, bitrate)
        with sf.SoundFile(
            out, "w", rate, channels, format="MP3", compression_level=level, bitrate_mode="CONSTANT"
        ) as dst:
            for block in src.blocks(blocksize=65536, dtype="float32", always_2d=True):
                dst.write(block)
    return out.getvalue()


STREAMING_SIZE = 0xFFFFFFFF  # a WAV size field that means "until the data ends" to players reading a stream


def wav_header(frames: int | None, sample_rate: int, channels: int, bits: int = 16) -> bytes:
    """A 44-byte RIFF/WAVE header for `frames` frames of little-endian integer PCM (None: a stream of unknown
    length, whose size fields say so)."""
    block = channels * bits // 8
    data_len = STREAMING_SIZE if frames is None else frames * block
    riff_len = STREAMING_SIZE if frames is None else 36 + data_len
    return b"RIFF" + struct.pack(
        "<I4s4sIHHIIHH4sI",
        riff_len, b"WAVE", b"fmt ", 16, 1, channels, sample_rate, sample_rate * block, block, bits,
        b"data", data_len,
    )  # fmt: skip


def pcm_to_wav(pcm: bytes, sample_rate: int, channels: int) -> bytes:
    """Raw 16-bit little-endian PCM (what the API sends for format 'pcm') wrapped as a playable WAV file."""
    frames = len(pcm) // (2 * channels)
    return wav_header(frames, sample_rate, channels) + pcm[: frames * 2 * channels]


@dataclass(frozen=True)
class AudioInfo:
    """What decoding an audio file tells about it."""

    duration_s: float
    sample_rate: int
    channels: int


def probe(data: bytes) -> AudioInfo:
    """Decode the header of an encoded file (wav, mp3, flac, ogg); raises sf.LibsndfileError if it cannot."""
    with sf.SoundFile(io.BytesIO(data)) as f:
        frames = f.frames
        if frames <= 0 or frames >= 2**62:  # some decoders cannot tell the length without reading it all
            frames = sum(len(b) for b in f.blocks(blocksize=65536))
        return AudioInfo(frames / f.samplerate, f.samplerate, f.channels)


class ReferenceError(ValueError):
    """A local reference track that the cover endpoints would refuse."""


def check_reference(path: str | Path) -> tuple[bytes, AudioInfo]:
    """Read a local reference track and check it before upload: decodable, 6 s – 6 min, at most 50 MB."""
    p = Path(path)
    if not p.is_file():
        raise ReferenceError(f"reference file not found: {p}")
    size = p.stat().st_size
    if size > config.REFERENCE_MAX_BYTES:
        raise ReferenceError(
            f"reference file is {size / 2**20:.1f} MB; the limit is {config.REFERENCE_MAX_BYTES // 2**20} MB"
        )
    data = p.read_bytes()
    try:
        info = probe(data)
    except Exception as exc:  # libsndfile reports many kinds of unreadable input
        raise ReferenceError(
            f"reference file {p.name} could not be decoded as audio (mp3, wav, flac or ogg): {exc}"
        ) from None
    lo, hi = config.REFERENCE_MIN_SECONDS, config.REFERENCE_MAX_SECONDS
    if not lo <= info.duration_s <= hi:
        raise ReferenceError(
            f"reference track is {info.duration_s:.1f} s long; it must be {lo:.0f} s – {hi / 60:.0f} min"
        )
    return data, info
