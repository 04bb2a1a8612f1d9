"""The Showcase tab's events: the list, opening a song (also from a ?song=<id> link), and the owner's curation.

Who may curate. Publishing, unpublishing and moving are private events (api_visibility="private") that also refuse,
on the server, every session that has not given MUSICGEN_OWNER_CODE in Settings (Session.is_owner, set only by
Gate.try_code, which compares in constant time and shares the access code's throttle). Hiding the buttons is for
the page; the refusal is what holds against a script that posts the page's own queue events.

What a hostile page could send. A song id is public and only ever looked up in the showcase's index
(musicgen/showcase.py); the song to publish is the server-side Library selection, checked against the visitor's
owner token by the library. Audio is played from a copy in the visitor's own temp folder: the showcase's folder is
never served, and nothing in it leads to a library.
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

import gradio as gr

from ..library import LibraryError
from ..library.export import safe_name
from ..showcase import NotShown, Showcase, ShowcaseError
from . import cards
from .events import wire_finish
from .finishing import finish_shown
from .gate import Gate
from .layout_settings import SettingsTab
from .library_service import LibraryService, owner_of, visitor_message
from .reuse import fill_form, form_targets
from .session import Session
from .showcase_tab import EMPTY_NOTE, GONE_NOTE, PICK_NOTE, ShowcaseTab, detail_html, head_html, label

log = logging.getLogger(__name__)
PRIVATE: dict[str, Any] = {"api_visibility": "private"}
SHOWCASE_CALLS: dict[str, Any] = {**PRIVATE, "concurrency_id": "showcase", "concurrency_limit": 8}
OWNER_ONLY = (
    "Only the studio's owner can change the showcase: enter the owner code (MUSICGEN_OWNER_CODE) in the Settings tab."
)
TAB_ID = "showcase"


def need_owner(session: Session | None) -> Session:
    """The session, when it gave the owner code; else the refusal every curating event raises."""
    if not isinstance(session, Session) or not session.is_owner:
        raise gr.Error(OWNER_ONLY, title="Owner code needed", print_exception=False)
    return session


def listing(store: Showcase, keep: Any = None) -> tuple[Any, Any, Any]:
    """(empty note, list, song pane) with the published songs in order; `keep` stays open while it is still shown."""
    try:
        shown = store.list()
    except ShowcaseError as exc:
        hidden = gr.update(visible=False)
        return (
            gr.update(value=cards.notice(str(exc), "error"), visible=True),
            gr.update(choices=[], visible=False),
            hidden,
        )
    ids = [s.id for s in shown]
    value = keep if keep in ids else None
    choices = [(label(s), s.id) for s in shown]
    songs = gr.update(choices=choices, value=value, visible=bool(shown))
    return gr.update(value=EMPTY_NOTE, visible=not shown), songs, gr.update(visible=bool(shown))


def open_song(store: Showcase, song_id: Any, session: Session) -> tuple[Any, ...]:
    """(player, download, head, detail, recipe button) for a published song; nothing open for no song or a gone
    one."""
    off = gr.update(interactive=False)
    if not song_id:
        return None, gr.update(value=None, interactive=False), PICK_NOTE, "", off
    try:
        shown = store.get(song_id)
        source = store.audio_path(shown.id)
    except ShowcaseError as exc:
        return None, gr.update(value=None, interactive=False), cards.notice(str(exc), "error"), "", off
    folder = session.files_dir() / "showcase" / shown.id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{safe_name(shown.title, shown.id[:8])}.{shown.audio_format}"
    if not target.is_file():
        shutil.copyfile(source, target)
    on = gr.update(interactive=True)
    return str(target), gr.update(value=str(target), interactive=True), head_html(shown), detail_html(shown), on


def on_load(store: Showcase, request: Any) -> tuple[Any, ...]:
    """(tabs, note, empty note, list, song pane) on page load: a ?song=<id> link opens the Showcase on that song."""
    params = getattr(request, "query_params", None) or {}
    wanted = params.get("song") if hasattr(params, "get") else None
    if not wanted:
        return gr.skip(), "", *listing(store)
    try:
        shown = store.get(wanted)
    except NotShown:
        return gr.Tabs(selected=TAB_ID), cards.notice(GONE_NOTE, "error"), *listing(store)
    return gr.Tabs(selected=TAB_ID), "", *listing(store, shown.id)


def publish(store: Showcase, service: LibraryService, selected: Any, session: Session) -> tuple[Any, ...]:
    """Copy the visitor's selected Library song into the showcase (owner only); returns the showcase's listing."""
    need_owner(session)
    if not selected:
        raise gr.Error("Select a song in the Library list first.", title="Showcase", print_exception=False)
    try:
        entry = service.need().get(owner_of(session), str(selected))
        data, fmt = service.playable_audio(session, entry)
    except LibraryError as exc:
        raise gr.Error(visitor_message(exc), title="Library", print_exception=False) from None
    song = {
        "kind": entry.kind, "title": entry.title, "prompt": entry.prompt, "lyrics": entry.lyrics,
        "provider": entry.provider, "model": entry.model, "duration_s": entry.duration_s, "params": entry.params,
        "metadata": {**entry.metadata, "trace_id": entry.trace_id, "size": len(data), "format": fmt},
    }  # fmt: skip
    try:
        shown = store.publish(data, fmt, song)
    except ShowcaseError as exc:
        raise gr.Error(str(exc), title="Showcase", print_exception=False) from None
    gr.Info(f"Published “{shown.title}” to the showcase, first in the list.")
    return listing(store)


def unpublish(store: Showcase, song_id: Any, session: Session) -> tuple[Any, ...]:
    """Take the open song out of the showcase for everyone (owner only)."""
    need_owner(session)
    try:
        shown = store.unpublish(song_id)
    except ShowcaseError as exc:
        raise gr.Error(str(exc), title="Showcase", print_exception=False) from None
    gr.Info(f"“{shown.title}” is no longer shown.")
    return listing(store)


def move(store: Showcase, song_id: Any, step: int, session: Session) -> tuple[Any, ...]:
    """Move the open song one place up (−1) or down (+1) (owner only)."""
    need_owner(session)
    try:
        store.move(song_id, step)
    except ShowcaseError as exc:
        raise gr.Error(str(exc), title="Showcase", print_exception=False) from None
    return listing(store, song_id)


def enter_owner_code(gate: Gate, code: str, session: Session, req: Any = None) -> tuple[Any, ...]:
    """Settings' owner code -> (session, code box, info, owner controls, Library's publish button). The box is
    emptied either way and the code itself is never kept."""
    session = gate.refresh(session, req)
    if not (code or "").strip():
        info = cards.notice("Type the owner code first.", "error")
    elif (problem := gate.try_code(code, session, owner=True)) is not None:
        info = cards.notice(problem.message, "error")
    else:
        info = cards.notice(
            "Owner code accepted: “Publish to showcase” is on your Library songs, and the Showcase tab lets you "
            "move and unpublish songs, for this session.",
            "done",
        )
    shown = gr.update(visible=session.is_owner)
    return session, "", f'<div role="status">{info}</div>', shown, shown


def use_recipe(store: Showcase, song_id: Any, form: Any) -> dict[Any, Any]:
    """Fill the tab the song came from with its settings. A cover's analysed reference is never reused: it belongs to
    the owner's account, so the visitor analyses the reference again."""
    try:
        shown = store.get(song_id)
    except ShowcaseError as exc:
        gr.Warning(str(exc))
        return {}
    tabs, song, instrumental, cover, legacy = form
    return fill_form(
        shown.kind, shown.params, shown.title, 0.0, tabs, song, instrumental, cover, legacy, backend=shown.provider
    )


def wire_showcase(
    tab: ShowcaseTab,
    store: Showcase,
    service: LibraryService,
    gate: Gate,
    session: gr.State,
    *,
    demo: gr.Blocks,
    tabs: gr.Tabs,
    showcase_tab: gr.Tab,
    publish_button: gr.Button,
    library_selected: gr.State,
    settings: SettingsTab,
    form: tuple[Any, ...],
) -> None:
    """Page load (a ?song= link), the list, opening a song, the owner code, and the owner's curation.

    `form` is (tabs, song, instrumental, cover, legacy): where "Use this recipe" puts a song's settings."""
    listed = [tab.empty, tab.songs, tab.pane]
    quiet = {**SHOWCASE_CALLS, "show_progress": "hidden"}

    def showcase_load(req: gr.Request) -> tuple[Any, ...]:
        return on_load(store, req)

    demo.load(showcase_load, None, [tabs, tab.note, *listed], **quiet)

    def do_list_showcase(current: Any) -> tuple[Any, ...]:
        return listing(store, current)

    showcase_tab.select(do_list_showcase, tab.songs, listed, **quiet)

    def open_shown(song_id: Any, s: Session) -> tuple[Any, ...]:
        return open_song(store, song_id, s)

    opened = [tab.player, tab.download, tab.head, tab.detail, tab.recipe]
    tab.songs.change(open_shown, [tab.songs, session], opened, **quiet)

    def use_shown_recipe(song_id: Any) -> dict[Any, Any]:
        return use_recipe(store, song_id, form)

    tab.recipe.click(use_shown_recipe, tab.songs, form_targets(*form), **PRIVATE, show_progress="hidden")

    def finish_song(song_id: Any, loudness: str, trim: bool, fade_in: float, fade_out: float, s: Session) -> Any:
        return finish_shown(store, song_id, loudness, trim, fade_in, fade_out, s)

    wire_finish(tab.finish, tab.songs, finish_song, session)

    # -- the owner's events: each refuses without the owner code (need_owner), whatever the page shows
    def owner_code_entered(code: str, s: Session, req: gr.Request) -> tuple[Any, ...]:
        return enter_owner_code(gate, code, s, req)

    code_out = [session, settings.owner_code, settings.owner_info, tab.owner_row, publish_button]
    for trigger in (settings.owner_code.submit, settings.owner_apply.click):
        trigger(owner_code_entered, [settings.owner_code, session], code_out, **PRIVATE, show_progress="hidden")

    def do_publish(selected: Any, s: Session) -> tuple[Any, ...]:
        return publish(store, service, selected, s)

    publish_button.click(do_publish, [library_selected, session], listed, **SHOWCASE_CALLS, show_progress="minimal")

    def do_unpublish(song_id: Any, s: Session) -> tuple[Any, ...]:
        return unpublish(store, song_id, s)

    tab.unpublish.click(do_unpublish, [tab.songs, session], listed, **quiet)

    def do_up(song_id: Any, s: Session) -> tuple[Any, ...]:
        return move(store, song_id, -1, s)

    def do_down(song_id: Any, s: Session) -> tuple[Any, ...]:
        return move(store, song_id, +1, s)

    tab.up.click(do_up, [tab.songs, session], listed, **quiet)
    tab.down.click(do_down, [tab.songs, session], listed, **quiet)
