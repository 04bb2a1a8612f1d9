"""The Showcase tab: the songs the studio's owner published, in the owner's order (the wiring: showcase_events.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from html import escape
from typing import Any

import gradio as gr

from .. import providers
from ..access import ENV_OWNER_CODE
from ..showcase import Shown
from . import cards
from .layout_shared import FinishControls, finish_controls

EMPTY_NOTE = (
    '<div class="mg-note mg-note-info" id="showcase-empty-note"><b>Nothing is published yet.</b> The studio\'s owner '
    f"curates this gallery: with <code>{ENV_OWNER_CODE}</code> set on the server, enter that code in the Settings tab "
    "(“Showcase owner”), open a song in the Library and press “Publish to showcase”.</div>"
)
PICK_NOTE = '<div class="mg-note mg-note-info">Pick a song in the list to play it, read its prompt and lyrics, or download it.</div>'
GONE_NOTE = "This song is no longer shown in the showcase. The songs still shown are listed here."
BADGE_CLASS = {providers.DEMO: "mg-badge-demo", providers.AIMLAPI: "mg-badge-aimlapi"}


@dataclass
class ShowcaseTab:
    """Components of the Showcase tab."""

    note: gr.HTML  # "no longer shown" for a link to an unpublished song
    empty: gr.HTML
    songs: gr.Radio  # the published songs in order; a value is a public id (public by design)
    owner_row: gr.Row  # Move up / Move down / Unpublish: shown to the owner only, refused server-side to anyone else
    up: gr.Button
    down: gr.Button
    unpublish: gr.Button
    pane: gr.Column  # the open song: shown once something is published
    head: gr.HTML  # title, badge, link
    player: gr.Audio
    download: gr.DownloadButton
    recipe: gr.Button
    detail: gr.HTML  # prompt, lyrics, metadata card
    finish: FinishControls


def build_showcase_tab() -> ShowcaseTab:
    """The list (and the owner's controls) on the left; the song that is open on the right."""
    note = gr.HTML("", elem_id="showcase-note")
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            empty = gr.HTML(EMPTY_NOTE, elem_id="showcase-empty")
            songs = gr.Radio(
                choices=[], value=None, label="Published songs, in the owner's order", visible=False,
                elem_id="showcase-list",
            )  # fmt: skip
            with gr.Row(visible=False, elem_id="showcase-owner") as owner_row:
                up = gr.Button("Move up", size="sm", min_width=90, elem_id="showcase-up")
                down = gr.Button("Move down", size="sm", min_width=90, elem_id="showcase-down")
                unpublish = gr.Button(
                    "Unpublish", variant="stop", size="sm", min_width=90, elem_id="showcase-unpublish"
                )
        with gr.Column(scale=3, min_width=300, visible=False, elem_id="showcase-pane") as pane:
            head = gr.HTML(PICK_NOTE, elem_id="showcase-head")
            player = gr.Audio(
                label="Showcase song", type="filepath", interactive=False, buttons=[],  # the Download button below
                elem_id="showcase-player",
            )  # fmt: skip
            with gr.Row():
                download = gr.DownloadButton(
                    "Download", size="sm", interactive=False, min_width=100, elem_id="showcase-download"
                )
                recipe = gr.Button(
                    "Use this recipe", variant="primary", size="sm", interactive=False, elem_id="showcase-recipe"
                )
            detail = gr.HTML("", elem_id="showcase-detail")
            finish = finish_controls("showcase")
    return ShowcaseTab(
        note, empty, songs, owner_row, up, down, unpublish, pane, head, player, download, recipe, detail, finish
    )


def label(shown: Shown) -> str:
    """How the list names a published song."""
    return f"{shown.title} · {shown.kind} · {cards.clock(shown.duration_s)}"


def badge(shown: Shown) -> str:
    """The backend and model badge."""
    name = providers.LABELS.get(shown.provider, shown.provider or "MiniMax")
    text = f"{name} · {shown.model}" if shown.model else name
    cls = BADGE_CLASS.get(shown.provider, "mg-badge-minimax")
    return f'<span class="mg-badge {cls}">{escape(text)}</span>'


def head_html(shown: Shown) -> str:
    """The open song's title, its backend and model badge, when it was published and its own link."""
    day = time.strftime("%Y-%m-%d", time.gmtime(shown.published_at))
    return (
        f'<h2 class="mg-showcase-title">{escape(shown.title)}</h2>'
        f'<div class="mg-showcase-meta">{badge(shown)} {escape(shown.kind)} · published {day} · '
        f'<a href="?song={escape(shown.id)}" id="showcase-link">Link to this song</a></div>'
    )


def detail_html(shown: Shown) -> str:
    """The prompt and lyrics, then the metadata card."""
    meta: dict[str, Any] = {**shown.metadata, "file": f"{shown.title}.{shown.audio_format}"}
    meta.setdefault("duration_s", shown.duration_s)
    meta.setdefault("provider", shown.provider)
    meta.setdefault("model", shown.model)
    meta.setdefault("format", shown.audio_format)
    prompt = escape(shown.prompt) if shown.prompt else "<i>none</i>"
    lyrics = (
        f'<details class="mg-showcase-lyrics" open><summary>Lyrics</summary><pre>{escape(shown.lyrics)}</pre></details>'
        if shown.lyrics.strip()
        else '<p class="mg-showcase-meta">Instrumental: no lyrics.</p>'
    )
    return f'<p class="mg-showcase-prompt"><b>Prompt</b><br>{prompt}</p>{lyrics}{cards.metadata_card(meta)}'
