"""How the Library tab shows songs: list rows (★ on kept ones), export labels, the usage line, the selected song's card
and its Keep ★ / Remove ★ button. Plain functions of an Entry; the events that use them are in library_events.py."""

from __future__ import annotations

import time
from html import escape
from typing import Any

import gradio as gr

from .. import providers
from ..library import Entry
from . import cards
from .library_tab import KEEP_LABEL, UNKEEP_LABEL

STAR = "★"
KEPT_WORD = "kept"  # said next to the ★ in the list, so a screen reader (and everyone) reads what it means


def when(created_at: float, now: float | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '4 days ago', else the date."""
    age = max(0.0, (time.time() if now is None else now) - created_at)
    if age < 60:
        return "just now"
    if age < 3600:
        return f"{int(age // 60)} min ago"
    if age < 86400:
        return f"{int(age // 3600)} h ago"
    if age < 2 * 86400:
        return "yesterday"
    if age < 7 * 86400:
        return f"{int(age // 86400)} days ago"
    return time.strftime("%Y-%m-%d", time.localtime(created_at))


def backend_name(provider: str) -> str:
    """How the list names a provider."""
    record = providers.REGISTRY.get(provider)
    return record.label if record else provider


def row(entry: Entry, now: float | None = None) -> list[str]:
    """One table row: title (★ when kept); kept, kind (with the partial marker), length and backend; when."""
    kind = f"{entry.kind} (partial)" if entry.partial else entry.kind
    details = f"{kind} · {cards.clock(entry.duration_s)} · {backend_name(entry.provider)}"
    return [title_cell(entry), f"{KEPT_WORD} · {details}" if entry.starred else details, when(entry.created_at, now)]


def pick_label(entry: Entry, now: float | None = None) -> str:
    """How a song is named in the export checkboxes."""
    return f"{entry.title} · {entry.kind}{' (partial)' if entry.partial else ''} · {when(entry.created_at, now)}"


def usage_html(used: int, cap: int, shown: int, query: str, share_all: bool, starred_only: bool = False) -> str:
    """'12.3 MB of 2,048 MB used' with a bar, and how many songs the list shows."""
    mb = used / 1024**2
    if cap:
        pct = min(100.0, 100.0 * used / cap)
        space = f"<b>{mb:,.1f} MB</b> of {cap / 1024**2:,.0f} MB used"
        bar = f'<div class="mg-usage-bar" title="{pct:.0f}% used"><span style="width:{pct:.1f}%"></span></div>'
    else:
        space, bar = f"<b>{mb:,.1f} MB</b> used (no size limit)", ""
    noun = (f"{KEPT_WORD} {STAR} " if starred_only else "") + ("song" if shown == 1 else "songs")
    count = f"{shown} {noun} match “{escape(query.strip())}”" if query.strip() else f"{shown} {noun}"
    scope = (
        " · single-user mode: every song on this server is shown"
        if share_all
        else " · private to this browser: keep it to keep your library"
    )
    return f'<div class="mg-usage">{space} · {count}<span class="mg-usage-scope">{scope}</span>{bar}</div>'


def detail_html(entry: Entry) -> str:
    """Title, kind and time of the selected song, then the same metadata card the generation tabs show."""
    meta = {**entry.metadata, "file": f"{entry.title}.{entry.audio_format}", "partial": entry.partial}
    meta.setdefault("duration_s", entry.duration_s)
    meta.setdefault("provider", entry.provider)
    meta.setdefault("model", entry.model)
    meta.setdefault("trace_id", entry.trace_id)
    meta.setdefault("size", entry.size)
    for key in ("library_id", "library_warning"):
        meta.pop(key, None)
    made = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created_at))
    head = f'<div class="mg-library-head"><b>{escape(entry.kind.capitalize())}</b> · made {escape(made)}</div>'
    return head + cards.metadata_card(meta)


def title_cell(entry: Entry) -> str:
    """The list's Title cell: '★ Title' for a kept song."""
    return f"{STAR} {entry.title}" if entry.starred else entry.title


def star_button(entry: Entry | None) -> Any:
    """The toggle for the selected song: 'Remove ★' when it is kept, 'Keep ★' when not, off with nothing selected."""
    if entry is None:
        return gr.update(value=KEEP_LABEL, interactive=False)
    return gr.update(value=UNKEEP_LABEL if entry.starred else KEEP_LABEL, interactive=True)


def empty_starred_note(query: str) -> str:
    """What the list says when the ★ filter leaves nothing."""
    if query.strip():
        return f'<div class="mg-note mg-note-info">No kept {STAR} song matches that search.</div>'
    return (
        f'<div class="mg-note mg-note-info">No kept {STAR} songs yet: select a song and press '
        f"“{KEEP_LABEL}” to keep it here.</div>"
    )
