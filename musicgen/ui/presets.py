"""Curated examples that fill the forms, read from assets/presets.json when the app is built."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
PRESETS_FILE = ASSETS_DIR / "presets.json"
EXAMPLE_REFERENCE = ASSETS_DIR / "reference-example.wav"
TABS = ("song", "instrumental")


@dataclass(frozen=True)
class Preset:
    """One example: what it fills in on its tab."""

    name: str
    tab: str
    prompt: str
    lyrics: str = ""
    title: str = ""
    lyrics_optimizer: bool = False


def load_presets(path: Path = PRESETS_FILE) -> list[Preset]:
    """All presets in the file; a missing file gives none (the studio works without them)."""
    if not path.is_file():
        return []
    doc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in doc.get("presets", []):
        preset = Preset(
            name=str(item["name"]),
            tab=str(item.get("tab", "song")),
            prompt=str(item.get("prompt", "")),
            lyrics=str(item.get("lyrics", "")),
            title=str(item.get("title", "")),
            lyrics_optimizer=bool(item.get("lyrics_optimizer", False)),
        )
        if preset.tab not in TABS:
            raise ValueError(f"{path}: preset {preset.name!r} has unknown tab {preset.tab!r} (use {TABS})")
        out.append(preset)
    return out


def for_tab(presets: list[Preset], tab: str) -> list[Preset]:
    """The presets shown on one tab."""
    return [p for p in presets if p.tab == tab]
