"""The Cover tab: 1. a reference and its analysis, 2. a new style and edited lyrics (wiring in events.py)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from .. import config
from ..requests import COVER_LYRICS_MAX, COVER_LYRICS_MIN, COVER_PROMPT_MAX, COVER_PROMPT_MIN
from . import cards
from .layout_shared import (
    AudioControls,
    LyricsCheck,
    Results,
    action_row,
    audio_controls,
    lyrics_check,
    results_panel,
    takes_control,
)


@dataclass
class CoverTab:
    """Components of the Cover tab."""

    reference: gr.Audio
    audio_url: gr.Textbox
    example: gr.Button
    analyze: gr.Button
    quick: gr.Button
    timeline: gr.HTML
    analysis: gr.JSON
    feature_id: gr.Textbox
    prompt: gr.Textbox
    prompt_count: gr.HTML
    lyrics: gr.Textbox
    lyrics_check: LyricsCheck  # count and linter findings, with the one-click fixes
    model: gr.Radio
    audio: AudioControls
    generate: gr.Button
    stop: gr.Button
    results: Results
    takes: gr.Radio


def build_cover_tab(has_example: bool) -> CoverTab:
    """Reference by upload, microphone or URL; Analyze shows structure and lyrics; then style, lyrics, model."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            gr.Markdown(
                "## 1 · Reference track\nUpload or record 6 s – 6 min (≤ 50 MB), or give a link.",
                elem_classes="mg-step",
            )
            reference = gr.Audio(
                sources=["upload", "microphone"],
                type="filepath",
                label="Reference",
                elem_id="cover-reference",
            )
            audio_url = gr.Textbox(
                value="", label="…or its URL (audio_url)", placeholder="https://…/track.mp3", elem_id="cover-url"
            )
            with gr.Row():
                example = gr.Button("Try the example clip", size="sm", visible=has_example, elem_id="cover-example")
                analyze = gr.Button("Analyze", variant="secondary", elem_id="cover-analyze")
            timeline = gr.HTML("", label="structure", elem_id="cover-timeline")
            with gr.Accordion("Analysis (JSON)", open=False):
                analysis = gr.JSON(label="analysis")
            gr.Markdown("## 2 · Your cover", elem_classes="mg-step")
            prompt = gr.Textbox(
                value="",
                label=f"Target style ({COVER_PROMPT_MIN}–{COVER_PROMPT_MAX} characters)",
                placeholder="e.g. Acoustic folk, warm female vocals, fingerpicked guitar",
                lines=2,
                elem_id="cover-prompt",
            )
            prompt_count = gr.HTML(
                cards.counter("Style", "", COVER_PROMPT_MIN, COVER_PROMPT_MAX), elem_id="cover-prompt-count"
            )
            lyrics = gr.Textbox(
                value="",
                label="Lyrics",
                info="Filled in by Analyze — edit freely (10–1000 characters)",
                placeholder="Analyze the reference to fill this in",
                lines=10,
                max_lines=24,
                elem_id="cover-lyrics",
            )
            check = lyrics_check("cover", COVER_LYRICS_MIN, COVER_LYRICS_MAX)
            feature_id = gr.Textbox(
                value="",
                label="cover_feature_id",
                info="The analysed reference, reused for more covers for 24 h without uploading again",
                interactive=False,
                elem_id="cover-feature-id",
            )
            model = gr.Radio(choices=list(config.COVER_MODELS), value=config.DEFAULT_COVER_MODEL, label="Model")
            audio = audio_controls("cover")
            takes = takes_control("cover")
            generate, stop = action_row("cover", "Generate cover", ready=False)  # enabled by Analyze
            quick = gr.Button(
                "One-step cover: send the reference as it is, no lyric edits", size="sm", elem_id="cover-quick"
            )
        with gr.Column(scale=2, min_width=320):
            results = results_panel("cover", "Cover")
    return CoverTab(
        reference, audio_url, example, analyze, quick, timeline, analysis, feature_id, prompt, prompt_count, lyrics,
        check, model, audio, generate, stop, results, takes,
    )  # fmt: skip
