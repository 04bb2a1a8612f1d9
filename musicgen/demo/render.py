"""Progressive renderer: a SongPlan → float32 stereo blocks, one bar at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from .arrange import Note, arrange_section
from .instruments import NoteCache, drum_kit
from .plan import SongPlan
from .reverb import Reverb
from .vocal import sing

STEMS = ("drums", "bass", "chords", "lead", "vocals")
SAMPLE_RATES = (16000, 24000, 32000, 44100)
CEILING = 0.9  # output peak never exceeds this (headroom)
_KNEE = 0.6  # the limiter is transparent below this level
_MASTER = 0.6
# How much of each stem goes to the reverb; kick, bass and hats stay dry so the low end stays tight.
_SEND = {"chords": 0.3, "vocals": 0.22, "lead": 0.25}
_DRUM_SEND = {"snare": 0.15, "clap": 0.15, "rim": 0.1}


def frame_at(plan: SongPlan, beat: float, sample_rate: int) -> int:
    """Frame index of a beat position (rounded once, so bar lengths never drift)."""
    return int(round(beat * 60.0 / plan.tempo_bpm * sample_rate))


def total_frames(plan: SongPlan, sample_rate: int) -> int:
    """Length of the rendered song in frames."""
    return frame_at(plan, plan.total_bars * plan.beats_per_bar, sample_rate)


def soft_limit(x: np.ndarray) -> np.ndarray:
    """Identity below the knee, tanh-saturating above it, never beyond CEILING."""
    mag = np.abs(x)
    over = mag > _KNEE
    if not over.any():
        return x
    room = CEILING - _KNEE
    y = x.copy()
    y[over] = np.sign(x[over]) * (_KNEE + room * np.tanh((mag[over] - _KNEE) / room))
    return y


class SongRenderer:
    """Renders a plan bar by bar; construction is cheap, work happens while iterating."""

    def __init__(
        self, plan: SongPlan, sample_rate: int, stems: Iterable[str] | None = None, limit: bool = True
    ) -> None:
        if sample_rate not in SAMPLE_RATES:
            raise ValueError(f"sample_rate must be one of {SAMPLE_RATES}, got {sample_rate}")
        self.plan = plan
        self.sample_rate = sample_rate
        self.stems = frozenset(STEMS if stems is None else stems)
        self.limit = limit
        self.frames = total_frames(plan, sample_rate)
        # Notes may ring past their bar (crash, held syllables, pad release) and the reverb past them.
        self._tail = frame_at(plan, 2 * plan.beats_per_bar, sample_rate) + int(3.0 * sample_rate)

    def blocks(self) -> Iterator[np.ndarray]:
        """Yield (frames, 2) float32 blocks, one per bar, summing to self.frames."""
        plan, sr = self.plan, self.sample_rate
        rng = np.random.default_rng(plan.seed)
        # Separate generators per purpose, so rendering a subset of stems never shifts the arrangement.
        kit = drum_kit(sr, np.random.default_rng(plan.seed ^ 0x5EED))
        voice_rng = np.random.default_rng(plan.seed ^ 0x70CA1)
        cache = NoteCache(sr)
        memory: dict[tuple[str, int, int], list[int]] = {}
        reverb = Reverb(sr, np.random.default_rng(plan.seed ^ 0xECC0))
        carry = np.zeros((2, self._tail))
        fade_from = frame_at(plan, (plan.total_bars - 1) * plan.beats_per_bar, sr)  # last bar fades out
        for index, section in enumerate(plan.sections):
            notes = [n for n in arrange_section(plan, index, rng, memory) if n.stem in self.stems]
            pos = 0
            for bar in range(section.bars):
                first_beat = (section.start_bar + bar) * plan.beats_per_bar
                start = frame_at(plan, first_beat, sr)
                end = frame_at(plan, first_beat + plan.beats_per_bar, sr)
                buf = np.zeros((2, end - start + self._tail))
                buf[:, : self._tail] += carry
                send = np.zeros_like(buf)
                send_end = 0
                while pos < len(notes) and frame_at(plan, notes[pos].start, sr) < end:
                    send_end = max(send_end, self._add(buf, send, notes[pos], start, kit, cache, voice_rng))
                    pos += 1
                if send_end:
                    wet = reverb.apply(send[:, :send_end])
                    usable = min(wet.shape[1], buf.shape[1])
                    buf[:, :usable] += wet[:, :usable]
                carry = buf[:, end - start :].copy()
                out = buf[:, : end - start] * _MASTER
                if end > fade_from:
                    ramp = np.clip((self.frames - np.arange(start, end)) / max(1, self.frames - fade_from), 0, 1)
                    out *= ramp
                if self.limit:
                    out = soft_limit(out)
                yield np.ascontiguousarray(out.T, dtype=np.float32)

    def _add(
        self,
        buf: np.ndarray,
        send: np.ndarray,
        note: Note,
        origin: int,
        kit: dict[str, np.ndarray],
        cache: NoteCache,
        rng: np.random.Generator,
    ) -> int:
        """Mix one note into the bar buffer (and the reverb send); return where its send ends (0: none)."""
        sr = self.sample_rate
        offset = frame_at(self.plan, note.start, sr) - origin
        if note.stem == "drums":
            sound = kit[note.voice]
        else:
            n = max(16, frame_at(self.plan, note.dur, sr))
            if note.stem == "vocals":
                sound = sing(note.pitch, n, sr, note.vowel, note.consonant, rng)
            else:
                sound = cache.get(note.voice, note.pitch, n)
        length = min(len(sound), buf.shape[1] - offset)
        if length <= 0:
            return 0
        left = note.vel * np.sqrt(0.5 * (1.0 - note.pan))  # constant-power pan
        right = note.vel * np.sqrt(0.5 * (1.0 + note.pan))
        buf[0, offset : offset + length] += left * sound[:length]
        buf[1, offset : offset + length] += right * sound[:length]
        amount = _DRUM_SEND.get(note.voice, 0.0) if note.stem == "drums" else _SEND.get(note.stem, 0.0)
        if not amount:
            return 0
        mono = (amount * note.vel) * sound[:length]
        send[0, offset : offset + length] += mono
        send[1, offset : offset + length] += mono
        return offset + length


def render_array(
    plan: SongPlan, sample_rate: int, stems: Iterable[str] | None = None, limit: bool = True
) -> np.ndarray:
    """The whole song (or chosen stems) as one (frames, 2) float32 array."""
    renderer = SongRenderer(plan, sample_rate, stems, limit)
    out = np.empty((renderer.frames, 2), dtype=np.float32)
    pos = 0
    for block in renderer.blocks():
        out[pos : pos + len(block)] = block
        pos += len(block)
    return out
