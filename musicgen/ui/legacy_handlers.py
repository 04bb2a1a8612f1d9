"""The music-01 section's actions and wiring: upload a reference for its ids, then generate into the Cover results.

Endpoints for scripts (they use the server's provider, as every endpoint does; the demo engine has no music-01):

    from gradio_client import Client, handle_file
    c = Client("http://127.0.0.1:7860/")
    # /music01_upload -> (voice_id, instrumental_id, info); purpose "song" (both ids), "voice" or "instrumental"
    voice, inst, _ = c.predict(audio=handle_file("reference.mp3"), purpose="song", api_name="/music01_upload")
    # /music01 -> (live, cover, download, metadata, info); lyrics at most 200 characters, accompaniment wraps in ##
    _, song, download, meta, _ = c.predict(
        lyrics="la la la", refer_voice=voice, refer_instrumental=inst, accompaniment=True, api_name="/music01")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gradio as gr
from pydantic import ValidationError

from ..audio import ReferenceError
from ..legacy import (
    LYRICS_MAX,
    Music01Request,
    check_upload_file,
    generate_music01,
    sent_lyrics,
    upload_reference,
)
from ..lyrics_lint import MUSIC01_FIXES, apply_fix, lint_music01
from ..requests import AudioSetting
from . import cards, provider_notes
from .errors import to_gr_error
from .events import INSTANT, generation_click, stopped
from .handlers import Handlers, Outputs
from .layout_cover import CoverTab
from .layout_legacy import LegacySection
from .required import MUSIC01_LYRICS, wire_required
from .session import Session

UPLOAD_RULES = "music-01 takes a wav or mp3 reference of 10 s to 10 min."


class LegacyHandlers:
    """music-01 actions, sharing the studio's client factory, tick and song library with `handlers`."""

    def __init__(self, handlers: Handlers) -> None:
        self.h = handlers

    def music01_upload(
        self,
        audio: str | None = None,
        purpose: str = "song",
        session: Session | None = None,
        progress: gr.Progress = gr.Progress(),
        req: gr.Request | None = None,
    ) -> tuple[str, str, str]:
        """Upload a reference for music-01: (voice_id, instrumental_id, info) — purpose song gives both ids."""
        session = self.h.gate.visitor(session, req)
        provider_notes.refuse(session, "music01")
        if not audio:
            raise gr.Error(
                "Check the form. audio: upload a reference track first.", title="Check the form", print_exception=False
            )
        try:
            check_upload_file(audio)
        except ReferenceError as exc:
            raise gr.Error(f"Reference track problem. {exc}. {UPLOAD_RULES}", title="Reference track problem") from None
        progress(None, desc="Uploading the reference")
        up = self.h._call(session, lambda client: upload_reference(client, audio, purpose or "song"))
        ids = ", ".join(
            f"{k} {v}" for k, v in (("voice_id", up.voice_id), ("instrumental_id", up.instrumental_id)) if v
        )
        return up.voice_id or "", up.instrumental_id or "", cards.notice(f"Uploaded: {ids}.", "done")

    def music01(
        self,
        lyrics: str = "",
        refer_voice: str = "",
        refer_instrumental: str = "",
        accompaniment: bool = False,
        format: str = "mp3",
        session: Session | None = None,
        progress: gr.Progress = gr.Progress(),
        req: gr.Request | None = None,
    ) -> Iterator[Outputs]:
        """Sing lyrics (at most 200 characters) after uploaded references (ids from /music01_upload); ≤ 1 min."""
        session = self.h.gate.visitor(session, req)
        provider_notes.refuse(session, "music01")
        try:
            request = Music01Request(
                lyrics=sent_lyrics(lyrics, accompaniment),
                refer_voice=(refer_voice or "").strip() or None,
                refer_instrumental=(refer_instrumental or "").strip() or None,
                audio_setting=AudioSetting(format=format or "mp3"),
            )
        except ValidationError as exc:
            raise to_gr_error(exc) from None
        params = {**request.payload(), "accompaniment": bool(accompaniment)}
        job = lambda client, report: generate_music01(client, request, on_progress=report)  # noqa: E731
        yield from self.h._generate("music01", request, session, progress, job=job, params=params)
        # wire_legacy then shows the finished-file player


def lyrics_count(lyrics: str, accompaniment: bool) -> str:
    """The report under the music-01 lyrics: the count as sent (the ## marks count when accompaniment is on), then
    lyrics_lint's music-01 findings, each naming its line."""
    sent = sent_lyrics(lyrics, accompaniment)
    counter = cards.counter("Lyrics", sent, 1, LYRICS_MAX, "with ## … ##" if sent != (lyrics or "").strip() else "")
    return cards.lint_report(counter, lint_music01(lyrics or "", accompaniment))


def lyrics_check(lyrics: str, accompaniment: bool) -> tuple[Any, ...]:
    """The report, and each fix button shown only while a finding it mends is there."""
    needed = {f.fix for f in lint_music01(lyrics or "", accompaniment)}
    return (lyrics_count(lyrics, accompaniment), *(gr.update(visible=name in needed) for name in MUSIC01_FIXES))


def wire_legacy(
    sec: LegacySection, cover: CoverTab, lh: LegacyHandlers, session: gr.State, generation: dict[str, Any]
) -> None:
    """Upload and generate (public /music01_upload and /music01); results go to the Cover tab's results panel."""
    calls = {"concurrency_id": "calls", "concurrency_limit": generation["concurrency_limit"]}
    sec.upload.click(
        lh.music01_upload,
        [sec.reference, sec.purpose, session],
        [sec.voice_id, sec.instrumental_id, sec.upload_info],
        api_name="music01_upload",
        **calls,
    )
    inputs = [sec.lyrics, sec.voice_id, sec.instrumental_id, sec.accompaniment, sec.format, session]
    ev = generation_click(sec.generate, lh.music01, inputs, cover.results, generation, api_name="music01")
    # music-01 does not stream: its file goes to the finished-file player, which turning the Cover tab's stream
    # switch off shows (its change event swaps the players), keeping the switch and the players in step.
    ev.success(lambda: False, None, cover.audio.stream, **INSTANT)
    wire_required([ev], sec.lyrics, sec.check.report, MUSIC01_LYRICS)
    sec.stop.click(stopped, None, cover.results.info, cancels=[ev], **INSTANT)
    # The linter runs live as the visitor types or ticks accompaniment; a fix rewrites the box, which checks it again.
    check = [sec.check.report, *sec.check.fixes.values()]
    gr.on(
        [sec.lyrics.change, sec.accompaniment.change], lyrics_check, [sec.lyrics, sec.accompaniment], check, **INSTANT
    )
    for name, button in sec.check.fixes.items():
        button.click(lambda text, n=name: apply_fix(n, text), sec.lyrics, sec.lyrics, **INSTANT)
