"""build_app(): lays out the studio and wires it; nothing happens at import time and no user state is global."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import gradio as gr

from .. import access
from ..library.settings import resolve_data_dir
from ..showcase import Showcase, max_from_env
from . import events, theme
from .gate import Gate
from .handlers import Handlers
from .layout_cover import build_cover_tab
from .layout_legacy import build_legacy_section
from .layout_settings import build_settings_tab
from .layout_song import build_instrumental_tab, build_song_tab
from .legacy_handlers import LegacyHandlers, wire_legacy
from .library_events import wire_library
from .library_service import LibraryService
from .library_tab import build_library_tab, owner_state
from .live import LiveStreams
from .page_names import PAGE_JS
from .presets import EXAMPLE_REFERENCE, for_tab, load_presets
from .provider_events import wire_provider, wire_takes
from .provider_notes import note_box
from .recipe_events import wire_recipes
from .session import ClientFactory, Session
from .showcase_events import wire_showcase
from .showcase_tab import build_showcase_tab

if TYPE_CHECKING:
    from ..library import Library

ENV_CONCURRENCY = "MUSICGEN_CONCURRENCY"
DEFAULT_CONCURRENCY = 20  # MiniMax runs up to 20 songs at once on a paid key (contract §10)
CACHE_POLICY = (3600, 86400)  # every hour, delete Gradio's cached files older than a day


def concurrency_from_env() -> int:
    """How many generations run side by side (MUSICGEN_CONCURRENCY, default 20); the rest wait in the queue."""
    raw = os.environ.get(ENV_CONCURRENCY, "").strip()
    try:
        return max(1, int(raw)) if raw else DEFAULT_CONCURRENCY
    except ValueError:
        raise ValueError(f"{ENV_CONCURRENCY} must be a whole number, not {raw!r}") from None


def launch_options(demo: gr.Blocks | None = None) -> dict[str, Any]:
    """The launch() keywords the studio needs in Gradio 6 (theme and CSS moved there; run history off).

    With the built `demo`, also its live-playback route (/live/…, ui/live.py), added to the FastAPI app Gradio
    builds at launch through `app_kwargs` (FastAPI's `routes`), ahead of Gradio's own routes.
    """
    options: dict[str, Any] = {
        "theme": theme.theme(),
        "css": theme.CSS,
        "js": PAGE_JS,  # names players and download links for screen readers
        "run_history": False,
        "footer_links": ["api", "gradio"],
    }
    live = getattr(demo, "live_streams", None)
    if live is not None:
        options["app_kwargs"] = {"routes": [live.route()]}
    return options


def build_app(
    client_factory: ClientFactory | None = None,
    *,
    concurrency: int | None = None,
    library: Library | None = None,
    gate: Gate | None = None,
    showcase: Showcase | None = None,
) -> gr.Blocks:
    """The studio as a gr.Blocks. `client_factory(session)` picks the backend (default: MiniMax, AI/ML API or demo).

    `library` is the song library every result is saved to (tests pass one on a tmp dir); by default it is opened
    from MUSICGEN_DATA_DIR and the MUSICGEN_LIBRARY_* settings now. The Blocks' `library_service` attribute holds it.
    `gate` holds the access code and the budgets on the server's keys; by default MUSICGEN_ACCESS_CODE and
    MUSICGEN_SERVER_SONGS_* now (a bad value raises ValueError naming it) with the ledger beside the library.
    `showcase` holds the published songs; by default in the data dir, holding at most MUSICGEN_SHOWCASE_MAX.
    """
    limit = concurrency or concurrency_from_env()
    access.keep_the_real_peer()  # before launch() builds uvicorn's config
    library_service = LibraryService(library) if library is not None else LibraryService.from_env()
    data_dir = library.data_dir if library is not None else resolve_data_dir()
    gate = gate or Gate.from_env(data_dir)
    showcase = showcase or Showcase(data_dir, max_from_env())
    handlers = Handlers(client_factory)
    handlers.library = library_service
    handlers.gate = gate
    handlers.live = LiveStreams()
    presets = load_presets()
    # All generation events share one group: together they never exceed the provider's concurrency.
    generation: dict[str, Any] = {"concurrency_id": "generation", "concurrency_limit": limit}
    # What a new visitor starts with follows the server's configuration (MINIMAX_API_KEY / MINIMAX_BASE_URL) as it
    # is when the app is built: no load event has to race the visitor's first clicks.
    fresh = Session(code_required=bool(gate.policy.code), owner_code_set=bool(gate.policy.owner_code))
    with gr.Blocks(title="musicgen studio", delete_cache=CACHE_POLICY) as demo:
        session = gr.State(fresh, delete_callback=Session.cleanup)  # deep-copied per visitor
        owner = owner_state()  # the song library's owner token, kept in the visitor's browser
        with gr.Row(elem_id="mg-header"):
            with gr.Column(scale=1, min_width=280):
                gr.HTML("<h1>musicgen studio</h1><p>Songs, instrumentals and covers with the MiniMax Music API.</p>")
            with gr.Column(scale=1, min_width=280):
                badge = gr.HTML(events.badge(fresh), elem_id="mg-badge")
        recipe_note = gr.HTML("", visible=False, elem_id="mg-recipe-note")  # what a ?recipe= link did, or why not
        # "wrap": on a phone every tab stays a visible button (a "menu" hides Settings behind an overflow button).
        with gr.Tabs(overflow_behavior="wrap") as tabs:
            can = fresh.record().can  # the models offered follow the backend (provider_events.models_for)
            with gr.Tab("Song", id="song"):
                notes = [note_box(fresh.provider(), "song")]  # what the chosen backend cannot do, per tab
                song = build_song_tab(for_tab(presets, "song"), can.song_models, can.default_model, can.seed)
            with gr.Tab("Instrumental", id="instrumental"):
                notes.append(note_box(fresh.provider(), "instrumental"))
                instrumental = build_instrumental_tab(
                    for_tab(presets, "instrumental"), can.song_models, can.default_model, can.seed
                )
            with gr.Tab("Cover", id="cover"):
                notes.append(note_box(fresh.provider(), "cover"))
                cover = build_cover_tab(EXAMPLE_REFERENCE.is_file())
                legacy = build_legacy_section(fresh.provider())
                notes.append(legacy.note)
            with gr.Tab("Library", id="library") as library_tab:
                library_ui = build_library_tab(owner)
            with gr.Tab("Showcase", id="showcase") as showcase_tab:
                showcase_ui = build_showcase_tab()
            with gr.Tab("Settings", id="settings"):
                settings = build_settings_tab(fresh)

        # After every generation the badge shows the songs left on the studio's key (ui/gate.py).
        def refresh(s: Session, req: gr.Request) -> str:
            return events.refresh_badge(gate, s, req)

        generation["then"] = (refresh, session, badge)
        refreshed = demo.load(refresh, session, badge, **events.INSTANT)
        events.wire_song(song, handlers, session, generation)
        events.wire_instrumental(instrumental, handlers, session, generation)
        events.wire_cover(cover, handlers, session, generation)
        events.wire_settings(settings, session, badge)
        events.wire_access(settings, gate, session, badge)
        events.wire_lyrics_check(song.lyrics, song.lyrics_check, settings.backend, song.take.max_seconds)
        events.wire_lyrics_check(cover.lyrics, cover.lyrics_check, settings.backend)
        wire_provider(settings, session, badge, notes, [song.model, instrumental.model])
        wire_takes(settings, session, badge, [song.take.group, instrumental.take.group])
        wire_legacy(legacy, cover, LegacyHandlers(handlers), session, generation)
        wire_library(
            library_ui, library_service, session, demo=demo, tabs=tabs, library_tab=library_tab,
            song=song, instrumental=instrumental, cover=cover, legacy=legacy,
        )  # fmt: skip
        wire_showcase(
            showcase_ui, showcase, library_service, gate, session, demo=demo, tabs=tabs, showcase_tab=showcase_tab,
            publish_button=library_ui.publish, library_selected=library_ui.selected, settings=settings,
            form=(tabs, song, instrumental, cover, legacy),
        )  # fmt: skip
        wire_recipes(
            demo, recipe_note, tabs, song, instrumental, cover,
            session=session, backend=settings.backend, badge=badge, after=refreshed,
        )  # fmt: skip
    demo.library_service = library_service
    demo.gate = gate
    demo.live_streams = handlers.live
    demo.showcase = showcase
    return demo
