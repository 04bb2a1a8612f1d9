"""Typed requests, validated before any call is made.

Every violated rule raises pydantic's ValidationError (a ValueError) whose message names the field and the limit;
`describe_validation_error` turns it into one readable line per problem.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import config

STRUCTURE_TAGS = (
    "Intro", "Verse", "Pre Chorus", "Chorus", "Interlude", "Bridge", "Outro",
    "Post Chorus", "Transition", "Break", "Hook", "Build Up", "Inst", "Solo",
)  # fmt: skip
# The lyrics endpoint writes a slightly different tag set (contract §7); map it onto the song endpoint's.
_TAG_ALIASES = {
    "prechorus": "Pre Chorus", "postchorus": "Post Chorus", "buildup": "Build Up", "instrumental": "Inst",
    "breakdown": "Break", "drop": "Hook",
}  # fmt: skip
_TAG_LINE = re.compile(r"^[ \t]*\[([^\]\n]+)\][ \t]*$", re.MULTILINE)  # [ \t], not \s: blank lines stay
# A tag at the start of a line followed by more text on that line, e.g. "[Verse] Walking down the street".
_TAGS_THEN_TEXT = re.compile(r"^(?P<tags>[ \t]*(?:\[[^\]\n]+\][ \t]*)+)(?P<text>.*)$")
_CANON = {t.lower().replace(" ", ""): t for t in STRUCTURE_TAGS}

PROMPT_MAX = 2000
LYRICS_MIN, LYRICS_MAX = 1, 3500
COVER_PROMPT_MIN, COVER_PROMPT_MAX = 10, 300
COVER_LYRICS_MIN, COVER_LYRICS_MAX = 10, 1000
SEED_MAX = 2**64 - 1  # a non-negative 64-bit seed (MiniMax-Music3)
RANDOM_SEED_BELOW = 2**32  # a random seed short enough to read out and type back in


def canonical_tag(tag: str) -> str | None:
    """The song endpoint's spelling of a structure tag ('verse 2' -> 'Verse'), or None if unknown."""
    key = re.sub(r"[\s_\-]+", "", re.sub(r"\s*\d+$", "", tag.strip())).lower()
    return _CANON.get(key) or _TAG_ALIASES.get(key)


def unknown_tags(lyrics: str) -> list[str]:
    """Structure tags in `lyrics` that the song endpoint does not know."""
    return [m.group(1) for m in _TAG_LINE.finditer(lyrics) if canonical_tag(m.group(1)) is None]


def normalize_tags(lyrics: str) -> str:
    """Rewrite known tag spellings ('[Pre-Chorus]', '[Build-up]') to the song endpoint's ('[Pre Chorus]')."""

    def fix(m: re.Match[str]) -> str:
        tag = canonical_tag(m.group(1))
        return f"[{tag}]" if tag else m.group(0)

    return _TAG_LINE.sub(fix, lyrics)


@dataclass(frozen=True)
class SameLineTag:
    """A structure tag with lyrics after it on the same line (1-based line number): a model may drop that text."""

    line: int
    tag: str
    text: str


def line_tags(line: str) -> tuple[list[str], str]:
    """The structure tags a line starts with (without brackets) and the rest of the line: ([], line) for none."""
    m = _TAGS_THEN_TEXT.match(line)
    if not m:
        return [], line
    return re.findall(r"\[([^\]\n]+)\]", m.group("tags")), m.group("text")


def same_line_tags(lyrics: str) -> list[SameLineTag]:
    """Lines that start with a structure tag and go on with words: MiniMax Music 3 silently drops those words."""
    found = []
    for number, raw in enumerate(lyrics.replace("\r\n", "\n").split("\n"), start=1):
        tags, text = line_tags(raw)
        if tags and re.search(r"\w", text):
            found.append(SameLineTag(number, tags[0], text.strip()))
    return found


def tags_on_own_lines(lyrics: str) -> str:
    """The fix for `same_line_tags`: the tags stay on their line, the words move to the next (nothing dropped)."""
    out = []
    for raw in lyrics.replace("\r\n", "\n").split("\n"):
        m = _TAGS_THEN_TEXT.match(raw)
        if m and re.search(r"\w", m.group("text")):
            out += [m.group("tags").rstrip(), m.group("text").strip()]
        else:
            out.append(raw)
    return "\n".join(out)


def check_tags_on_own_lines(lyrics: str, field: str = "lyrics") -> None:
    """Raise ValueError naming the first line whose text after a tag would be lost."""
    found = same_line_tags(lyrics)
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more line{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        raise ValueError(
            f"{field} line {first.line} has text after the tag [{first.tag}]{more}: this model drops it without a "
            f"word. Put the tag on its own line and the words on the next"
        )


def random_seed() -> int:
    """A fresh seed for a request whose seed was left blank (reported with the result, so the take can be made again)."""
    return secrets.randbelow(RANDOM_SEED_BELOW)


def is_cover_model(model: str) -> bool:
    """Cover models have their own rules (contract §3)."""
    return model.startswith("music-cover")


class AudioSetting(BaseModel):
    """Output audio settings; every value is one the API accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    sample_rate: Literal[16000, 24000, 32000, 44100] = config.DEFAULT_SAMPLE_RATE
    bitrate: Literal[32000, 64000, 128000, 256000] = config.DEFAULT_BITRATE
    format: Literal["mp3", "wav", "pcm"] = config.DEFAULT_FORMAT


def _check_len(field: str, value: str | None, lo: int, hi: int, why: str = "") -> None:
    n = len(value or "")
    if n < lo or n > hi:
        extra = f" {why}" if why else ""
        raise ValueError(f"{field} must be {lo}–{hi} characters{extra} (it has {n})")


def _check_tags(lyrics: str) -> None:
    bad = unknown_tags(lyrics)
    if bad:
        allowed = " ".join(f"[{t}]" for t in STRUCTURE_TAGS)
        raise ValueError(f"lyrics has unknown structure tag [{bad[0]}]; use one of {allowed}")


class MusicRequest(BaseModel):
    """A `/v1/music_generation` request: song, instrumental or cover, by its fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    model: str = Field(default=config.DEFAULT_SONG_MODEL, min_length=1)
    prompt: str = ""
    lyrics: str | None = None
    stream: bool = False
    output_format: Literal["hex", "url"] = "hex"
    audio_setting: AudioSetting = AudioSetting()
    lyrics_optimizer: bool = False
    is_instrumental: bool = False
    audio_url: str | None = None
    audio_base64: str | None = Field(default=None, repr=False)
    cover_feature_id: str | None = None
    aigc_watermark: bool | None = None
    # For backends that take them (Capabilities.seed / max_seconds: MiniMax-Music3); never sent to MiniMax's API.
    seed: int | None = Field(default=None, ge=0, le=SEED_MAX)
    max_seconds: int | None = Field(default=None, ge=config.MUSIC3_MIN_SECONDS, le=config.MUSIC3_MAX_SECONDS)

    @model_validator(mode="after")
    def _rules(self) -> MusicRequest:
        if self.stream and self.output_format != "hex":
            raise ValueError("stream is only possible with output_format 'hex' (not 'url')")
        if len(self.prompt) > PROMPT_MAX:
            raise ValueError(f"prompt must be at most {PROMPT_MAX} characters (it has {len(self.prompt)})")
        if is_cover_model(self.model):
            self._cover_rules()
        else:
            self._text_rules()
        return self

    def _text_rules(self) -> None:
        refs = [f for f in ("audio_url", "audio_base64", "cover_feature_id") if getattr(self, f)]
        if refs:
            raise ValueError(f"{refs[0]} is only for cover models (music-cover, music-cover-free)")
        lyrics = self.lyrics or ""
        if self.is_instrumental:
            if lyrics:
                raise ValueError("lyrics must be empty when is_instrumental is set")
            if self.lyrics_optimizer:
                raise ValueError("lyrics_optimizer cannot be combined with is_instrumental")
            _check_len("prompt", self.prompt, 1, PROMPT_MAX, "for an instrumental")
        elif self.lyrics_optimizer:
            if lyrics:
                raise ValueError("lyrics must be empty when lyrics_optimizer writes them")
            _check_len("prompt", self.prompt, 1, PROMPT_MAX, "when lyrics_optimizer writes the lyrics")
        else:
            if not lyrics.strip():
                raise ValueError(
                    f"lyrics is required ({LYRICS_MIN}–{LYRICS_MAX} characters), unless lyrics_optimizer "
                    "or is_instrumental is set"
                )
            _check_len("lyrics", lyrics, LYRICS_MIN, LYRICS_MAX)
            _check_tags(lyrics)

    def _cover_rules(self) -> None:
        for flag in ("is_instrumental", "lyrics_optimizer"):
            if getattr(self, flag):
                raise ValueError(f"{flag} is not allowed with cover models")
        _check_len("prompt", self.prompt, COVER_PROMPT_MIN, COVER_PROMPT_MAX, "for a cover")
        refs = [f for f in ("audio_url", "audio_base64", "cover_feature_id") if getattr(self, f)]
        if len(refs) != 1:
            got = ", ".join(refs) if refs else "none"
            raise ValueError(f"a cover needs exactly one of audio_url, audio_base64, cover_feature_id (got {got})")
        if self.cover_feature_id and not self.lyrics:
            raise ValueError(
                f"lyrics is required ({COVER_LYRICS_MIN}–{COVER_LYRICS_MAX} characters) with cover_feature_id"
            )
        if self.lyrics:
            _check_len("lyrics", self.lyrics, COVER_LYRICS_MIN, COVER_LYRICS_MAX, "for a cover")
            _check_tags(self.lyrics)

    @property
    def kind(self) -> str:
        """'cover', 'instrumental' or 'song'."""
        if is_cover_model(self.model):
            return "cover"
        return "instrumental" if self.is_instrumental else "song"

    def payload(self) -> dict:
        """The JSON body sent to the API (unset optional fields left out)."""
        body = self.model_dump(exclude_none=True, exclude={"seed", "max_seconds"})
        for flag in ("lyrics_optimizer", "is_instrumental", "stream"):
            if not body.get(flag):
                body.pop(flag, None)
        if body.get("lyrics"):
            body["lyrics"] = normalize_tags(body["lyrics"])
        else:
            body.pop("lyrics", None)
        return body

    # Convenience constructors: the three things people make.
    @classmethod
    def song(cls, prompt: str, lyrics: str = "", **kw) -> MusicRequest:
        """A song with vocals; set lyrics_optimizer=True to have the lyrics written from the prompt."""
        return cls(prompt=prompt, lyrics=lyrics or None, **kw)

    @classmethod
    def instrumental(cls, prompt: str, **kw) -> MusicRequest:
        """Music with no vocals."""
        return cls(prompt=prompt, is_instrumental=True, **kw)

    @classmethod
    def cover(cls, prompt: str, *, model: str = config.DEFAULT_COVER_MODEL, **kw) -> MusicRequest:
        """A cover of a reference: give exactly one of audio_url, audio_base64, cover_feature_id."""
        return cls(prompt=prompt, model=model, **kw)


class CoverPreprocessRequest(BaseModel):
    """A `/v1/music_cover_preprocess` request: analyse a reference track."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    model: Literal["music-cover"] = config.PREPROCESS_MODEL
    audio_url: str | None = None
    audio_base64: str | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _one_reference(self) -> CoverPreprocessRequest:
        if bool(self.audio_url) == bool(self.audio_base64):
            raise ValueError("give exactly one of audio_url or audio_base64 for the reference track")
        return self

    def payload(self) -> dict:
        """The JSON body sent to the API."""
        return self.model_dump(exclude_none=True)


class LyricsRequest(BaseModel):
    """A `/v1/lyrics_generation` request: write a full song, or edit given lyrics."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mode: Literal["write_full_song", "edit"] = "write_full_song"
    prompt: str = Field(default="", max_length=PROMPT_MAX)
    lyrics: str = Field(default="", max_length=LYRICS_MAX)
    title: str = ""

    @model_validator(mode="after")
    def _edit_needs_lyrics(self) -> LyricsRequest:
        if self.mode == "edit" and not self.lyrics.strip():
            raise ValueError("lyrics is required in edit mode (the lyrics to revise)")
        return self

    def payload(self) -> dict:
        """The JSON body sent to the API."""
        body = self.model_dump()
        return {k: v for k, v in body.items() if v or k == "mode"}


def describe_validation_error(err: ValidationError) -> str:
    """One readable line per problem, each naming the field and the limit."""
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e.get("loc", ()) if p != "__root__")
        msg = e.get("msg", "")
        msg = msg.removeprefix("Value error, ")
        if e.get("type") == "string_too_long":
            msg = f"must be at most {e['ctx']['max_length']} characters (it has {len(e.get('input') or '')})"
        elif e.get("type") == "string_too_short":
            msg = f"must be at least {e['ctx']['min_length']} characters"
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "\n".join(lines)
