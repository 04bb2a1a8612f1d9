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
from ..results import MusicResult
from .live import LiveStream
from .slots import Line

# A generation other than a MusicRequest's (music-01): it runs with the client and reports progress, like generate.
Job = Callable[[Any, ProgressFn], MusicResult]

_END = object()


@dataclass(frozen=True)
class Step:
    """What the page shows at one moment of a generation: the stage, the time and the bytes arrived so far."""

    stage: str
    elapsed_s: float
    received: int = 0
    result: MusicResult | None = None
    place: int = 0  # while "queued": the place in the backend's line (1 = next)


def run(
    client: Client,
    request: Any,
    *,
    tick_s: float = 1.0,
    slots: Sequence[Line] = (),
    job: Job | None = None,
    live: LiveStream | None = None,
) -> Iterator[Step]:
    """Yield Steps until the result (the last Step carries it); raises the client's exception. Closes `client`.

    `request` is a MusicRequest (streamed when its `stream` is set), or any request with an `audio_setting` that
    `job(client, on_progress)` generates (music-01). A slot in each of `slots` (the backend's line, a free model's
    limit) is held while the call runs; waiting shows as the stage "queued" with the place in line. A streamed
    song's bytes go into `live` as they arrive (the page's live player reads them from there); it is also what is
    kept as the partial song if the call fails, and it is ended however the run ends.
    """
    t0 = time.monotonic()
    ticket, held = object(), []
    try:
        for line in slots:
            while place := line.enter(ticket, tick_s):
                yield Step("queued", time.monotonic() - t0, place=place)
            held.append(line)
        yield from _run_call(client, request, job, tick_s, t0, live)
    finally:
        with suppress(Exception):  # closing aborts a call still running after Stop
            client.close()
        for line in slots:  # Stop while waiting steps out of line; a held slot is given back
            line.leave(ticket, holding=line in held)
        if live is not None:
            live.end(failed=True)  # a no-op after a result; otherwise the player's response ends with what came


def _run_call(
    client: Client, request: Any, job: Job | None, tick_s: float, t0: float, live: LiveStream | None
) -> Iterator[Step]:
    inbox: queue.Queue = queue.Queue()
    stream = job is None and bool(getattr(request, "stream", False))  # a request type without streaming
    # One copy of the song: the client gathers it in the live player's buffer, which is also the partial song.
    arrived = live.buf if live is not None else bytearray()
    assert isinstance(arrived, bytearray)

    def work() -> None:
        try:
            if job is not None:
                inbox.put(job(client, inbox.put))
            elif stream:
                for item in client.stream(request, on_progress=inbox.put, into=arrived):
                    if isinstance(item, Chunk):
                        if live is not None:
                            live.grew()  # here, not in the page's loop: the player gets it at once
                    else:
                        inbox.put(item)
            else:
                inbox.put(client.generate(request, on_progress=inbox.put))
        except BaseException as exc:  # handed to the page, which turns it into a message
            inbox.put(exc)
        finally:
            inbox.put(_END)

    threading.Thread(target=work, name="musicgen-call", daemon=True).start()
    stage, result = "sending", None
    shown = time.monotonic()  # when the page last got a step: at most one per tick while bytes arrive
    while True:
        try:
            item = inbox.get(timeout=tick_s)
        except queue.Empty:
            item = None
        if item is _END:
            break
        if isinstance(item, MusicResult):
            result = item
            continue
        if isinstance(item, BaseException):
            if isinstance(item, MusicGenError) and not item.partial and arrived:
                item.partial = bytes(arrived)
            raise item
        elif isinstance(item, Progress) and item.stage not in (stage, "done"):
            stage = item.stage  # a new stage shows at once
        elif time.monotonic() - shown < tick_s:
            continue
        shown = time.monotonic()
        yield Step(stage, shown - t0, len(arrived))
    if result is None:  # the worker always sends a result or an exception; this guards a broken client
        raise MusicGenError("The call ended without a result", hint="Try again.")
    if live is not None:
        live.end(result.audio)
    yield Step("done", time.monotonic() - t0, result.size, result=result)
