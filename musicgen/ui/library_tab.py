"""The Library tab: every song this browser made, newest first (the wiring is in library_events.py)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from .layout_shared import FinishControls, code_panel, finish_controls
from .page_names import PLAYER_CLASS

# An owner token lives in the visitor's localStorage under this key. BrowserState encrypts it with `secret`, which
# Gradio serves in /config anyway (it hides nothing from the browser that holds the value); it is fixed so the
# browser can still read its token after the server restarts (a random one would be new at every start).
OWNER_STORAGE_KEY = "musicgen-library-owner"
OWNER_STORAGE_SECRET = "musicgen-library-owner-v1"
COLUMNS = ["Title", "Details", "Made"]  # few columns: the list must read well on a phone too
EMPTY_NOTE = (
    '<div class="mg-note mg-note-info" id="library-empty-note">Nothing here yet. Every song, instrumental and cover '
    "you generate is saved here automatically, before it is shown.</div>"
)
KEEP_LABEL, UNKEEP_LABEL = "Keep ★", "Remove ★"  # the toggle's label says what a click does
STARRED_ONLY_LABEL = "★ kept only"
PICK_NOTE = '<div class="mg-note mg-note-info">Select a song in the list to play it, download it or use it again.</div>'


@dataclass
class LibraryTab:
    """Components of the Library tab, plus the per-visitor state its events share."""

    owner: gr.BrowserState
    ids: gr.State  # entry ids in table order (server-side: a click sends a row number, never an id)
    selected: gr.State  # the entry shown on the right
    deleted: gr.State  # the entry deleted last, for Undo
    usage: gr.HTML
    search: gr.Textbox
    refresh: gr.Button
    undo_row: gr.Row
    undo_note: gr.HTML
    undo: gr.Button
    empty: gr.HTML
    table: gr.Dataframe
    several: gr.Accordion
    picks: gr.CheckboxGroup
    export_picked: gr.Button
    export_all: gr.Button
    export_file: gr.File
    detail: gr.HTML
    player: gr.Audio
    download: gr.DownloadButton
    export_one: gr.Button
    reuse: gr.Button
    delete: gr.Button
    request: gr.JSON
    finish: FinishControls
    publish: gr.Button  # shown to the showcase's owner only (showcase_events.py refuses anyone else)
    recipe: gr.DownloadButton  # the selected song's recipe (musicgen/recipe.py) as a .json file
    share: gr.HTML  # a ?recipe= link to the studio that fills the form with the selected song's settings
    code: dict[str, gr.Code]  # "Copy as code" for the selected song
    starred_only: gr.Checkbox  # the "★ only" filter; combines with the search
    star: gr.Button  # Keep ★ / Remove ★ on the selected song


def owner_state() -> gr.BrowserState:
    """The visitor's owner token in localStorage. Create it outside the tabs: a tab's components are mounted only
    when it is first opened, and an unmounted BrowserState neither reads nor writes localStorage."""
    return gr.BrowserState(None, storage_key=OWNER_STORAGE_KEY, secret=OWNER_STORAGE_SECRET)


def build_library_tab(owner: gr.BrowserState) -> LibraryTab:
    """Usage and search on top; the list (and export of several) on the left; the selected song on the right."""
    ids, selected, deleted = gr.State([]), gr.State(""), gr.State("")
    usage = gr.HTML("", elem_id="library-usage")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            with gr.Row(equal_height=True, elem_classes="mg-library-search"):
                search = gr.Textbox(
                    value="",
                    label="Search",
                    show_label=False,
                    container=False,
                    placeholder="Search: words from the prompt, lyrics or title",
                    scale=4,
                    min_width=180,
                    elem_id="library-search",
                )
                starred_only = gr.Checkbox(
                    value=False, label=STARRED_ONLY_LABEL, container=False, scale=0, min_width=140,
                    elem_id="library-starred-only",
                )  # fmt: skip
                refresh = gr.Button("Refresh", size="sm", scale=1, min_width=90, elem_id="library-refresh")
            with gr.Row(visible=False, elem_id="library-undo-row", elem_classes="mg-library-undo") as undo_row:
                undo_note = gr.HTML("", elem_id="library-undo-note")
                undo = gr.Button("Undo", size="sm", scale=0, min_width=80, elem_id="library-undo")
            empty = gr.HTML(EMPTY_NOTE, elem_id="library-empty")
            table = gr.Dataframe(
                value=[],
                headers=COLUMNS,
                datatype=["str"] * len(COLUMNS),
                column_count=len(COLUMNS),
                interactive=False,
                wrap=True,
                max_height=460,
                column_widths=["47%", "33%", "20%"],
                label="Your songs · click one to open it",
                visible=False,
                elem_id="library-table",
            )
            with gr.Accordion(
                "Export several songs as a zip", open=False, visible=False, elem_id="library-export-several"
            ) as several:  # shown once there are songs
                picks = gr.CheckboxGroup(choices=[], value=[], label="Songs to export", elem_id="library-picks")
                with gr.Row():
                    export_picked = gr.Button("Export the ticked songs", size="sm", elem_id="library-export-picked")
                    export_all = gr.Button("Export all shown", size="sm", elem_id="library-export-all")
            export_file = gr.File(
                label="Export (zip: audio, lyrics.txt, metadata.json)",
                interactive=False,
                visible=False,  # shown once there is a zip
                elem_id="library-export",
                elem_classes="mg-download",
            )
        with gr.Column(scale=2, min_width=320):
            detail = gr.HTML(PICK_NOTE, elem_id="library-detail")
            player = gr.Audio(
                label="Selected song",
                type="filepath",
                interactive=False,
                buttons=[],  # the Download button below is the one way to download
                elem_id="library-player",
                elem_classes=PLAYER_CLASS,
            )
            with gr.Row():
                download = gr.DownloadButton(
                    "Download", size="sm", interactive=False, elem_id="library-download", min_width=100
                )
                export_one = gr.Button("Export as zip", size="sm", interactive=False, elem_id="library-export-one")
                star = gr.Button(KEEP_LABEL, size="sm", interactive=False, elem_id="library-star", min_width=100)
            with gr.Row():
                reuse = gr.Button(
                    "Use these settings again", variant="primary", size="sm", interactive=False, elem_id="library-reuse"
                )
                delete = gr.Button("Delete", variant="stop", size="sm", interactive=False, elem_id="library-delete")
            publish = gr.Button("Publish to showcase", size="sm", visible=False, elem_id="library-publish")
            finish = finish_controls("library")
            with gr.Row():
                recipe = gr.DownloadButton(
                    "Download recipe", size="sm", interactive=False, elem_id="library-recipe", min_width=100
                )
            share = gr.HTML("", elem_id="library-share")
            code = code_panel("library")
            with gr.Accordion("Request and metadata (JSON)", open=False):
                request = gr.JSON(label="request", elem_id="library-request")
    return LibraryTab(
        owner, ids, selected, deleted, usage, search, refresh, undo_row, undo_note, undo, empty, table, several,
        picks, export_picked, export_all, export_file, detail, player, download, export_one, reuse, delete, request,
        finish, publish, recipe, share, code, starred_only, star,
    )  # fmt: skip
