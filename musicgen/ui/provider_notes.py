"""What the chosen backend cannot do, said before any call: a note on each tab, and the refusal a handler raises.

The AI/ML API proxy makes songs from given lyrics only (musicgen/aimlapi_requests.py): no instrumentals, covers or
lyrics writing. The demo engine has no legacy music-01.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from .. import providers
from ..aimlapi_requests import LYRICS_MAX, LYRICS_MIN, PROMPT_MAX, PROMPT_MIN, UNSUPPORTED
from . import cards
from .session import Session

TITLE = "Not offered by this backend"
SWITCH = "Switch the backend in the Settings tab to MiniMax or the Demo engine to use it."
# Features each backend lacks, keyed like UNSUPPORTED (what the words say).
MISSING = {
    providers.AIMLAPI: ("instrumental", "cover", "cover-preprocess", "lyrics"),
    providers.DEMO: ("music01",),
}
WORDS = {**UNSUPPORTED, "music01": "the legacy music-01 model"}
TABS = ("song", "instrumental", "cover", "legacy")  # "legacy": the music-01 section of the Cover tab


def message(provider: str, feature: str) -> str:
    """Why `provider` cannot do `feature`, and what to do instead; '' when it can."""
    if feature not in MISSING.get(provider, ()):
        return ""
    if provider == providers.DEMO:
        return (
            "The Demo engine has no legacy music-01 model: it needs a MiniMax key (or an AI/ML API key). "
            "Add one in the Settings tab and pick that backend."
        )
    return f"The AI/ML API (your current backend) does not offer {WORDS[feature]}. {SWITCH}"


def refuse(session: Session | None, feature: str) -> None:
    """Raise gr.Error before any call when the visitor's backend cannot do `feature`."""
    text = message((session or Session()).provider(), feature)
    if text:
        raise gr.Error(f"{TITLE}. {text}", title=TITLE, print_exception=False)


def tab_note(provider: str, tab: str) -> str:
    """The note at the top of a tab for this backend: what it cannot do there, or '' for nothing to say."""
    if tab == "legacy":
        text = message(provider, "music01")
        return cards.notice(text, "error") if text else ""
    if provider != providers.AIMLAPI:
        return ""
    if tab == "song":
        return cards.notice(
            f"Through the AI/ML API: give your own lyrics ({LYRICS_MIN}–{LYRICS_MAX} characters) and a prompt of "
            f"{PROMPT_MIN}–{PROMPT_MAX} characters. The song arrives whole when its task completes (no live stream); "
            "writing lyrics needs MiniMax or the Demo engine (Settings tab).",
            "info",
        )
    text = message(provider, tab)
    if tab == "cover":
        text += " The legacy music-01 section below works through the AI/ML API."
    return cards.notice(text, "error") if text else ""


def note_box(provider: str, tab: str) -> gr.HTML:
    """The (possibly hidden) note at the top of a tab, as a new vacant HTML component."""
    text = tab_note(provider, tab)
    return gr.HTML(text, visible=bool(text), elem_id=f"{tab}-provider-note")


def tab_notes(provider: str) -> tuple[Any, ...]:
    """Updates for the notes of TABS, in that order (hidden when empty)."""
    notes = [tab_note(provider, t) for t in TABS]
    return tuple(gr.update(value=n, visible=bool(n)) for n in notes)
