"""What the chosen backend cannot do, said before any call: a note on each tab, and the refusal a handler raises.

Both read the backend's record (musicgen/providers): its capabilities, and what to switch to instead.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from .. import providers
from . import cards
from .session import Session

TITLE = "Not offered by this backend"
TABS = ("song", "instrumental", "cover", "legacy")  # "legacy": the music-01 section of the Cover tab
TAB_FEATURES = {"song": "song", "instrumental": "instrumental", "cover": "cover", "legacy": "music01"}


def message(provider: str, feature: str) -> str:
    """Why `provider` cannot do `feature` (a providers.FEATURES key), and what to do instead; '' when it can."""
    record = providers.get(provider)
    if record.can.offers(feature):
        return ""
    return f"The {record.label} (your current backend) does not offer {providers.FEATURES[feature][1]}. {instead(record, feature)}"


def instead(record: providers.Provider, feature: str) -> str:
    """What to switch to: the backend's own advice, else the offered backends that can do `feature`."""
    if record.instead:
        return record.instead
    able = [p.label for p in providers.offered() if p.name != record.name and p.can.offers(feature)]
    return f"Switch the backend in the Settings tab to {' or '.join(able)} to use it." if able else ""


def refuse(session: Session | None, feature: str) -> None:
    """Raise gr.Error before any call when the visitor's backend cannot do `feature`."""
    text = message((session or Session()).provider(), feature)
    if text:
        raise gr.Error(f"{TITLE}. {text}", title=TITLE, print_exception=False)


def tab_note(provider: str, tab: str) -> str:
    """The note at the top of a tab for this backend: what it cannot do there, or '' for nothing to say."""
    record = providers.get(provider)
    text = message(provider, TAB_FEATURES[tab])
    if tab == "cover" and text and record.can.music01:
        text += " The legacy music-01 section below works on it."
    if text:
        return cards.notice(text, "error")
    note = record.notes.get(tab, "")
    return cards.notice(note, "info") if note else ""


def note_box(provider: str, tab: str) -> gr.HTML:
    """The (possibly hidden) note at the top of a tab, as a new vacant HTML component."""
    text = tab_note(provider, tab)
    return gr.HTML(text, visible=bool(text), elem_id=f"{tab}-provider-note")


def tab_notes(provider: str) -> tuple[Any, ...]:
    """Updates for the notes of TABS, in that order (hidden when empty)."""
    notes = [tab_note(provider, t) for t in TABS]
    return tuple(gr.update(value=n, visible=bool(n)) for n in notes)
