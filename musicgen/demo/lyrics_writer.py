"""A small template lyric writer answering like /v1/lyrics_generation (title, style tags, tagged lyrics)."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np

from .lyrics_text import INSTRUMENTAL_KINDS, LyricSection, format_sections, parse_lyrics
from .style import MAJOR_WORDS, MINOR_WORDS, find_genre, find_instruments, find_tempo, parse_style
from .vocabulary import ADJECTIVE_SUFFIXES, FALLBACK, MOOD_NOUNS, MUSIC_WORDS, STOP_WORDS, TEMPLATES

MAX_LYRICS = 3500
_SONG = ("intro", "verse", "pre_chorus", "chorus", "verse", "chorus", "bridge", "chorus", "outro")
_LINES = {"verse": 4, "pre_chorus": 2, "chorus": 4, "bridge": 4, "outro": 2, "hook": 2, "post_chorus": 2}


def _seed(*parts: str) -> np.random.Generator:
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def keywords(prompt: str) -> tuple[list[str], list[str]]:
    """(nouns, adjectives) picked from the prompt: stop words and music jargon removed, order kept."""
    nouns: list[str] = []
    adjectives: list[str] = []
    for word in re.findall(r"[a-zA-Z][a-zA-Z'\-]*", prompt.lower()):
        word = word.strip("'-")
        if len(word) < 3 or word in STOP_WORDS or word in MUSIC_WORDS or word in nouns or word in adjectives:
            continue
        mood = word in MINOR_WORDS or word in MAJOR_WORDS
        is_adjective = word not in MOOD_NOUNS and (mood or word.endswith(ADJECTIVE_SUFFIXES))
        (adjectives if is_adjective else nouns).append(word)
    return nouns, adjectives


def style_tags(prompt: str) -> str:
    """Comma-separated tags: genre, mood, tempo and named instruments."""
    style = parse_style(prompt)
    words = re.findall(r"[a-z\-]+", prompt.lower())
    mood = next(
        (w for w in words if w in MINOR_WORDS or w in MAJOR_WORDS), "melancholic" if style.minor else "uplifting"
    )
    tempo = find_tempo(prompt)
    pace = (
        f"{tempo:g} bpm"
        if tempo
        else "slow"
        if style.tempo_bpm < 85
        else "fast"
        if style.tempo_bpm > 125
        else "mid-tempo"
    )
    genre = find_genre(prompt).name
    tags = [genre, mood, pace, *[i for i in find_instruments(prompt) if i != "drums"]]
    if re.search(r"\bfemale\b", prompt.lower()):
        tags.append("female vocals")
    elif re.search(r"\bmale\b", prompt.lower()):
        tags.append("male vocals")
    return ", ".join(dict.fromkeys(tags))


class _Writer:
    """Fills templates with the prompt's words, without repeating a line within a section."""

    def __init__(self, prompt: str, title: str, rng: np.random.Generator) -> None:
        nouns, adjectives = keywords(prompt)
        minor = parse_style(prompt).minor
        # Top up thin prompts with mood-matching words so lines do not repeat one word everywhere.
        self.nouns = nouns + [w for w in FALLBACK[minor][0] if w not in nouns][: max(0, 4 - len(nouns))]
        self.adjectives = (
            adjectives + [w for w in FALLBACK[minor][1] if w not in adjectives][: max(0, 3 - len(adjectives))]
        )
        self.title = title
        self.rng = rng

    def pick(self, words: list[str]) -> str:
        return words[int(self.rng.integers(len(words)))]

    def lines(self, kind: str, count: int) -> tuple[str, ...]:
        pool = TEMPLATES.get(kind, TEMPLATES["verse"])
        order = self.rng.permutation(len(pool))
        out = []
        for i in range(count):
            template = pool[int(order[i % len(pool)])]
            line = template.format(
                n=self.pick(self.nouns), n2=self.pick(self.nouns), a=self.pick(self.adjectives), title=self.title
            )
            out.append(line[0].upper() + line[1:])
        return tuple(out)


def _title(prompt: str, given: str) -> str:
    if given.strip():
        return given.strip()
    nouns, adjectives = keywords(prompt)
    minor = parse_style(prompt).minor
    noun = (nouns or FALLBACK[minor][0])[0]
    adjective = (adjectives or FALLBACK[minor][1])[0]
    return f"{adjective} {noun}".title()


def _fit(sections: list[LyricSection]) -> str:
    """Format, dropping lines from the end until the text fits the endpoint's limit."""
    text = format_sections(sections)
    while len(text) > MAX_LYRICS and sections:
        last = sections[-1]
        sections = sections[:-1] + ([LyricSection(last.kind, last.tag, last.lines[:-1])] if last.lines else [])
        text = format_sections(sections)
    return text


def write_lyrics(prompt: str, mode: str = "write_full_song", lyrics: str = "", title: str = "") -> dict[str, str]:
    """Deterministic template lyrics: {"song_title", "style_tags", "lyrics"} like /v1/lyrics_generation."""
    rng = _seed(prompt, mode, lyrics, title)
    song_title = _title(prompt, title)
    writer = _Writer(prompt, song_title, rng)
    existing = parse_lyrics(lyrics) if mode == "edit" else []
    if existing:
        sections = [
            LyricSection(s.kind, s.tag, s.lines)
            if s.lines or s.kind in INSTRUMENTAL_KINDS
            else LyricSection(s.kind, s.tag, writer.lines(s.kind, _LINES.get(s.kind, 4)))  # fill empty parts
            for s in existing
        ]
        if not any(s.kind == "chorus" for s in sections):
            chorus = LyricSection("chorus", "Chorus", writer.lines("chorus", 4))
            at = len(sections) - 1 if sections[-1].kind == "outro" else len(sections)
            sections.insert(at, chorus)  # every song needs a chorus; put it before the outro
    else:
        refrain = writer.lines("chorus", 4)  # one chorus, repeated
        sections = []
        for kind in _SONG:
            lines = refrain if kind == "chorus" else () if kind == "intro" else writer.lines(kind, _LINES[kind])
            sections.append(LyricSection(kind, kind, lines))
    return {"song_title": song_title, "style_tags": style_tags(prompt), "lyrics": _fit(sections)}
