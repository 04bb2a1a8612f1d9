"""Running one generation in a worker thread, so the page can show the stage and the time while it waits.

The handler's generator wakes every `tick_s` even when nothing arrives: that keeps the elapsed time moving and
lets Gradio's Stop button end the generator within a tick, at which point the HTTP call is closed too.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from ..errors import MusicGenError
from ..progress import Chunk, Progress, ProgressFn
from ..providers import Client
from ..requests import AudioSetting
from ..results import MusicResult
from .live_audio import LiveChunk, LiveDecoder
from .slots import Line

# A generation other than a MusicRequest's (music-01): it runs with the client and reports progress, like generate.
Job = Callable[[Any, ProgressFn], MusicResult]

_END = object()


@dataclass(frozen=True)
class Step:
    """What the page shows at one moment of a generation."""

    stage: str
    elapsed_s: float
    received: int = 0
    live: LiveChunk | None = None
    result: MusicResult | None = None
    place: int = 0  # while "queued": the place in the backend's line (1 = next)


def run(
    client: Client,
    request: Any,
    *,
    tick_s: float = 1.0,
    slots: Sequence[Line] = (),
    channels: int = 2,
    job: Job | None = None,
) -> Iterator[Step]:
    """Yield Steps until the result (the last Step carries it); raises the client's exception. Closes `client`.

    `request` is a MusicRequest (streamed when its `stream` is set), or any request with an `audio_setting` that
    `job(client, on_progress)` generates (music-01). A slot in each of `slots` (the backend's line, a free model's
    limit) is held while the call runs; waiting shows as the stage "queued" with the place in line.
    """
    t0 = time.monotonic()
    ticket, held = object(), []
    try:
        for line in slots:
            while place := line.enter(ticket, tick_s):
                yield Step("queued", time.monotonic() - t0, place=place)
            held.append(line)
        yield from _run_call(client, request, job, tick_s, channels, t0)
    finally:
        with suppress(Exception):  # closing aborts a call still running after Stop
            client.close()
        for line in slots:  # Stop while waiting steps out of line; a held slot is given back
            line.leave(ticket, holding=line in held)


def _run_call(client: Client, request: Any, job: Job | None, tick_s: float, channels: int, t0: float) -> Iterator[Step]:
    inbox: queue.Queue = queue.Queue()
    stream = job is None and bool(getattr(request, "stream", False))  # a request type without streaming

    def work() -> None:
        try:
            if job is not None:
                inbox.put(job(client, inbox.put))
            elif stream:
                for item in client.stream(request, on_progress=inbox.put):
                    inbox.put(item)
            else:
                inbox.put(client.generate(request, on_progress=inbox.put))
        except BaseException as exc:  # handed to the page, which turns it into a message
            inbox.put(exc)
        finally:
            inbox.put(_END)

    threading.Thread(target=work, name="musicgen-call", daemon=True).start()
    setting: AudioSetting = request.audio_setting
    decoder = LiveDecoder(setting.format, setting.sample_rate, channels) if stream else None
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
