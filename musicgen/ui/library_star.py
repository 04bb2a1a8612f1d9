"""Keep ★ in the Library tab: how a kept song shows in the list, and the toggle for the selected song.

The toggle acts on the server-side selection (the `selected` gr.State, set from the visitor's own list), never on an
id from the page, and flips what the library holds rather than what the button said: a stale page or a double click
cannot star someone else's song or leave the label lying. The store checks the owner again (LibraryService.set_starred).
"""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from ..library import Entry, LibraryError
from .library_service import LibraryService, owner_of, visitor_message
from .library_tab import KEEP_LABEL, UNKEEP_LABEL
from .session import Session

log = logging.getLogger(__name__)
STAR = "★"
KEPT_WORD = "kept"  # said next to the ★ in the list, so a screen reader (and everyone) reads what it means


def title_cell(entry: Entry) -> str:
    """The list's Title cell: '★ Title' for a kept song."""
    return f"{STAR} {entry.title}" if entry.starred else entry.title


def star_button(entry: Entry | None) -> Any:
    """The toggle for the selected song: 'Remove ★' when it is kept, 'Keep ★' when not, off with nothing selected."""
    if entry is None:
        return gr.update(value=KEEP_LABEL, interactive=False)
    return gr.update(value=UNKEEP_LABEL if entry.starred else KEEP_LABEL, interactive=True)


def toggle_star(service: LibraryService, selected: str, session: Session) -> Any:
    """Keep ★ / Remove ★ on the selected song; returns the button as it now reads."""
    if not selected:
        return star_button(None)
    try:
        current = service.need().get(owner_of(session), selected)
        return star_button(service.set_starred(session, selected, not current.starred))
    except LibraryError as exc:
        log.info("Star refused: %s", exc)
        gr.Warning(visitor_message(exc))
        return star_button(None)


def empty_starred_note(query: str) -> str:
    """What the list says when the ★ filter leaves nothing."""
    if query.strip():
        return f'<div class="mg-note mg-note-info">No kept {STAR} song matches that search.</div>'
    return (
        f'<div class="mg-note mg-note-info">No kept {STAR} songs yet: select a song and press '
        f"“{KEEP_LABEL}” to keep it here.</div>"
    )
