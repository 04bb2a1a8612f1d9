"""The Entry record handed to callers, and its mapping from an index row."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Column order of the entries table, shared by the schema, INSERT and SELECT.
COLUMNS = (
    "id",
    "owner",
    "kind",
    "title",
    "prompt",
    "lyrics",
    "provider",
    "model",
    "audio_format",
    "audio_rel",
    "size",
    "sha256",
    "duration_s",
    "trace_id",
    "created_at",
    "partial",
    "params_json",
    "metadata_json",
    "deleted_at",
    "state",
    "starred",
)
# A row is "pending" while its file is written, "ready" once the file is complete (only these are
# ever shown), and "purging" while its file is removed; a crash leaves pending/purging for the sweep.
PENDING, READY, PURGING = "pending", "ready", "purging"
SELECT_COLUMNS = ", ".join(COLUMNS)


@dataclass(frozen=True)
class Entry:
    """One saved generation; audio_path is on the server disk and must not be handed out as-is."""

    id: str
    kind: str
    title: str
    prompt: str
    lyrics: str
    provider: str
    model: str
    audio_format: str
    audio_path: Path
    size: int
    duration_s: float | None
    trace_id: str | None
    created_at: float
    partial: bool
    params: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    starred: bool = False  # "Keep ★": the owner marked it as one to keep

    def export_record(self) -> dict[str, Any]:
        """Return what metadata.json holds for this entry (no owner, no server path)."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "provider": self.provider,
            "model": self.model,
            "trace_id": self.trace_id,
            "created_at": self.created_at,
            "partial": self.partial,
            "starred": self.starred,
            "audio_format": self.audio_format,
            "size": self.size,
            "sha256": self.sha256,
            "duration_s": self.duration_s,
            "prompt": self.prompt,
            "lyrics": self.lyrics,
            "request": self.params,
            "metadata": self.metadata,
        }


def entry_from_row(row: sqlite3.Row | Mapping[str, Any], data_dir: Path) -> Entry:
    """Build an Entry from an entries row (or a dict of its columns); JSON columns become fresh dicts."""
    return Entry(
        id=row["id"],
        kind=row["kind"],
        title=row["title"],
        prompt=row["prompt"],
        lyrics=row["lyrics"],
        provider=row["provider"],
        model=row["model"],
        audio_format=row["audio_format"],
        audio_path=data_dir / row["audio_rel"],
        size=int(row["size"]),
        duration_s=row["duration_s"],
        trace_id=row["trace_id"],
        created_at=float(row["created_at"]),
        partial=bool(row["partial"]),
        params=_load_dict(row["params_json"]),
        metadata=_load_dict(row["metadata_json"]),
        sha256=row["sha256"],
        starred=bool(row["starred"]),
    )


def _load_dict(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
