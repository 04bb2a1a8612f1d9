"""A required field left empty, said at the field itself once Generate was refused for it, not only in a toast.

The request models refuse the request and the toast says why (requests.py stays the one home of the rules). After
such a refusal the empty field's counter (the gr.HTML it is described by: page_names.py) says what is required and is
flagged, so the field is aria-invalid and described by the words next to it; focus moves to the field, so a screen
reader reads its label and that description. Typing in the field brings the plain counter back (its change event).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..legacy import LYRICS_MAX as MUSIC01_LYRICS_MAX
from ..requests import COVER_PROMPT_MAX, COVER_PROMPT_MIN, LYRICS_MAX, PROMPT_MAX
from . import cards

_AT_ONCE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden", "queue": False}
# After the counter changed: the field, if its counter now flags it, is marked at once (page_names.py would do it
# on its next frame) and focused.
FOCUS_JS = """() => setTimeout(() => {{
  const field = document.querySelector('#{field} :is(textarea, input)');
  if (!field || !document.querySelector('#{field}-count .mg-count-bad')) return;
  field.setAttribute('aria-describedby', '{field}-count');
  field.setAttribute('aria-invalid', 'true');
  field.focus();
}}, 60)"""


@dataclass(frozen=True)
class Required:
    """A field the request cannot go without: its counter's name and bounds, and what to do when it is empty."""

    name: str
    lo: int
    hi: int
    need: str


SONG_LYRICS = Required("Lyrics", 0, LYRICS_MAX, "Required: write the lyrics here, or tick Auto lyrics below")
INSTRUMENTAL_PROMPT = Required("Prompt", 1, PROMPT_MAX, "Required: describe the music (1–2000 characters)")
COVER_PROMPT = Required(
    "Style", COVER_PROMPT_MIN, COVER_PROMPT_MAX, "Required: describe the cover's style (10–300 characters)"
)
MUSIC01_LYRICS = Required(
    "Lyrics", 1, MUSIC01_LYRICS_MAX, f"Required: write the lyrics music-01 sings (1–{MUSIC01_LYRICS_MAX} characters)"
)


def note(rule: Required, text: str | None, waived: bool = False) -> Any:
    """The field's counter after Generate was refused: saying what is required when the field is empty (and not
    waived, as Auto lyrics waives the lyrics); otherwise left as it is."""
    if waived or (text or "").strip():
        return gr.skip()
    return cards.counter(rule.name, text, rule.lo, rule.hi, problem=rule.need)


def wire_required(
    events: list[Any], field: gr.Textbox, counter: gr.HTML, rule: Required, waiver: gr.Checkbox | None = None
) -> None:
    """After any of `events` failed: the counter says what the empty field needs, and focus moves to the field."""
    inputs = [field] + ([waiver] if waiver is not None else [])

    def refused(text: str, waived: bool = False) -> Any:
        return note(rule, text, bool(waived))

    for ev in events:
        ev.failure(refused, inputs, counter, **_AT_ONCE).then(None, js=FOCUS_JS.format(field=field.elem_id))
    if waiver is not None:  # ticking Auto lyrics mends an empty lyrics box too

        def waived(text: str, on: bool) -> Any:
            empty = not (text or "").strip()
            return cards.counter(rule.name, text, rule.lo, rule.hi) if on and empty else gr.skip()

        waiver.change(waived, inputs, counter, **_AT_ONCE)
