"""Lyrics as text: structure tags, sections, lines and syllables."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical section kinds with the music endpoint's tag spelling.
TAGS: dict[str, str] = {
    "intro": "Intro",
    "verse": "Verse",
    "pre_chorus": "Pre Chorus",
    "chorus": "Chorus",
    "interlude": "Interlude",
    "bridge": "Bridge",
    "outro": "Outro",
    "post_chorus": "Post Chorus",
    "transition": "Transition",
    "break": "Break",
    "hook": "Hook",
    "build_up": "Build Up",
    "inst": "Inst",
    "solo": "Solo",
}
# Other spellings (lyrics endpoint, common usage) folded onto the canonical kinds.
_ALIASES: dict[str, str] = {
    "prechorus": "pre_chorus",
    "pre": "pre_chorus",
    "postchorus": "post_chorus",
    "buildup": "build_up",
    "build": "build_up",
    "instrumental": "inst",
    "drop": "chorus",
    "refrain": "chorus",
    "breakdown": "break",
}
INSTRUMENTAL_KINDS = frozenset({"intro", "outro", "interlude", "transition", "break", "build_up", "inst", "solo"})

_TAG_RE = re.compile(r"^\s*\[([^\]]{1,40})\]\s*(.*)$")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_VOWEL_GROUP_RE = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+")


@dataclass(frozen=True)
class LyricSection:
    """One tagged block of lyrics."""

    kind: str
    tag: str  # the tag as written, without brackets; "" for lines written before any tag
    lines: tuple[str, ...]


def normalise_tag(tag: str) -> str | None:
    """Map a tag such as "Verse 2", "pre-chorus" or "Build-up" to its kind, or None if unknown."""
    words = re.sub(r"[\s_\-]+", " ", re.sub(r"\d+|[:#.]", " ", tag.lower())).strip()
    if not words:
        return None
    key = words.replace(" ", "_")
    if key in TAGS:
        return key
    squashed = words.replace(" ", "")
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    first = words.split(" ")[0]
    if first in TAGS:
        return first
    return _ALIASES.get(first)


def parse_lyrics(lyrics: str) -> list[LyricSection]:
    """Split lyrics into tagged sections in the order written; untagged text is a verse."""
    sections: list[LyricSection] = []
    kind, tag = "", ""
    lines: list[str] = []
    seen_tag = False
    for raw in (lyrics or "").replace("\r\n", "\n").split("\n"):
        match = _TAG_RE.match(raw)
        new_kind = normalise_tag(match.group(1)) if match else None
        if match and new_kind is not None:
            if seen_tag or lines:
                sections.append(LyricSection(kind or "verse", tag, tuple(lines)))
            kind, tag, lines, seen_tag = new_kind, match.group(1).strip(), [], True
            rest = match.group(2).strip()
            if rest:
                lines.append(rest)
            continue
        line = raw.strip()
        if match and new_kind is None:
            line = match.group(2).strip()  # unknown tag such as [Spoken]: keep the words only
        if line and has_words(line):
            lines.append(line)
    if seen_tag or lines:
        sections.append(LyricSection(kind or "verse", tag, tuple(lines)))
    return sections


def has_words(text: str) -> bool:
    """True when the text has anything singable."""
    return bool(_WORD_RE.search(text))


def word_syllables(word: str) -> list[str]:
    """Split a word into syllable vowels (one entry per vowel group; one per CJK character)."""
    if _CJK_RE.search(word):
        # Each CJK character is one sung syllable; pick a vowel colour from the code point.
        return ["aeiou"[ord(ch) % 5] for ch in word if _CJK_RE.match(ch)] or ["a"]
    low = word.lower()
    groups = _VOWEL_GROUP_RE.findall(low)
    # A silent final "e" ("love", "time") is not its own syllable, but "-le" ("little") is.
    if len(groups) > 1 and low.endswith("e") and not low.endswith(("le", "ee", "ye")) and groups[-1] == "e":
        groups = groups[:-1]
    if not groups:
        return ["a"]
    return [_vowel_of(g) for g in groups]


def _vowel_of(group: str) -> str:
    first = group[0]
    return {"y": "i", "à": "a", "á": "a", "é": "e", "è": "e", "ê": "e", "í": "i", "ó": "o", "ö": "o"}.get(
        first, first if first in "aeiou" else "a"
    )


def line_syllables(line: str) -> list[tuple[str, bool]]:
    """Syllables of a lyric line as (vowel, starts_with_consonant) pairs."""
    out: list[tuple[str, bool]] = []
    for word in _WORD_RE.findall(line):
        vowels = word_syllables(word)
        consonant_start = not _VOWEL_GROUP_RE.match(word.lower()) and not _CJK_RE.match(word)
        for i, vowel in enumerate(vowels):
            out.append((vowel, consonant_start if i == 0 else True))
    return out


def format_sections(sections: list[LyricSection]) -> str:
    """Render sections back to text with canonical music-endpoint tags."""
    blocks = []
    for section in sections:
        blocks.append("\n".join([f"[{TAGS[section.kind]}]", *section.lines]))
    return "\n\n".join(blocks)
