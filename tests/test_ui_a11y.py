"""Accessibility without a browser: the theme's colour pairs by WCAG's formula, and what the live region says."""

from __future__ import annotations

import re

import pytest

from musicgen.ui import cards, theme


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_formula_matches_wcag_examples():
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#94a3b8", "#ffffff") == pytest.approx(2.56, abs=0.01)  # the old hint grey (axe said 2.56)
    assert ratio("#ffffff", "#8b5cf6") == pytest.approx(4.23, abs=0.01)  # the old primary button


THEME = theme.theme()
# (text, background) theme variables as Gradio pairs them; each is checked in light and in dark mode.
TEXT_PAIRS = [
    ("body_text_color", "body_background_fill"),
    ("body_text_color_subdued", "body_background_fill"),
    ("body_text_color_subdued", "block_background_fill"),
    ("block_info_text_color", "block_background_fill"),
    ("block_label_text_color", "block_label_background_fill"),
    ("block_title_text_color", "block_title_background_fill"),
    ("button_primary_text_color", "button_primary_background_fill"),
    ("button_primary_text_color", "button_primary_background_fill_hover"),
    ("button_secondary_text_color", "button_secondary_background_fill"),
    ("checkbox_label_text_color_selected", "checkbox_label_background_fill_selected"),
    ("input_placeholder_color", "input_background_fill"),
    ("link_text_color", "body_background_fill"),
]


def resolve(name: str, dark: bool) -> str:
    """A theme variable's colour: dark variants fall back to the light one; '*name' refers to another variable."""
    value = getattr(THEME, f"{name}_dark", None) if dark else None
    value = value or getattr(THEME, name)
    if value == "white":
        return "#ffffff"
    if value.startswith("*"):
        ref = value[1:]
        return resolve(ref, dark) if not re.fullmatch(r"(primary|secondary|neutral)_\d+", ref) else getattr(THEME, ref)
    return value


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_theme_text_has_aa_contrast(text, background, dark):
    fg, bg = resolve(text, dark), resolve(background, dark)
    assert ratio(fg, bg) >= 4.5, (
        f"{text} {fg} on {background} {bg}: {ratio(fg, bg):.2f}:1 ({'dark' if dark else 'light'})"
    )


def test_every_colour_pair_in_our_css_has_aa_contrast():
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", theme.CSS)
    pairs = []
    for selector, body in rules:
        bg = re.search(r"background:\s*(#[0-9a-f]{6})", body)
        fg = re.search(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", body)
        if bg and fg:
            pairs.append((selector.strip(), fg.group(1), bg.group(1)))
    assert len(pairs) >= 5  # the badges, the demo label, the error note
    low = [(s, f, b, round(ratio(f, b), 2)) for s, f, b in pairs if ratio(f, b) < 4.5]
    assert not low


def test_structure_labels_are_readable_on_their_colours():
    for colour in [*cards.SEGMENT_COLOURS.values(), "#94a3b8"]:
        assert ratio("#1f2937", colour) >= 4.5, colour


# -- the results panel's live region -------------------------------------------------------------------------------

LIVE = re.compile(r'^<div class="mg-sr-only" role="status" aria-live="polite" aria-atomic="true">([^<]*)</div>')


def said(html: str) -> str:
    """What the live region holds (it must be the panel's first element, so that Gradio's diff keeps it)."""
    m = LIVE.match(html)
    assert m, html[:120]
    return m.group(1)


def test_progress_is_read_out_at_a_calm_rate_while_the_screen_ticks():
    timeline = [("sending", t, 0) for t in range(2)] + [("waiting", t, 0) for t in range(2, 95)]
    timeline += [("receiving", t, 40_000 * (t - 94)) for t in range(95, 130)]
    panels = [cards.status_line(stage, float(t), got) for stage, t, got in timeline]
    announcements = [said(p) for p in panels]
    changes = [a for a, before in zip(announcements, [None, *announcements[:-1]], strict=True) if a != before]
    assert changes == [
        "Sending the request",
        "Composing — a song takes 30 s to 5 min",
        "Composing — a song takes 30 s to 5 min, 0:30 elapsed",
        "Composing — a song takes 30 s to 5 min, 1:00 elapsed",
        "Composing — a song takes 30 s to 5 min, 1:30 elapsed",
        "Receiving audio, 1:30 elapsed",
        "Receiving audio, 2:00 elapsed",
    ]
    assert len({p for p in panels}) == len(panels)  # while the eye sees every second (and every byte count)
    assert all('class="mg-status" aria-hidden="true"' in p for p in panels)  # which is not read out as well


def test_outcomes_are_read_out():
    meta = {"file": "Streetlights.mp3", "duration_s": 62.0, "library_id": "x", "provider": "demo"}
    assert said(cards.result_info(meta)) == "Done: Streetlights.mp3 is ready, 1:02 long. Saved to your Library."
    warned = {**meta, "library_id": None, "library_warning": "Not saved to your library: it is full."}
    assert said(cards.result_info(warned)).endswith("Not saved to your library: it is full.")
    assert said(cards.failed_info("API key not accepted. Open the Settings tab.")) == (
        "Failed: API key not accepted. Open the Settings tab."
    )
    assert said(cards.stopped_info()) == "Stopped."
    assert "Streetlights.mp3" in cards.result_info(meta)  # the card is still there for the eye
