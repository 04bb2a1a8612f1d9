"""The studio's look: a Gradio theme and a little CSS (both go to launch() in Gradio 6)."""

from __future__ import annotations

import gradio as gr

# Soft's own text colours fall short of WCAG 2.2 AA (4.5:1 for normal text): its hint grey (slate-400) is 2.5:1 on
# white, its violet labels (violet-500 on violet-100) 3.6:1 and white on its violet buttons 4.2:1. One shade or two
# darker passes everywhere (tests/test_ui_a11y.py computes every pair, light and dark).
ACCESSIBLE_COLOURS = {
    "body_text_color_subdued": "*neutral_600",  # hints, counters, the header's subtitle: 7.2:1 on the page
    "body_text_color_subdued_dark": "*neutral_400",
    "input_placeholder_color": "*neutral_500",
    "input_placeholder_color_dark": "#a5b4c8",  # between slate-300 and -400: 4.9:1, still reads as a hint
    "color_accent": "*primary_600",
    "block_label_text_color": "*primary_700",  # on violet-100: 6.0:1
    "block_title_text_color": "*primary_700",
    "button_primary_background_fill": "*primary_600",  # white on it: 5.7:1
    "button_primary_background_fill_hover": "*primary_700",
    "button_primary_background_fill_hover_dark": "*primary_700",
    "checkbox_label_background_fill_selected": "*primary_600",
    "link_text_color": "*secondary_700",
    "link_text_color_dark": "*secondary_400",
}


def theme() -> gr.themes.Base:
    """Soft theme with bundled fonts only (no request outside the server), its text colours made AA-contrast."""
    base = gr.themes.Soft(primary_hue="violet", secondary_hue="pink", neutral_hue="slate")
    return base.set(**ACCESSIBLE_COLOURS)


CSS = """
.gradio-container { max-width: 1240px !important; margin: 0 auto !important; }
#mg-header { align-items: center; gap: 12px; flex-wrap: wrap; }
#mg-header h1 { margin: 0; font-size: 1.6rem; line-height: 1.2; }
#mg-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); }
.mg-badge { display: inline-block; padding: 6px 12px; border-radius: 10px; font-weight: 600; font-size: 0.85rem;
  border: 1px solid transparent; }
.mg-badge-demo { background: #fef3c7; color: #92400e; border-color: #fcd34d; }
.mg-badge-minimax { background: #ede9fe; color: #5b21b6; border-color: #c4b5fd; }
.mg-badge-aimlapi { background: #e0f2fe; color: #075985; border-color: #7dd3fc; }
.mg-legacy { border: 1px dashed #f59e0b !important; }
#mg-badge { text-align: right; }
.mg-badge .mg-budget { display: block; margin-top: 2px; font-weight: 500; color: inherit; }
#settings-access-apply { align-self: flex-start; }
.mg-tags-row { align-items: flex-end; }
.mg-tags-row button { align-self: flex-end; margin-bottom: 6px; }
.mg-status { display: flex; align-items: center; gap: 8px; padding: 10px 12px; border-radius: 8px;
  background: var(--block-background-fill); border: 1px solid var(--border-color-primary); }
.mg-spinner { width: 14px; height: 14px; border-radius: 50%; border: 2px solid #7c3aed;
  border-right-color: transparent; animation: mg-spin 0.9s linear infinite; flex: none; }
@keyframes mg-spin { to { transform: rotate(360deg); } }
.mg-note { padding: 8px 12px; border-radius: 8px; background: var(--block-background-fill); }
.mg-note-error { background: #fee2e2; color: #991b1b; }
/* Gradio's 'Error' pill sits over the top of the panel it marks: make room so it covers no words. */
.mg-info:has(> .wrap .error) { padding-top: 2.4rem !important; }
.mg-note-info { color: var(--body-text-color-subdued); }
.mg-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 12px 14px;
  background: var(--block-background-fill); }
.mg-file { font-weight: 600; margin-bottom: 8px; word-break: break-all; }
.mg-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 8px 16px; margin: 0; }
.mg-cell dt { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--body-text-color-subdued); }
.mg-cell dd { margin: 0; font-weight: 600; word-break: break-all; }
.mg-wide { grid-column: 1 / -1; }
.mg-wide dd { font-family: var(--font-mono); font-weight: 400; font-size: 0.85rem; }
.mg-demo-label { background: #fef3c7; color: #92400e; border-radius: 6px; padding: 4px 10px; margin-bottom: 8px;
  font-weight: 600; font-size: 0.85rem; display: inline-block; }
.mg-count { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: -6px; }
.mg-count-bad { color: #b91c1c; font-weight: 600; }
.mg-lint-list { margin: 2px 0 0 0; padding-left: 1.1rem; font-size: 0.8rem; }
.mg-lint-list li { margin: 1px 0; }
.mg-lint-warn { color: var(--body-text-color); }
.mg-tags { gap: 6px !important; flex-wrap: wrap !important; }
.mg-tags button { flex: 0 0 auto !important; min-width: 0 !important; padding: 2px 10px !important;
  font-size: 0.8rem !important; }
.mg-timeline { padding: 4px 0; }
.mg-tl-head { margin-bottom: 6px; }
.mg-track { height: 34px; border-radius: 6px; overflow: hidden; gap: 2px; }
.mg-seg { color: #1f2937; font-size: 0.75rem; font-weight: 600; line-height: 34px; padding: 0 6px;
  text-transform: capitalize; }
.mg-ticks { font-size: 0.7rem; color: var(--body-text-color-subdued); }
.mg-ticks span { transform: translateX(-50%); }
.mg-ticks span:first-child { transform: none; }
.mg-step { margin: 4px 0 0 !important; }
/* The Cover tab's two steps are h2 (headings in order under the page's h1), sized as the h3 they were. */
.mg-step h2 { font-size: var(--text-lg) !important; margin: 8px 0 4px !important; }
.mg-settings { max-width: 760px; }
/* An empty download box needs no more room than a filled one. */
.mg-live { padding: 8px 12px; border-radius: 8px; background: var(--block-background-fill); }
.mg-live-label { margin: 0 0 6px; font-weight: 600; color: var(--body-text-color); }
.mg-live audio { display: block; width: 100%; }
/* Takes board (ui/board.py): the compare player, then a card per take. */
.mg-compare { padding: 8px 12px; border-radius: 8px; background: var(--block-background-fill);
  border: 1px solid var(--border-color-primary); margin-bottom: 6px; }
.mg-compare[hidden] { display: none; }
.mg-compare-label { margin: 0 0 6px; font-weight: 600; color: var(--body-text-color); }
.mg-compare audio { display: block; width: 100%; }
.mg-compare-buttons { display: flex; gap: 6px; margin: 8px 0 0; flex-wrap: wrap; }
.mg-takes button, .mg-compare button { min-width: 44px; min-height: 32px; padding: 4px 12px; border-radius: 8px; font-weight: 600;
  border: 1px solid #6d28d9; background: var(--block-background-fill); color: var(--body-text-color);
  cursor: pointer; transition: none; }
.mg-takes button[aria-pressed="true"], .mg-compare button[aria-pressed="true"] { background: #6d28d9; border-color: #6d28d9; color: #ffffff; }
.mg-takes-note { margin: 0 0 8px; font-size: 0.85rem; color: var(--body-text-color-subdued); }
.mg-take-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 8px;
  grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); }
.mg-take { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
  background: var(--block-background-fill); margin: 0 !important; }
.mg-take h3 { margin: 0 0 4px !important; font-size: 1rem; }
.mg-takes-title { margin: 0 0 6px !important; font-size: 1.05rem !important; }
.mg-take-status { margin: 0 0 6px !important; font-size: 0.85rem; color: var(--body-text-color); }
.mg-take-failed .mg-take-status { color: #991b1b; font-weight: 600; }
.mg-take-done { border-color: #7c3aed; }
.mg-take audio { display: block; width: 100%; margin-bottom: 6px; }
.mg-take-facts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 2px 12px; margin: 0 0 6px; }
.mg-take-facts dt { font-size: 0.7rem; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--body-text-color-subdued); }
.mg-take-facts dd { margin: 0; font-weight: 600; font-size: 0.85rem; word-break: break-all; }
.mg-takes-row { align-items: center; }
.mg-download .empty { min-height: 56px !important; height: 56px !important; }
.mg-hidden-input { display: none !important; }
/* Gradio's players show their times and speed in a fixed light grey (2.6:1): our hint colour instead. */
.gradio-container time, .gradio-container .playback span { color: var(--body-text-color-subdued) !important; }
/* Icon buttons at least 24 × 24 px (WCAG 2.5.8). */
.icon-button-wrapper .icon-button { min-width: 24px; min-height: 24px;
  display: inline-flex; align-items: center; justify-content: center; }
/* Read by screen readers, not shown (the results panel's live region). */
.mg-sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; }
/* One focus ring for every control, clear on any background (WCAG 2.4.7, 2.4.11). */
.gradio-container :focus-visible { outline: 3px solid var(--color-accent) !important; outline-offset: 2px; }
/* The player's waveform (in a shadow root) never needs to scroll: a scroll box there is a stray tab stop with
   nothing in it (axe: scrollable-region-focusable). */
.gradio-container ::part(scroll) { overflow: hidden !important; }
/* Inside @media Gradio prefixes each selector with its container, so these need no prefix of their own. */
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after {
    animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
    transition-duration: 0.01ms !important; scroll-behavior: auto !important; }
}
/* Library tab */
.mg-usage { padding: 8px 12px; border-radius: 8px; background: var(--block-background-fill);
  border: 1px solid var(--border-color-primary); }
.mg-usage-scope { color: var(--body-text-color-subdued); font-size: 0.85rem; }
.mg-usage-bar { height: 6px; border-radius: 3px; background: var(--border-color-primary); margin-top: 6px;
  overflow: hidden; }
.mg-usage-bar span { display: block; height: 100%; background: #7c3aed; }
.mg-library-search { align-items: center !important; }
/* "★ kept only" as wide as its label, on one line (Gradio's row wraps on a phone) */
#library-starred-only { flex: 0 0 auto !important; width: auto !important; }
#library-starred-only label, #library-starred-only span { white-space: nowrap; }
#library-search input, #library-search textarea { border: 1px solid var(--border-color-primary) !important; }
.mg-library-undo { align-items: center; padding: 6px 10px; border-radius: 8px; background: #ede9fe; }
.mg-undo-text { font-weight: 600; }
.mg-showcase-title { margin: 0 0 6px; font-size: 1.5rem; }
.mg-showcase-meta { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: center; margin-bottom: 4px; }
.mg-showcase-meta .mg-badge { padding: 3px 10px; }
/* The selected song in the list: white on violet-700 (7.1:1; the theme's selected radio is 4.3:1 with its text). */
#showcase-list label { transition: none !important; }  /* no half-faded colours while the list is re-ordered */
#showcase-list label.selected { background: #6d28d9 !important; border-color: #6d28d9 !important; }
#showcase-list label.selected span { color: #ffffff !important; }
.mg-showcase-lyrics pre { white-space: pre-wrap; font-family: var(--font); margin: 4px 0 10px; }
.mg-library-head { margin-bottom: 8px; }
.mg-library-note { margin-bottom: 8px; }
#library-table tbody tr { cursor: pointer; }
#library-table, #library-table * { font-family: var(--font) !important; }
@media (max-width: 640px) {
  .main.app { padding-left: 12px !important; padding-right: 12px !important; }
  /* Gradio sizes the page to fit all tab buttons: keep them narrow enough for a phone. */
  .tab-wrapper button { padding: 0 6px !important; font-size: 13px !important; }
  #mg-header h1 { font-size: 1.3rem; }
  #mg-badge { text-align: left; }
  .mg-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  #library-table span, #library-table .cell-wrap { font-size: 13px !important; }
}
"""
