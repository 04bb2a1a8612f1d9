"""Reference analysis for covers: tempo from onset autocorrelation, energy sections, placeholder lyrics."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

ENVELOPE_RATE = 200.0  # onset-envelope frames per second (5 ms lag resolution before refinement)
MIN_BPM, MAX_BPM = 60.0, 200.0
_SILENCE_DB = -50.0
_CHANGE_DB = 1.5
_FASTER = 0.9  # a section boundary is an energy step of at least this much
_TAGS = {
    "intro": "Intro",
    "verse": "Verse",
    "chorus": "Chorus",
    "bridge": "Bridge",
    "outro": "Outro",
    "inst": "Inst",
    "silence": "Break",
}
_SUNG = ("verse", "chorus", "bridge")
MAX_COVER_LYRICS = 1000


@dataclass(frozen=True)
class Segment:
    """A stretch of the reference with one energy level."""

    start: float
    end: float
    label: str


@dataclass(frozen=True)
class ReferenceAnalysis:
    """What the demo engine hears in a reference track."""

    duration_s: float
    tempo_bpm: float
    downbeat_s: float  # time of a downbeat (may be slightly negative)
    segments: tuple[Segment, ...]
    cover_feature_id: str

    @property
    def bar_s(self) -> float:
        """Seconds per 4-beat bar at the detected tempo."""
        return 240.0 / self.tempo_bpm

    def structure_result(self) -> str:
        """The segments as the API's structure_result JSON string."""
        segments = [{"start": round(s.start, 2), "end": round(s.end, 2), "label": s.label} for s in self.segments]
        return json.dumps({"num_segments": len(segments), "segments": segments})

    def placeholder_lyrics(self) -> str:
        """Tagged lyrics with one section per segment and clearly marked placeholder lines."""
        return placeholder_lyrics(self.segments, self.bar_s)


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Fold any (frames,) or (frames, channels) array to float64 mono."""
    data = np.asarray(samples, dtype=np.float64)
    return data.mean(axis=1) if data.ndim == 2 else data


def onset_envelope(mono: np.ndarray, sample_rate: int) -> np.ndarray:
    """Onset strength: positive log-spectral flux at ENVELOPE_RATE frames per second."""
    q = max(1, sample_rate // 16000)  # decimate to 16–22 kHz: the bands used stop at 8 kHz
    usable = len(mono) // q * q
    x = mono[:usable].reshape(-1, q).mean(axis=1) if q > 1 else mono
    sr = sample_rate / q
    hop = sr / ENVELOPE_RATE
    n_fft = 512
    peak = np.max(np.abs(x)) if len(x) else 0.0
    x = np.concatenate([np.zeros(n_fft // 2), x / (peak or 1.0), np.zeros(n_fft)])
    count = max(1, int((len(x) - n_fft) / hop))
    window = np.hanning(n_fft).astype(np.float32)
    # Pool FFT bins into log-spaced bands so broadband hi-hat noise (most linear bins) does not
    # outweigh kicks, bass and chord changes in the flux.
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    edges = np.geomspace(40.0, min(8000.0, sr / 2), 37)
    band = np.clip(np.searchsorted(edges, freqs) - 1, -1, len(edges) - 2)
    used = band >= 0
    pool = np.zeros((int(used.sum()), len(edges) - 1), dtype=np.float32)
    pool[np.arange(len(pool)), band[used]] = 1.0
    flux = np.zeros(count)
    previous = None
    for first in range(0, count, 4096):  # chunked so a 6-minute track needs little memory
        starts = np.round(np.arange(first, min(count, first + 4096)) * hop).astype(np.int64)
        frames = x[starts[:, None] + np.arange(n_fft)].astype(np.float32) * window
        mag = np.log1p(100.0 * (np.abs(np.fft.rfft(frames, axis=1))[:, used] @ pool))
        stacked = np.vstack([mag[:1] if previous is None else previous, mag])
        flux[first : first + len(mag)] = np.maximum(0.0, np.diff(stacked, axis=0)).sum(axis=1)
        previous = mag[-1:]
    # Remove the slowly varying part so sustained loud passages do not look like onsets.
    width = int(ENVELOPE_RATE * 0.4)
    local = np.convolve(flux, np.ones(width) / width, mode="same")
    return np.maximum(0.0, flux - local)


def _autocorrelation(env: np.ndarray) -> np.ndarray:
    x = env - env.mean()
    size = 1 << int(np.ceil(np.log2(2 * len(x) + 1)))
    spec = np.fft.rfft(x, size)
    ac = np.fft.irfft(spec * np.conj(spec), size)[: len(x)]
    ac /= np.arange(len(x), 0, -1)  # unbiased: long lags are not penalised for having fewer products
    return ac / (ac[0] or 1.0)


def _strength(ac: np.ndarray, bpm: float) -> float:
    lag = 60.0 * ENVELOPE_RATE / bpm
    lo, hi = int(lag * 0.97), int(np.ceil(lag * 1.03)) + 1
    return float(ac[lo:hi].max()) if hi <= len(ac) else 0.0


def estimate_tempo(mono: np.ndarray, sample_rate: int) -> tuple[float, float]:
    """(tempo in BPM within 60–200, a downbeat time in seconds) from onset-envelope autocorrelation."""
    env = onset_envelope(mono, sample_rate)
    if len(env) < ENVELOPE_RATE * 3 or not env.any():
        return 100.0, 0.0
    ac = _autocorrelation(env)
    bpms = np.arange(MIN_BPM, MAX_BPM + 0.05, 0.1)
    lags = 60.0 * ENVELOPE_RATE / bpms
    # Comb over beat multiples (a true beat has peaks at every multiple, a doubled tempo misses half
    # of them), then a broad preference for moderate tempi to settle half/double ambiguity.
    score = sum(np.interp(k * lags, np.arange(len(ac)), ac, right=0.0) / k for k in (1, 2, 3, 4))
    prior = np.exp(-0.5 * (np.log2(bpms / 110.0) / 1.2) ** 2)
    tempo = float(bpms[int(np.argmax(score * prior))])
    # The comb leans towards slow tempi (bar-level repetition is strongest). Prefer the faster of two
    # octave-related levels when its own periodicity is nearly as strong as the slower one's.
    if 2 * tempo <= MAX_BPM and _strength(ac, 2 * tempo) >= _FASTER * _strength(ac, tempo):
        tempo *= 2
    elif tempo / 2 >= MIN_BPM and _strength(ac, tempo) < _FASTER * _strength(ac, tempo / 2):
        tempo /= 2
    lag = 60.0 * ENVELOPE_RATE / tempo
    # Refine on the peaks at many multiples of the lag: the slope through them is far more precise.
    ks, peaks = [], []
    for k in range(1, 33):
        centre = k * lag
        lo, hi = int(centre - 0.1 * lag), int(centre + 0.1 * lag) + 1
        if hi + 1 >= len(ac) or centre > 12 * ENVELOPE_RATE:
            break
        i = lo + int(np.argmax(ac[lo:hi]))
        a, b, c = ac[i - 1], ac[i], ac[i + 1]
        denom = a - 2 * b + c
        peaks.append(i + (0.5 * (a - c) / denom if denom < 0 else 0.0))
        ks.append(k)
    if ks:
        k_arr, p_arr = np.array(ks, float), np.array(peaks)
        lag = float(np.sum(k_arr * p_arr) / np.sum(k_arr**2))
    tempo = float(np.clip(60.0 * ENVELOPE_RATE / lag, MIN_BPM, MAX_BPM))
    # Beat phase: the offset whose beat grid collects the most onset strength; then the downbeat is
    # the one of four beats with the strongest onsets (kick, chord change, crash on the one).
    beat = 60.0 * ENVELOPE_RATE / tempo
    grid = np.arange(0, len(env) - 4 * beat, 4 * beat)

    def collected(offset: float) -> float:
        return float(env[np.round(grid + offset).astype(int).clip(0, len(env) - 1)].sum())

    phase = max(range(int(beat)), key=lambda p: sum(collected(p + j * beat) for j in range(4)))
    downbeat = max((phase + j * beat for j in range(4)), key=collected)
    if downbeat > 4 * beat - beat / 2:
        downbeat -= 4 * beat  # an onset just before a grid line is a slightly early downbeat
    return tempo, downbeat / ENVELOPE_RATE


def bar_grid(duration: float, bar_s: float, downbeat: float) -> np.ndarray:
    """Bar edges from 0 to duration; a pickup or tail shorter than half a bar joins its neighbour."""
    first = downbeat % bar_s
    edges = np.arange(first if first >= 0.5 * bar_s else first + bar_s, duration, bar_s)
    edges = np.concatenate(([0.0], edges, [duration]))
    if len(edges) > 2 and duration - edges[-2] < 0.5 * bar_s:
        edges = np.delete(edges, -2)
    return edges


def energy_segments(mono: np.ndarray, sample_rate: int, tempo: float, downbeat: float) -> list[Segment]:
    """Sections where the bar loudness changes markedly, on bar lines, labelled by relative energy."""
    grid = bar_grid(len(mono) / sample_rate, 240.0 / tempo, downbeat)
    idx = np.round(grid * sample_rate).astype(int)
    db = np.array([10 * np.log10(np.mean(mono[a:b] ** 2) + 1e-12) for a, b in zip(idx[:-1], idx[1:], strict=True)])
    # Level step at each bar line: the next two bars against the previous two.
    steps = np.array([db[i : i + 2].mean() - db[max(0, i - 2) : i].mean() if i else 0.0 for i in range(len(db))])
    silent = db < _SILENCE_DB
    cuts = []
    for i in range(1, len(db) - 1):  # never cut off the final (faded) bar on its own
        local = np.abs(steps[max(1, i - 2) : i + 3])  # only the peak of a step counts
        if silent[i] != silent[i - 1] or (abs(steps[i]) >= _CHANGE_DB and abs(steps[i]) >= local.max()):
            cuts.append(i)
    bounds = [0, *cuts, len(db)]
    levels = [float(db[a:b].mean()) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    segments: list[Segment] = []
    for (a, b), label in zip(zip(bounds[:-1], bounds[1:], strict=True), _label(levels), strict=True):
        if segments and segments[-1].label == label:
            segments[-1] = Segment(segments[-1].start, float(grid[b]), label)
        else:
            segments.append(Segment(float(grid[a]), float(grid[b]), label))
    return segments


def _label(levels: list[float]) -> list[str]:
    if len(levels) == 1:
        return ["silence" if levels[0] < _SILENCE_DB else "verse"]
    loud = max(levels)
    labels = []
    choruses = 0
    for i, level in enumerate(levels):
        if level < _SILENCE_DB:
            labels.append("silence")
        elif level >= loud - 1.5:
            labels.append("chorus")
            choruses += 1
        elif i == 0 and level < levels[1]:
            labels.append("intro")
        elif i == len(levels) - 1 and level < levels[-2]:
            labels.append("outro")
        elif choruses >= 2 and i < len(levels) - 1:
            labels.append("bridge")  # a quieter part after the second chorus
        else:
            labels.append("verse")
    return labels


def placeholder_lyrics(segments: tuple[Segment, ...] | list[Segment], bar_s: float) -> str:
    """One tagged section per segment; sung sections get placeholder lines (one per 2 bars, max 8)."""
    if not segments:
        return "[Verse]\n(placeholder: write your lyrics here)"
    counts = []
    for seg in segments:
        bars = max(1, int(round((seg.end - seg.start) / bar_s)))
        counts.append(min(8, max(1, bars // 2)) if seg.label in _SUNG else 0)
    if not any(counts) and segments:
        longest = max(range(len(segments)), key=lambda i: segments[i].end - segments[i].start)
        counts[longest] = 1  # always leave the user somewhere to write
    styles = (
        "(placeholder: no speech recognition offline — write {label} line {n} here)",
        "(placeholder {label} line {n})",
        "(placeholder {n})",
    )
    for cap in (8, 4, 2, 1):
        for style in styles:
            blocks = []
            for seg, count in zip(segments, counts, strict=True):
                lines = [style.format(label=seg.label, n=n + 1) for n in range(min(count, cap))]
                blocks.append("\n".join([f"[{_TAGS[seg.label]}]", *lines]))
            text = "\n\n".join(blocks)
            if len(text) <= MAX_COVER_LYRICS:
                return text
    return text[:MAX_COVER_LYRICS].rsplit("\n", 1)[0]


def analyse_reference(samples: np.ndarray, sample_rate: int, raw_bytes: bytes) -> ReferenceAnalysis:
    """Duration, tempo, energy sections and the md5 feature id of a reference track."""
    mono = to_mono(samples)
    if not len(mono):
        raise ValueError("reference audio is empty")
    tempo, downbeat = estimate_tempo(mono, sample_rate)
    return ReferenceAnalysis(
        duration_s=len(mono) / sample_rate,
        tempo_bpm=round(tempo, 2),
        downbeat_s=downbeat,
        segments=tuple(energy_segments(mono, sample_rate, tempo, downbeat)),
        cover_feature_id=hashlib.md5(raw_bytes).hexdigest(),
    )
