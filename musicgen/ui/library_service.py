"""The studio's side of the song library: settings from the environment, saving each result, visitor-safe messages.

The store itself (musicgen.library) knows nothing of Gradio. This module opens it when the app is built (never at
import), saves every result before the page shows it, and turns library failures into one-line warnings that never
carry a server path: a full disk or a broken index costs the visitor the library copy, never the song.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import gradio as gr

from ..audio import pcm_to_wav
from ..library import Entry, EntryNotFound, Library, LibraryError, LibraryFullError, new_owner_token
from ..library.owners import MAX_TOKEN_CHARS, MIN_TOKEN_CHARS
from ..library.settings import resolve_data_dir
from ..results import MusicResult
from .session import Session

log = logging.getLogger(__name__)

ENV_MAX_MB = "MUSICGEN_LIBRARY_MAX_MB"
ENV_SHARE_ALL = "MUSICGEN_LIBRARY_SHARE_ALL"
ENV_SPACE_ID = "SPACE_ID"  # set by Hugging Face on every Space
CLEANUP_EVERY_S = 3600.0
UNAVAILABLE = "the song library is not available on this server right now"
GENERIC_FAILURE = "the song library could not do that right now; please try again in a moment"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def max_bytes_from_env() -> int | None:
    """The per-owner cap from $MUSICGEN_LIBRARY_MAX_MB (0 = no cap); None = the store's own default."""
    raw = os.environ.get(ENV_MAX_MB, "").strip()
    if not raw:
        return None  # the store then reads MUSICGEN_LIBRARY_MAX_BYTES, else 2 GiB
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_MAX_MB}={raw!r} is not a number of megabytes (use e.g. 500)") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{ENV_MAX_MB} must be >= 0 (0 means no cap), got {raw!r}")
    return int(value * 1024 * 1024)


def share_all_from_env() -> bool:
    """$MUSICGEN_LIBRARY_SHARE_ALL: every visitor sees every song (a single-user local run). Never on a Space."""
    raw = os.environ.get(ENV_SHARE_ALL, "").strip().lower()
    if raw not in _TRUE | _FALSE:
        raise ValueError(f"{ENV_SHARE_ALL} must be 1/true/yes/on or 0/false/no/off, got {raw!r}")
    wanted = raw in _TRUE
    if wanted and os.environ.get(ENV_SPACE_ID, "").strip():
        log.warning("%s is ignored on a Hugging Face Space: each browser sees only its own songs.", ENV_SHARE_ALL)
        return False
    return wanted


def visitor_message(exc: BaseException) -> str:
    """A library failure as a visitor may read it: what happened, no server paths, no internals."""
    if isinstance(exc, (LibraryFullError, EntryNotFound)):
        return str(exc)  # these messages are written for visitors and name no path
    if isinstance(exc, LibraryError):
        return UNAVAILABLE[0].upper() + UNAVAILABLE[1:] + "."
    return GENERIC_FAILURE[0].upper() + GENERIC_FAILURE[1:] + "."


def valid_token(token: Any) -> bool:
    """True for a string shaped like an owner token (what new_owner_token makes, or a script's own)."""
    return isinstance(token, str) and MIN_TOKEN_CHARS <= len(token) <= MAX_TOKEN_CHARS and token.isprintable()


def owner_of(session: Session) -> str:
    """The session's owner token; a session without one (a script, or a click before the page loaded) gets one."""
    if not valid_token(session.owner_token):
        session.owner_token = new_owner_token()
    return session.owner_token


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def check_not_served(data_dir: Path) -> None:
    """Refuse a data dir Gradio would serve to anyone (its upload/temp or cache folder)."""
    from gradio import utils

    for folder in (Path(utils.get_upload_folder()), Path(utils.get_cache_folder()).absolute()):
        if _inside(data_dir, folder) or _inside(folder, data_dir):
            raise ValueError(
                f"The song library's data dir {data_dir} overlaps Gradio's served folder {folder}: every visitor "
                "could fetch its files. Set MUSICGEN_DATA_DIR (or GRADIO_TEMP_DIR) so they are apart."
            )


class LibraryService:
    """One Library for the app, or the reason there is none; every method is safe to call from any thread."""

    def __init__(self, library: Library | None, reason: str = "") -> None:
        self.library = library
        self.reason = reason or ("" if library is not None else UNAVAILABLE)
        self._last_cleanup = time.monotonic()
        self._cleanup_lock = threading.Lock()

    @classmethod
    def from_env(cls) -> LibraryService:
        """Open the library the environment describes (MUSICGEN_DATA_DIR, ..._MAX_MB, ..._MAX_AGE_DAYS, ..._SHARE_ALL).

        A wrong setting raises ValueError (the app must not start misconfigured); a library that cannot be opened
        (unwritable folder, damaged index) is logged and the studio runs without one.
        """
        data_dir = resolve_data_dir()
        check_not_served(data_dir)
        max_bytes, share_all = max_bytes_from_env(), share_all_from_env()
        try:
            library = Library(data_dir, max_bytes_per_owner=max_bytes, share_all=share_all)
        except LibraryError as exc:
            log.error("The song library could not be opened, the studio runs without it: %s", exc)
            return cls(None, UNAVAILABLE)
        log.info("Song library at %s (share_all=%s)", data_dir, share_all)
        return cls(library)

    @property
    def available(self) -> bool:
        return self.library is not None

    @property
    def share_all(self) -> bool:
        return bool(self.library is not None and self.library.share_all)

    def need(self) -> Library:
        """The library, or LibraryError when there is none."""
        if self.library is None:
            raise LibraryError(self.reason)
        return self.library

    # -- saving ------------------------------------------------------------------------------------------------

    def save_result(
        self,
        session: Session,
        kind: str,
        params: dict[str, Any],
        result: MusicResult,
        audio: bytes,
        ext: str,
        metadata: dict[str, Any],
    ) -> dict[str, Any]:
        """Save one result for the session's owner; return what to add to the page's metadata.

        {"library_id": id} when it was saved, {"library_warning": "Not saved to your library: ..."} when not. Never
        raises: the song is shown and downloadable whatever happens here.
        """
        try:
            library = self.need()
            meta = {k: v for k, v in metadata.items() if k != "file"}
            if kind == "song" and session.song_title.strip():
                meta["title"] = session.song_title.strip()
            entry = library.save(
                owner_of(session),
                audio=audio,  # as received; raw pcm is kept wrapped as WAV (the same samples), so it plays anywhere
                audio_format=ext,
                kind=kind,
                params=params,
                metadata=meta,
                provider=result.provider,
                model=result.model,
                trace_id=result.trace_id,
                title=meta.get("title", ""),
                partial=result.partial,
                prompt=params.get("prompt") if isinstance(params.get("prompt"), str) else None,
                lyrics=params.get("lyrics") if isinstance(params.get("lyrics"), str) else None,
                duration_s=result.duration_s,
            )
        except Exception as exc:  # noqa: BLE001 - whatever goes wrong, the visitor keeps the song
            if isinstance(exc, LibraryError):
                log.warning("A %s was not saved to the library: %s", kind, exc)
            else:
                log.exception("A %s was not saved to the library", kind)
            warning = f"Not saved to your library: {visitor_message(exc)} Download the song to keep it."
            gr.Warning(warning)  # a toast on the page; the info card says it too
            return {"library_warning": warning}
        return {"library_id": entry.id}

    # -- reading -----------------------------------------------------------------------------------------------

    def entries(self, session: Session, query: str = "", *, starred_only: bool = False) -> list[Entry]:
        """The session owner's songs (everyone's with share_all), newest first, matching the search (and ★ only)."""
        self.maybe_cleanup()
        return self.need().list(owner_of(session), query or "", starred_only=starred_only)

    def usage(self, session: Session) -> tuple[int, int]:
        """(bytes used by the session's owner, cap in bytes; 0 = no cap)."""
        library = self.need()
        return library.usage_bytes(owner_of(session)), library.max_bytes_per_owner

    def playable_copy(self, session: Session, entry: Entry) -> Path:
        """A copy of the entry's audio in the visitor's temp folder (which Gradio may serve); the store never is."""
        library = self.need()
        folder = session.files_dir() / "library"
        if entry.audio_format != "pcm":
            return library.copy_audio(owner_of(session), entry.id, folder)
        data, _ = self.playable_audio(session, entry)
        target = library.copy_audio(owner_of(session), entry.id, folder).with_suffix(".wav")
        target.write_bytes(data)
        return target

    def playable_audio(self, session: Session, entry: Entry) -> tuple[bytes, str]:
        """The entry's audio bytes and format as a player or decoder opens them: raw pcm (saved by other tools) is
        wrapped as WAV, everything else is as stored. Raises LibraryError (EntryNotFound for another's song)."""
        data = self.need().read_audio(owner_of(session), entry.id)
        if entry.audio_format != "pcm":
            return data, entry.audio_format
        rate = int(entry.metadata.get("sample_rate") or 44100)
        channels = int(entry.metadata.get("channels") or 2)
        return pcm_to_wav(data, rate, channels), "wav"

    def maybe_cleanup(self) -> None:
        """Purge expired and long-deleted songs, at most once an hour, in whichever request comes first."""
        if self.library is None or time.monotonic() - self._last_cleanup < CLEANUP_EVERY_S:
            return
        if not self._cleanup_lock.acquire(blocking=False):
            return
        try:
            self._last_cleanup = time.monotonic()
            self.library.cleanup()
        except LibraryError as exc:
            log.warning("Library cleanup failed: %s", exc)
        finally:
            self._cleanup_lock.release()

    # -- marking -----------------------------------------------------------------------------------------------

    def set_starred(self, session: Session, entry_id: str, starred: bool) -> Entry:
        """Mark (True) or unmark one of the session owner's songs as kept (★) and return it.

        Raises LibraryError: EntryNotFound ("That song is not in your library ...") for another owner's id, an unknown
        or malformed id, or a deleted song, and nothing changes; LibraryError when the library is not available.
        """
        return self.need().set_starred(owner_of(session), entry_id, starred)

    def close(self) -> None:
        """Close the library (tests; a served app keeps it for its lifetime)."""
        if self.library is not None:
            self.library.close()
