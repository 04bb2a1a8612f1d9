"""Reading a style prompt: tempo, genre, mood (major/minor), key and instruments."""

from __future__ import annotations

import re
from dataclasses import dataclass

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@dataclass(frozen=True)
class Genre:
    """Typical tempo and arrangement of one genre."""

    name: str
    bpm: float
    drums: str  # pattern family, see arrange.DRUM_PATTERNS
    chords: str  # default chord instrument
    bass: str  # "bass" (plucked/synth) or "808"
    minor: bool  # default mode when the prompt names no mood
    half_time: bool = False


# Ordered: the first keyword found wins, so specific names come before the words they contain
# ("drum and bass" before "bass", "lo-fi hip hop" before "hip hop", "pop ballad" before "pop").
_GENRES: tuple[tuple[tuple[str, ...], Genre], ...] = (
    (
        ("drum and bass", "drum & bass", "drum n bass", "dnb", "jungle"),
        Genre("drum and bass", 174, "dnb", "pad", "bass", True),
    ),
    (("lo-fi", "lofi", "lo fi", "chillhop"), Genre("lo-fi", 85, "boombap", "piano", "bass", True)),
    (("trap", "drill"), Genre("trap", 140, "trap", "pad", "808", True, half_time=True)),
    (("ballad",), Genre("ballad", 70, "ballad", "piano", "bass", True)),
    (("hip hop", "hip-hop", "hiphop", "rap", "boom bap"), Genre("hip hop", 90, "boombap", "piano", "808", True)),
    (("r&b", "rnb", "r and b", "neo soul", "soul"), Genre("r&b", 90, "rnb", "piano", "bass", False)),
    (("house",), Genre("house", 124, "four", "piano", "bass", False)),
    (("techno",), Genre("techno", 130, "four", "pad", "bass", True)),
    (("edm", "electro", "dance", "big room", "dubstep"), Genre("edm", 128, "four", "pad", "bass", False)),
    (("disco", "funk"), Genre("disco", 115, "four", "guitar", "bass", False)),
    (("synthwave", "retrowave", "80s"), Genre("synthwave", 110, "backbeat", "pad", "bass", True)),
    (("metal", "metalcore"), Genre("metal", 150, "metal", "guitar", "bass", True)),
    (("punk",), Genre("punk", 170, "rock", "guitar", "bass", False)),
    (("rock", "grunge"), Genre("rock", 120, "rock", "guitar", "bass", False)),
    (("reggae", "dub", "ska"), Genre("reggae", 75, "reggae", "organ", "bass", False)),
    (("jazz", "swing", "bossa"), Genre("jazz", 100, "jazz", "piano", "bass", False)),
    (("blues",), Genre("blues", 90, "backbeat", "organ", "bass", False)),
    (("country", "bluegrass"), Genre("country", 100, "country", "guitar", "bass", False)),
    (("folk", "acoustic", "singer-songwriter"), Genre("folk", 95, "country", "guitar", "bass", False)),
    (("ambient", "drone", "meditation"), Genre("ambient", 60, "none", "pad", "bass", False)),
    (
        ("classical", "orchestral", "cinematic", "soundtrack", "epic"),
        Genre("cinematic", 80, "ballad", "strings", "bass", True),
    ),
    (("latin", "reggaeton", "salsa"), Genre("latin", 95, "reggaeton", "guitar", "bass", False)),
    (("k-pop", "kpop", "j-pop", "jpop"), Genre("k-pop", 120, "backbeat", "pad", "bass", False)),
    (("pop",), Genre("pop", 110, "backbeat", "piano", "bass", False)),
)
DEFAULT_GENRE = Genre("pop", 100, "backbeat", "piano", "bass", False)

MINOR_WORDS = frozenset(
    [
        "sad",
        "melancholic",
        "melancholy",
        "dark",
        "lonely",
        "longing",
        "heartbreak",
        "heartbroken",
        "moody",
        "gloomy",
        "somber",
        "sombre",
        "tragic",
        "grief",
        "mournful",
        "bittersweet",
        "haunting",
        "tears",
        "crying",
        "broken",
        "blue",
        "nostalgic",
        "wistful",
        "depressed",
        "angry",
        "rage",
        "sorrow",
        "sorrowful",
        "lost",
        "cold",
        "rainy",
        "rain",
        "night",
        "midnight",
        "tense",
        "mysterious",
        "eerie",
        "minor",
        "brooding",
        "desperate",
        "regret",
        "goodbye",
    ]
)
MAJOR_WORDS = frozenset(
    [
        "happy",
        "upbeat",
        "bright",
        "sunny",
        "joyful",
        "joy",
        "summer",
        "uplifting",
        "cheerful",
        "hopeful",
        "love",
        "fun",
        "playful",
        "energetic",
        "euphoric",
        "celebratory",
        "celebration",
        "party",
        "dance",
        "dancing",
        "warm",
        "sweet",
        "triumphant",
        "optimistic",
        "carefree",
        "groovy",
        "feel-good",
        "feelgood",
        "major",
        "glowing",
        "golden",
        "smile",
        "smiling",
        "romantic",
        "peaceful",
        "calm",
        "light",
    ]
)

# Instrument words → the voice that plays them (see instruments.py).
_INSTRUMENT_WORDS: tuple[tuple[str, str], ...] = (
    ("piano", "piano"),
    ("keys", "piano"),
    ("rhodes", "piano"),
    ("strings", "strings"),
    ("violin", "strings"),
    ("cello", "strings"),
    ("orchestra", "strings"),
    ("guitar", "guitar"),
    ("ukulele", "guitar"),
    ("banjo", "guitar"),
    ("harp", "guitar"),
    ("organ", "organ"),
    ("pad", "pad"),
    ("synth", "pad"),
    ("808", "808"),
    ("sub bass", "808"),
    ("bass", "bass"),
    ("drum", "drums"),
    ("beat", "drums"),
    ("percussion", "drums"),
)
CHORD_VOICES = ("piano", "pad", "strings", "guitar", "organ")

_BPM_RE = re.compile(r"(\d{2,3}(?:\.\d+)?)\s*-?\s*bpm\b", re.IGNORECASE)
_KEY_RE = re.compile(r"\b(?:in |key of )?([A-G])([#b♯♭]?)[ -]?(major|minor|maj|min)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Style:
    """What the prompt asks for musically."""

    genre: Genre
    tempo_bpm: float
    minor: bool
    key_root: int | None  # pitch class named in the prompt, if any
    chord_voice: str
    bass_voice: str
    instruments: tuple[str, ...]
    drums: bool


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9&'\-]+", text.lower())


def find_genre(prompt: str) -> Genre:
    """Return the first genre named in the prompt (most specific names first)."""
    low = " " + prompt.lower() + " "
    for keys, genre in _GENRES:
        for key in keys:
            # word-boundary match so "trap" does not fire on "trapped" nor "rap" on "trap"
            if re.search(r"(?<![a-z0-9])" + re.escape(key) + r"(?![a-z0-9])", low):
                return genre
    return DEFAULT_GENRE


def find_tempo(prompt: str) -> float | None:
    """Return the "NN BPM" tempo of the prompt, clamped to a playable range, or None."""
    match = _BPM_RE.search(prompt)
    if match is None:
        return None
    return float(min(240.0, max(40.0, float(match.group(1)))))


def mood_score(prompt: str) -> int:
    """Count of minor mood words minus major mood words."""
    words = _words(prompt)
    return sum(w in MINOR_WORDS for w in words) - sum(w in MAJOR_WORDS for w in words)


def find_key(prompt: str) -> tuple[int, bool] | None:
    """Return (pitch class, is_minor) when the prompt names a key like "in A minor"."""
    match = _KEY_RE.search(prompt)
    if match is None:
        return None
    pc = NOTE_NAMES.index(match.group(1).upper())
    accidental = match.group(2)
    pc += 1 if accidental in ("#", "♯") else -1 if accidental in ("b", "♭") else 0
    return pc % 12, match.group(3).lower().startswith("min")


def find_instruments(prompt: str) -> tuple[str, ...]:
    """Voices named by instrument words in the prompt, in order of first mention."""
    low = prompt.lower()
    found: list[tuple[int, str]] = []
    for word, voice in _INSTRUMENT_WORDS:
        pos = low.find(word)
        if pos >= 0 and voice not in (v for _, v in found):
            found.append((pos, voice))
    return tuple(v for _, v in sorted(found))


def parse_style(prompt: str) -> Style:
    """Derive the musical style (genre, tempo, mode, voices) from a free-text prompt."""
    genre = find_genre(prompt)
    tempo = find_tempo(prompt)
    score = mood_score(prompt)
    key = find_key(prompt)
    minor = genre.minor if score == 0 else score > 0
    if key is not None:
        minor = key[1]
    named = find_instruments(prompt)
    chord_voice = next((v for v in named if v in CHORD_VOICES), genre.chords)
    bass_voice = "808" if "808" in named else genre.bass
    # An explicit "no drums"/"without drums" request silences the kit; ambient has none by default.
    no_drums = re.search(r"\b(no|without)\s+(drums|percussion|beat)", prompt.lower()) is not None
    drums = not no_drums and (genre.drums != "none" or "drums" in named)
    voices = [chord_voice, bass_voice] + [v for v in named if v in CHORD_VOICES and v != chord_voice]
    if drums:
        voices.append("drums")
    return Style(
        genre=genre,
        tempo_bpm=tempo if tempo is not None else float(genre.bpm),
        minor=minor,
        key_root=None if key is None else key[0],
        chord_voice=chord_voice,
        bass_voice=bass_voice,
        instruments=tuple(dict.fromkeys(voices)),
        drums=drums,
    )
