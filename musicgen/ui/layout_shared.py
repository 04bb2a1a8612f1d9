"""Pieces every generation tab has: audio settings, the Generate/Stop row, and the results panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from .. import config, finish
from ..lyrics_lint import FIXES
from ..recipe_code import LANGUAGES
from . import cards
from .board import BOARD_JS
from .live import PLAYER_JS
from .page_names import DOWNLOAD_CLASS, PLAYER_CLASS

CODE_LABELS = {
    "curl": "curl (key from $MINIMAX_API_KEY)",
    "python": "Python with musicgen",
    "cli": "Command line",
    "gradio_client": "gradio_client (this studio)",
}
FIX_IDS = {"tags-on-own-lines": "fix-tags", "tag-names": "fix-tag-names"}  # elem_id suffix per lyrics_lint.FIXES


@dataclass
class AudioControls:
    """Format, sample rate, bitrate and the stream switch."""

    format: gr.Radio
    sample_rate: gr.Dropdown
    bitrate: gr.Dropdown
    stream: gr.Checkbox

    def inputs(self) -> list[gr.components.Component]:
        """In the order the handlers take them."""
        return [self.format, self.sample_rate, self.bitrate, self.stream]


@dataclass
class FinishControls:
    """ "Finished download": loudness, trim, fades, the button that makes the copy, its summary and its file."""

    loudness: gr.Radio
    trim: gr.Checkbox
    fade_in: gr.Number
    fade_out: gr.Number
    make: gr.Button
    summary: gr.HTML
    file: gr.File

    def inputs(self) -> list[gr.components.Component]:
        """In the order the finishing handlers take them (after the song to finish)."""
        return [self.loudness, self.trim, self.fade_in, self.fade_out]


@dataclass
class TakeControls:
    """Seed and length cap, for backends that take them (a self-hosted MiniMax-Music3); hidden elsewhere."""

    group: gr.Group
    seed: gr.Textbox
    max_seconds: gr.Slider

    def inputs(self) -> list[gr.components.Component]:
        """In the order the handlers take them."""
        return [self.seed, self.max_seconds]


@dataclass
class LyricsCheck:
    """Under a lyrics box: the count and the linter's findings, and one button per fix (shown when it applies)."""

    report: gr.HTML
    fixes: dict[str, gr.Button]


def lyrics_check(prefix: str, lo: int, hi: int) -> LyricsCheck:
    """The report line (lyrics_lint's findings, filled in as the visitor types) and the fix buttons, hidden."""
    report = gr.HTML(
        cards.counter("Lyrics", "", lo, hi), elem_id=f"{prefix}-lyrics-count"
    )  # page_names: the box is described by it
    with gr.Row():
        fixes = {
            name: gr.Button(label, size="sm", visible=False, elem_id=f"{prefix}-{FIX_IDS[name]}")
            for name, (label, _fn) in FIXES.items()
        }
    return LyricsCheck(report, fixes)


@dataclass
class Results:
    """Where a tab shows its result: live player, finished player, download, metadata and the info panel."""

    live: gr.HTML
    player: gr.Audio
    download: gr.File
    metadata: gr.JSON
    info: gr.HTML
    finish: FinishControls
    code: dict[str, gr.Code]  # "Copy as code" (not an output of the handlers: filled from the metadata's recipe)

    def outputs(self) -> list[gr.components.Component]:
        """In the order the handlers yield them."""
        return [self.live, self.player, self.download, self.metadata, self.info]


def audio_controls(prefix: str, stream: bool = True) -> AudioControls:
    """The stream switch, then format / sample rate / bitrate in a closed accordion."""
    stream_box = gr.Checkbox(
        value=stream,
        label="Stream: start playing while the song is still arriving",
        elem_id=f"{prefix}-stream",
    )
    with gr.Accordion("Audio settings", open=False, elem_id=f"{prefix}-audio-settings"):
        with gr.Row():
            fmt = gr.Radio(
                choices=list(config.FORMATS),
                value=config.DEFAULT_FORMAT,
                label="Format",
                info="pcm is offered for download as WAV",
            )
            rate = gr.Dropdown(
                choices=[(f"{r / 1000:g} kHz", r) for r in config.SAMPLE_RATES],
                value=config.DEFAULT_SAMPLE_RATE,
                label="Sample rate",
                allow_custom_value=True,  # scripts may send "44100"; the request model names a wrong value
            )
            bitrate = gr.Dropdown(
                choices=[(f"{b // 1000} kbps", b) for b in config.BITRATES],
                value=config.DEFAULT_BITRATE,
                label="Bitrate (mp3)",
                allow_custom_value=True,
            )
    return AudioControls(fmt, rate, bitrate, stream_box)


def take_controls(prefix: str, visible: bool) -> TakeControls:
    """The Seed box (blank: a random one, shown with the result) and the Length cap slider."""
    with gr.Group(visible=visible, elem_id=f"{prefix}-take") as group:
        with gr.Row():
            seed = gr.Textbox(
                value="",
                label="Seed",
                placeholder="Blank: a random seed, shown with the result",
                info="The same seed, prompt, lyrics and length give the same song; another seed, another take.",
                max_lines=1,
                elem_id=f"{prefix}-seed",
            )
            length = gr.Slider(
                minimum=config.MUSIC3_MIN_SECONDS,
                maximum=config.MUSIC3_MAX_SECONDS,
                value=config.MUSIC3_DEFAULT_SECONDS,
                step=5,
                label="Length cap (seconds)",
                info="At most this long; the model may end earlier. 10 s auditions a prompt quickly.",
                elem_id=f"{prefix}-max-seconds",
            )
    return TakeControls(group, seed, length)


def takes_control(prefix: str) -> gr.Radio:
    """Takes: how many songs one click makes side by side (each a song of its own, and counted as one)."""
    radio = gr.Radio(
        choices=list(range(1, config.TAKES_MAX + 1)),
        value=config.DEFAULT_TAKES,
        label="Takes",
        info="Songs made side by side from one click, to compare and keep the best; each counts as a song",
        elem_id=f"{prefix}-takes",
    )
    # Any value goes on to the handler, which refuses one outside 1..TAKES_MAX naming the field ("Takes") and the
    # limit; gr.Radio's own check names neither the field nor the studio's limit. (An instance attribute, not a
    # subclass: Gradio writes a .pyi stub beside any module that subclasses a component.)
    radio.preprocess = _as_sent  # type: ignore[method-assign]
    return radio


def _as_sent(payload: Any) -> Any:
    return payload


def action_row(prefix: str, label: str, ready: bool = True) -> tuple[gr.Button, gr.Button]:
    """The big Generate button (disabled until `ready`) and its Stop button."""
    with gr.Row():
        go = gr.Button(label, variant="primary", size="lg", scale=3, interactive=ready, elem_id=f"{prefix}-generate")
        stop = gr.Button("Stop", variant="stop", size="lg", scale=1, elem_id=f"{prefix}-stop")
    return go, stop


def results_panel(prefix: str, label: str, stream: bool = True) -> Results:
    """Live player (streaming), finished player, download, the info panel and the raw metadata."""
    info = gr.HTML(
        value=cards.info_panel(
            cards.notice(
                "Your result appears here. A song takes 30 s to 5 min with MiniMax; the demo engine answers in seconds."
            )
        ),  # fmt: skip
        label="info",
        elem_id=f"{prefix}-info",
        elem_classes="mg-info",
    )
    # The live player plays the song's bytes from the studio's /live/ route as they arrive (ui/live.py); the
    # whole file goes to the player and the download once it is complete, which is also what scripts get.
    # Several takes show their board here instead (ui/board.py).
    live = gr.HTML(value="", label="live", visible=stream, js_on_load=PLAYER_JS + BOARD_JS, elem_id=f"{prefix}-live")
    player = gr.Audio(
        label=label,
        type="filepath",
        interactive=False,
        buttons=[],  # the Download box below is the one way to download (one tab stop, no nested a > button)
        elem_id=f"{prefix}-player",
        elem_classes=PLAYER_CLASS,
    )
    download = gr.File(label="Download", interactive=False, elem_id=f"{prefix}-download", elem_classes=DOWNLOAD_CLASS)
    controls = finish_controls(prefix)
    with gr.Accordion("Metadata (JSON)", open=False):
        metadata = gr.JSON(label="metadata", elem_id=f"{prefix}-metadata")
    return Results(live, player, download, metadata, info, controls, code_panel(prefix))


def finish_controls(prefix: str) -> FinishControls:
    """A closed accordion: loudness target, trim, fades, and the button that makes a finished copy to download.

    The button is off until there is a song to finish (events.wire_finish turns it on)."""
    with gr.Accordion("Finished download: loudness, trim, fades", open=False, elem_id=f"{prefix}-finish"):
        loudness = gr.Radio(
            choices=finish.LOUDNESS_CHOICES,
            value=finish.DEFAULT_LOUDNESS,
            label="Loudness",
            info="Measured per ITU-R BS.1770; true peaks stay at or under −1 dBTP, so a boost never clips",
            elem_id=f"{prefix}-finish-loudness",
        )
        trim = gr.Checkbox(
            value=finish.DEFAULT_TRIM,
            label=f"Trim the silence at the ends (quieter than {finish.TRIM_THRESHOLD_DBFS:g} dBFS for at least "
            f"{finish.TRIM_MIN_SILENCE_S:g} s)",
            elem_id=f"{prefix}-finish-trim",
        )
        with gr.Row():
            fade_in, fade_out = (
                gr.Number(
                    value=default,
                    minimum=0,
                    maximum=finish.FADE_MAX_S,
                    step=0.5,
                    label=f"{name} (seconds, 0–{finish.FADE_MAX_S:g})",
                    min_width=140,
                    elem_id=f"{prefix}-finish-{name.lower().replace(' ', '-')}",
                )
                for name, default in (("Fade in", finish.DEFAULT_FADE_IN_S), ("Fade out", finish.DEFAULT_FADE_OUT_S))
            )
        make = gr.Button("Make the finished copy", interactive=False, elem_id=f"{prefix}-finish-make")
        summary = gr.HTML(cards.FINISH_HINT, elem_id=f"{prefix}-finish-summary")
        file = gr.File(
            label="Finished download",
            interactive=False,
            elem_id=f"{prefix}-finish-file",
            elem_classes=DOWNLOAD_CLASS,
        )
    return FinishControls(loudness, trim, fade_in, fade_out, make, summary, file)


def code_panel(prefix: str) -> dict[str, gr.Code]:
    """ "Copy as code": the result's request as curl, Python, the CLI and gradio_client (recipe_code.py), each with
    a copy button; filled when there is a result."""
    with gr.Accordion("Copy as code", open=False, elem_id=f"{prefix}-code"):
        return {
            form: gr.Code(
                value="",
                language=language,
                label=CODE_LABELS[form],
                interactive=False,
                buttons=["copy"],
                wrap_lines=True,
                lines=2,
                max_lines=30,
                elem_id=f"{prefix}-code-{form}",
            )
            for form, language in LANGUAGES.items()
        }
