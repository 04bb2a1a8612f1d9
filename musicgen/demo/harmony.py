"""Keys, scales and chord progressions per mode and section kind."""

from __future__ import annotations

import numpy as np

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)  # natural minor: its diatonic chords never use the major third

# Progressions as 0-based scale degrees (0 = tonic). Each section kind draws from its own pool so the
# chorus, verse and bridge sound different; the mood picks the pool set.
_MAJOR: dict[str, tuple[tuple[int, ...], ...]] = {
    "verse": ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 5, 4), (0, 3, 0, 4)),
    "pre_chorus": ((3, 4, 3, 4), (1, 4, 1, 4), (5, 3, 1, 4)),
    "chorus": ((3, 4, 0, 5), (0, 4, 5, 3), (5, 3, 0, 4), (3, 0, 4, 5)),
    "bridge": ((5, 3, 0, 4), (1, 5, 3, 4), (5, 4, 3, 4), (2, 5, 3, 4)),
    "intro": ((0, 3, 0, 4), (0, 5, 3, 4), (0, 3)),
    "inst": ((0, 4, 5, 3), (3, 4, 0, 5)),
}
_MINOR: dict[str, tuple[tuple[int, ...], ...]] = {
    "verse": ((0, 5, 2, 6), (0, 3, 5, 4), (0, 6, 5, 6), (0, 5, 3, 0)),
    "pre_chorus": ((3, 4, 3, 4), (5, 6, 5, 6), (3, 5, 6, 6)),
    "chorus": ((5, 6, 0, 0), (0, 5, 2, 6), (5, 2, 6, 0), (3, 5, 6, 0)),
    "bridge": ((3, 5, 2, 6), (5, 6, 3, 4), (2, 6, 3, 4), (3, 0, 5, 6)),
    "intro": ((0, 5, 0, 6), (0, 3, 0, 5), (0, 5)),
    "inst": ((0, 5, 2, 6), (5, 6, 0, 0)),
}
# Which pool each section kind uses.
_POOL_OF = {
    "intro": "intro",
    "outro": "intro",
    "verse": "verse",
    "pre_chorus": "pre_chorus",
    "build_up": "pre_chorus",
    "chorus": "chorus",
    "post_chorus": "chorus",
    "hook": "chorus",
    "bridge": "bridge",
    "interlude": "intro",
    "transition": "pre_chorus",
    "break": "bridge",
    "inst": "inst",
    "solo": "inst",
}


def scale_of(minor: bool) -> tuple[int, ...]:
    """Scale intervals (semitones above the root) for the mode."""
    return MINOR_SCALE if minor else MAJOR_SCALE


def choose_progressions(minor: bool, rng: np.random.Generator) -> dict[str, tuple[int, ...]]:
    """Pick one progression per pool, so every section of one kind shares its chords."""
    pools = _MINOR if minor else _MAJOR
    chosen = {name: options[int(rng.integers(len(options)))] for name, options in pools.items()}
    # Keep the chorus distinct from the verse even when both pools offer the same sequence.
    if chosen["chorus"] == chosen["verse"]:
        chosen["chorus"] = next(p for p in pools["chorus"] if p != chosen["verse"])
    return chosen


def progression_for(kind: str, progressions: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    """The progression a section of this kind plays."""
    return progressions[_POOL_OF.get(kind, "verse")]


def degree_pitch(root_midi: int, minor: bool, degree: int) -> int:
    """MIDI pitch of a scale degree (may be negative or beyond 6: wraps by octaves)."""
    scale = scale_of(minor)
    octave, step = divmod(degree, 7)
    return root_midi + 12 * octave + scale[step]


def triad(root_midi: int, minor: bool, degree: int) -> tuple[int, int, int]:
    """MIDI pitches of the diatonic triad on a scale degree."""
    return (
        degree_pitch(root_midi, minor, degree),
        degree_pitch(root_midi, minor, degree + 2),
        degree_pitch(root_midi, minor, degree + 4),
    )


def voiced_chord(root_midi: int, minor: bool, degree: int, low: int = 52, high: int = 72) -> list[int]:
    """Close-position triad folded into [low, high) so chord changes move little."""
    notes = []
    for pitch in triad(root_midi, minor, degree):
        while pitch < low:
            pitch += 12
        while pitch >= high:
            pitch -= 12
        notes.append(pitch)
    return sorted(notes)


def scale_pitches(root_midi: int, minor: bool, low: int, high: int) -> list[int]:
    """All scale pitches in [low, high]."""
    scale = scale_of(minor)
    return [p for p in range(low, high + 1) if (p - root_midi) % 12 in scale]


def midi_to_hz(midi: float | np.ndarray) -> float | np.ndarray:
    """Equal-tempered frequency of a MIDI pitch (A4 = 440 Hz)."""
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=float) - 69.0) / 12.0)
