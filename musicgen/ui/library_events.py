"""The Library tab's events: who owns what, the list, play/download, Keep ★, delete with undo, export, "use again".

Ownership. A browser keeps a random owner token in its localStorage (gr.BrowserState); on page load the server makes
one when there is none (new_owner_token) and copies it into the visitor's server-side Session, which is where every
library call takes its owner from. The server stores only a salted hash of the token. A script (gradio_client) has
no browser: its results are saved under a token made for its session and never revealed.

Privacy. Every event here is private (api_visibility="private": not listed and not callable by name from
gradio_client) and acts only on the caller's own Session: the list, a row click and Keep ★ go through the server-side
list of the visitor's own entry ids, and the few ids that do come from the page (the export checkboxes) are checked
against the owner by the store, which answers "not in your library" for anyone else's. Audio is played and
downloaded from a copy in the visitor's temp folder: the library's files are never under a folder Gradio serves.
"""

from __future__ import annotations

import logging
import time
from html import escape
from typing import Any

import gradio as gr

from ..library import LibraryError, new_owner_token
from . import cards
from .events import wire_finish
from .finishing import finish_entry
from .layout_cover import CoverTab
from .layout_legacy import LegacySection
from .layout_song import InstrumentalTab, SongTab
from .library_service import LibraryService, valid_token, visitor_message
from .library_tab import EMPTY_NOTE, PICK_NOTE, LibraryTab
from .library_view import detail_html, empty_starred_note, pick_label, row, star_button, title_cell, usage_html
from .recipe_events import selected_recipe, studio_url
from .reuse import fill_form, form_targets
from .session import Session

log = logging.getLogger(__name__)
KINDS = ("song", "instrumental", "cover")
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
LIBRARY_CALLS: dict[str, Any] = {**PRIVATE, "concurrency_id": "library", "concurrency_limit": 8}


# -- what each event does (plain functions: tests call them directly) ------------------------------------------------


def ensure_owner(token: Any, session: Session) -> tuple[str, Session]:
    """On page load: the browser's token (or a new one) becomes the session's owner; the browser keeps it."""
    if valid_token(token):
        session.owner_token = token
    elif not valid_token(session.owner_token):
        session.owner_token = new_owner_token()
    # (a session that saved before its page finished loading already has a token: the browser adopts it)
    return session.owner_token, session


def set_song_title(title: str, session: Session) -> None:
    """The Song tab's title goes with the next song into the library."""
    session.song_title = (title or "").strip()[:120]


def refresh(
    service: LibraryService, session: Session, query: str = "", starred_only: bool = False
) -> tuple[Any, Any, list[str], Any, str, Any]:
    """(table, empty note, ids, export checkboxes, usage, export-several box) for the visitor's own songs matching
    the search (and kept ★ only, when asked)."""
    query, starred_only = query if isinstance(query, str) else "", starred_only is True
    try:
        entries = service.entries(session, query, starred_only=starred_only)
        used, cap = service.usage(session)
    except LibraryError as exc:
        log.warning("Library list failed: %s", exc)
        note = cards.notice(f"Your library cannot be shown: {visitor_message(exc)}", "error")
        hidden = gr.update(visible=False)
        return gr.update(value=[], visible=False), hidden, [], gr.update(choices=[], value=[]), note, hidden
    now = time.time()
    rows = [row(e, now) for e in entries]
    choices = [(pick_label(e, now), e.id) for e in entries]
    empty = EMPTY_NOTE if not query.strip() else cards.notice("No song matches that search.", "info")
    if starred_only:
        empty = empty_starred_note(query)
    return (
        gr.update(value=rows, visible=bool(rows)),
        gr.update(value=empty, visible=not rows),
        [e.id for e in entries],
        gr.update(choices=choices, value=[]),
        usage_html(used, cap, len(entries), query, service.share_all, starred_only),
        gr.update(visible=bool(rows)),
    )


def _cleared() -> tuple[Any, ...]:
    """(selected, player, download, export_one, reuse, delete, detail, request, star) with nothing selected."""
    off = gr.update(interactive=False)
    return "", None, gr.update(value=None, interactive=False), off, off, off, PICK_NOTE, None, star_button(None)


def select(
    service: LibraryService, index: Any, ids: list[str], session: Session, title: str | None = None
) -> tuple[Any, ...]:
    """A row click: the song's playable copy, its download, card and request, and the buttons that act on it.

    `index` is the row in the list as sent (the table reports it even when the visitor sorted the view); `title`,
    the clicked row's title, is checked against it so a stale row number never opens another song.
    """
    n = index[0] if isinstance(index, (list, tuple)) and index else index
    if not isinstance(n, int) or not 0 <= n < len(ids or []):
        return _cleared()
    try:
        library, owner = service.need(), _owner(session)
        entry = library.get(owner, ids[n])
        if title is not None and title_cell(entry) != title:
            entry = next((e for e in (library.get(owner, i) for i in ids) if title_cell(e) == title), entry)
        path = str(service.playable_copy(session, entry))
    except LibraryError as exc:
        gr.Warning(visitor_message(exc))
        return _cleared()
    on = gr.update(interactive=True)
    record = {"request": entry.params, "metadata": entry.metadata, "trace_id": entry.trace_id}
    detail = detail_html(entry)
    return entry.id, path, gr.update(value=path, interactive=True), on, on, on, detail, record, star_button(entry)


def delete(service: LibraryService, selected: str, session: Session) -> tuple[Any, ...]:
    """Hide the selected song; Undo brings it back during the grace period."""
    if not selected:
        return ("", gr.update(visible=False), "", *_cleared())
    try:
        entry = service.need().delete(_owner(session), selected)
    except LibraryError as exc:
        gr.Warning(visitor_message(exc))
        return ("", gr.update(visible=False), "", *_cleared())
    note = f'<div class="mg-undo-text">Deleted “{escape(entry.title)}”.</div>'
    return (entry.id, gr.update(visible=True), note, *_cleared())


def undo(service: LibraryService, deleted: str, session: Session) -> tuple[str, Any]:
    """Restore the song deleted last."""
    if deleted:
        try:
            entry = service.need().undo_delete(_owner(session), deleted)
            gr.Info(f"Restored “{entry.title}”.")
        except LibraryError as exc:
            gr.Warning(visitor_message(exc))
    return "", gr.update(visible=False)


def export(service: LibraryService, entry_ids: list[str] | None, session: Session) -> Any:
    """A zip of the given songs (each: audio, lyrics.txt, metadata.json with the request), shown for download."""
    chosen = [i for i in (entry_ids or []) if isinstance(i, str) and i]
    if not chosen:
        gr.Warning("Nothing to export: select a song, or tick some songs first.")
        return gr.skip()
    try:
        path = service.need().export_zip(_owner(session), chosen, dest_dir=session.files_dir() / "exports")
    except LibraryError as exc:
        gr.Warning(visitor_message(exc))
        return gr.skip()
    return gr.update(value=str(path), visible=True)


def toggle_star(service: LibraryService, selected: str, session: Session) -> Any:
    """Keep ★ / Remove ★ on the selected song; returns the button as it now reads.

    It acts on the server-side selection, never an id from the page, and flips what the library holds rather than
    what the button said: a stale page or a double click cannot star another's song or leave the label lying."""
    if not selected:
        return star_button(None)
    try:
        current = service.need().get(_owner(session), selected)
        return star_button(service.set_starred(session, selected, not current.starred))
    except LibraryError as exc:
        log.info("Star refused: %s", exc)
        gr.Warning(visitor_message(exc))
        return star_button(None)


def _owner(session: Session) -> str:
    if not valid_token(session.owner_token):
        raise LibraryError("Reload the page: your library is not connected yet.")
    return session.owner_token


# -- "Use these settings again" -------------------------------------------------------------------------------------


def reuse(
    service: LibraryService,
    selected: str,
    session: Session,
    tabs: gr.Tabs,
    song: SongTab,
    instrumental: InstrumentalTab,
    cover: CoverTab,
    legacy: LegacySection | None = None,
) -> dict[Any, Any]:
    """Fill the tab the song came from with its request, and switch to it (music-01: the Cover tab's legacy part)."""
    try:
        entry = service.need().get(_owner(session), selected)
    except LibraryError as exc:
        gr.Warning(visitor_message(exc))
        return {}
    return fill_form(
        entry.kind, entry.params, entry.title, entry.created_at, tabs, song, instrumental, cover, legacy, entry.provider
    )


# -- wiring ---------------------------------------------------------------------------------------------------------


def wire_library(
    tab: LibraryTab,
    service: LibraryService,
    session: gr.State,
    *,
    demo: gr.Blocks,
    tabs: gr.Tabs,
    library_tab: gr.Tab,
    song: SongTab,
    instrumental: InstrumentalTab,
    cover: CoverTab,
    legacy: LegacySection | None = None,
) -> None:
    """Page load (owner token), refreshes (tab opened, search, after every generation) and the tab's buttons."""
    listing = [tab.table, tab.empty, tab.ids, tab.picks, tab.usage, tab.several]
    selection = [
        tab.selected, tab.player, tab.download, tab.export_one, tab.reuse, tab.delete, tab.detail, tab.request,
        tab.star,
    ]  # fmt: skip
    quiet = {**LIBRARY_CALLS, "show_progress": "hidden"}
    shown = [session, tab.search, tab.starred_only]  # what the list shows: the search and the ★ filter

    def do_refresh(s: Session, query: str, starred_only: bool) -> tuple[Any, ...]:
        return refresh(service, s, query, starred_only)

    def chain_refresh(event: Any) -> None:
        event.then(do_refresh, shown, listing, **quiet)

    loaded = demo.load(ensure_owner, [tab.owner, session], [tab.owner, session], **PRIVATE, show_progress="hidden")
    chain_refresh(loaded)
    library_tab.select(do_refresh, shown, listing, **quiet)
    tab.refresh.click(do_refresh, shown, listing, **LIBRARY_CALLS, show_progress="minimal")
    tab.search.submit(do_refresh, shown, listing, **quiet)
    # change, not input: Gradio's Textbox sends no input event when characters are deleted, so clearing the search
    # left the list filtered (nothing else sets the search box, so change fires only for the visitor's typing).
    tab.search.change(do_refresh, shown, listing, trigger_mode="always_last", **quiet)
    tab.starred_only.input(do_refresh, shown, listing, trigger_mode="always_last", **quiet)
    # A finished (or partial) result lands in a tab's download box right after it is saved: list it.
    for results in (song.results, instrumental.results, cover.results):
        results.download.change(do_refresh, shown, listing, **quiet)
    song.title.change(set_song_title, [song.title, session], None, **PRIVATE, queue=False, show_progress="hidden")

    def do_select(ids: list[str], s: Session, evt: gr.SelectData) -> tuple[Any, ...]:
        shown = evt.row_value if isinstance(evt.row_value, list) and evt.row_value else [None]
        return select(service, evt.index, ids, s, shown[0] if isinstance(shown[0], str) else None)

    tab.table.select(do_select, [tab.ids, session], selection, **LIBRARY_CALLS, show_progress="minimal")

    def do_delete(selected: str, s: Session) -> tuple[Any, ...]:
        return delete(service, selected, s)

    def do_star(selected: str, s: Session) -> Any:  # the server's selection, never an id from the page
        return toggle_star(service, selected, s)

    chain_refresh(tab.star.click(do_star, [tab.selected, session], tab.star, **quiet))

    deleted = tab.delete.click(
        do_delete, [tab.selected, session], [tab.deleted, tab.undo_row, tab.undo_note, *selection], **quiet
    )
    chain_refresh(deleted)

    def do_undo(deleted_id: str, s: Session) -> tuple[str, Any]:
        return undo(service, deleted_id, s)

    chain_refresh(tab.undo.click(do_undo, [tab.deleted, session], [tab.deleted, tab.undo_row], **quiet))

    def export_selected(selected: str, s: Session) -> Any:
        return export(service, [selected] if selected else [], s)

    def export_ticked(entry_ids: list[str], s: Session) -> Any:  # ids from the page: the store checks the owner
        return export(service, entry_ids, s)

    def export_shown(entry_ids: list[str], s: Session) -> Any:  # the server's own list of this visitor's songs
        return export(service, entry_ids, s)

    exporting = {**LIBRARY_CALLS, "show_progress": "minimal"}
    tab.export_one.click(export_selected, [tab.selected, session], tab.export_file, **exporting)
    tab.export_picked.click(export_ticked, [tab.picks, session], tab.export_file, **exporting)
    tab.export_all.click(export_shown, [tab.ids, session], tab.export_file, **exporting)

    targets = form_targets(tabs, song, instrumental, cover, legacy)

    def do_reuse(selected: str, s: Session) -> dict[Any, Any]:
        return reuse(service, selected, s, tabs, song, instrumental, cover, legacy)

    tab.reuse.click(do_reuse, [tab.selected, session], targets, **PRIVATE, show_progress="hidden")

    def do_finish(selected: str, loudness: str, trim: bool, fade_in: float, fade_out: float, s: Session) -> Any:
        return finish_entry(service, selected, loudness, trim, fade_in, fade_out, s)

    wire_finish(tab.finish, tab.selected, do_finish, session)

    def do_recipe(selected: str, s: Session, request: gr.Request) -> tuple[Any, ...]:
        return selected_recipe(service, selected, s, studio_url(request))

    recipe_out = [tab.share, tab.recipe, *tab.code.values()]
    tab.selected.change(do_recipe, [tab.selected, session], recipe_out, **quiet)
