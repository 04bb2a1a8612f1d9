"""The lyrics linter: what the models would silently drop, misplace or sing, found before any call, line by line.

One home for every rule about lyrics text. The tag rules themselves live in requests.py (canonical_tag,
same_line_tags / tags_on_own_lines, the length limits), which the request validators use; this module reads them, so
the linter and the validators can never disagree. A finding `blocks` only where the request would be refused anyway
(a model's hard limit, an unknown tag alone on its line, MiniMax-Music3's same-line words); everything else warns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from . import config
from .legacy import ACCOMPANIMENT, sent_lyrics
from .legacy import LYRICS_MAX as MUSIC01_LYRICS_MAX
from .requests import (
    COVER_LYRICS_MAX,
    LYRICS_MAX,
    STRUCTURE_TAGS,
    canonical_tag,
    line_tags,
    same_line_tags,
    tags_on_own_lines,
)

MUSIC3 = "music3"
# Sections that are sung: one with no lines under it is empty. Intro, Inst, Solo, Break … may well have none.
SUNG_SECTIONS = frozenset({"Verse", "Pre Chorus", "Chorus", "Post Chorus", "Bridge", "Hook"})
# How long lyrics take to sing, for the length-cap check (an estimate: a typical pop tempo, with breaths).
WORDS_PER_SECOND = 2.0
LINE_MIN_SECONDS = 2.0  # even a one-word line takes a bar or so
UNSUNG_SECTION_SECONDS = 8.0  # an [Intro], [Solo], [Inst] … before or between the sung parts
_BRACKETED = re.compile(r"\[[^\]\n]*\]|\([^)\n]*\)")
_ANY_TAG = re.compile(r"\[[^\]\n]*\]")
_PARENTHESES = re.compile(r"\([^)\n]*\)")
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\d_]+(?:'[^\W\d_]+)?")


@dataclass(frozen=True)
class Finding:
    """One problem on one line (1-based). `fix` names a FIXES entry when one click can mend it."""

    line: int
    rule: str  # "same-line", "unknown-tag", "sung-brackets", "empty-section", "too-long-for-cap", "over-limit";
    # for music-01 also "no-tags" and "stray-marks"
    message: str
    blocks: bool = False
    fix: str = ""

    def text(self) -> str:
        """'line 3: …', as the studio and the CLI print it."""
        return f"line {self.line}: {self.message}"


def nearest_tag(tag: str) -> str | None:
    """The known tag a mistyped or decorated one most likely means ('Chrous' -> 'Chorus', 'Final Chorus' ->
    'Chorus'), or None when nothing is close."""
    words = {canonical_tag(w) for w in re.findall(r"[A-Za-z][A-Za-z\-]*", tag)} - {None}
    if len(words) == 1:
        return words.pop()
    close = difflib.get_close_matches(tag.strip().title(), STRUCTURE_TAGS, n=1, cutoff=0.6)
    return close[0] if close else None


def fix_tag_names(lyrics: str) -> str:
    """The fix for unknown tags that have a nearest known one: '[Chrous]' -> '[Chorus]'; others stay as they are."""
    out = []
    for raw in lyrics.replace("\r\n", "\n").split("\n"):
        tags, _text = line_tags(raw)
        for tag in tags:
            near = nearest_tag(tag) if canonical_tag(tag) is None else None
            if near:
                raw = raw.replace(f"[{tag}]", f"[{near}]", 1)
        out.append(raw)
    return "\n".join(out)


# fix name -> (the button's words, the function)
FIXES: dict[str, tuple[str, Callable[[str], str]]] = {
    "tags-on-own-lines": ("Put tags on their own lines", tags_on_own_lines),
    "tag-names": ("Correct tag names", fix_tag_names),
}


def apply_fix(name: str, lyrics: str) -> str:
    """Apply one FIXES (or MUSIC01_FIXES) entry to the whole text."""
    return {**FIXES, **MUSIC01_FIXES}[name][1](lyrics or "")


def limit_for(cover: bool = False) -> int:
    """The most characters of lyrics the model takes (the request validators' limits)."""
    return COVER_LYRICS_MAX if cover else LYRICS_MAX


def lint(
    lyrics: str, *, backend: str = "minimax", cover: bool = False, max_seconds: float | None = None
) -> list[Finding]:
    """Every finding in `lyrics` for this backend (a providers name), kind and length cap, ordered by line."""
    text = (lyrics or "").replace("\r\n", "\n")
    if not text.strip():
        return []
    lines = text.split("\n")
    found = _same_line(text, backend) + _tags(lines) + _sung_brackets(lines) + _empty_sections(lines)
    found += _over_limit(text, limit_for(cover))
    if backend == MUSIC3 and max_seconds:
        found += _too_long_for_cap(lines, float(max_seconds))
    return sorted(found, key=lambda f: (f.line, f.rule))


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that stop a request (the rest only warn)."""
    return [f for f in findings if f.blocks]


def _same_line(text: str, backend: str) -> list[Finding]:
    music3 = backend == MUSIC3
    out = []
    for s in same_line_tags(text):
        what = (
            f"{config.MUSIC3_LABEL} drops the words after [{s.tag}] on its line"
            if music3
            else f"words after [{s.tag}] on its line may be sung in the wrong place or dropped"
        )
        out.append(Finding(s.line, "same-line", f"{what}: put the tag on its own line", music3, "tags-on-own-lines"))
    return out


def _tags(lines: list[str]) -> list[Finding]:
    out = []
    for number, raw in enumerate(lines, start=1):
        tags, text = line_tags(raw)
        for tag in tags:
            if canonical_tag(tag) is not None:
                continue
            near = nearest_tag(tag)
            hint = f"did you mean [{near}]?" if near else "use one of " + " ".join(f"[{t}]" for t in STRUCTURE_TAGS)
            alone = not re.search(r"\w", text)  # the request validators refuse an unknown tag alone on its line
            out.append(
                Finding(number, "unknown-tag", f"unknown tag [{tag}]: {hint}", alone, "tag-names" if near else "")
            )
    return out


def _sung_brackets(lines: list[str], pattern: re.Pattern[str] = _BRACKETED) -> list[Finding]:
    out = []
    for number, raw in enumerate(lines, start=1):
        _tags_found, text = line_tags(raw)
        for m in pattern.finditer(text):
            if re.search(r"\w", m.group(0)):
                out.append(
                    Finding(
                        number,
                        "sung-brackets",
                        f"{m.group(0)} is not a tag: it will be sung (remove it if it is a direction, not a lyric)",
                    )  # fmt: skip
                )
    return out


def _empty_sections(lines: list[str]) -> list[Finding]:
    out, open_tag = [], None  # (line, tag) of a sung section with no lyric line yet
    for number, raw in enumerate(lines, start=1):
        tags, text = line_tags(raw)
        if tags:
            if open_tag:
                out.append(_empty(*open_tag))
            known = canonical_tag(tags[-1])
            open_tag = (number, tags[-1]) if known in SUNG_SECTIONS and not re.search(r"\w", text) else None
        elif re.search(r"\w", raw):
            open_tag = None
    if open_tag:
        out.append(_empty(*open_tag))
    return out


def _empty(line: int, tag: str) -> Finding:
    return Finding(line, "empty-section", f"[{tag}] has no lyrics under it: the model may skip it or make words up")


def _over_limit(text: str, limit: int) -> list[Finding]:
    if len(text) <= limit:
        return []
    line = text[:limit].count("\n") + 1  # the line where the limit is crossed
    message = f"lyrics have {len(text)} characters; the model takes at most {limit}: cut from here"
    return [Finding(line, "over-limit", message, blocks=True)]


def sung_seconds(line: str) -> float:
    """About how long one line takes (0 for a blank line; an unsung section's tag counts its bars)."""
    tags, text = line_tags(line)
    if tags and not re.search(r"\w", text):
        return 0.0 if canonical_tag(tags[-1]) in SUNG_SECTIONS else UNSUNG_SECTION_SECONDS
    words = len(_WORD.findall(text if tags else line))
    return max(LINE_MIN_SECONDS, words / WORDS_PER_SECOND) if words else 0.0


def _too_long_for_cap(lines: list[str], cap: float) -> list[Finding]:
    total = 0.0
    for number, raw in enumerate(lines, start=1):
        total += sung_seconds(raw)
        if total > cap:
            need = total + sum(sung_seconds(r) for r in lines[number:])
            message = (
                f"the length cap is {cap:.0f} s but the lyrics take about {need:.0f} s to sing: the song stops "
                "around here. Raise Length or shorten the lyrics"
            )
            return [Finding(number, "too-long-for-cap", message)]
    return []


# The legacy music-01 (legacy.py) reads lyrics its own way: lines, a blank line for a pause, `##` at both ends for
# accompaniment, at most 200 characters, and no section tags at all.


def lint_music01(lyrics: str, accompaniment: bool = False) -> list[Finding]:
    """Every finding in lyrics for music-01, ordered by line: tags, words in parentheses and stray `##` would be sung
    (they warn); more than its limit, counted as sent (with the ## … ## of `accompaniment`), blocks."""
    text = (lyrics or "").replace("\r\n", "\n")
    if not text.strip():
        return []
    lines = text.split("\n")
    found = _music01_tags(lines) + _sung_brackets(lines, _PARENTHESES) + _stray_marks(text)
    found += _music01_over_limit(text, accompaniment)
    return sorted(found, key=lambda f: (f.line, f.rule))


def drop_tags(lyrics: str) -> str:
    """music-01's fix for tags: each goes; a line that was only tags becomes one blank line (music-01's pause between
    sections), never two in a row nor one at either end. Every word stays."""
    out: list[str] = []
    dropped = False  # the last line out is a blank standing for dropped tags
    for raw in lyrics.replace("\r\n", "\n").split("\n"):
        if _ANY_TAG.search(raw):
            rest = " ".join(_ANY_TAG.sub(" ", raw).split())
            if rest:
                out.append(rest)
                dropped = False
            elif out and out[-1].strip():
                out.append("")
                dropped = True
        elif not (dropped and not raw.strip()):
            out.append(raw)
            dropped = False
    if dropped:
        out.pop()
    return "\n".join(out)


def drop_marks(lyrics: str) -> str:
    """music-01's fix for stray `##`: they go; a pair around all the lyrics stays (it asks for accompaniment)."""
    text = lyrics.replace("\r\n", "\n")
    for at in reversed(_stray_mark_offsets(text)):
        text = text[:at] + text[at + len(ACCOMPANIMENT) :]
    return text


# fix name -> (the button's words, the function), for music-01's own rules
MUSIC01_FIXES: dict[str, tuple[str, Callable[[str], str]]] = {
    "drop-tags": ("Remove the tags", drop_tags),
    "drop-marks": ("Remove stray ##", drop_marks),
}


def _music01_tags(lines: list[str]) -> list[Finding]:
    found = ((n, m.group(0)) for n, raw in enumerate(lines, start=1) for m in _ANY_TAG.finditer(raw))
    what = "music-01 takes no section tags: {} may be sung as words (a blank line makes a pause)"
    return [Finding(n, "no-tags", what.format(tag), fix="drop-tags") for n, tag in found]


def _stray_mark_offsets(text: str) -> list[int]:
    """Where `##` stands anywhere but as the pair around all the lyrics."""
    body = text.strip()
    start = len(text) - len(text.lstrip())
    pair = len(body) >= 2 * len(ACCOMPANIMENT) and body.startswith(ACCOMPANIMENT) and body.endswith(ACCOMPANIMENT)
    ends = {start, start + len(body) - len(ACCOMPANIMENT)} if pair else set()
    return [m.start() for m in re.finditer(re.escape(ACCOMPANIMENT), text) if m.start() not in ends]


def _stray_marks(text: str) -> list[Finding]:
    message = (
        "## asks for accompaniment only as a pair around all the lyrics: this one may be sung or ignored "
        "(ask for accompaniment with its own option instead)"
    )
    return [
        Finding(text[:at].count("\n") + 1, "stray-marks", message, fix="drop-marks") for at in _stray_mark_offsets(text)
    ]


def _music01_over_limit(text: str, accompaniment: bool) -> list[Finding]:
    sent = sent_lyrics(text, accompaniment)
    if len(sent) <= MUSIC01_LYRICS_MAX:
        return []
    front = (len(sent) - len(text.strip())) // 2  # the ## the accompaniment option puts in front, if any
    lead = len(text) - len(text.lstrip())  # what the trim takes off the start
    line = text[: lead + MUSIC01_LYRICS_MAX - front].count("\n") + 1
    marks = " with ## … ##" if front else ""
    message = f"lyrics have {len(sent)} characters{marks}; music-01 takes at most {MUSIC01_LYRICS_MAX}: cut from here"
    return [Finding(line, "over-limit", message, blocks=True)]
