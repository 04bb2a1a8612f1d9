"""What each click does: the wiring between the tabs' components and the handlers, in one place."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import gradio as gr

from .. import providers
from ..lyrics_lint import FIXES, apply_fix, lint
from ..requests import (
    COVER_LYRICS_MAX,
    COVER_LYRICS_MIN,
    COVER_PROMPT_MAX,
    COVER_PROMPT_MIN,
    LYRICS_MAX,
    PROMPT_MAX,
)
from . import cards, takes
from .errors import field_error
from .finishing import FINISH_CALLS, finish_ready, finish_result
from .gate import Gate, budget_note
from .handlers import Handlers, Outputs
from .layout_cover import CoverTab
from .layout_settings import SettingsTab
from .layout_shared import FinishControls, LyricsCheck, Results
from .layout_song import InstrumentalTab, SongTab
from .presets import EXAMPLE_REFERENCE
from .required import COVER_PROMPT, INSTRUMENTAL_PROMPT, SONG_LYRICS, wire_required
from .session import Session, backend_label

# On a phone the results sit below a long form: bring them into view when a generation starts.
SCROLL_JS = (
    "() => {{ if (window.innerWidth < 700) document.getElementById('{id}')?.scrollIntoView("
    "{{behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth'}}); }}"
)
PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
INSTANT: dict[str, Any] = {**PRIVATE, "queue": False}  # form helpers: answered at once, never queued behind songs


def append_tag(lyrics: str, tag: str) -> str:
    """Add a structure tag on its own line at the end of the lyrics."""
    text = (lyrics or "").rstrip()
    return f"{text}\n[{tag}]\n" if text else f"[{tag}]\n"


def lyrics_counter(
    lyrics: str, backend: str = providers.MINIMAX, max_seconds: float | None = None, cover: bool = False
) -> str:
    """Character count against the limit, and every lyrics_lint finding for this backend and length cap."""
    lo, hi = (COVER_LYRICS_MIN, COVER_LYRICS_MAX) if cover else (0, LYRICS_MAX)
    findings = lint(lyrics or "", backend=backend, cover=cover, max_seconds=max_seconds)
    return cards.lint_report(cards.counter("Lyrics", lyrics, lo, hi), findings)


def lyrics_check(
    lyrics: str, backend: str = providers.MINIMAX, max_seconds: float | None = None, cover: bool = False
) -> tuple[Any, ...]:
    """The report under a lyrics box, and each fix button shown only while a finding it mends is there."""
    needed = {f.fix for f in lint(lyrics or "", backend=backend, cover=cover, max_seconds=max_seconds)}
    buttons = (gr.update(visible=name in needed) for name in FIXES)
    return (lyrics_counter(lyrics, backend, max_seconds, cover), *buttons)


def wire_lyrics_check(
    lyrics: gr.Textbox, check: LyricsCheck, backend: gr.Radio, max_seconds: gr.Slider | None = None
) -> None:
    """The linter runs live under a lyrics box: as the visitor types, and when the backend or the length cap
    (Song tab) changes. Each fix button rewrites the box, which checks it again."""
    cover = max_seconds is None
    inputs = [lyrics, backend] + ([max_seconds] if max_seconds is not None else [])

    def run(text: str, chosen: str, seconds: float | None = None) -> tuple[Any, ...]:
        return lyrics_check(text, chosen, seconds, cover)

    outputs = [check.report, *check.fixes.values()]
    triggers = [lyrics.change, backend.change] + ([max_seconds.change] if max_seconds is not None else [])
    gr.on(triggers, run, inputs, outputs, **INSTANT)
    for name, button in check.fixes.items():
        button.click(lambda text, n=name: apply_fix(n, text), lyrics, lyrics, **INSTANT)


def badge(session: Session) -> str:
    """The backend badge for this visitor, with the line on the studio key (songs left, or the access code)."""
    return cards.backend_badge(backend_label(session), session.provider(), budget_note(session))


def set_key(key: str, session: Session) -> tuple[Session, str, str]:
    """Keep the visitor's key server-side; the backend follows it (MiniMax with a key), the demo stays one click away."""
    session.api_key = (key or "").strip()
    session.backend = ""
    return session, session.provider(), badge(session)


def set_region(region: str, session: Session) -> tuple[Session, str]:
    """Which MiniMax host the visitor's key belongs to."""
    session.region = region or ""
    return session, badge(session)


def set_backend(backend: str, session: Session) -> tuple[Session, str]:
    """A backend (a providers.REGISTRY name, among those offered), by the visitor's choice."""
    session.backend = backend if backend in {p.name for p in providers.offered()} else ""
    return session, badge(session)


def example_reference(session: Session) -> str:
    """A copy of the bundled example clip in the visitor's folder (Gradio serves it from there as it is)."""
    target = session.files_dir() / EXAMPLE_REFERENCE.name
    shutil.copyfile(EXAMPLE_REFERENCE, target)
    return str(target)


def reference_changed() -> tuple[str, str, Any, dict]:
    """A new reference needs a new analysis before a two-step cover."""
    return "", "", None, gr.update(interactive=False)


def stopped() -> str:
    """What the info panel says after Stop."""
    return cards.stopped_info()


def toggle_live(stream: bool, takes: Any = 1) -> dict:
    """Streaming shows the live player, above the finished one; so do several takes (their board is there)."""
    return gr.update(visible=bool(stream) or str(takes) not in ("", "1"))


def wire_song(tab: SongTab, h: Handlers, session: gr.State, generation: dict[str, Any]) -> None:
    """Song tab events; /song and /lyrics are public."""
    inputs = [tab.prompt, tab.lyrics, tab.lyrics_optimizer, tab.model, *tab.audio.inputs(), *tab.take.inputs()]
    ev = generation_click(tab.generate, h.song, [*inputs, tab.takes, session], tab.results, generation, api_name="song")
    _wire_results(tab, [ev], [tab.generate], session, h, "song")
    wire_required([ev], tab.lyrics, tab.lyrics_check.report, SONG_LYRICS, tab.lyrics_optimizer)
    tab.prompt.change(lambda t: cards.counter("Prompt", t, 0, PROMPT_MAX), tab.prompt, tab.prompt_count, **INSTANT)
    for tag, button in tab.tag_buttons:
        button.click(lambda text, t=tag: append_tag(text, t), tab.lyrics, tab.lyrics, **INSTANT)
    # Writing replaces the lyrics: keep what was there so one click brings it back.
    for button in (tab.write, tab.revise):
        button.click(
            lambda text: (text, gr.update(visible=bool(text))), tab.lyrics, [tab.lyrics_backup, tab.undo], **INSTANT
        )
    lyrics_out = [tab.lyrics, tab.title, tab.style_tags]
    tab.write.click(
        h.lyrics, [tab.prompt, tab.lyrics, tab.lyrics_mode, tab.title, session], lyrics_out, api_name="lyrics",
        concurrency_id="calls", concurrency_limit=generation["concurrency_limit"],
    )  # fmt: skip

    def polish(prompt: str, lyrics: str, title: str, s: Session, req: gr.Request) -> tuple[str, str, str]:
        if not (lyrics or "").strip():
            raise field_error("lyrics", "write or paste some lyrics first, then polish them")
        return h.lyrics(prompt, lyrics, "edit", title, s, req=req)

    tab.revise.click(
        polish, [tab.prompt, tab.lyrics, tab.title, session], lyrics_out, concurrency_id="calls", **PRIVATE
    )
    tab.undo.click(lambda b: (b, gr.update(visible=False)), tab.lyrics_backup, [tab.lyrics, tab.undo], **INSTANT)
    tab.use_tags.click(
        lambda p, t: ", ".join(x for x in ((p or "").strip(), (t or "").strip()) if x),
        [tab.prompt, tab.style_tags], tab.prompt, **INSTANT,
    )  # fmt: skip


def wire_instrumental(tab: InstrumentalTab, h: Handlers, session: gr.State, generation: dict[str, Any]) -> None:
    """Instrumental tab events; /instrumental is public."""
    inputs = [tab.prompt, tab.model, *tab.audio.inputs(), *tab.take.inputs(), tab.takes, session]
    ev = generation_click(tab.generate, h.instrumental, inputs, tab.results, generation, api_name="instrumental")
    _wire_results(tab, [ev], [tab.generate], session, h, "instrumental")
    wire_required([ev], tab.prompt, tab.prompt_count, INSTRUMENTAL_PROMPT)
    tab.prompt.change(lambda t: cards.counter("Prompt", t, 1, PROMPT_MAX), tab.prompt, tab.prompt_count, **INSTANT)


def wire_cover(tab: CoverTab, h: Handlers, session: gr.State, generation: dict[str, Any]) -> None:
    """Cover tab events; /cover_preprocess and /cover are public, the one-step button is private."""
    analysis_out = [tab.feature_id, tab.lyrics, tab.analysis, tab.timeline]
    calls = {"concurrency_id": "calls", "concurrency_limit": generation["concurrency_limit"]}
    enable = (lambda: gr.update(interactive=True), None, tab.generate)
    analysed = tab.analyze.click(
        h.cover_preprocess, [tab.reference, tab.audio_url, session], analysis_out, api_name="cover_preprocess", **calls
    )
    analysed.success(*enable, **INSTANT)
    # The example clip is loaded and analysed in one click, so a visitor without a track sees step 1 complete.
    loaded = tab.example.click(example_reference, session, tab.reference, **INSTANT)
    loaded.then(
        h.cover_preprocess, [tab.reference, tab.audio_url, session], analysis_out, api_visibility="private", **calls
    ).success(*enable, **INSTANT)
    inputs = [tab.prompt, tab.lyrics, tab.model, tab.feature_id, tab.reference, tab.audio_url, *tab.audio.inputs()]
    ev = generation_click(
        tab.generate, h.cover, [*inputs, tab.takes, session], tab.results, generation, api_name="cover"
    )

    def one_step(
        prompt, model, audio, audio_url, format, sample_rate, bitrate, stream, takes, s, req: gr.Request
    ) -> Iterator[Outputs]:
        yield from h.cover(
            prompt, "", model, "", audio, audio_url, format, sample_rate, bitrate, stream, takes, s, req=req
        )

    inputs = [tab.prompt, tab.model, tab.reference, tab.audio_url, *tab.audio.inputs(), tab.takes, session]
    quick = generation_click(tab.quick, one_step, inputs, tab.results, generation, api_visibility="private")
    _wire_results(tab, [ev, quick], [tab.generate, tab.quick], session, h, "cover")
    wire_required([ev, quick], tab.prompt, tab.prompt_count, COVER_PROMPT)
    # Only the visitor's own change of reference makes the analysis stale (the example button analyses at once).
    cleared = [tab.feature_id, tab.timeline, tab.analysis, tab.generate]
    for trigger in (tab.reference.upload, tab.reference.stop_recording, tab.reference.clear, tab.audio_url.input):
        trigger(reference_changed, None, cleared, **INSTANT)
    tab.prompt.change(
        lambda t: cards.counter("Style", t, COVER_PROMPT_MIN, COVER_PROMPT_MAX), tab.prompt, tab.prompt_count, **INSTANT
    )


def wire_settings(tab: SettingsTab, session: gr.State, badge_html: gr.HTML) -> None:
    """Key and region go into the visitor's server-side session; the badge follows."""
    # .change, not .input: a pasted or password-manager-filled key must count too.
    tab.api_key.change(set_key, [tab.api_key, session], [session, tab.backend, badge_html], **INSTANT)
    tab.region.input(set_region, [tab.region, session], [session, badge_html], **INSTANT)
    # The backend radio is wired with its health check in provider_events.wire_provider.


def enter_code(gate: Gate, code: str, session: Session, req: gr.Request | None = None) -> tuple[Any, ...]:
    """Settings' access code -> (session, code box, info, backend radio, badge). Accepted, the studio's keys serve
    this visitor; the box is emptied either way and the code itself is never kept."""
    session = gate.refresh(session, req)
    if not (code or "").strip():
        info = cards.notice("Type the access code first.", "error")
    elif (problem := gate.try_code(code, session)) is not None:
        info = cards.notice(problem.message, "error")
    else:
        session.backend = ""  # automatic again: the studio's key answers unless the visitor gave their own
        gate.refresh(session)
        info = cards.notice("Access code accepted: the studio's key makes your songs in this session.", "done")
    return session, "", f'<div role="status">{info}</div>', session.provider(), badge(session)  # read out


def refresh_badge(gate: Gate, session: Session, req: gr.Request | None = None) -> str:
    """The badge with the count of songs left as the ledger has it now (on page load and after each generation)."""
    return badge(gate.refresh(session, req))


def wire_access(tab: SettingsTab, gate: Gate, session: gr.State, badge_html: gr.HTML) -> None:
    """The access code box (shown only when MUSICGEN_ACCESS_CODE is set): Enter or the button checks it."""

    def check(code: str, s: Session, req: gr.Request) -> tuple[Any, ...]:
        return enter_code(gate, code, s, req)

    outputs = [session, tab.access_code, tab.access_info, tab.backend, badge_html]
    for trigger in (tab.access_code.submit, tab.access_apply.click):
        trigger(check, [tab.access_code, session], outputs, **{**PRIVATE, "queue": False})


def generation_click(
    button: gr.Button, fn: Any, inputs: list[Any], results: Results, generation: dict[str, Any], **kw: Any
) -> Any:
    """A generation event: its outputs are the tab's results panel, and it shares the generation concurrency group.

    Gradio's tracker (queue position, timer) covers only the info panel, until the first status line. A "then"
    entry in `generation` (fn, inputs, outputs) runs after each one: the badge's count of songs left.
    """
    group = {k: v for k, v in generation.items() if k != "then"}
    ev = button.click(fn, inputs, results.outputs(), show_progress_on=results.info, **group, **kw)
    if "then" in generation:
        ev.then(*generation["then"], **INSTANT)
    return ev


def wire_finish(controls: FinishControls, source: Any, finisher: Any, session: gr.State) -> None:
    """Finished downloads, one wiring for every song that can be finished: a tab's result (source: its download box)
    or the Library's selection (source: the selected entry id). `finisher(source, *controls.inputs(), session)`."""
    source.change(finish_ready, source, [controls.make, controls.file, controls.summary], **INSTANT)
    controls.make.click(
        finisher, [source, *controls.inputs(), session], [controls.file, controls.summary], **FINISH_CALLS
    )


def _wire_results(
    tab: SongTab | InstrumentalTab | CoverTab,
    events: list[Any],
    buttons: list[gr.Button],
    session: gr.State,
    h: Handlers,
    kind: str,
) -> None:
    """Stop cancels the tab's generations; the stream switch and Takes show the live panel (the live player or the
    takes board); Keep ★ on the board marks a take's song; generating scrolls to the results; the result can be
    finished."""

    def stop(s: Session) -> tuple[str, Any]:
        return stopped(), takes.stopped(kind, s)

    tab.stop.click(stop, session, [tab.results.info, tab.results.live], cancels=events, **INSTANT)
    toggles = [tab.audio.stream.change, tab.takes.change]
    gr.on(toggles, toggle_live, [tab.audio.stream, tab.takes], tab.results.live, **INSTANT)

    def keep(s: Session, evt: gr.EventData) -> Any:  # the board's buttons send only a take's letter
        return takes.keep(h, kind, (getattr(evt, "_data", None) or {}).get("take", ""), s)

    tab.results.live.click(keep, session, tab.results.live, **INSTANT)

    def show(s: Session, evt: gr.EventData) -> tuple[Any, ...]:  # the take picked in the compare player
        return takes.show(kind, (getattr(evt, "_data", None) or {}).get("take", ""), s)

    below = [tab.results.player, tab.results.download, tab.results.metadata, tab.results.info]
    tab.results.live.select(show, session, below, **INSTANT)
    _scroll_on(buttons, tab.results.info)
    slot = tab.results.download.elem_id or "result"  # one finished copy kept per panel

    def finish_panel(path: Any, loudness: Any, trim: Any, fade_in: Any, fade_out: Any, s: Session) -> tuple[str, str]:
        return finish_result(path, loudness, trim, fade_in, fade_out, s, slot)

    wire_finish(tab.results.finish, tab.results.download, finish_panel, session)


def _scroll_on(buttons: list[gr.Button], info: gr.HTML) -> None:
    for button in buttons:
        button.click(None, js=SCROLL_JS.format(id=info.elem_id), api_visibility="private")
