"""Running one generation in a worker thread, so the page can show the stage and the time while it waits.

The handler's generator wakes every `tick_s` even when nothing arrives: that keeps the elapsed time moving and
lets Gradio's Stop button end the generator within a tick, at which point the HTTP call is closed too.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass

from ..client import Chunk, MusicClient, Progress
from ..errors import MusicGenError
from ..requests import MusicRequest
from ..results import MusicResult
from .live_audio import LiveChunk, LiveDecoder

_END = object()


@dataclass(frozen=True)
class Step:
    """What the page shows at one moment of a generation."""

    stage: str
    elapsed_s: float
    received: int = 0
    live: LiveChunk | None = None
    result: MusicResult | None = None


def run(
    client: MusicClient,
    request: MusicRequest,
    *,
    tick_s: float = 1.0,
    slot: threading.Semaphore | None = None,
    channels: int = 2,
) -> Iterator[Step]:
    """Yield Steps until the result (the last Step carries it); raises the client's exception. Closes `client`."""
    t0 = time.monotonic()
    acquired = False
    try:
        if slot is not None:
            while not slot.acquire(timeout=tick_s):
                yield Step("queued", time.monotonic() - t0)
            acquired = True
        yield from _run_call(client, request, tick_s, channels, t0)
    finally:
        with suppress(Exception):  # closing aborts a call still running after Stop
            client.close()
        if acquired and slot is not None:
            slot.release()


def _run_call(client: MusicClient, request: MusicRequest, tick_s: float, channels: int, t0: float) -> Iterator[Step]:
    inbox: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            if request.stream:
                for item in client.stream(request, on_progress=inbox.put):
                    inbox.put(item)
            else:
                inbox.put(client.generate(request, on_progress=inbox.put))
        except BaseException as exc:  # handed to the page, which turns it into a message
            inbox.put(exc)
        finally:
            inbox.put(_END)

    threading.Thread(target=work, name="musicgen-call", daemon=True).start()
    setting = request.audio_setting
    decoder = LiveDecoder(setting.format, setting.sample_rate, channels) if request.stream else None
    try:
        yield from _steps(inbox, decoder, tick_s, t0)
    finally:
        if decoder is not None:
            decoder.close()


def _steps(inbox: queue.Queue, decoder: LiveDecoder | None, tick_s: float, t0: float) -> Iterator[Step]:
    arrived = bytearray()  # kept so that nothing is lost if the call fails half-way
    stage, result = "sending", None
    shown = time.monotonic()  # when the page last got a step
    while True:
        try:
            item = inbox.get(timeout=tick_s)
        except queue.Empty:
            shown = time.monotonic()
            yield Step(stage, shown - t0, len(arrived))
            continue
        if item is _END:
            break
        if isinstance(item, Progress):
            if item.stage != stage and item.stage != "done":
                stage = item.stage
                yield Step(stage, time.monotonic() - t0, len(arrived))
        elif isinstance(item, Chunk):
            arrived += item.data
            stage = "receiving"
            # A chunk arrives every few dozen KB: show new audio at once, every piece of it (the decoder hands on
            # one `_due()` at a time), but the byte count alone only once a tick, since every step is a round trip
            # through Gradio for each output.
            live = decoder.feed(item.data) if decoder else None
            if live is None and time.monotonic() - shown >= tick_s:
                shown = time.monotonic()
                yield Step(stage, shown - t0, len(arrived))
            while live is not None and decoder is not None:
                shown = time.monotonic()
                yield Step(stage, shown - t0, len(arrived), live=live)
                live = decoder.feed(b"")
        elif isinstance(item, MusicResult):
            result = item
        elif isinstance(item, BaseException):
            if isinstance(item, MusicGenError) and not item.partial and arrived:
                item.partial = bytes(arrived)
            raise item
    if result is None:  # the worker always sends a result or an exception; this guards a broken client
        raise MusicGenError("The call ended without a result", hint="Try again.")
    tail = decoder.flush() if decoder else None
    yield Step("done", time.monotonic() - t0, result.size, live=tail, result=result)
