"""One generation, the one path every take follows: the gate's use, the backend's slot, the runner's steps, the
result kept (and saved to the library), and on failure what arrived kept as a partial song.

`attempt()` is that core, as a generator any caller can drive: the page's own generator for one take (`one()`),
or a take's thread when a click asks for several (ui/takes.py). Closing it (Stop) closes the runner, which closes
the HTTP call and gives the slots back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr
from pydantic import ValidationError

from .. import config, providers
from ..audio import ReferenceError
from ..budget import SONG
from ..errors import MusicGenError
from ..loudness import measure_file
from ..recipe import recipe_of_request
from ..results import MusicResult, build_music_result
from . import cards, runner
from .errors import to_gr_error
from .live import LiveStream, player_html
from .session import Session

if TYPE_CHECKING:
    from .handlers import Handlers
    from .library_service import LibraryService

# What a generation event yields: live player, finished player, download, metadata dict, info panel (HTML).
Outputs = tuple[Any, Any, Any, Any, str]
FAILURES = (MusicGenError, ValidationError, ReferenceError)  # what a visitor can act on, with a message


@dataclass(frozen=True)
class Kept:
    """A result written for the page: its playable file and the metadata shown and returned."""

    path: Path
    metadata: dict[str, Any]
    download: Path | None = None  # the file offered for download when it is not `path` (mp3 made here)

    @property
    def download_path(self) -> Path:
        return self.download or self.path


class TakeFailed(Exception):
    """A generation failed: `error` says why (with its trace id) and `kept` holds what arrived, if anything."""

    def __init__(self, error: gr.Error, kept: Kept | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.kept = kept


def file_name(kind: str, provider: str, ext: str, partial: bool = False, now: float | None = None) -> str:
    """'song-minimax-20250101-120000.mp3' / 'cover-demo-engine-...-partial.wav'."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    record = providers.REGISTRY.get(provider)
    slug = record.slug() if record else "minimax"
    return f"{kind}-{slug}-{stamp}{'-partial' if partial else ''}.{ext}"


def keep_result(
    session: Session,
    kind: str,
    request_params: dict[str, Any],
    result: MusicResult,
    library: LibraryService | None = None,
    download_as: tuple[str, int] | None = None,
) -> Kept:
    """Write a result where the page can serve it and describe it, after saving it to the song library (if any).

    `download_as` (format, bitrate): what the visitor chose; a WAV-only backend's song is then also encoded here as
    mp3 for the download, while the player, the library and the metadata keep the WAV as received."""
    data, ext = result.playable()
    folder = session.files_dir()
    name = file_name(kind, result.provider, ext, result.partial)
    path = folder / name
    n = 2
    while True:  # two results in the same second (takes finish together): the first free name, claimed at once
        try:
            with path.open("xb") as out:
                out.write(data)
            break
        except FileExistsError:
            path = folder / name.replace(f".{ext}", f"-{n}.{ext}")
            n += 1
    # Loudness and true peak are measured once, here: the card shows them and the library stores them with the song.
    meta = {"kind": kind, "file": path.name, **result.metadata(), **measure_file(data)}
    if result.provider == providers.DEMO:
        meta["label"] = providers.DEMO_LABEL
    made = recipe_of_request(kind, request_params, result.provider)
    if made is not None:  # "Copy as code" and the library read it (musicgen/recipe.py)
        meta["recipe"] = json.loads(made.to_json())
    if library is not None:  # saved before the page shows it; a failure only adds a warning (library_service.py)
        meta.update(library.save_result(session, kind, request_params, result, data, ext, meta))
    download = None
    wanted = result.converted(*download_as) if download_as else result
    if wanted is not result:
        download = path.with_suffix(f".{wanted.format}")
        download.write_bytes(wanted.audio)
        meta["download"] = download.name
    return Kept(path, meta, download)


def estimate(request: Any) -> float | None:
    """About how long the server will take, from a length cap (MiniMax-Music3); None without one."""
    cap = getattr(request, "max_seconds", None)
    return cap * config.MUSIC3_SECONDS_PER_SECOND if cap else None


def attempt(
    h: Handlers,
    kind: str,
    request: Any,
    session: Session,
    params: dict[str, Any],
    *,
    job: runner.Job | None = None,
) -> Generator[runner.Step | LiveStream | Kept, None, None]:
    """One generation: yields its LiveStream once opened (a streamed song), the runner's Steps, and last the Kept
    result. Raises TakeFailed (what arrived is kept as a partial song first), or the gate's gr.Error (nothing sent).
    """
    provider = session.provider()
    started = time.monotonic()
    setting = request.audio_setting
    slots = [h.slot(provider)]
    if session.server_held() and request.model.endswith("-free"):
        slots.append(h.free_line)  # the server's key runs at most 3 free-model songs at once
    client = None
    live = None
    try:
        with h.gate.spend(session, SONG):  # the one gate: the access code and budgets on the server's keys
            client = h.client_factory(session)
            if job is None and getattr(request, "stream", False) and h.live is not None:
                live = h.live.open(session.key(), setting.format, setting.sample_rate)
                yield live
            for step in runner.run(client, request, tick_s=h.tick_s, slots=slots, job=job, live=live):
                if step.result is None:
                    yield step
                    continue
                as_chosen = (setting.format, getattr(setting, "bitrate", config.DEFAULT_BITRATE))
                yield keep_result(session, kind, params, step.result, h.library, as_chosen)
                return
    except FAILURES as exc:
        partial = getattr(exc, "partial", b"")
        if not partial:
            raise TakeFailed(to_gr_error(exc, secret=session.secrets())) from None
        origin = client.provider if client is not None else provider
        result = _partial_result(request, partial, origin, time.monotonic() - started, exc)
        kept = keep_result(session, kind, params, result, h.library)
        raise TakeFailed(to_gr_error(exc, secret=session.secrets(), partial_name=kept.path.name), kept) from None
    finally:
        if live is not None:  # closed before the runner started (Stop): the live URL still ends and expires
            live.end(failed=True)


def one(
    h: Handlers,
    kind: str,
    request: Any,
    session: Session,
    progress: gr.Progress,
    params: dict[str, Any],
    *,
    job: runner.Job | None = None,
) -> Iterator[Outputs]:
    """One take on the page: the live player, the status line each tick, then the finished player, download,
    metadata and card; a failure's message in the info panel (and raised), with what arrived kept and shown."""
    provider = session.provider()
    wait = estimate(request)
    # The previous song's players empty at once (an empty live player also stops its sound).
    yield "", None, None, None, cards.status_line("sending", 0, provider=provider, estimate_s=wait)
    live = None
    playing = False  # the live player is on the page
    try:
        for item in attempt(h, kind, request, session, params, job=job):
            if isinstance(item, LiveStream):
                live = item
            elif isinstance(item, Kept):
                # The live player plays on; the finished player holds the whole song (duration, seeking).
                files = str(item.path), str(item.download_path)
                yield gr.skip(), *files, item.metadata, cards.result_info(item.metadata)
                return
            else:
                line = cards.status_line(
                    item.stage, item.elapsed_s, item.received, provider, place=item.place, estimate_s=wait
                )
                progress(None, desc=f"{cards.stage_text(item.stage, provider)} · {cards.clock(item.elapsed_s)}")
                show = live is not None and not playing and (item.received > 0 or item.stage == "receiving")
                playing = playing or show
                yield player_html(live, kind) if show else gr.skip(), gr.skip(), gr.skip(), gr.skip(), line
    except TakeFailed as failed:
        if failed.kept is None:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), cards.failed_info(failed.error.message)
        else:  # what arrived stays playable: in the live player as far as it got, and whole in the finished one
            kept = failed.kept
            yield gr.skip(), str(kept.path), str(kept.path), kept.metadata, cards.result_info(kept.metadata)
        raise failed.error from None
    except gr.Error as exc:  # refused by the gate: no code, or a budget spent; nothing was sent
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), cards.failed_info(exc.message)
        raise
    except Exception:
        # A bug, not a failure the visitor can act on: clear the spinner, keep the traceback for the log.
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), cards.failed_info("Something went wrong on the server.")
        raise


def _partial_result(request: Any, audio: bytes, provider: str, elapsed_s: float, exc: Exception) -> MusicResult:
    s = request.audio_setting
    return build_music_result(
        audio, fmt=s.format, model=request.model, extra_info=None, requested_rate=s.sample_rate,
        trace_id=getattr(exc, "trace_id", None), provider=provider, elapsed_s=elapsed_s, partial=True,
    )  # fmt: skip
