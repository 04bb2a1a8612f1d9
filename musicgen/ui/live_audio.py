"""Turning a song's bytes, as they arrive, into (sample_rate, int16 frames) pieces for a streaming player.

PCM and WAV are sliced directly. MP3 goes through one ffmpeg process per stream, fed as the bytes arrive and read
by a thread, so each byte is decoded once (the streaming player needs ffmpeg anyway). Without ffmpeg, MP3 is decoded
from the start of the accumulated buffer each time (libsndfile reads MP3; decoding a prefix gives exactly the first
frames of the whole) and only the frames not yet played are handed on; to keep that bounded, it is decoded only once
the new audio is at least `step_s` long and at least `growth` times what was already decoded. That costs about ten
full decodes of the song (4.4 s of CPU for a 6-minute song, against 0.5 s for ffmpeg's single pass).
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import threading

import numpy as np
import soundfile as sf

LiveChunk = tuple[int, np.ndarray]

_MP3_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 layer III, kbps
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2 / 2.5 layer III
}


def mp3_layout(buf: bytes) -> tuple[int, int | None, int] | None:
    """(end of the ID3v2 tag, offset of the Xing/Info stream-size field or None, header bitrate in bps).

    Returns None until enough bytes have arrived to tell.
    """
    pos = 0
    if buf[:3] == b"ID3":
        if len(buf) < 10:
            return None
        size = (buf[6] & 0x7F) << 21 | (buf[7] & 0x7F) << 14 | (buf[8] & 0x7F) << 7 | (buf[9] & 0x7F)
        pos = 10 + size + (10 if buf[5] & 0x10 else 0)
    tag_end = pos
    while pos + 4 <= len(buf):
        b1, b2 = buf[pos + 1], buf[pos + 2]
        version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
        is_header = buf[pos] == 0xFF and b1 & 0xE0 == 0xE0 and version != 1 and layer == 1
        if is_header and (b2 >> 4) not in (0, 15) and (b2 >> 2) & 3 != 3:
            break
        pos += 1  # not a frame header: resync byte by byte
    else:
        return None
    kbps = _MP3_BITRATES[1 if version == 3 else 2][b2 >> 4]
    if pos + 64 > len(buf):
        return None
    first = bytes(buf[pos : pos + 64])
    tag = max(first.find(b"Xing"), first.find(b"Info"))
    size_field = None
    if tag >= 0:
        flags = struct.unpack(">I", first[tag + 4 : tag + 8])[0]
        if flags & 2:  # the stream-size field follows the frame count when that is present
            size_field = pos + tag + 8 + (4 if flags & 1 else 0)
    return tag_end, size_field, kbps * 1000


def wav_data_start(buf: bytes) -> tuple[int, int, int, int] | None:
    """(offset of the sample data, sample rate, channels, bits) from a RIFF header, or None until it has arrived."""
    if len(buf) < 12:
        return None
    if buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
        raise ValueError("not a WAV stream")
    pos, fmt = 12, None
    while pos + 8 <= len(buf):
        cid, size = buf[pos : pos + 4], struct.unpack("<I", buf[pos + 4 : pos + 8])[0]
        if cid == b"fmt ":
            if pos + 24 > len(buf):
                return None
            _tag, channels, rate = struct.unpack("<HHI", buf[pos + 8 : pos + 16])
            bits = struct.unpack("<H", buf[pos + 22 : pos + 24])[0]
            fmt = (rate, channels, bits)
        elif cid == b"data":
            if fmt is None:
                raise ValueError("WAV stream has no fmt chunk before its data")
            return pos + 8, *fmt
        pos += 8 + size + (size & 1)
    return None


class LiveDecoder:
    """Feed the bytes of a stream; get back the frames that can be played now."""

    def __init__(
        self,
        fmt: str,
        sample_rate: int,
        channels: int = 2,
        *,
        step_s: float = 1.0,
        max_step_s: float = 4.0,
        growth: float = 0.1,
        use_ffmpeg: bool | None = None,
    ) -> None:
        self.fmt, self.sample_rate, self.channels = fmt, sample_rate, channels
        self.step_s, self.max_step_s, self.growth = step_s, max_step_s, growth
        if use_ffmpeg is None:
            use_ffmpeg = shutil.which("ffmpeg") is not None
        self._pipe: _FfmpegMp3 | None = _FfmpegMp3(sample_rate, channels) if fmt == "mp3" and use_ffmpeg else None
        self._pending = bytearray()  # decoded 16-bit PCM not handed on yet (every format)
        self.buf = bytearray()
        self.sent = 0  # frames handed on so far
        self._decoded = 0  # frames decoded so far (handed on, or pending)
        self._start: int | None = 0 if fmt == "pcm" else None
        self._bits = 16
        self._layout: tuple[int, int | None, int] | None = None
        self._decoded_bytes = 0  # buffer length at the last MP3 decode

    def feed(self, data: bytes) -> LiveChunk | None:
        """Add arrived bytes; returns the next piece once there is enough to be worth playing.

        A piece is at most one `_due()` long: call `feed(b"")` until it returns None to take every piece ready.
        """
        self.buf += data
        self._decode(final=False)
        return self._hand_on(final=False)

    def flush(self) -> LiveChunk | None:
        """Everything not handed on yet, in one piece (call when the stream has ended)."""
        self._decode(final=True)
        return self._hand_on(final=True)

    def close(self) -> None:
        """Stop the decoder process, if any (a stopped or failed stream); safe to call more than once."""
        if self._pipe is not None:
            self._pipe.close()

    def _due(self) -> float:
        """Frames a piece holds: `step_s` at first, then a quarter of what has played, up to `max_step_s`.

        Each piece becomes one segment of Gradio's HLS playlist, and the browser's player re-reads the playlist
        only about once per longest segment: one-second pieces at first let it pick up the second piece in time
        (handing on all the first chunk held, 2.5 s, stalled playing for 1.5 s after the first 1.8 s). Later
        pieces grow because each costs the server a round of Gradio's streaming path (segment, AAC encode,
        message): a 3-minute song goes out in about 50 pieces rather than 180.
        """
        played_s = self.sent / self.sample_rate
        return self.sample_rate * max(self.step_s, min(self.max_step_s, played_s / 4))

    def _hand_on(self, final: bool) -> LiveChunk | None:
        frame_bytes = 2 * self.channels
        frames = len(self._pending) // frame_bytes
        due = self._due()
        if frames == 0 or (not final and frames < due):
            return None
        if not final:
            frames = int(due)
        out = np.frombuffer(bytes(self._pending[: frames * frame_bytes]), dtype="<i2").reshape(-1, self.channels)
        del self._pending[: frames * frame_bytes]
        self.sent += frames
        return self.sample_rate, out

    def _decode(self, final: bool) -> None:
        """Move whatever can be decoded now into `_pending`."""
        if self._pipe is not None:
            self._decode_pipe(final)
        elif self.fmt == "mp3":
            self._decode_mp3(final)
        else:
            self._decode_pcm()

    def _decode_pcm(self) -> None:
        if self._start is None:
            try:
                head = wav_data_start(bytes(self.buf[:4096]))
            except ValueError:
                self._bits = 0  # not a WAV we can slice: no live preview, the finished file still comes
                return
            if head is None:
                return
            self._start, self.sample_rate, self.channels, self._bits = head
        if self._bits != 16:
            return  # live preview covers 16-bit PCM only; the finished file still plays
        frame_bytes = 2 * self.channels
        frames = (len(self.buf) - self._start) // frame_bytes
        if frames > self._decoded:
            lo, hi = self._start + self._decoded * frame_bytes, self._start + frames * frame_bytes
            self._pending += self.buf[lo:hi]
            self._decoded = frames

    def _decode_pipe(self, final: bool) -> None:
        pipe = self._pipe
        assert pipe is not None
        if final:
            self._pending += pipe.finish(self.buf[pipe.written :])
            # ffmpeg reading a pipe drops the encoder delay but not the end padding: cut the tail to the length the
            # file's header announces, which is what decoding the whole file gives.
            total = _announced_frames(self.buf, self.sample_rate)
            if total is not None and total >= self.sent:
                del self._pending[(total - self.sent) * 2 * self.channels :]
        else:
            pipe.write(self.buf[pipe.written :])
            self._pending += pipe.take()

    def _decode_mp3(self, final: bool) -> None:
        if self._layout is None:
            self._layout = mp3_layout(bytes(self.buf[:65536]))
            if self._layout is None:
                return
        tag_end, size_field, header_bps = self._layout
        # Bytes per second: measured once something was decoded (VBR headers say little), else the header's.
        bps = self._decoded_bytes * 8 / (self._decoded / self.sample_rate) if self._decoded else header_bps
        new_s = (len(self.buf) - self._decoded_bytes) * 8 / max(bps, 8000)
        if not final and new_s < max(self.step_s, self.growth * self._decoded / self.sample_rate):
            return
        data = bytearray(self.buf)
        if size_field is not None and size_field + 4 <= len(data):
            # A prefix is shorter than the size the Xing tag announces, and the decoder warns about that on
            # stderr at every decode; tell it the size it actually gets.
            data[size_field : size_field + 4] = struct.pack(">I", len(data) - tag_end)
        try:
            frames, rate = sf.read(io.BytesIO(bytes(data)), dtype="int16", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, ValueError):
            return  # not decodable yet (too little audio); try again with more
        self._decoded_bytes = len(data)
        self.sample_rate, self.channels = rate, frames.shape[1]
        if len(frames) > self._decoded:
            self._pending += np.ascontiguousarray(frames[self._decoded :], dtype="<i2").tobytes()
            self._decoded = len(frames)


def to_wav_bytes(chunk: LiveChunk) -> bytes:
    """A live chunk as a complete 16-bit WAV in memory: what the streaming player is handed.

    Yielding bytes rather than a (rate, array) tuple keeps the chunk off disk. Gradio 6.31 caches a tuple under a
    name derived from its content and rewrites that file in place, so two visitors streaming the same audio at
    once (the demo engine is deterministic) could read each other's half-written chunk, and their streams failed.
    Gradio reads 16-bit WAV bytes in memory, with no ffmpeg decode.
    """
    rate, frames = chunk
    frames = np.ascontiguousarray(frames, dtype="<i2")
    channels = 1 if frames.ndim == 1 else frames.shape[1]
    data = frames.tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(data),
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        rate,
        rate * channels * 2,
        channels * 2,
        16,
        b"data",
        len(data),
    )
    return header + data


def _announced_frames(data: bytes | bytearray, sample_rate: int) -> int | None:
    """The frame count of a whole MP3 as its header tells it (Xing/Info + LAME tag), or None when it cannot tell."""
    try:
        info = sf.info(io.BytesIO(bytes(data)))
    except (sf.LibsndfileError, RuntimeError, ValueError):
        return None
    return info.frames if info.samplerate == sample_rate and info.frames > 0 else None


class _FfmpegMp3:
    """One ffmpeg process that decodes an MP3 stream fed in pieces to 16-bit PCM at a fixed rate and channel count.

    A thread drains its output, so writing never waits on a full pipe. Gapless: ffmpeg reads the LAME header's
    encoder delay and padding, so the frames match the whole file's decode in number.
    """

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.written = 0  # bytes of the stream handed to ffmpeg so far
        self.failed = False
        self._pcm = bytearray()
        self._lock = threading.Lock()
        self._proc = subprocess.Popen(
            ["ffmpeg", "-v", "error", "-nostdin", "-probesize", "32", "-analyzeduration", "0", "-f", "mp3",
             "-i", "pipe:0", "-f", "s16le", "-acodec", "pcm_s16le", "-ar", str(sample_rate), "-ac", str(channels),
             "pipe:1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._read, name="musicgen-live-mp3", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        out = self._proc.stdout
        assert out is not None
        while chunk := out.read1(65536):  # type: ignore[attr-defined]  # a BufferedReader: Popen(bufsize=-1)
            with self._lock:
                self._pcm += chunk

    def write(self, data: bytes | bytearray) -> None:
        if not data or self.failed:
            return
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except (OSError, ValueError):
            self.failed = True  # ffmpeg gave up on the stream: no more live audio; the finished file still comes
        self.written += len(data)

    def take(self) -> bytes:
        with self._lock:
            out = bytes(self._pcm)
            self._pcm.clear()
        return out

    def finish(self, rest: bytes | bytearray, timeout: float = 30.0) -> bytes:
        """Feed the last bytes, let ffmpeg drain, and return all PCM not taken yet."""
        self.write(rest)
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
            self._proc.wait(timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.close()
        self._reader.join(timeout=timeout)
        return self.take()

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except (OSError, ValueError):
                pass
