"""Small HTML pieces the studio shows: the backend badge, status line, metadata card, structure timeline, counters.

Layout-critical styles are inline so the pieces look right even where the studio's CSS is not loaded.
"""

from __future__ import annotations

from html import escape
from typing import Any

from .. import providers
from ..finish import Finished, FinishRequest
from ..lyrics_lint import Finding
from ..providers import DEMO, DEMO_LABEL
from ..results import CoverAnalysis

# Segment colours by label (contract §6 labels); unknown labels get the neutral one.
SEGMENT_COLOURS = {
    "intro": "#60a5fa",
    "verse": "#34d399",
    "pre chorus": "#a3e635",
    "chorus": "#f472b6",
    "bridge": "#fbbf24",
    "inst": "#a78bfa",
    "outro": "#38bdf8",
    "silence": "#d1d5db",
}
_NEUTRAL = "#94a3b8"
ANNOUNCE_EVERY_S = 30  # while a song is made, a screen reader hears the elapsed time this often (and stage changes)
STAGE_TEXT = {
    "queued": "Waiting for a free slot",
    "sending": "Sending the request",
    "waiting": "Composing — a song takes 30 s to 5 min",
    "receiving": "Receiving the answer",
    "downloading": "Downloading the finished file",
    "done": "Finishing",
    "generating": "Generating",
    "completed": "Completed",
}


def clock(seconds: float | None) -> str:
    """0:42 / 3:05 style time."""
    if seconds is None:
        return "–"
    s = max(0, round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def size_text(n: int | None) -> str:
    """Bytes as KB / MB."""
    if not n:
        return "–"
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def level(value: Any, unit: str) -> str:
    """-14.03 -> '−14.0 LUFS' (a true minus sign); '–' when not measured (older songs, silence)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "–"
    return f"{value:.1f} {unit}".replace("-", "−")


FINISH_HINT = (
    '<div class="mg-note mg-note-info">Made in the song\'s own format (mp3 at its bitrate, or WAV); the original is '
    "never changed.</div>"
)


def finished_summary(done: Finished, request: FinishRequest) -> str:
    """What a finished copy is, as measured from the file written: loudness, true peak, length, trims, fades."""
    m = done.measured
    facts = [f"<b>{level(m.lufs, 'LUFS')}</b>", f"true peak <b>{level(m.true_peak_dbtp, 'dBTP')}</b>",
             f"{clock(done.duration_s)} long"]  # fmt: skip
    if request.trim:
        facts.append(f"trimmed {done.trimmed_start_s:.2f} s at the start and {done.trimmed_end_s:.2f} s at the end")
    if request.fade_in_s or request.fade_out_s:
        facts.append(f"fade in {request.fade_in_s:g} s, fade out {request.fade_out_s:g} s")
    facts.append(f"{done.ext.upper()}, {done.sample_rate / 1000:g} kHz")
    notes = []
    if request.target_lufs is not None and not done.levelled:
        notes.append("Too short or too quiet to measure, so its level was left as generated.")
    if done.format_note:
        notes.append(f"{done.format_note}.")
    notes.append("The original is unchanged.")
    return (
        f'<div class="mg-note mg-finished" role="status">Finished copy: {" · ".join(facts)}. '
        f"{escape(' '.join(notes))}</div>"
    )


def backend_badge(label: str, provider: str, note: str = "") -> str:
    """The always-visible badge naming the backend that will answer, with a line on the studio key's budget."""
    kind = provider if provider in providers.REGISTRY else "minimax"
    line = f'<span class="mg-budget">{escape(note)}</span>' if note else ""
    return f'<div class="mg-badge mg-badge-{kind}" role="status">Backend: {escape(label)}{line}</div>'


def stage_text(stage: str, provider: str = "") -> str:
    """A stage in words, as the provider means it (the AI/ML API's "queued" is its task queue, not ours)."""
    record = providers.REGISTRY.get(provider)
    return (record and record.stage_text(stage)) or STAGE_TEXT.get(stage, stage)


def info_panel(body: str, announce: str = "") -> str:
    """What a results panel's info box holds: a polite live region, then `body` (what the eye sees).

    The live region is always the first element, so Gradio's HTML update (a diff, not a replacement) keeps that
    element and changes only its text: a screen reader hears `announce` once each time it changes, never the
    ticking clock of `body`, which sighted visitors see.
    """
    return f'<div class="mg-sr-only" role="status" aria-live="polite" aria-atomic="true">{escape(announce)}</div>{body}'


def _stage_words(stage: str, received: int, provider: str) -> str:
    if received or stage == "receiving":
        return "Receiving audio"
    if provider == DEMO and stage == "waiting":
        return "Composing on the demo engine"
    return stage_text(stage, provider)


def status_line(
    stage: str,
    elapsed_s: float,
    received: int = 0,
    provider: str = "",
    *,
    place: int = 0,
    estimate_s: float | None = None,
) -> str:
    """The info panel while a request runs: stage and elapsed time (and bytes; while it waits, its place in line;
    from a length cap, about how long it may take) on screen every tick; read out when the stage or the place
    changes and every ANNOUNCE_EVERY_S seconds."""
    text = _stage_words(stage, received, provider)
    if place:
        text += f" · {ordinal(place)} in line"
    extra = f" · {size_text(received)} received" if received else ""
    if estimate_s and not received and stage != "queued":
        extra += f" · about {clock(estimate_s)} for this length cap"
    calm = int(max(0.0, elapsed_s) // ANNOUNCE_EVERY_S) * ANNOUNCE_EVERY_S
    said = f"{text}, {clock(calm)} elapsed" if calm else text
    if estimate_s and not received and stage != "queued":
        said += f", about {clock(estimate_s)} for this length cap"
    return info_panel(
        f'<div class="mg-status" aria-hidden="true"><span class="mg-spinner"></span>'
        f"<b>{escape(text)}</b> · {clock(elapsed_s)} elapsed{extra}</div>",
        said,
    )


def notice(text: str, kind: str = "info") -> str:
    """A one-line note (kind: info, error, done)."""
    return f'<div class="mg-note mg-note-{kind}">{escape(text)}</div>'


def provider_text(provider: str) -> str:
    """How the metadata card names the backend that made a result (unknown names, from old entries: MiniMax)."""
    record = providers.REGISTRY.get(provider)
    return (record.card_label or record.label) if record else "MiniMax"


def failed_info(message: str) -> str:
    """The info panel after a failure: the message on screen, and read out."""
    return info_panel(notice(message, "error"), f"Failed: {message}")


def stopped_info() -> str:
    """The info panel after Stop."""
    return info_panel(notice("Stopped. Start again whenever you like.", "info"), "Stopped.")


def result_info(meta: dict[str, Any]) -> str:
    """The info panel with a result: its metadata card, and a sentence saying it is ready (and saved, or not)."""
    name = str(meta.get("file") or "The result")
    said = f"Done: {name} is ready, {clock(meta.get('duration_s'))} long."
    if meta.get("partial"):
        said = f"Stopped early: {name} holds the part that arrived."
    if meta.get("library_warning"):
        said += f" {meta['library_warning']}"
    elif meta.get("library_id"):
        said += " Saved to your Library."
    return info_panel(metadata_card(meta), said)


def metadata_card(meta: dict[str, Any] | None) -> str:
    """Duration, sample rate, channels, bitrate, size, model, provider, trace id and time taken of a result."""
    if not meta:
        return ""
    rate = meta.get("sample_rate")
    bitrate = meta.get("bitrate")
    channels = meta.get("channels")
    rows = [
        ("Duration", clock(meta.get("duration_s"))),
        ("Sample rate", f"{rate / 1000:g} kHz" if rate else "–"),
        ("Channels", {1: "1 (mono)", 2: "2 (stereo)"}.get(channels or 0, str(channels or "–"))),
        ("Bitrate", f"{bitrate // 1000} kbps" if bitrate else "–"),
        ("Size", f"{size_text(meta.get('size'))} · {str(meta.get('format', '')).upper()}"),
        ("Model", meta.get("model") or "–"),
        ("Provider", provider_text(str(meta.get("provider")))),
        ("Time taken", f"{meta.get('elapsed_s', 0):.1f} s"),
        ("Loudness", level(meta.get("loudness_lufs"), "LUFS")),
        ("True peak", level(meta.get("true_peak_dbtp"), "dBTP")),
        ("Trace id", meta.get("trace_id") or "–"),
    ]
    if meta.get("seed") is not None:  # a backend that takes a seed: what makes this take again
        cap = meta.get("max_seconds")
        rows += [("Seed", meta["seed"]), ("Length cap", f"{clock(cap)} ({cap} s)" if cap else "–")]
    if meta.get("download"):
        rows.append(("Download", f"{meta['download']} (encoded here)"))
    if meta.get("generation_id"):  # an AI/ML API task: its id and what it cost
        credits, usd = meta.get("credits_used"), meta.get("usd_spent")
        usage = f"{credits:,} credits · ${usd}" if credits is not None and usd is not None else "not reported"
        rows += [("Usage", usage), ("Generation id", meta["generation_id"])]
    cells = "".join(
        f'<div class="mg-cell{" mg-wide" if k in ("Trace id", "Generation id", "Download") else ""}"><dt>{escape(k)}</dt>'
        f"<dd>{escape(str(v))}</dd></div>"
        for k, v in rows
    )
    head = ""
    if meta.get("provider") == DEMO:
        head += f'<div class="mg-demo-label">{escape(meta.get("label") or DEMO_LABEL)}</div>'
    if meta.get("partial"):
        head += '<div class="mg-note mg-note-error">Partial: the stream stopped before the song was complete.</div>'
    if meta.get("library_warning"):
        head += f'<div class="mg-note mg-note-error mg-library-note">{escape(str(meta["library_warning"]))}</div>'
    elif meta.get("library_id"):
        head += '<div class="mg-note mg-note-info mg-library-note">Saved to your Library.</div>'
    title = escape(str(meta.get("file") or ""))
    return f'<div class="mg-card">{head}<div class="mg-file">{title}</div><dl class="mg-grid">{cells}</dl></div>'


def structure_timeline(analysis: CoverAnalysis | None) -> str:
    """The reference's labelled segments as coloured blocks on a time line, with its duration."""
    if analysis is None:
        return ""
    segs = [s for s in analysis.segments if s.end > s.start]
    total = analysis.duration_s or (max((s.end for s in segs), default=0.0))
    count = f"{len(segs)} section{'' if len(segs) == 1 else 's'}"
    by = " · analysed by the demo engine" if analysis.provider == DEMO else ""
    head = f'<div class="mg-tl-head"><b>Reference</b> · {clock(total)} long · {count}{by}</div>'
    if not segs or total <= 0:
        return f'<div class="mg-timeline">{head}<div class="mg-note">No structure was reported.</div></div>'
    blocks = []
    for s in segs:
        width = max(0.5, 100 * (s.end - s.start) / total)
        colour = SEGMENT_COLOURS.get(s.label.lower(), _NEUTRAL)
        tip = f"{s.label} {clock(s.start)}–{clock(s.end)}"
        blocks.append(
            f'<div class="mg-seg" title="{escape(tip)}" style="flex:0 0 {width:.3f}%;background:{colour};'
            f'overflow:hidden;white-space:nowrap;text-overflow:ellipsis">{escape(s.label)}</div>'
        )
    ticks = "".join(
        f'<span style="position:absolute;left:{100 * t / total:.2f}%">{clock(t)}</span>' for t in _ticks(total)
    )
    return (
        f'<div class="mg-timeline">{head}'
        f'<div class="mg-track" style="display:flex;width:100%">{"".join(blocks)}</div>'
        f'<div class="mg-ticks" style="position:relative;height:1.2em">{ticks}</div></div>'
    )


def counter(name: str, text: str | None, lo: int, hi: int, extra: str = "", problem: str = "") -> str:
    """'123 / 2000 characters', red when outside lo..hi or when `problem` says what is wrong (ui/required.py)."""
    n = len(text or "")
    bad = n > hi or 0 < n < lo or bool(problem)  # empty is flagged only once Generate was refused for it
    need = f" (at least {lo})" if bad and 0 < n < lo else ""
    cls = "mg-count mg-count-bad" if bad else "mg-count"  # (extra only explains what is counted)
    tail = "".join(f" · {escape(t)}" for t in (extra, problem) if t)
    return f'<div class="{cls}">{escape(name)}: {n} / {hi} characters{need}{tail}</div>'


def lint_report(counter_html: str, findings: list[Finding]) -> str:
    """The counter, then the linter's findings, one per line, each naming its line; those that stop a request first
    say so in words (not by colour alone)."""
    if not findings:
        return counter_html
    items = "".join(
        f'<li class="{"mg-count-bad" if f.blocks else "mg-lint-warn"}">'
        f"<strong>{'Must fix' if f.blocks else 'Warning'} · line {f.line}</strong>: {escape(f.message)}</li>"
        for f in findings
    )
    return f'<div class="mg-lint">{counter_html}<ul class="mg-lint-list" aria-label="Lyrics check">{items}</ul></div>'


def _ticks(total: float) -> list[float]:
    step = next((s for s in (5, 10, 15, 30, 60, 120) if total / s <= 6), 300)
    return [float(t) for t in range(0, int(total) + 1, step) if total - t > step * 0.4]
