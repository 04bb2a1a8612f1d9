"""The song plan: request (prompt, lyrics, reference) → tempo, key, mode, sections with bars and lines."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .harmony import choose_progressions, progression_for
from .lyrics_text import INSTRUMENTAL_KINDS, LyricSection, line_syllables, parse_lyrics
from .style import NOTE_NAMES, Style, parse_style

BEATS_PER_BAR = 4
MAX_SECONDS = 360.0  # the real API's longest song
MIN_SECONDS = 10.0
BARS_PER_LINE = 2
# Fields that only change how audio is delivered, not what is played: a song is the same song at any
# sample rate or container format.
_DELIVERY_FIELDS = frozenset({"audio_setting", "output_format", "stream", "aigc_watermark"})
_DEFAULT_SONG = (
    ("intro", 4),
    ("verse", 8),
    ("chorus", 8),
    ("verse", 8),
    ("chorus", 8),
    ("bridge", 8),
    ("chorus", 8),
    ("outro", 4),
)
_LABEL_KIND = {
    "intro": "intro",
    "verse": "verse",
    "chorus": "chorus",
    "bridge": "bridge",
    "outro": "outro",
    "inst": "inst",
    "silence": "break",
}


@dataclass(frozen=True)
class Section:
    """One section of the song as it will be played."""

    kind: str
    bars: int
    start_s: float
    duration_s: float
    lines: tuple[str, ...]
    progression: tuple[int, ...]  # scale degrees, one chord per bar (cycled)
    start_bar: int

    @property
    def end_s(self) -> float:
        """Time the section ends, in seconds."""
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class SongPlan:
    """Everything the renderer needs to know about a song, and what tests/metadata read back."""

    tempo_bpm: float
    mode: str  # "major" or "minor"
    key: str  # root name, e.g. "A"
    root_pc: int  # root pitch class, C = 0
    genre: str
    instruments: tuple[str, ...]
    sections: tuple[Section, ...]
    has_vocals: bool
    duration_s: float
    seed: int
    drum_pattern: str
    chord_voice: str
    bass_voice: str
    drums: bool
    half_time: bool
    beats_per_bar: int = BEATS_PER_BAR

    @property
    def bar_s(self) -> float:
        """Seconds per bar."""
        return self.beats_per_bar * 60.0 / self.tempo_bpm

    @property
    def total_bars(self) -> int:
        """Bars in the whole song."""
        return sum(s.bars for s in self.sections)


def request_seed(payload: dict[str, Any], reference: bytes | None = None) -> int:
    """64-bit seed from the sha256 of the canonical request JSON (plus the reference audio's md5)."""
    musical = {k: v for k, v in payload.items() if k not in _DELIVERY_FIELDS}
    if reference is not None:
        musical["_reference_md5"] = hashlib.md5(reference).hexdigest()
    canonical = json.dumps(musical, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return int.from_bytes(hashlib.sha256(canonical.encode("utf-8")).digest()[:8], "big")


def line_bars(line: str) -> int:
    """Bars a lyric line is sung over: two, or more for lines too long to sing in two bars of 8ths."""
    return min(16, BARS_PER_LINE * max(1, -(-len(line_syllables(line)) // 16)))


def section_bars(kind: str, lines: tuple[str, ...]) -> int:
    """Bars for a section: two per lyric line (at least 4); fixed lengths for instrumental parts."""
    if lines:
        return max(4, sum(line_bars(line) for line in lines))
    if kind in ("inst", "solo"):
        return 8
    if kind in ("break", "transition"):
        return 2
    return 4


def _default_layout(bar_s: float) -> list[tuple[str, int, tuple[str, ...]]]:
    # Scale the template so an instrumental lasts about two minutes at any tempo.
    template_bars = sum(b for _, b in _DEFAULT_SONG)
    scale = (120.0 / bar_s) / template_bars
    return [(kind, max(2, int(round(bars * scale / 2.0)) * 2), ()) for kind, bars in _DEFAULT_SONG]


def _clamp(layout: list[tuple[str, int, tuple[str, ...]]], bar_s: float) -> list[tuple[str, int, tuple[str, ...]]]:
    """Fit the layout into [MIN_SECONDS, MAX_SECONDS]: cut from the end but keep an outro."""
    max_bars = int(MAX_SECONDS // bar_s)
    if sum(b for _, b, _ in layout) > max_bars:
        outro = layout[-1] if layout[-1][0] == "outro" else ("outro", 4, ())
        outro = (outro[0], min(outro[1], 4), outro[2])
        budget = max_bars - outro[1]
        kept: list[tuple[str, int, tuple[str, ...]]] = []
        for kind, bars, lines in layout[:-1] if layout[-1][0] == "outro" else layout:
            if budget <= 0:
                break
            if bars > budget:
                if budget < 2:
                    break
                # Shorten the last section that fits partly, keeping as many lines as its bars carry.
                lines = lines[: max(1, budget // BARS_PER_LINE)] if lines else lines
                bars = budget
            kept.append((kind, bars, lines))
            budget -= bars
        layout = kept + [outro]
    total = sum(b for _, b, _ in layout)
    min_bars = int(np.ceil(MIN_SECONDS / bar_s - 1e-9))
    if total < min_bars:
        kind, bars, lines = layout[-1]
        layout = layout[:-1] + [(kind, bars + min_bars - total, lines)]
    return layout


def _finish(
    style: Style, layout: list[tuple[str, int, tuple[str, ...]]], seed: int, tempo: float, vocals: bool
) -> SongPlan:
    rng = np.random.default_rng(seed)
    root_pc = style.key_root if style.key_root is not None else int(rng.integers(12))
    progressions = choose_progressions(style.minor, rng)
    bar_s = BEATS_PER_BAR * 60.0 / tempo
    layout = _clamp(layout, bar_s)
    sections = []
    bar = 0
    for kind, bars, lines in layout:
        lines = lines if vocals else ()
        sections.append(Section(kind, bars, bar * bar_s, bars * bar_s, lines, progression_for(kind, progressions), bar))
        bar += bars
    has_vocals = vocals and any(s.lines for s in sections)
    return SongPlan(
        tempo_bpm=float(tempo),
        mode="minor" if style.minor else "major",
        key=NOTE_NAMES[root_pc],
        root_pc=root_pc,
        genre=style.genre.name,
        instruments=style.instruments + (("vocals",) if has_vocals else ()),
        sections=tuple(sections),
        has_vocals=has_vocals,
        duration_s=bar * bar_s,
        seed=seed,
        drum_pattern=style.genre.drums,
        chord_voice=style.chord_voice,
        bass_voice=style.bass_voice,
        drums=style.drums,
        half_time=style.genre.half_time,
    )


def build_plan(payload: dict[str, Any], lyrics: str | None = None, seed: int | None = None) -> SongPlan:
    """Plan a song from a /v1/music_generation payload (lyrics overrides the payload's lyrics)."""
    prompt = str(payload.get("prompt") or "")
    text = str(payload.get("lyrics") or "") if lyrics is None else lyrics
    instrumental = bool(payload.get("is_instrumental"))
    style = parse_style(prompt)
    bar_s = BEATS_PER_BAR * 60.0 / style.tempo_bpm
    parsed = parse_lyrics(text)
    if not parsed:
        layout = _default_layout(bar_s)
    else:
        layout = [(s.kind, section_bars(s.kind, s.lines), s.lines) for s in parsed]
        if len(parsed) == 1 and parsed[0].tag == "":
            # Untagged lyrics are one verse; frame them with a short intro and outro.
            layout = [("intro", 2, ())] + layout + [("outro", 2, ())]
    seed = request_seed(payload) if seed is None else seed
    return _finish(style, layout, seed, style.tempo_bpm, vocals=not instrumental)


def _distribute(sections: list[LyricSection], kinds: list[str], bars: list[int]) -> list[tuple[str, tuple[str, ...]]]:
    """Give the user's lyric lines to the reference's segments (kind, lines) in order."""
    if len(sections) == len(kinds):
        return [(s.kind, s.lines) for s in sections]
    lines = [line for s in sections for line in s.lines]
    singable = [i for i, k in enumerate(kinds) if k not in INSTRUMENTAL_KINDS] or list(range(len(kinds)))
    weights = np.array([bars[i] for i in singable], dtype=float)
    share = weights / weights.sum() * len(lines)
    counts = np.floor(share).astype(int)
    # Largest remainders get the leftover lines so every line is sung exactly once.
    for i in np.argsort(-(share - counts), kind="stable")[: len(lines) - counts.sum()]:
        counts[i] += 1
    out: list[tuple[str, tuple[str, ...]]] = [(k, ()) for k in kinds]
    pos = 0
    for idx, count in zip(singable, counts, strict=True):
        out[idx] = (kinds[idx], tuple(lines[pos : pos + count]))
        pos += count
    return out


def build_cover_plan(
    payload: dict[str, Any], tempo_bpm: float, segments: list[tuple[float, float, str]], seed: int
) -> SongPlan:
    """Plan a cover: the reference's tempo and segment boundaries, the prompt's style, the given lyrics."""
    prompt = str(payload.get("prompt") or "")
    style = parse_style(prompt)
    bar_s = BEATS_PER_BAR * 60.0 / tempo_bpm
    kinds, bars, last = [], [], 0
    for _, end, label in segments:
        # Cumulative rounding keeps every boundary (and the total) within half a bar of the reference.
        edge = int(round(end / bar_s))
        if edge > last:
            kinds.append(_LABEL_KIND.get(label, "verse"))
            bars.append(edge - last)
            last = edge
    if not kinds:
        kinds, bars = ["verse"], [max(1, last)]
    instrumental = bool(payload.get("is_instrumental"))
    parsed = parse_lyrics(str(payload.get("lyrics") or ""))
    assigned = _distribute(parsed, kinds, bars) if parsed else [(k, ()) for k in kinds]
    layout = [(kind, n, lines) for (kind, lines), n in zip(assigned, bars, strict=True)]
    return _finish(replace(style, tempo_bpm=tempo_bpm), layout, seed, tempo_bpm, vocals=not instrumental)
