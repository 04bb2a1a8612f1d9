"""Filling the form from a song's settings: "Use these settings again" in the Library, "Use this recipe" in the Showcase.

One home for it: each caller hands over what the song was made with (its kind, its request, its title, when it was
made, its backend) and gets back the updates for the tab it came from, which is then selected. Songs, instrumentals
and covers go through their recipe (musicgen/recipe.py, the same form a share link fills); music-01, which a recipe
does not describe, fills the Cover tab's legacy part.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..legacy import split_accompaniment
from ..recipe import Recipe, RecipeError
from .layout_cover import CoverTab
from .layout_legacy import LegacySection
from .layout_song import InstrumentalTab, SongTab
from .recipe_events import fill_form as fill_from_recipe
from .recipe_events import form_targets as recipe_targets


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
    backend: str = "",
) -> dict[Any, Any]:
    """Fill the tab a song of `kind` came from with its request `params`, and switch to it (music-01: the Cover tab's
    legacy part). A cover's analysed reference id is reused only while it lives (`created_at`: when it was made)."""
    p = params if isinstance(params, dict) else {}
    if kind in ("song", "instrumental", "cover"):
        try:
            recipe = Recipe.from_params(kind, p, backend, created_at, title)
        except (RecipeError, ValueError):  # an old song whose request no longer passes today's rules
            gr.Warning("This song's settings cannot be loaded into a tab any more.")
            return {}
        out, todo = fill_from_recipe(recipe, tabs, song, instrumental, cover)
        if todo:
            gr.Info(todo)
        return out
    if kind == "music01" and legacy is not None:
        return _fill_music01(p, tabs, legacy)
    gr.Warning(f"Songs of kind “{kind}” cannot be loaded into a tab.")
    return {}


def _fill_music01(p: dict[str, Any], tabs: gr.Tabs, legacy: LegacySection) -> dict[Any, Any]:
    raw_setting = p.get("audio_setting")
    setting: dict[str, Any] = raw_setting if isinstance(raw_setting, dict) else {}

    def text(key: str) -> str:
        value = p.get(key)
        return value if isinstance(value, str) else ""

    lyrics, marked = split_accompaniment(text("lyrics"))
    if not p.get("accompaniment"):  # lyrics that merely began and ended with ## were sung as written
        lyrics, marked = text("lyrics").strip(), False
    out: dict[Any, Any] = {legacy.lyrics: lyrics, legacy.accompaniment: marked}
    out.update({legacy.voice_id: text("refer_voice"), legacy.instrumental_id: text("refer_instrumental")})
    if setting.get("format") in ("mp3", "wav"):
        out[legacy.format] = setting["format"]
    out[legacy.accordion] = gr.Accordion(open=True)
    gr.Info("The reference ids are filled in again; if MiniMax no longer knows them, upload the reference again.")
    out[tabs] = gr.Tabs(selected="cover")
    return out


def form_targets(
    tabs: gr.Tabs, song: SongTab, instrumental: InstrumentalTab, cover: CoverTab, legacy: LegacySection | None = None
) -> list[Any]:
    """Every component fill_form may update (the outputs of a "use again" event)."""
    targets = [tabs, *recipe_targets(song, instrumental, cover)]
    if legacy is not None:
        targets += [
            legacy.accordion, legacy.lyrics, legacy.accompaniment, legacy.voice_id, legacy.instrumental_id,
            legacy.format,
        ]  # fmt: skip
    return targets
