"""Turning rendered float blocks into mp3 / wav / pcm bytes, progressively, plus a small cache of results."""

from __future__ import annotations

import io
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import soundfile as sf

from ..audio import mp3_compression_level

CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav", "pcm": "application/octet-stream"}


@dataclass(frozen=True)
class EncodedAudio:
    """A finished encoding and the facts extra_info reports about it."""

    audio: bytes
    fmt: str
    sample_rate: int
    channels: int
    duration_ms: int


def wav_header(frames: int, sample_rate: int, channels: int) -> bytes:
    """A 44-byte RIFF/WAVE header for 16-bit PCM, written up front so a stream can start before the end is known."""
    data_size = frames * channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_size)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * channels * 2, channels * 2, 16)
        + b"data"
        + struct.pack("<I", data_size)
    )


def to_int16(block: np.ndarray) -> bytes:
    """Little-endian interleaved int16 bytes of a float block in [-1, 1]."""
    clipped = np.clip(block, -1.0, 1.0)
    return (clipped * 32767.0).round().astype("<i2").tobytes()


def conform(blocks: Iterator[np.ndarray], frames: int, channels: int) -> Iterator[np.ndarray]:
    """Yield float32 (n, channels) blocks totalling exactly `frames`, whatever the renderer produced."""
    # The wav header is sent before the audio, so a renderer that over- or under-shoots must not corrupt the file.
    remaining = frames
    for block in blocks:
        if remaining <= 0:
            break
        arr = np.asarray(block, dtype=np.float32)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.shape[1] != channels:
            arr = arr.mean(axis=1, keepdims=True) if channels == 1 else np.repeat(arr[:, :1], channels, axis=1)
        arr = arr[:remaining]
        remaining -= len(arr)
        yield arr
    if remaining > 0:
        yield np.zeros((remaining, channels), dtype=np.float32)


class _AppendOnlySink:
    """A file-like target for libsndfile that hands out bytes as they are written."""

    # libsndfile's MP3 writer first writes a placeholder LAME/Xing frame (header + zeros), then at close seeks back
    # to fill it. Bytes already streamed cannot be rewritten, so the placeholder is dropped and seeks are ignored
    # (tell() stays at the end, which makes libsndfile skip the rewrite). Decoders then read plain CBR frames.

    def __init__(self) -> None:
        self._pending = bytearray()
        self._end = 0
        self._first_write = True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._end += len(chunk)
        if self._first_write:
            self._first_write = False
            if len(chunk) > 4 and chunk[0] == 0xFF and not any(chunk[4:]):
                return len(chunk)
        self._pending += chunk
        return len(chunk)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._end

    def tell(self) -> int:
        return self._end

    def read(self, size: int = -1) -> bytes:
        return b""

    def drain(self) -> bytes:
        out = bytes(self._pending)
        self._pending.clear()
        return out


def _encode_mp3(blocks: Iterator[np.ndarray], sample_rate: int, channels: int, bitrate: int) -> Iterator[bytes]:
    sink = _AppendOnlySink()
    level = mp3_compression_level(sample_rate, bitrate)
    with sf.SoundFile(
        sink, "w", sample_rate, channels, format="MP3", compression_level=level, bitrate_mode="CONSTANT"
    ) as out:
        for block in blocks:
            out.write(block)
            piece = sink.drain()
            if piece:
                yield piece
    tail = sink.drain()
    if tail:
        yield tail


def encode_blocks(
    blocks: Iterator[np.ndarray], fmt: str, frames: int, sample_rate: int, channels: int, bitrate: int
) -> Iterator[bytes]:
    """Yield the encoded file in pieces as soon as each block is encoded (blocks must already be conformed)."""
    if fmt == "mp3":
        yield from _encode_mp3(blocks, sample_rate, channels, bitrate)
        return
    if fmt == "wav":
        yield wav_header(frames, sample_rate, channels)
    elif fmt != "pcm":
        raise ValueError(f"unsupported format {fmt!r}")
    for block in blocks:
        yield to_int16(block)


def probe_duration(audio: bytes) -> float | None:
    """Duration in seconds of an encoded file, or None if libsndfile cannot read it."""
    try:
        info = sf.info(io.BytesIO(audio))
    except Exception:  # libsndfile raises several types for unreadable input; all mean "not audio we know"
        return None
    if info.samplerate <= 0 or info.frames <= 0:
        return None
    return info.frames / info.samplerate


def probe_format(audio: bytes) -> tuple[int, int, int] | None:
    """(sample_rate, channels, duration_ms) of an encoded file, or None if unreadable."""
    try:
        info = sf.info(io.BytesIO(audio))
    except Exception:  # see probe_duration
        return None
    return info.samplerate, info.channels, int(info.frames * 1000 // max(info.samplerate, 1))


class EncodingCache:
    """A thread-safe LRU of finished encodings keyed by the canonical request."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, EncodedAudio] = OrderedDict()

    def get(self, key: str) -> EncodedAudio | None:
        """The cached encoding for `key`, marked as recently used."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: EncodedAudio) -> None:
        """Store an encoding, evicting the least recently used beyond `size`."""
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Drop every cached encoding."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
