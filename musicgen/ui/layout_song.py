"""The Song and Instrumental tabs: what is on screen (the wiring is in events.py)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from .. import config
from ..requests import LYRICS_MAX, PROMPT_MAX, STRUCTURE_TAGS
from . import cards
from .layout_shared import (
    AudioControls,
    LyricsCheck,
    Results,
    TakeControls,
    action_row,
    audio_controls,
    lyrics_check,
    results_panel,
    take_controls,
    takes_control,
)
from .presets import Preset


@dataclass
class SongTab:
    """Components of the Song tab."""

    prompt: gr.Textbox
    prompt_count: gr.HTML
    title: gr.Textbox
    style_tags: gr.Textbox
    use_tags: gr.Button
    lyrics: gr.Textbox
    lyrics_check: LyricsCheck  # count and linter findings, with the one-click fixes
    tag_buttons: list[tuple[str, gr.Button]]
    write: gr.Button
    revise: gr.Button
    undo: gr.Button
    lyrics_backup: gr.State
    lyrics_mode: gr.Textbox
    lyrics_optimizer: gr.Checkbox
    model: gr.Dropdown
    audio: AudioControls
    generate: gr.Button
    stop: gr.Button
    results: Results
    take: TakeControls
    takes: gr.Radio


@dataclass
class InstrumentalTab:
    """Components of the Instrumental tab."""

    prompt: gr.Textbox
    prompt_count: gr.HTML
    model: gr.Dropdown
    audio: AudioControls
    take: TakeControls
    generate: gr.Button
    stop: gr.Button
    results: Results
    takes: gr.Radio


def model_dropdown(choices: tuple[str, ...], value: str, elem_id: str | None = None) -> gr.Dropdown:
    """A model picker that also accepts names not in the list (the server has the last word on models)."""
    return gr.Dropdown(
        choices=list(choices),
        value=value,
        label="Model",
        allow_custom_value=True,
        info="-free models: free tier, 3 at a time",
        elem_id=elem_id,
    )


def presets_block(presets: list[Preset], inputs: list, fields: tuple[str, ...]) -> None:
    """Clickable examples that fill the form."""
    if not presets:
        return
    gr.Examples(
        examples=[[getattr(p, f) for f in fields] for p in presets],
        inputs=inputs,
        example_labels=[p.name for p in presets],
        label="Presets · click one to fill the form",
        api_visibility="private",
        examples_per_page=12,
    )


def build_song_tab(
    presets: list[Preset],
    models: tuple[str, ...] = config.SONG_MODELS,
    model_value: str = config.DEFAULT_SONG_MODEL,
    takes: bool = False,
) -> SongTab:
    """Style prompt, lyrics editor with structure tags and counters, lyrics writing, model (`models`, the backend's),
    seed and length (`takes`: shown for backends that take them), audio settings."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            top = gr.Column()  # presets go here, once the inputs they fill exist
            prompt = gr.Textbox(
                value="",
                label="Style prompt",
                placeholder="Genre, mood, instruments, vocals, tempo, scene — e.g. Indie folk, melancholic, coffee shop",
                lines=2,
                max_lines=6,
                elem_id="song-prompt",
            )
            prompt_count = gr.HTML(cards.counter("Prompt", "", 0, PROMPT_MAX), elem_id="song-prompt-count")
            with gr.Row(equal_height=False, elem_classes="mg-tags-row"):
                title = gr.Textbox(value="", label="Title", info="For your files", scale=2, elem_id="song-title")
                style_tags = gr.Textbox(
                    value="", label="Style tags", info="Suggested with written lyrics", scale=3, elem_id="song-tags"
                )
                use_tags = gr.Button("Add to prompt", size="sm", scale=1, min_width=110)
            gr.Markdown("**Lyrics** · click a tag to add it at the end", elem_classes="mg-step")
            with gr.Row(elem_classes="mg-tags"):
                tag_buttons = [(t, gr.Button(f"[{t}]", size="sm", min_width=0)) for t in STRUCTURE_TAGS]
            lyrics = gr.Textbox(
                value="",
                label="Lyrics",
                show_label=False,
                placeholder="[Verse]\nStreetlights flicker, the night breeze sighs\n[Chorus]\n...",
                lines=12,
                max_lines=30,
                elem_id="song-lyrics",
            )
            check = lyrics_check("song", 0, LYRICS_MAX)
            with gr.Row():
                write = gr.Button("Write lyrics for me", size="sm", elem_id="song-write-lyrics")
                revise = gr.Button("Polish my lyrics", size="sm")
                undo = gr.Button("Undo lyrics change", size="sm", visible=False, elem_id="song-undo")
            lyrics_backup = gr.State("")
            lyrics_mode = gr.Textbox(value="write_full_song", visible=False, label="mode")
            lyrics_optimizer = gr.Checkbox(
                value=False,
                label="Auto lyrics: let MiniMax write the lyrics from the prompt (leave the lyrics empty)",
                elem_id="song-lyrics-optimizer",
            )
            model = model_dropdown(models, model_value, "song-model")
            take = take_controls("song", takes)
            audio = audio_controls("song")
            count = takes_control("song")
            generate, stop = action_row("song", "Generate song")
            with top:
                fields = ("prompt", "lyrics", "lyrics_optimizer", "title")
                presets_block(presets, [prompt, lyrics, lyrics_optimizer, title], fields)
        with gr.Column(scale=2, min_width=320):
            results = results_panel("song", "Song")
    return SongTab(
        prompt, prompt_count, title, style_tags, use_tags, lyrics, check, tag_buttons, write, revise, undo,
        lyrics_backup, lyrics_mode, lyrics_optimizer, model, audio, generate, stop, results, take, count,
    )  # fmt: skip


def build_instrumental_tab(
    presets: list[Preset],
    models: tuple[str, ...] = config.SONG_MODELS,
    model_value: str = config.DEFAULT_SONG_MODEL,
    takes: bool = False,
) -> InstrumentalTab:
    """Prompt, model (`models`, the backend's), seed and length (`takes`), audio settings."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            top = gr.Column()
            prompt = gr.Textbox(
                value="",
                label="Prompt",
                placeholder="Instruments, mood, tempo, scene — e.g. Lo-fi hip hop, dusty vinyl, rainy night",
                lines=3,
                max_lines=8,
                elem_id="instrumental-prompt",
            )
            prompt_count = gr.HTML(cards.counter("Prompt", "", 1, PROMPT_MAX), elem_id="instrumental-prompt-count")
            model = model_dropdown(models, model_value, "instrumental-model")
            take = take_controls("instrumental", takes)
            audio = audio_controls("instrumental")
            count = takes_control("instrumental")
            generate, stop = action_row("instrumental", "Generate instrumental")
            with top:
                presets_block(presets, [prompt], ("prompt",))
        with gr.Column(scale=2, min_width=320):
            results = results_panel("instrumental", "Instrumental")
    return InstrumentalTab(prompt, prompt_count, model, audio, take, generate, stop, results, count)
