"""Server-sent events of a streamed song, and putting the song back together (contract §5).

Every shape seen in the wild is accepted: a terminal frame (data.status == 2) that carries the whole song, only
its tail, or no audio at all; an optional `data: [DONE]`; blank and comment lines; CRLF line ends; `data:` with or
without a space; an error inside an event.
"""

from __future__ import annotations

import binascii
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .errors import CorruptAudioError

DONE = "[DONE]"


def iter_sse_data(lines: Iterable[str]) -> Iterator[str]:
    """The data payload of each event; multi-line data is joined with newlines as SSE prescribes."""
    buf: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if buf:
                yield "\n".join(buf)
                buf = []
            continue
        if line.startswith(":"):
            continue  # comment / keep-alive
        name, _, value = line.partition(":")
        if name != "data":
            continue  # event:, id:, retry: carry nothing we need
        buf.append(value[1:] if value.startswith(" ") else value)
    if buf:
        yield "\n".join(buf)


def decode_hex(text: str) -> bytes:
    """Hex to bytes, with a clear error for anything else."""
    try:
        return binascii.unhexlify(text)
    except (binascii.Error, ValueError):
        raise CorruptAudioError("A stream chunk's audio is not valid hex") from None


@dataclass
class StreamAssembler:
    """Collects status-1 chunks and reconciles the terminal frame with them."""

    audio: bytearray = field(default_factory=bytearray)
    finished: bool = False
    extra_info: dict | None = None

    def add_chunk(self, hex_audio: str) -> bytes:
        """A status-1 chunk: append it and return its bytes."""
        data = decode_hex(hex_audio) if hex_audio else b""
        self.audio += data
        return data

    def add_terminal(self, hex_audio: str, extra_info: dict | None) -> bytes:
        """The status-2 frame: whole song, tail or nothing. Returns the bytes that are new to the listener."""
        self.finished = True
        self.extra_info = extra_info
        tail = decode_hex(hex_audio) if hex_audio else b""
        if not tail:
            return b""
        if not self.audio:
            self.audio += tail
            return tail
        # An aggregate repeats what was streamed; a tail continues it.
        if len(tail) >= len(self.audio) and tail.startswith(self.audio):
            new = tail[len(self.audio) :]
        else:
            new = tail
        self.audio += new
        return new
