"""Filling the form from a song's settings: "Use these settings again" in the Library, "Use this recipe" in the Showcase.

One home for it: each caller hands over what the song was made with (its kind, its request, its title, when it was
made) and gets back the updates for the tab it came from, which is then selected.
"""

from __future__ import annotations

import time
from typing import Any

import gradio as gr

from ..legacy import split_accompaniment
from .layout_cover import CoverTab
from .layout_legacy import LegacySection
from .layout_song import InstrumentalTab, SongTab

FEATURE_ID_FRESH_S = 23 * 3600.0  # a cover_feature_id lives 24 h on MiniMax's side; keep a margin


def fill_form(
    kind: str,
    params: dict[str, Any],
    title: str,
    created_at: float,
    tabs: gr.Tabs,
    song: SongTab,
    instrumental: InstrumentalTab,
    cover: CoverTab,
    legacy: LegacySection | None = None,
) -> dict[Any, Any]:
    """Fill the tab a song of `kind` came from with its request `params`, and switch to it (music-01: the Cover tab's
    legacy part). A cover's analysed reference id is reused only while it lives (`created_at`: when it was made)."""
    p = params if isinstance(params, dict) else {}
    raw_setting = p.get("audio_setting")
    setting: dict[str, Any] = raw_setting if isinstance(raw_setting, dict) else {}

    def text(key: str) -> str:
        value = p.get(key)
        return value if isinstance(value, str) else ""

    out: dict[Any, Any] = {}

    def audio(controls: Any) -> None:
        for name in ("format", "sample_rate", "bitrate"):
            if setting.get(name) is not None:
                out[getattr(controls, name)] = setting[name]
        if isinstance(p.get("stream"), bool):
            out[controls.stream] = p["stream"]

    def take(controls: Any) -> None:  # the seed and cap a take was made with make it again (MiniMax-Music3)
        if isinstance(p.get("seed"), int):
            out[controls.seed] = str(p["seed"])
        if isinstance(p.get("max_seconds"), int):
            out[controls.max_seconds] = p["max_seconds"]

    if kind == "song":
        out.update({song.prompt: text("prompt"), song.lyrics: text("lyrics")})
        out[song.lyrics_optimizer] = bool(p.get("lyrics_optimizer"))
        out[song.title] = title
        if text("model"):
            out[song.model] = text("model")
        audio(song.audio)
        take(song.take)
    elif kind == "instrumental":
        out[instrumental.prompt] = text("prompt")
        if text("model"):
            out[instrumental.model] = text("model")
        audio(instrumental.audio)
        take(instrumental.take)
    elif kind == "cover":
        out.update({cover.prompt: text("prompt"), cover.lyrics: text("lyrics")})
        if text("model"):
            out[cover.model] = text("model")
        audio(cover.audio)
        fresh = time.time() - created_at < FEATURE_ID_FRESH_S
        if text("cover_feature_id") and fresh:
            out[cover.feature_id] = text("cover_feature_id")
            out[cover.generate] = gr.update(interactive=True)
        elif text("audio_url"):
            out[cover.audio_url] = text("audio_url")
            gr.Info("Press Analyze to analyse the reference again, then Generate cover.")
        else:
            gr.Info("Upload the reference track again and press Analyze: an analysed reference lasts only 24 h.")
    elif kind == "music01" and legacy is not None:
        lyrics, marked = split_accompaniment(text("lyrics"))
        if not p.get("accompaniment"):  # lyrics that merely began and ended with ## were sung as written
            lyrics, marked = text("lyrics").strip(), False
        out.update({legacy.lyrics: lyrics, legacy.accompaniment: marked})
        out.update({legacy.voice_id: text("refer_voice"), legacy.instrumental_id: text("refer_instrumental")})
        if setting.get("format") in ("mp3", "wav"):
            out[legacy.format] = setting["format"]
        out[legacy.accordion] = gr.Accordion(open=True)
        gr.Info("The reference ids are filled in again; if MiniMax no longer knows them, upload the reference again.")
        out[tabs] = gr.Tabs(selected="cover")
        return out
    else:
        gr.Warning(f"Songs of kind “{kind}” cannot be loaded into a tab.")
        return {}
    out[tabs] = gr.Tabs(selected=kind)
    return out


def form_targets(
    tabs: gr.Tabs, song: SongTab, instrumental: InstrumentalTab, cover: CoverTab, legacy: LegacySection | None = None
) -> list[Any]:
    """Every component fill_form may update (the outputs of a "use again" event)."""
    targets = [
        tabs, song.prompt, song.lyrics, song.lyrics_optimizer, song.title, song.model, *song.audio.inputs(),
        *song.take.inputs(), instrumental.prompt, instrumental.model, *instrumental.audio.inputs(),
        *instrumental.take.inputs(),
        cover.prompt, cover.lyrics, cover.model, cover.feature_id, cover.audio_url, cover.generate,
        *cover.audio.inputs(),
    ]  # fmt: skip
    if legacy is not None:
        targets += [
            legacy.accordion, legacy.lyrics, legacy.accompaniment, legacy.voice_id, legacy.instrumental_id,
            legacy.format,
        ]  # fmt: skip
    return targets
