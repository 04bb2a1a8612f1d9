"""Recipes in the studio (musicgen/recipe.py): one way to fill a tab's form from a recipe, used by "Use these settings
again" and by a share link (`?recipe=`); the library's "Download recipe" and share link for the selected song.

A share link is an attack surface: anyone can craft one. It is read only on page load, checked in full before any
field changes (size before decoding, version, every field and value), only ever fills the form — it never generates —
and a bad one leaves the form as it was and says why, in text the page shows escaped, without echoing the link.
It names its backend: the studio switches to it only when this visitor could pick it in Settings anyway (the demo
engine always; another only when it is offered here and the visitor has a key for it, or may use the server's) and
otherwise keeps its backend and says what differs. A recipe has no field for a key or a server URL, so a link can
never set one.
"""

from __future__ import annotations

import time
from typing import Any

import gradio as gr

from .. import providers
from ..library import LibraryError
from ..library.export import recipe_of
from ..recipe import Recipe, RecipeError, from_link, parse
from ..recipe_code import LANGUAGES, snippets
from . import cards, events
from .layout_cover import CoverTab
from .layout_shared import Results
from .layout_song import InstrumentalTab, SongTab
from .library_service import LibraryService, owner_of
from .session import Session

LINK_PARAM = "recipe"
NO_CURL = "# curl: this backend does not speak MiniMax's API; use the command line or Python instead\n"


def studio_url(request: gr.Request | None) -> str:
    """This studio's address as the visitor reached it (for the gradio_client snippet)."""
    headers = getattr(request, "headers", None) or {}
    host = headers.get("x-forwarded-host") or headers.get("host") or "127.0.0.1:7860"
    proto = headers.get("x-forwarded-proto") or "http"
    return f"{proto.split(',')[0].strip()}://{host.split(',')[0].strip()}/"


def code_texts(recipe: Recipe | None, url: str) -> tuple[str, ...]:
    """The "Copy as code" boxes for a recipe, in LANGUAGES order (all empty without one)."""
    if recipe is None:
        return tuple("" for _ in LANGUAGES)
    made = snippets(recipe.portable(), url)
    return tuple(made.get(form, NO_CURL) for form in LANGUAGES)


def result_code(metadata: Any, request: gr.Request) -> tuple[str, ...]:
    """ "Copy as code" for a result on the page, from the recipe in its metadata (checked like any recipe)."""
    recipe = None
    if isinstance(metadata, dict) and isinstance(metadata.get("recipe"), dict):
        try:
            recipe = parse(metadata["recipe"])
        except RecipeError:
            recipe = None
    return code_texts(recipe, studio_url(request))


def fill_form(
    recipe: Recipe, tabs: gr.Tabs, song: SongTab, instrumental: InstrumentalTab, cover: CoverTab
) -> tuple[dict[Any, Any], str]:
    """The updates that put `recipe` into its tab and switch to it, and a note on what is left to do (or '')."""
    r = recipe.portable()
    out: dict[Any, Any] = {tabs: gr.Tabs(selected=r.kind)}
    note = ""

    def audio(controls: Any) -> None:
        setting = r.audio_setting
        out.update({controls.format: setting.format, controls.sample_rate: setting.sample_rate})
        out.update({controls.bitrate: setting.bitrate, controls.stream: r.stream})

    def take(controls: Any) -> None:  # the seed and cap a take was made with make it again (MiniMax-Music3)
        if r.seed is not None:
            out[controls.seed] = str(r.seed)
        if r.max_seconds is not None:
            out[controls.max_seconds] = r.max_seconds

    if r.kind == "song":
        out.update({song.prompt: r.prompt, song.lyrics: r.lyrics, song.lyrics_optimizer: r.lyrics_optimizer})
        out.update({song.title: r.title, song.model: r.model})
        audio(song.audio)
        take(song.take)
    elif r.kind == "instrumental":
        out.update({instrumental.prompt: r.prompt, instrumental.model: r.model})
        audio(instrumental.audio)
        take(instrumental.take)
    else:
        out.update({cover.prompt: r.prompt, cover.lyrics: r.lyrics, cover.model: r.model})
        audio(cover.audio)
        if r.cover_feature_id:
            out.update({cover.feature_id: r.cover_feature_id, cover.generate: gr.update(interactive=True)})
        elif r.audio_url:
            out[cover.audio_url] = r.audio_url
            note = "Press Analyze to analyse the reference again, then Generate cover."
        else:
            note = "Upload the reference track again and press Analyze: an analysed reference lasts only 24 h."
    return out, note


def link_value(recipe: Recipe | None) -> str:
    """The ?recipe= value for a recipe, or '' when there is none or it is too long for a link."""
    if recipe is None:
        return ""
    try:
        return recipe.portable().link_value()
    except RecipeError:
        return ""


def share_html(value: str) -> str:
    """A relative link to this studio with the recipe: it opens the form filled, and never generates."""
    if not value:
        return ""
    return (
        f'<a id="library-share-link" href="?{LINK_PARAM}={value}" target="_blank" rel="noopener">'
        "Share link to these settings</a> · opens the studio with the form filled (it does not generate)"
    )


def recipe_file(recipe: Recipe | None, session: Session) -> str | None:
    """The recipe as a .json file in the visitor's folder, for "Download recipe"."""
    if recipe is None:
        return None
    path = session.files_dir() / f"recipe-{recipe.kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(recipe.portable().to_json() + "\n", encoding="utf-8")
    return str(path)


def selected_recipe(service: LibraryService, selected: str, session: Session, url: str = "") -> tuple[Any, ...]:
    """The share link, the "Download recipe" file and "Copy as code" for the song shown in the Library."""
    made = None
    if selected:
        try:
            made = recipe_of(service.need().get(owner_of(session), selected))
        except LibraryError:
            made = None
    path = recipe_file(made, session)
    download = gr.update(value=path, interactive=path is not None)
    return share_html(link_value(made)), download, *code_texts(made, url)


def load_link(
    request: gr.Request,
    session: Session,
    tabs: gr.Tabs,
    song: SongTab,
    instrumental: InstrumentalTab,
    cover: CoverTab,
    note: gr.HTML,
    backend: gr.Radio,
    badge: gr.HTML,
) -> dict[Any, Any]:
    """On page load: a ?recipe= link fills its tab, on its own backend when this visitor may use it; a bad one
    changes nothing and says why. Never generates."""
    value = (request.query_params.get(LINK_PARAM) if request is not None else None) or ""
    if not value:  # an empty dict would be taken as one value for 31 outputs: skip one output instead
        return {note: gr.skip()}
    try:
        recipe = from_link(value)
    except RecipeError as exc:
        return {note: gr.update(value=cards.notice(f"The recipe link was not used: {exc}.", "error"), visible=True)}
    out, todo = fill_form(recipe, tabs, song, instrumental, cover)
    where = follow_backend(recipe, session, out, song, instrumental)
    if session.backend == recipe.backend:
        out.update({backend: recipe.backend, badge: events.badge(session)})
    said = f"Settings filled in from the recipe link ({recipe.kind}). Nothing is generated until you press Generate."
    out[note] = gr.update(value=cards.notice(" ".join(t for t in (said, where, todo) if t), "done"), visible=True)
    return out


def follow_backend(recipe: Recipe, session: Session, out: dict[Any, Any], song: SongTab, ins: InstrumentalTab) -> str:
    """Switch the visitor to the recipe's backend when they may use it, else keep theirs; what the note says of it.
    The model menus get the backend's models (the recipe's model where it has it) in `out`."""
    made, here = providers.get(recipe.backend), session.record()
    if made.name == here.name:
        return ""
    if session.can_use(made.name):
        session.backend = made.name
        here = made
        words = f"The studio switched to {made.label}, the backend the recipe was made on."
    else:
        why = "is not offered here" if not made.offered() else f"needs your own {made.label} key here (Settings)"
        differs = differences(recipe, here)
        words = f"The recipe was made on {made.label}, which {why}: the studio stays on {here.label}."
        if differs:
            words += f" What differs: {'; '.join(differs)}."
    for menu in (song.model, ins.model):
        if menu in out:
            model = recipe.model if recipe.model in here.can.song_models else here.can.default_model
            out[menu] = gr.update(choices=list(here.can.song_models), value=model)
    return words


def differences(recipe: Recipe, here: providers.Provider) -> list[str]:
    """What of `recipe` this backend will not do as the recipe says, in words."""
    r, can, out = recipe.portable(), here.can, []
    if not can.offers(r.kind):
        out.append(here.lacks(r.kind).rstrip("."))
    if r.kind != "cover" and r.model not in can.song_models:
        out.append(f"model {r.model} is not offered, {can.default_model} is picked instead")
    if r.seed is not None and not can.seed:
        out.append(f"the seed ({r.seed}) is not used")
    if r.max_seconds is not None and not can.max_seconds:
        out.append(f"the length cap ({r.max_seconds} s) is not used")
    if r.audio_setting.format not in can.formats:
        out.append(f"format {r.audio_setting.format} is not offered, pick {' or '.join(can.formats)}")
    return out


def wire_recipes(
    demo: gr.Blocks,
    note: gr.HTML,
    tabs: gr.Tabs,
    song: SongTab,
    instrumental: InstrumentalTab,
    cover: CoverTab,
    *,
    session: gr.State,
    backend: gr.Radio,
    badge: gr.HTML,
    after: Any = None,
) -> None:
    """The share link, read once when the page loads (private: not an endpoint a script can call), after `after`
    (the badge's own load) when given, so the badge it shows is the last word."""
    targets = [tabs, note, session, backend, badge, *form_targets(song, instrumental, cover)]

    def on_load(s: Session, request: gr.Request) -> dict[Any, Any]:
        out = load_link(request, s, tabs, song, instrumental, cover, note, backend, badge)
        return {**out, session: s} if backend in out else out

    opts: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden", "queue": False}
    (after.then if after is not None else demo.load)(on_load, session, targets, **opts)
    for tab in (song, instrumental, cover):
        wire_result_code(tab.results)


def wire_result_code(results: Results) -> None:
    """A result's "Copy as code" follows its metadata."""
    results.metadata.change(
        result_code, results.metadata, list(results.code.values()),
        api_visibility="private", show_progress="hidden", queue=False,
    )  # fmt: skip


def form_targets(song: SongTab, instrumental: InstrumentalTab, cover: CoverTab) -> list[Any]:
    """Every component fill_form may set."""
    return [
        song.prompt, song.lyrics, song.lyrics_optimizer, song.title, song.model, *song.audio.inputs(),
        *song.take.inputs(), instrumental.prompt, instrumental.model, *instrumental.audio.inputs(),
        *instrumental.take.inputs(), cover.prompt, cover.lyrics, cover.model, cover.feature_id, cover.audio_url,
        cover.generate, *cover.audio.inputs(),
    ]  # fmt: skip
