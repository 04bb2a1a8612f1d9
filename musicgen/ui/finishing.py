"""Finished downloads: a finished copy of a result, of a Library song or of a Showcase song, made when the visitor asks for one.

The original is only read: the result file on the page and the song in the library stay exactly as they were. The
finished copy is written to the visitor's own folder under a name that says it is finished (musicgen/finish.py says
how it is made).

What a hostile page could send. A result is named by the path in its download box, as the page sends it back; any
path outside this visitor's own folder is refused, so no one finishes (and so reads) another visitor's result or a
server file. A Library song is named by the server-side selection (gr.State), and the store checks it against the
visitor's owner token. The settings are checked by FinishRequest (named fields and limits) before any work.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from pathlib import Path
from typing import Any

import gradio as gr
import soundfile as sf
from pydantic import ValidationError

from ..finish import Finished, FinishError, FinishRequest, finish_audio, finished_name
from ..library import LibraryError
from ..library.export import safe_name
from ..showcase import Showcase, ShowcaseError
from . import cards
from .errors import field_error, to_gr_error
from .library_service import LibraryService, owner_of, visitor_message
from .session import Session

log = logging.getLogger(__name__)

FINISH_CONCURRENCY = 2  # finishing is CPU work (a 3-minute song takes seconds): at most this many at once
# The finishing events: private (no named endpoint), in their own concurrency group so they never hold up songs.
FINISH_CALLS: dict[str, Any] = {
    "api_visibility": "private", "concurrency_id": "finish", "concurrency_limit": FINISH_CONCURRENCY,
    "show_progress": "minimal",
}  # fmt: skip
NO_RESULT = "there is no result to finish yet: generate one first"
NOT_YOURS = "that file is not one of your results; generate a song, then make its finished copy"


def request_from_form(loudness: Any, trim: Any, fade_in_s: Any, fade_out_s: Any) -> FinishRequest:
    """The form's values as a FinishRequest; a value out of range becomes a gr.Error naming the field and the limit."""
    try:
        return FinishRequest(
            loudness=loudness, trim=bool(trim), fade_in_s=fade_in_s or 0.0, fade_out_s=fade_out_s or 0.0
        )
    except ValidationError as exc:
        raise to_gr_error(exc) from None


def finish_result(
    path: Any, loudness: Any, trim: Any, fade_in_s: Any, fade_out_s: Any, session: Session, slot: str = "result"
) -> tuple[str, str]:
    """A finished copy of the result in a tab's download box: (its path, the summary shown above it).

    `slot` names the panel (the tab): a new copy replaces the panel's previous one on disk."""
    request = request_from_form(loudness, trim, fade_in_s, fade_out_s)
    if not path:
        raise field_error("Result", NO_RESULT)
    source = _own_result(str(path), session)
    data = source.read_bytes()
    done = _finish(data, source.suffix.lstrip("."), request)
    name = finished_name(source.name, request, done.ext)
    return _keep(session, slot, name, done), cards.finished_summary(done, request)


def finish_entry(
    service: LibraryService,
    entry_id: Any,
    loudness: Any,
    trim: Any,
    fade_in_s: Any,
    fade_out_s: Any,
    session: Session,
) -> tuple[str, str]:
    """A finished copy of the visitor's selected Library song: (its path, the summary shown above it)."""
    request = request_from_form(loudness, trim, fade_in_s, fade_out_s)
    if not entry_id:
        raise field_error("Library", "select a song in the list first")
    try:
        entry = service.need().get(owner_of(session), str(entry_id))
        data, fmt = service.playable_audio(session, entry)
    except LibraryError as exc:
        raise gr.Error(visitor_message(exc), title="Library", print_exception=False) from None
    bitrate = entry.metadata.get("bitrate")
    done = _finish(data, fmt, request, bitrate if isinstance(bitrate, int) and bitrate > 0 else None)
    original = f"{safe_name(entry.title, entry.id[:8])}.{fmt}"
    name = finished_name(original, request, done.ext)
    return _keep(session, "library", name, done), cards.finished_summary(done, request)


def finish_ready(source: Any) -> tuple[Any, None, str]:
    """When the song to finish changes: the button is usable once there is one, and the old copy goes away."""
    return gr.update(interactive=bool(source)), None, cards.FINISH_HINT


def _own_result(path: str, session: Session) -> Path:
    """The path, when it is a file in this visitor's own folder; a gr.Error otherwise."""
    own = session.files_dir().resolve()
    try:
        source = Path(path).resolve(strict=True)
        source.relative_to(own)
    except (OSError, ValueError):
        raise field_error("Result", NOT_YOURS) from None
    if not source.is_file():
        raise field_error("Result", NOT_YOURS)
    return source


def _finish(data: bytes, fmt: str, request: FinishRequest, bitrate: int | None = None) -> Finished:
    try:
        return finish_audio(data, fmt, request, bitrate)
    except FinishError as exc:
        raise field_error("Finished download", str(exc)) from None
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:  # audio that cannot be decoded (a cut-off file)
        log.warning("A finished copy could not be made: %s", exc)
        raise gr.Error(
            "This song's audio could not be decoded, so no finished copy was made. The original download is unchanged.",
            title="Finished download",
            print_exception=False,
        ) from None


def _keep(session: Session, slot: str, name: str, done: Finished) -> str:
    """Write the finished copy to the panel's folder in the visitor's folder and return its path.

    One copy per panel: the panel's previous copy (no longer shown there) is removed, so however often a visitor asks,
    their finished copies take at most one file per panel until the session's folder is cleaned up."""
    panel = session.files_dir() / "finished" / safe_name(slot, "result")
    if panel.is_dir():
        for old in panel.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    folder = panel / secrets.token_hex(8)  # a fresh path each time: the browser never gets a cached older copy
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_bytes(done.data)
    return str(target)


def finish_shown(
    store: Showcase, song_id: Any, loudness: Any, trim: Any, fade_in_s: Any, fade_out_s: Any, session: Session
) -> tuple[str, str]:
    """A finished copy of the Showcase song that is open: (its path, the summary shown above it)."""
    request = request_from_form(loudness, trim, fade_in_s, fade_out_s)
    try:
        shown = store.get(song_id)
        data = store.audio_path(shown.id).read_bytes()
    except ShowcaseError as exc:
        raise gr.Error(str(exc), title="Showcase", print_exception=False) from None
    bitrate = shown.metadata.get("bitrate")
    done = _finish(data, shown.audio_format, request, bitrate if isinstance(bitrate, int) and bitrate > 0 else None)
    name = finished_name(f"{safe_name(shown.title, shown.id[:8])}.{shown.audio_format}", request, done.ext)
    return _keep(session, "showcase", name, done), cards.finished_summary(done, request)
