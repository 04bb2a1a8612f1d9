"""Drum grooves per genre family and the drum part of a section."""

from __future__ import annotations

from .events import Note, Profile
from .plan import Section, SongPlan

# Drum grooves on a 16-step bar, one string per sample; digits are velocities (9 = loudest).
# (verse groove, chorus groove) per family.
_GROOVES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "backbeat": (
        {"kick": "9.......9.5.....", "snare": "....8.......8...", "hat": "5.3.5.3.5.3.5.3."},
        {
            "kick": "9.....6.9.6.....",
            "snare": "....9.......9...",
            "hat": "6.4.6.4.6.4.6.4.",
            "open_hat": "..............5.",
        },
    ),
    "rock": (
        {"kick": "9.....7.9.......", "snare": "....9.......9...", "hat": "6.4.6.4.6.4.6.4."},
        {"kick": "9.....7.9.7.....", "snare": "....9.......9...", "ride": "7.5.7.5.7.5.7.5."},
    ),
    "four": (
        {"kick": "9...9...9...9...", "clap": "....7.......7...", "hat": "..5...5...5...5."},
        {
            "kick": "9...9...9...9...",
            "clap": "....8.......8...",
            "hat": "4...4...4...4...",
            "open_hat": "..6...6...6...6.",
        },
    ),
    "trap": (
        {"kick": "9......6..8.....", "clap": "........9.......", "hat": "5.3.5.3.5.3.5.3."},
        {"kick": "9......6..8...6.", "clap": "........9.......", "hat": "5353535353535353"},
    ),
    "boombap": (
        {"kick": "9......5..7.....", "snare": "....9.......9...", "hat": "5.4.5.4.5.4.5.4."},
        {
            "kick": "9......5..7...5.",
            "snare": "....9.......9...",
            "hat": "6.4.6.4.6.4.6.4.",
            "open_hat": "..............5.",
        },
    ),
    "rnb": (
        {"kick": "9..6......7.....", "snare": "....8.......8...", "hat": "4343434343434343"},
        {
            "kick": "9..6......7...5.",
            "snare": "....8.......8...",
            "clap": "....7.......7...",
            "hat": "5343534353435343",
        },
    ),
    "dnb": (
        {"kick": "9.........7.....", "snare": "....9.......9...", "hat": "5.4.5.4.5.4.5.4."},
        {"kick": "9.........7.....", "snare": "....9.....5.9...", "hat": "5454545454545454"},
    ),
    "reggae": (
        {"kick": "........9.......", "rim": "........8.......", "hat": "..5...5...5...5."},
        {"kick": "........9.......", "snare": "........9.......", "hat": "5.5.5.5.5.5.5.5."},
    ),
    "jazz": (
        {"kick": "6...............", "ride": "7...6.5.7...6.5.", "hat": "....5.......5..."},
        {"kick": "7.......5.......", "ride": "8...6.5.8...6.5.", "hat": "....5.......5...", "rim": "............5..."},
    ),
    "country": (
        {"kick": "9.......9.......", "snare": "....8.......8...", "hat": "5.4.5.4.5.4.5.4."},
        {"kick": "9.......9.6.....", "snare": "....9.......9...", "hat": "6.4.6.4.6.4.6.4."},
    ),
    "metal": (
        {"kick": "9.9.9.9.9.9.9.9.", "snare": "....9.......9...", "hat": "7...7...7...7..."},
        {"kick": "9797979797979797", "snare": "....9.......9...", "ride": "7.7.7.7.7.7.7.7."},
    ),
    "ballad": (
        {"kick": "8.........6.....", "rim": "....6.......6...", "hat": "4...4...4...4..."},
        {"kick": "9.........6.....", "snare": "....8.......8...", "hat": "4.3.4.3.4.3.4.3."},
    ),
    "reggaeton": (
        {"kick": "9...9...9...9...", "snare": "...8..7....8..7.", "hat": "5.4.5.4.5.4.5.4."},
        {"kick": "9...9...9...9...", "snare": "...9..8....9..8.", "hat": "5454545454545454"},
    ),
}
_DRUM_GAIN = {
    "kick": 0.95,
    "snare": 0.5,
    "clap": 0.5,
    "hat": 0.2,
    "open_hat": 0.14,
    "ride": 0.16,
    "crash": 0.2,
    "rim": 0.3,
}
_DRUM_PAN = {
    "kick": 0.0,
    "snare": 0.05,
    "clap": 0.0,
    "hat": 0.3,
    "open_hat": 0.3,
    "ride": -0.3,
    "crash": -0.25,
    "rim": 0.2,
}


def _groove(plan: SongPlan, level: int) -> dict[str, str]:
    family = plan.drum_pattern if plan.drum_pattern in _GROOVES else "ballad"
    if level == 1:
        return {"kick": "7...............", "hat": "4...4...4...4..."}
    return _GROOVES[family][1 if level >= 3 else 0]


def drum_notes(plan: SongPlan, sec: Section, prof: Profile, next_kind: str | None) -> list[Note]:
    """Drum hits of one section: its groove level, build-up rolls, fills into a chorus, crash."""
    if not plan.drums or prof.drums == 0:
        return []
    notes: list[Note] = []
    groove = _groove(plan, prof.drums)
    swing = 1.0 / 6.0 if plan.drum_pattern == "jazz" else 0.0  # triplet feel on the off-eighths
    for bar in range(sec.bars):
        origin = 4.0 * (sec.start_bar + bar)
        ramp = 0.6 + 0.4 * bar / max(1, sec.bars - 1) if sec.kind == "build_up" else 1.0
        for name, steps in groove.items():
            for step, ch in enumerate(steps):
                if ch != ".":
                    beat = step / 4.0 + (swing if step % 4 == 2 else 0.0)
                    vel = int(ch) / 9.0 * _DRUM_GAIN[name] * prof.gain * ramp
                    notes.append(Note(origin + beat, 0.25, "drums", name, 0.0, vel, _DRUM_PAN[name]))
        if sec.kind == "build_up":  # snare roll that doubles its rate each quarter of the section
            rate = 2 ** min(3, 4 * bar // max(1, sec.bars))
            for i in range(4 * rate):
                notes.append(Note(origin + i / rate, 0.25, "drums", "snare", 0.0, 0.3 * ramp, 0.05))
        if plan.drum_pattern == "trap" and prof.drums >= 3 and bar % 2 == 1:  # hi-hat roll
            for i in range(8):
                notes.append(Note(origin + 3.0 + i / 8.0, 0.1, "drums", "hat", 0.0, 0.1 + 0.01 * i, 0.3))
        last = bar == sec.bars - 1
        if last and next_kind in ("chorus", "hook") and prof.drums >= 2:  # fill into the chorus
            for i in range(4):
                notes.append(Note(origin + 3.0 + i / 4.0, 0.25, "drums", "snare", 0.0, 0.25 + 0.08 * i, 0.05))
    if prof.drums >= 3:
        notes.append(Note(4.0 * sec.start_bar, 2.0, "drums", "crash", 0.0, _DRUM_GAIN["crash"], -0.25))
    return notes
