"""The showcase: songs the studio's owner published for every visitor, kept apart from every library.

Publishing copies a song (its audio, what it was made with, its metadata) into MUSICGEN_DATA_DIR/showcase under a new
random public id; nothing links the copy back to the library it came from (no library id, owner, key or code is
kept). The owner's order lives in one index file (newest first by default), written all-or-nothing, so the showcase
survives restarts. A published song is reached only by its public id, which is checked against the index before any
path is built: no id from a page ever becomes a path of its own.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .library.blobs import write_atomic

ENV_MAX = "MUSICGEN_SHOWCASE_MAX"
DEFAULT_MAX = 50
FOLDER = "showcase"
INDEX = "index.json"
ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,32}$")  # secrets.token_urlsafe(12): 16 characters, 96 random bits
AUDIO_FORMATS = ("mp3", "wav", "flac", "pcm")
# Keys never copied into the showcase, at any depth of the settings or the metadata: the library's link back to the
# owner's song, and anything that could carry a key, code or token.
DROPPED = ("library_id", "library_warning", "owner", "api_key", "key", "token", "code", "secret", "password")


class ShowcaseError(Exception):
    """A showcase action that cannot be done; the message is written for visitors."""


class ShowcaseFull(ShowcaseError):
    """The showcase already holds MUSICGEN_SHOWCASE_MAX songs."""


class NotShown(ShowcaseError):
    """No published song has that id (never published, or unpublished since)."""


@dataclass(frozen=True)
class Shown:
    """One published song as the showcase keeps it."""

    id: str
    kind: str
    title: str
    prompt: str
    lyrics: str
    provider: str
    model: str
    audio_format: str
    duration_s: float | None
    published_at: float
    params: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "title": self.title, "prompt": self.prompt, "lyrics": self.lyrics,
            "provider": self.provider, "model": self.model, "audio_format": self.audio_format,
            "duration_s": self.duration_s, "published_at": self.published_at, "params": self.params,
            "metadata": self.metadata,
        }  # fmt: skip


def max_from_env() -> int:
    """MUSICGEN_SHOWCASE_MAX (default 50); a bad value raises ValueError naming the variable."""
    raw = os.environ.get(ENV_MAX, "").strip()
    if not raw:
        return DEFAULT_MAX
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{ENV_MAX}={raw!r} is not a whole number of songs (use e.g. 50)") from None
    if value < 1:
        raise ValueError(f"{ENV_MAX} must be 1 or more, got {raw!r}")
    return value


def scrub(value: Any) -> Any:
    """A copy of settings or metadata without any key named in DROPPED (at any depth)."""
    if isinstance(value, dict):
        return {
            k: scrub(v)
            for k, v in value.items()
            if isinstance(k, str) and not any(d == k.lower() or k.lower().endswith("_" + d) for d in DROPPED)
        }
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


class Showcase:
    """The published songs under data_dir/showcase, in the owner's order."""

    def __init__(self, data_dir: Path | str, max_songs: int = DEFAULT_MAX) -> None:
        self.root = Path(data_dir) / FOLDER
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # an unwritable data dir: the studio still starts, and publishing says the showcase cannot be written
        self.max_songs = max_songs
        self._lock = threading.Lock()

    # -- reading ----------------------------------------------------------------------------------------------------

    def list(self) -> builtins.list[Shown]:
        """Every published song, in the owner's order (newest first unless moved)."""
        return [_shown(r) for r in self._read()]

    def get(self, song_id: Any) -> Shown:
        """The published song with this public id, else NotShown."""
        if isinstance(song_id, str) and ID_RE.match(song_id):
            for r in self._read():
                if r.get("id") == song_id:
                    return _shown(r)
        raise NotShown("This song is no longer shown in the showcase.")

    def audio_path(self, song_id: Any) -> Path:
        """The published copy's audio file (only for an id in the index)."""
        shown = self.get(song_id)
        path = self.root / shown.id / f"audio.{shown.audio_format}"
        if not path.is_file():
            raise NotShown("This song's audio is missing from the showcase.")
        return path

    # -- the owner's actions ----------------------------------------------------------------------------------------

    def publish(self, audio: bytes, audio_format: str, song: dict[str, Any], now: float | None = None) -> Shown:
        """Copy a song in, first in the order; ShowcaseFull when it already holds max_songs."""
        fmt = audio_format if audio_format in AUDIO_FORMATS else "mp3"
        duration = song.get("duration_s")
        record = {
            "id": secrets.token_urlsafe(12),
            "kind": str(song.get("kind") or "song"),
            "title": str(song.get("title") or "Untitled")[:120],
            "prompt": str(song.get("prompt") or ""),
            "lyrics": str(song.get("lyrics") or ""),
            "provider": str(song.get("provider") or ""),
            "model": str(song.get("model") or ""),
            "audio_format": fmt,
            "duration_s": float(duration) if isinstance(duration, (int, float)) else None,
            "published_at": time.time() if now is None else now,
            "params": scrub(song.get("params") or {}),
            "metadata": scrub(song.get("metadata") or {}),
        }
        with self._lock:
            records = self._read()
            if len(records) >= self.max_songs:
                raise ShowcaseFull(
                    f"The showcase already holds {self.max_songs} songs (MUSICGEN_SHOWCASE_MAX): unpublish one first."
                )
            folder = self.root / record["id"]
            try:
                folder.mkdir(parents=True)
                write_atomic(audio, folder / f"audio.{fmt}", folder)
                self._write([record, *records])
            except OSError as exc:
                shutil.rmtree(folder, ignore_errors=True)
                raise ShowcaseError("The showcase cannot be written on this server right now (disk full?).") from exc
        return _shown(record)

    def unpublish(self, song_id: Any) -> Shown:
        """Take a song out of the showcase and delete its copy."""
        with self._lock:
            shown = self.get(song_id)
            self._write([r for r in self._read() if r.get("id") != shown.id])
            shutil.rmtree(self.root / shown.id, ignore_errors=True)
        return shown

    def move(self, song_id: Any, step: int) -> builtins.list[Shown]:
        """Move a song `step` places (−1 up, +1 down), staying within the list; returns the new order."""
        with self._lock:
            shown = self.get(song_id)
            records = self._read()
            i = next(n for n, r in enumerate(records) if r.get("id") == shown.id)
            j = max(0, min(len(records) - 1, i + step))
            records.insert(j, records.pop(i))
            self._write(records)
        return [_shown(r) for r in records]

    # -- the index --------------------------------------------------------------------------------------------------

    def _read(self) -> builtins.list[dict[str, Any]]:
        try:
            data = json.loads((self.root / INDEX).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise ShowcaseError("The showcase cannot be read on this server right now.") from exc
        songs = data.get("songs") if isinstance(data, dict) else None
        return [r for r in songs if isinstance(r, dict) and ID_RE.match(str(r.get("id", "")))] if songs else []

    def _write(self, records: builtins.list[dict[str, Any]]) -> None:
        text = json.dumps({"version": 1, "songs": records}, ensure_ascii=False, indent=1)
        write_atomic(text.encode("utf-8"), self.root / INDEX, self.root)


def _shown(r: dict[str, Any]) -> Shown:
    duration = r.get("duration_s")
    return Shown(
        id=str(r["id"]),
        kind=str(r.get("kind") or "song"),
        title=str(r.get("title") or "Untitled"),
        prompt=str(r.get("prompt") or ""),
        lyrics=str(r.get("lyrics") or ""),
        provider=str(r.get("provider") or ""),
        model=str(r.get("model") or ""),
        audio_format=r["audio_format"] if r.get("audio_format") in AUDIO_FORMATS else "mp3",
        duration_s=float(duration) if isinstance(duration, (int, float)) else None,
        published_at=float(r.get("published_at") or 0.0),
        params=_dict(r.get("params")),
        metadata=_dict(r.get("metadata")),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
