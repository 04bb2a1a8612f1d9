"""Arrangement: a section of the plan → timed notes for drums, bass, chords, lead and voice."""

from __future__ import annotations

import numpy as np

from .drums import drum_notes
from .events import PROFILES, Note, Profile
from .harmony import degree_pitch, voiced_chord
from .lyrics_text import line_syllables
from .plan import Section, SongPlan, line_bars

# Bass rhythms: (beat, length, interval) with interval "r" root, "f" fifth, "o" octave, "t" third, "a" approach.
_BASS: dict[str, tuple[tuple[float, float, str], ...]] = {
    "four": ((0.5, 0.45, "r"), (1.5, 0.45, "r"), (2.5, 0.45, "r"), (3.5, 0.45, "o")),
    "backbeat": ((0, 1.4, "r"), (1.5, 0.45, "r"), (2, 1.4, "r"), (3.5, 0.45, "f")),
    "rock": tuple((i * 0.5, 0.45, "r") for i in range(8)),
    "metal": tuple((i * 0.5, 0.45, "r") for i in range(8)),
    "trap": ((0, 1.6, "r"), (1.75, 0.7, "r"), (2.5, 1.4, "r")),
    "boombap": ((0, 1.6, "r"), (1.75, 0.7, "r"), (2.5, 1.4, "r")),
    "rnb": ((0, 1.4, "r"), (1.5, 0.9, "f"), (2.5, 1.4, "r")),
    "dnb": ((0, 1.4, "r"), (2.5, 1.4, "r")),
    "reggae": ((0, 0.9, "r"), (1.5, 0.45, "f"), (2, 0.9, "r"), (3, 0.45, "o")),
    "jazz": ((0, 0.95, "r"), (1, 0.95, "t"), (2, 0.95, "f"), (3, 0.95, "a")),
    "country": ((0, 0.95, "r"), (2, 0.95, "f")),
    "reggaeton": ((0, 1.4, "r"), (1.5, 0.45, "r"), (2, 1.4, "r"), (3.5, 0.45, "r")),
}
_CHORD_RHYTHM: dict[int, tuple[tuple[float, float], ...]] = {
    0: ((0.0, 4.0),),
    1: ((0.0, 2.0), (2.0, 2.0)),
    2: ((0.0, 1.5), (1.5, 1.0), (2.5, 1.5)),
}
_OFFBEAT = tuple((b + 0.5, 0.4) for b in range(4))  # reggae skank
_SUSTAINED = ("pad", "strings", "organ")


def chord_degree(plan: SongPlan, sec: Section, beat_in_section: float) -> int:
    """Scale degree of the chord playing at a beat of the section."""
    bars_per_chord = 2 if plan.tempo_bpm >= 150 else 1  # fast tempos change harmony every other bar
    index = int(beat_in_section // (4 * bars_per_chord))
    return sec.progression[index % len(sec.progression)]


def _bass(plan: SongPlan, sec: Section, prof: Profile, root: int, minor: bool) -> list[Note]:
    if prof.bass == 0:
        return []
    rhythm = _BASS.get(plan.drum_pattern, ((0.0, 3.9, "r"),)) if prof.bass == 2 else ((0.0, 3.9, "r"),)
    if plan.bass_voice == "808" and prof.bass == 2:
        rhythm = _BASS["trap"]
    notes = []
    for bar in range(sec.bars):
        degree = chord_degree(plan, sec, 4.0 * bar)
        base = _fold(degree_pitch(root, minor, degree), 28)  # bass roots between E1 and D#2
        pitches = {
            "r": base,
            "f": base + 7,
            "o": base + 12,
            "t": _fold(degree_pitch(root, minor, degree + 2), base),
            "a": _fold(degree_pitch(root, minor, chord_degree(plan, sec, 4.0 * (bar + 1))), base + 1) - 1,
        }
        for beat, length, interval in rhythm:
            start = 4.0 * (sec.start_bar + bar) + beat
            notes.append(Note(start, length, "bass", plan.bass_voice, float(pitches[interval]), 0.55 * prof.gain, 0.0))
    return notes


def _fold(pitch: int, low: int) -> int:
    """Move a pitch by octaves into [low, low + 12)."""
    return low + (pitch - low) % 12


def _chords(plan: SongPlan, sec: Section, prof: Profile, root: int, minor: bool) -> list[Note]:
    voice = plan.chord_voice
    if voice in _SUSTAINED and plan.drum_pattern != "reggae":
        rhythm = _CHORD_RHYTHM[0]
    elif plan.drum_pattern == "reggae" and prof.busy:
        rhythm = _OFFBEAT
    else:
        rhythm = _CHORD_RHYTHM[prof.busy]
    layers = [voice]
    extra = [v for v in plan.instruments if v in ("piano", "pad", "strings", "guitar", "organ") and v != voice]
    if extra and prof.busy >= 1:
        layers.append(extra[0])  # a second named instrument thickens the busier sections
    gain = {"piano": 0.2, "pad": 0.13, "strings": 0.15, "guitar": 0.8, "organ": 0.18}  # equal loudness
    notes = []
    for bar in range(sec.bars):
        degree = chord_degree(plan, sec, 4.0 * bar)
        pitches = voiced_chord(root, minor, degree, low=55, high=67)  # close voicing around middle C
        if prof.busy >= 2:
            pitches = pitches + [pitches[0] + 12]  # chorus: add the top octave
        for layer_index, layer in enumerate(layers):
            pattern = _CHORD_RHYTHM[0] if layer in _SUSTAINED else rhythm
            for beat, length in pattern:
                start = 4.0 * (sec.start_bar + bar) + beat
                for i, pitch in enumerate(pitches):
                    strum = 0.03 * i if layer == "guitar" else 0.0  # strummed, low string first
                    pan = (0.35 if i % 2 else -0.35) * (1.0 + layer_index * 0.6)
                    vel = gain[layer] * prof.gain * (0.7 if layer_index else 1.0)
                    notes.append(Note(start + strum, length, "chords", layer, float(pitch), vel, pan))
    return notes


def _melody_degrees(
    count: int, chords: list[int], on_beat: list[bool], low: int, high: int, rng: np.random.Generator
) -> list[int]:
    """A stepwise line that lands on chord tones on the beat and ends on one."""

    def nearest_tone(d: int, chord: int) -> int:
        options = [c for c in range(low, high + 1) if (c - chord) % 7 in (0, 2, 4)]
        return min(options, key=lambda c: (abs(c - d), c))

    cur = nearest_tone((low + high) // 2, chords[0])
    out = []
    for i in range(count):
        if i:
            cur += int(rng.choice([-2, -1, 0, 1, 2], p=[0.12, 0.3, 0.16, 0.3, 0.12]))
            cur = min(high, max(low, cur))
        if on_beat[i] or i == count - 1:
            cur = nearest_tone(cur, chords[i])
        out.append(cur)
    return out


def _vocals(
    plan: SongPlan, sec: Section, prof: Profile, rng: np.random.Generator, memory: dict[tuple[str, int, int], list[int]]
) -> list[Note]:
    if not sec.lines:
        return []
    tonic = 52 + (plan.root_pc - 4) % 12  # vocal tonic between E3 and D#4
    minor = plan.mode == "minor"
    low, high = (1, 9) if prof.busy >= 2 else (-2, 6)  # choruses sit higher
    # Each line gets a share of the section proportional to the bars it asks for (long lines: more).
    weights = np.array([line_bars(line) for line in sec.lines], dtype=float)
    slots = 4.0 * sec.bars * weights / weights.sum()
    line_starts = np.concatenate(([0.0], np.cumsum(slots)[:-1]))
    notes = []
    for index, (line, slot, line_start) in enumerate(zip(sec.lines, slots, line_starts, strict=True)):
        usable = max(1.0, slot - (1.0 if slot >= 4 else 0.25 * slot))  # leave a breath at the end
        syllables = line_syllables(line)[: int(usable * 4)]  # never faster than sixteenth notes
        if not syllables:
            continue
        grid = (
            0.5
            if 0.5 * len(syllables) <= usable
            else 0.25
            if 0.25 * len(syllables) <= usable
            else usable / len(syllables)
        )
        durs = [grid] * len(syllables)
        spare = usable - grid * len(syllables)
        durs[-1] += min(spare, 1.5)  # hold the last word of the line
        spare -= min(spare, 1.5)
        while spare >= grid and len(syllables) > 1:  # lengthen a few syllables for a less robotic rhythm
            durs[int(rng.integers(len(syllables) - 1))] += grid
            spare -= grid
        onsets = np.concatenate(([0.0], np.cumsum(durs)[:-1])) + line_start
        chords = [chord_degree(plan, sec, b) for b in onsets]
        on_beat = [abs(b - round(b)) < 1e-6 for b in onsets]
        key = (sec.kind, index % 4, len(syllables))
        if key not in memory:  # repeated sections reuse their tune
            memory[key] = _melody_degrees(len(syllables), chords, on_beat, low, high, rng)
        for (vowel, consonant), onset, dur, degree in zip(syllables, onsets, durs, memory[key], strict=True):
            pitch = degree_pitch(tonic, minor, degree)
            start = 4.0 * sec.start_bar + onset
            notes.append(
                Note(start, dur * 0.92, "vocals", "vocal", float(pitch), 0.65 + 0.25 * prof.gain, 0.0, vowel, consonant)
            )
    return notes


def _lead(plan: SongPlan, sec: Section, prof: Profile, rng: np.random.Generator) -> list[Note]:
    if not prof.lead:
        return []
    tonic = 64 + (plan.root_pc - 4) % 12
    notes = []
    for bar in range(sec.bars):
        onsets = [i * 0.5 for i in range(8) if i == 0 or rng.random() < 0.7]
        durs = [b - a for a, b in zip(onsets, onsets[1:] + [4.0], strict=True)]
        chords = [chord_degree(plan, sec, 4.0 * bar + b) for b in onsets]
        degrees = _melody_degrees(len(onsets), chords, [b % 1 == 0 for b in onsets], 0, 9, rng)
        for onset, dur, degree in zip(onsets, durs, degrees, strict=True):
            pitch = degree_pitch(tonic, plan.mode == "minor", degree)
            notes.append(
                Note(
                    4.0 * (sec.start_bar + bar) + onset,
                    dur * 0.9,
                    "lead",
                    "lead",
                    float(pitch),
                    0.16 * prof.gain,
                    -0.15,
                )
            )
    return notes


def arrange_section(
    plan: SongPlan, index: int, rng: np.random.Generator, memory: dict[tuple[str, int, int], list[int]]
) -> list[Note]:
    """All notes of one section, sorted by start time."""
    sec = plan.sections[index]
    prof = PROFILES.get(sec.kind, PROFILES["verse"])
    next_kind = plan.sections[index + 1].kind if index + 1 < len(plan.sections) else None
    root = 48 + plan.root_pc  # chord/bass reference octave (C3 … B3)
    minor = plan.mode == "minor"
    notes = drum_notes(plan, sec, prof, next_kind)
    notes += _bass(plan, sec, prof, root, minor)
    notes += _chords(plan, sec, prof, root, minor)
    notes += _lead(plan, sec, prof, rng)
    if plan.has_vocals:
        notes += _vocals(plan, sec, prof, rng, memory)
    notes.sort(key=lambda n: n.start)
    return notes
