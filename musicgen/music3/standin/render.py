"""The stand-in's audio: the demo engine renders the request as the engine would hear it, as 32 kHz stereo WAV.

The lyrics are normalised the way the engine's cookbook describes: a line that starts with a tag keeps only its
tags, the rest of the line is dropped (so a same-line tag loses its words here too, audibly). Lines in parentheses
("(instrumental)") are cues, not sung. The same request gives the same bytes; another seed gives another take;
`max_new_tokens` caps the length at 25 frames a second, and a song whose plan is shorter ends earlier.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

import numpy as np

from ...audio import wav_header
from ...demo.lyrics_text import parse_lyrics
from ...demo.plan import build_plan
from ...demo.render import SongRenderer
from ...standin.encoding import to_int16

SAMPLE_RATE, CHANNELS, FRAMES_PER_SECOND = 32000, 2, 25
_TAGS_AT_START = re.compile(r"^\s*((?:\[[^\]\n]+\]\s*)+)")
_TAG = re.compile(r"\[[^\]\n]+\]")
_NO_VOCALS = ("no vocal", "instrumental", "without vocals")


def heard_lyrics(lyrics: str) -> str:
    """What the engine keeps of the lyrics: tags alone on lines starting with one; cue lines in () dropped."""
    out = []
    for line in lyrics.replace("\r\n", "\n").split("\n"):
        m = _TAGS_AT_START.match(line)
        if m:
            out.extend(_TAG.findall(m.group(1)))
        elif not re.fullmatch(r"\s*\(.*\)\s*", line):
            out.append(line)
    return "\n".join(out)


def seed_of(request: dict[str, Any]) -> int:
    """The demo engine's seed: the request's seed, lyrics, caption and model, hashed (same request, same take)."""
    key = {k: request[k] for k in ("model", "input", "instructions", "seed")}
    key["input"] = heard_lyrics(key["input"])
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def render_wav(request: dict[str, Any]) -> bytes:
    """A checked request (validation.check) rendered whole: a 16-bit 32 kHz stereo WAV, cut at the cap."""
    caption = request["instructions"]
    instrumental = any(word in caption.lower() for word in _NO_VOCALS)
    lyrics = heard_lyrics(request["input"])
    if instrumental and not any(s.lines for s in parse_lyrics(lyrics)):
        lyrics = ""  # only tags and cues: the demo engine's full-length default arrangement, as the caption asks
    payload = {"prompt": caption, "lyrics": lyrics, "is_instrumental": instrumental}
    plan = build_plan(payload, seed=seed_of(request))
    renderer = SongRenderer(plan, SAMPLE_RATE)
    cap = request["max_new_tokens"] * SAMPLE_RATE // FRAMES_PER_SECOND
    frames = min(renderer.frames, cap)
    out = io.BytesIO()
    out.write(wav_header(frames, SAMPLE_RATE, CHANNELS))
    written = 0
    for block in renderer.blocks():
        take = block[: frames - written]
        out.write(to_int16(np.asarray(take)))
        written += len(take)
        if written >= frames:
            break
    return out.getvalue()
