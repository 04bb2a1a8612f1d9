"""The Cover tab's legacy section: music-01 sings lyrics after an uploaded reference (wiring in legacy_handlers.py)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from ..legacy import LYRICS_MAX
from ..lyrics_lint import MUSIC01_FIXES
from . import cards, provider_notes
from .layout_shared import LyricsCheck

TITLE = "Legacy: music-01 reference song — may no longer be served"
PURPOSES = [
    ("Song: voice and accompaniment (both ids)", "song"),
    ("Voice only (voice_id)", "voice"),
    ("Instrumental only (instrumental_id)", "instrumental"),
]


@dataclass
class LegacySection:
    """Components of the music-01 section."""

    accordion: gr.Accordion
    note: gr.HTML
    reference: gr.Audio
    purpose: gr.Radio
    upload: gr.Button
    voice_id: gr.Textbox
    instrumental_id: gr.Textbox
    upload_info: gr.HTML
    lyrics: gr.Textbox
    check: LyricsCheck  # the count and lyrics_lint's music-01 findings, live, with its one-click fixes
    accompaniment: gr.Checkbox
    format: gr.Radio
    generate: gr.Button
    stop: gr.Button


def build_legacy_section(provider: str) -> LegacySection:
    """A closed, clearly marked accordion: 1. upload a reference for its ids, 2. lyrics, 3. generate."""
    with gr.Accordion(TITLE, open=False, elem_id="legacy-music01", elem_classes="mg-legacy") as accordion:
        note = provider_notes.note_box(provider, "legacy")
        gr.Markdown(
            "MiniMax lists **music-01** as a legacy model: it may answer *model unavailable* — then make a cover "
            "above instead. It sings short lyrics in the manner of a reference track and returns at most a minute "
            "of audio. Works with MiniMax direct and through the AI/ML API; the results appear in the Cover results "
            "panel."
        )
        with gr.Row(equal_height=False):
            reference = gr.Audio(
                sources=["upload"],
                type="filepath",
                label="1 · Reference (wav or mp3, 10 s – 10 min)",
                elem_id="legacy-reference",
            )
            with gr.Column():
                purpose = gr.Radio(
                    choices=PURPOSES, value="song", label="Use the reference as", elem_id="legacy-purpose"
                )
                upload = gr.Button("Upload reference", variant="secondary", elem_id="legacy-upload")
                upload_info = gr.HTML("", elem_id="legacy-upload-info")
        with gr.Row():
            voice_id = gr.Textbox(
                value="", label="voice_id (refer_voice)", placeholder="filled in by Upload", elem_id="legacy-voice-id"
            )
            instrumental_id = gr.Textbox(
                value="",
                label="instrumental_id (refer_instrumental)",
                placeholder="filled in by Upload",
                elem_id="legacy-instrumental-id",
            )
        lyrics = gr.Textbox(
            value="",
            label=f"2 · Lyrics (1–{LYRICS_MAX} characters)",
            placeholder="Short lyrics, lines separated by new lines",
            lines=4,
            elem_id="legacy-lyrics",
        )
        # page_names: the box is described by the report (its elem_id is the box's plus "-count")
        report = gr.HTML(cards.counter("Lyrics", "", 1, LYRICS_MAX), elem_id="legacy-lyrics-count")
        with gr.Row():
            fixes = {
                name: gr.Button(label, size="sm", visible=False, elem_id=f"legacy-fix-{name}")
                for name, (label, _fn) in MUSIC01_FIXES.items()
            }
        with gr.Row():
            accompaniment = gr.Checkbox(
                value=False,
                label="Add accompaniment (wraps the lyrics in ## … ##; counts 4 characters)",
                elem_id="legacy-accompaniment",
            )
            fmt = gr.Radio(choices=["mp3", "wav"], value="mp3", label="Format", elem_id="legacy-format")
        with gr.Row():
            generate = gr.Button("3 · Generate with music-01", variant="primary", scale=3, elem_id="legacy-generate")
            stop = gr.Button("Stop", variant="stop", scale=1, elem_id="legacy-stop")
    return LegacySection(
        accordion, note, reference, purpose, upload, voice_id, instrumental_id, upload_info, lyrics,
        LyricsCheck(report, fixes), accompaniment,
        fmt, generate, stop,
    )  # fmt: skip
