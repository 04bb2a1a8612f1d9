"""Timed notes and per-section-kind profiles shared by the arrangers."""

from __future__ import annotations

from typing import NamedTuple


class Note(NamedTuple):
    """One sound to render; times in beats from the start of the song."""

    start: float
    dur: float
    stem: str  # "drums", "bass", "chords", "lead" or "vocals"
    voice: str  # instrument (or drum sample) name
    pitch: float
    vel: float
    pan: float  # -1 left … +1 right
    vowel: str = ""
    consonant: bool = False


class Profile(NamedTuple):
    """How busy and loud a section kind is."""

    gain: float
    drums: int  # 0 none, 1 light, 2 verse groove, 3 full groove
    bass: int  # 0 none, 1 long notes, 2 genre pattern
    busy: int  # chord rhythm: 0 held, 1 medium, 2 driving
    lead: bool  # synth lead melody (instrumental solos only; never a voice)


PROFILES: dict[str, Profile] = {
    "intro": Profile(0.6, 1, 1, 0, False),
    "verse": Profile(0.68, 2, 2, 1, False),
    "pre_chorus": Profile(0.8, 2, 2, 1, False),
    "chorus": Profile(1.0, 3, 2, 2, False),
    "post_chorus": Profile(0.92, 3, 2, 2, False),
    "hook": Profile(0.95, 3, 2, 2, False),
    "bridge": Profile(0.62, 2, 1, 0, False),
    "interlude": Profile(0.6, 1, 1, 0, False),
    "transition": Profile(0.6, 1, 1, 0, False),
    "break": Profile(0.45, 0, 0, 0, False),
    "build_up": Profile(0.7, 2, 2, 1, False),
    "inst": Profile(0.85, 3, 2, 1, True),
    "solo": Profile(0.9, 3, 2, 1, True),
    "outro": Profile(0.6, 1, 1, 0, False),
}
