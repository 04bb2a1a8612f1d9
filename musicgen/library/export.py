"""Zip export of entries: audio named after the title, lyrics.txt, metadata.json and recipe.json per entry."""

from __future__ import annotations

import json
import os
import secrets
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from ..recipe import Recipe, recipe_of_request
from .blobs import TMP_PREFIX, remove_quietly
from .entry import Entry

# Already-compressed formats gain nothing from deflate; storing them keeps exports fast.
_STORED_FORMATS = frozenset({"mp3", "aac", "m4a", "ogg", "opus", "flac"})
_NAME_MAX_CHARS = 60
_WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)})


def safe_name(text: str, fallback: str) -> str:
    """Return text reduced to a file name that is valid on Windows, macOS and Linux."""
    kept = "".join(ch if ch.isalnum() or ch in " -_.()" else "_" for ch in text)
    name = " ".join(kept.split()).strip(" ._")[:_NAME_MAX_CHARS].rstrip(" ._")
    if not name or name.lower() in _WINDOWS_RESERVED:
        return fallback
    return name


def export_record(entry: Entry) -> dict[str, object]:
    """Return the metadata.json content for an entry, with a readable UTC time added."""
    record = entry.export_record()
    record["created_at_iso"] = datetime.fromtimestamp(entry.created_at, timezone.utc).isoformat()
    made = recipe_of(entry)
    record["recipe"] = json.loads(made.to_json()) if made else None
    return record


def recipe_of(entry: Entry) -> Recipe | None:
    """The entry's recipe (musicgen/recipe.py), or None for what a recipe does not describe (music-01)."""
    made = recipe_of_request(entry.kind, entry.params, entry.provider, entry.created_at)
    return made.model_copy(update={"title": entry.title[:200]}) if made else None


def write_zip(entries: list[Entry], dest_dir: Path) -> Path:
    """Write entries into a new zip in dest_dir atomically and return its path."""
    if not entries:
        raise ValueError("nothing to export: pass at least one entry id")
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if len(entries) == 1:
        label = safe_name(entries[0].title, entries[0].id[:8])
    else:
        label = f"{len(entries)}-songs"
    # A random suffix: two visitors exporting in the same second must never share a file.
    final = dest_dir / f"musicgen-{label}-{stamp}-{secrets.token_hex(4)}.zip"
    tmp = dest_dir / f"{TMP_PREFIX}{secrets.token_hex(8)}.zip"
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            folders: set[str] = set()
            for entry in entries:
                prefix = "" if len(entries) == 1 else _unique_folder(entry, folders) + "/"
                _add_entry(archive, entry, prefix)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        remove_quietly(tmp)
        raise
    return final


def _unique_folder(entry: Entry, used: set[str]) -> str:
    base = f"{safe_name(entry.title, 'song')} ({entry.id[:8]})"
    folder, n = base, 2
    while folder.lower() in used:
        folder, n = f"{base} {n}", n + 1
    used.add(folder.lower())
    return folder


def _add_entry(archive: zipfile.ZipFile, entry: Entry, prefix: str) -> None:
    audio_name = f"{safe_name(entry.title, entry.id[:8])}.{entry.audio_format}"
    compress = zipfile.ZIP_STORED if entry.audio_format in _STORED_FORMATS else zipfile.ZIP_DEFLATED
    archive.write(entry.audio_path, prefix + audio_name, compress_type=compress)
    archive.writestr(prefix + "lyrics.txt", entry.lyrics)
    metadata = json.dumps(export_record(entry), indent=2, ensure_ascii=False, sort_keys=True)
    archive.writestr(prefix + "metadata.json", metadata + "\n")
    made = recipe_of(entry)
    if made:
        archive.writestr(prefix + "recipe.json", made.to_json() + "\n")
