"""Offline demo engine: properties measured on the rendered audio (tempo, mode, voice, length, covers)."""

from __future__ import annotations

import hashlib
import io
import json

import numpy as np
import pytest
import soundfile as sf

from musicgen.demo import DemoRenderer, Rendering, estimate_tempo
from musicgen.demo.analysis import Segment, placeholder_lyrics, to_mono
from musicgen.demo.lyrics_text import TAGS, normalise_tag

SR = 16000
LYRICS = """[Verse]
the city sleeps beneath a silver moon
I hear your footsteps in the hall
[Chorus]
we are alive tonight
we are alive
[Verse 2]
the river runs and carries all my words
I hold the light you left behind
[Chorus]
we are alive tonight
we are alive"""


def payload(prompt: str, lyrics: str = LYRICS, sr: int = SR, **extra: object) -> dict:
    return {"model": "music-2.5", "prompt": prompt, "lyrics": lyrics, "audio_setting": {"sample_rate": sr}, **extra}


def render(renderer: DemoRenderer, body: dict, reference: bytes | None = None) -> tuple[Rendering, np.ndarray]:
    rendering = renderer.music(body, reference)
    blocks = list(rendering.blocks)
    for block in blocks:
        assert block.dtype == np.float32 and block.ndim == 2 and block.shape[1] == 2
    return rendering, np.concatenate(blocks)


def third_ratio(audio: np.ndarray, sr: int, root_pc: int) -> float:
    """Energy at the minor third above the root divided by energy at the major third (200–1500 Hz)."""
    mono = to_mono(audio)
    n = 4096
    frames = mono[: len(mono) // n * n].reshape(-1, n) * np.hanning(n)
    power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    band = (freqs > 200) & (freqs < 1500)
    pitch_class = np.round(12 * np.log2(freqs[band] / 440.0) + 69).astype(int) % 12
    chroma = np.bincount(pitch_class, weights=power[band], minlength=12)
    return float(chroma[(root_pc + 3) % 12] / chroma[(root_pc + 4) % 12])


def formant_band_share(audio: np.ndarray, sr: int) -> float:
    """Share of spectral energy between 300 and 3000 Hz, where a singing voice's formants sit."""
    mono = to_mono(audio)
    n = 2048
    frames = mono[: len(mono) // n * n].reshape(-1, n) * np.hanning(n)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    return float(power[:, (freqs > 300) & (freqs < 3000)].sum() / power.sum())


def wav_bytes(audio: np.ndarray, sr: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, sr, format="WAV", subtype="PCM_16")
    return buf.getvalue()


@pytest.fixture(scope="module")
def renderer() -> DemoRenderer:
    return DemoRenderer()


@pytest.mark.parametrize("bpm", [84, 128])
def test_tempo_of_audio_follows_prompt_bpm(renderer: DemoRenderer, bpm: int) -> None:
    rendering, audio = render(renderer, payload(f"catchy pop song, {bpm} BPM, piano"))
    assert rendering.plan.tempo_bpm == bpm
    tempo, _ = estimate_tempo(to_mono(audio), SR)
    assert abs(tempo - bpm) <= 3


def test_genre_sets_typical_tempo(renderer: DemoRenderer) -> None:
    expected = {"slow piano ballad": 70, "deep house": 124, "dark trap": 140, "a song": 100, "lo-fi hip hop": 85}
    for prompt, bpm in expected.items():
        assert renderer.plan(payload(prompt)).tempo_bpm == bpm, prompt
    assert renderer.plan(payload("120BPM ballad")).tempo_bpm == 120  # an explicit tempo wins
    _, audio = render(renderer, payload("deep house"))
    assert abs(estimate_tempo(to_mono(audio), SR)[0] - 124) <= 3


def test_frames_match_plan_and_lyrics_length(renderer: DemoRenderer) -> None:
    rendering, audio = render(renderer, payload("pop"))
    plan = rendering.plan
    expected = sum(s.bars for s in plan.sections) * plan.beats_per_bar * 60.0 / plan.tempo_bpm * SR
    assert len(audio) == rendering.frames
    assert abs(rendering.frames - expected) <= 1
    assert [s.kind for s in plan.sections] == ["verse", "chorus", "verse", "chorus"]
    longer = renderer.music(payload("pop", LYRICS + "\n[Bridge]\none more line\nand another\nand a third"))
    assert longer.frames > rendering.frames


def test_length_capped_at_six_minutes_with_outro(renderer: DemoRenderer) -> None:
    huge = "\n".join(f"[Verse {i}]\n" + "\n".join(["la la la the night is young"] * 8) for i in range(40))
    rendering = renderer.music(payload("pop", huge))
    assert rendering.frames <= 360 * SR
    assert rendering.frames > 300 * SR
    assert rendering.plan.sections[-1].kind == "outro"
    first = next(rendering.blocks)
    assert first.shape[1] == 2


def test_short_song_is_at_least_ten_seconds(renderer: DemoRenderer) -> None:
    rendering = renderer.music(payload("drum and bass", "[Verse]\nhi"))
    assert rendering.frames >= 10 * SR


def test_sample_rate_honoured(renderer: DemoRenderer) -> None:
    low, audio_low = render(renderer, payload("folk", "[Verse]\nhello there\n[Chorus]\nsing along", sr=16000))
    high, audio_high = render(renderer, payload("folk", "[Verse]\nhello there\n[Chorus]\nsing along", sr=44100))
    assert low.plan.duration_s == high.plan.duration_s
    assert len(audio_low) == round(low.plan.duration_s * 16000)
    assert len(audio_high) == round(high.plan.duration_s * 44100)
    with pytest.raises(ValueError):
        renderer.music(payload("folk", sr=22050))


def test_output_has_headroom(renderer: DemoRenderer) -> None:
    _, audio = render(renderer, payload("loud energetic edm festival anthem", sr=24000))
    assert np.abs(audio).max() <= 0.9
    assert np.sqrt(np.mean(audio**2)) > 0.05


def test_sad_prompt_sounds_minor_and_happy_prompt_major(renderer: DemoRenderer) -> None:
    sad, sad_audio = render(renderer, payload("sad lonely piano ballad about heartbreak"))
    happy, happy_audio = render(renderer, payload("happy sunny upbeat pop"))
    assert sad.plan.mode == "minor" and happy.plan.mode == "major"
    assert third_ratio(sad_audio, SR, sad.plan.root_pc) > 3.0
    assert third_ratio(happy_audio, SR, happy.plan.root_pc) < 1 / 3.0
    # The chord layer alone, for instrumentals of other genres too.
    dark = payload("melancholic dark rock", is_instrumental=True)
    bright = payload("upbeat country", is_instrumental=True)
    assert third_ratio(renderer.stems(dark, ["chords"]), SR, renderer.plan(dark).root_pc) > 3.0
    assert third_ratio(renderer.stems(bright, ["chords"]), SR, renderer.plan(bright).root_pc) < 1 / 3.0


def test_instrumental_has_no_lead_voice(renderer: DemoRenderer) -> None:
    sung = payload("happy sunny pop")
    instrumental = payload("happy sunny pop", is_instrumental=True)
    _, sung_audio = render(renderer, sung)
    inst_rendering, inst_audio = render(renderer, instrumental)
    assert not inst_rendering.plan.has_vocals
    # Same sections, same arrangement: only the voice adds formant-band energy.
    assert len(sung_audio) == len(inst_audio)
    assert formant_band_share(sung_audio, SR) > 1.5 * formant_band_share(inst_audio, SR)
    assert np.abs(renderer.stems(instrumental, ["vocals"])).max() == 0.0
    assert np.sqrt(np.mean(renderer.stems(sung, ["vocals"]) ** 2)) > 0.02


def test_chorus_louder_than_verse_and_intro(renderer: DemoRenderer) -> None:
    lyrics = "[Intro]\n[Verse]\nline one here\nline two here\n[Chorus]\nsing it loud\nsing it now\n[Outro]"
    rendering, audio = render(renderer, payload("rock", lyrics))
    rms = {}
    for s in rendering.plan.sections:
        part = audio[int(s.start_s * SR) : int(s.end_s * SR)]
        rms[s.kind] = float(np.sqrt(np.mean(part**2)))
    assert [s.kind for s in rendering.plan.sections] == ["intro", "verse", "chorus", "outro"]
    assert rms["chorus"] > 1.2 * rms["verse"] > 1.2 * rms["intro"]


def test_lyrics_optimizer_writes_and_sings(renderer: DemoRenderer) -> None:
    plan = renderer.plan(payload("summer road trip with friends", lyrics="", lyrics_optimizer=True))
    assert plan.has_vocals and sum(len(s.lines) for s in plan.sections) >= 8
    assert not renderer.plan(payload("summer road trip", lyrics="")).has_vocals


def test_same_request_same_bytes_and_any_change_differs(renderer: DemoRenderer) -> None:
    base = payload("warm jazz", "[Verse]\nsoft rain\n[Chorus]\nstay with me")
    _, first = render(renderer, base)
    _, again = render(renderer, dict(base))
    assert first.tobytes() == again.tobytes()
    for change in (
        {"prompt": "warm jazz trio"},
        {"model": "music-2.5+"},
        {"lyrics": "[Verse]\nsoft rain\n[Chorus]\nstay"},
    ):
        _, other = render(renderer, {**base, **change})
        assert first.shape != other.shape or not np.array_equal(first, other), change


def test_cover_keeps_reference_tempo_and_length(renderer: DemoRenderer) -> None:
    lyrics = "[Intro]\n" + LYRICS + "\n[Outro]"
    _, reference_audio = render(renderer, payload("upbeat pop, 96 bpm", lyrics))
    reference = wav_bytes(reference_audio, SR)
    info = renderer.cover_preprocess(reference)
    assert info["cover_feature_id"] == hashlib.md5(reference).hexdigest()
    assert abs(info["audio_duration"] - len(reference_audio) / SR) < 0.01

    cover_body = payload("dark trap with 808 and synth pads", lyrics, model="music-cover")
    cover, cover_audio = render(renderer, cover_body, reference)
    bar = 4 * 60.0 / 96
    assert cover.plan.genre == "trap" and cover.plan.has_vocals
    assert abs(estimate_tempo(to_mono(cover_audio), SR)[0] - 96) <= 3
    assert abs(len(cover_audio) - len(reference_audio)) / SR <= bar
    # Same segment boundaries in time (within a bar).
    structure = json.loads(info["structure_result"])
    cover_edges = np.cumsum([s.duration_s for s in cover.plan.sections])
    for segment in structure["segments"]:
        assert np.min(np.abs(cover_edges - segment["end"])) <= bar
    # The feature id alone is enough once preprocessed.
    by_id = renderer.music({**cover_body, "cover_feature_id": info["cover_feature_id"]})
    assert by_id.frames == cover.frames
    with pytest.raises(ValueError):
        DemoRenderer().music({**cover_body, "cover_feature_id": "0" * 32})


def test_cover_preprocess_structure_and_placeholders(renderer: DemoRenderer) -> None:
    lyrics = "[Intro]\n[Verse]\na\nb\nc\n[Chorus]\nd\ne\nf\n[Verse]\ng\nh\ni\n[Chorus]\nj\nk\nl\n[Outro]"
    _, audio = render(renderer, payload("rock, 120 bpm", lyrics))
    reference = wav_bytes(audio, SR)
    info = renderer.cover_preprocess(reference)
    assert set(info) == {"cover_feature_id", "formatted_lyrics", "structure_result", "audio_duration"}
    assert len(info["cover_feature_id"]) == 32
    structure = json.loads(info["structure_result"])
    segments = structure["segments"]
    assert structure["num_segments"] == len(segments) >= 3
    assert segments[0]["start"] == 0 and abs(segments[-1]["end"] - info["audio_duration"]) < 0.05
    for before, after in zip(segments, segments[1:], strict=False):
        assert before["end"] == after["start"]
    labels = {s["label"] for s in segments}
    assert labels <= {"intro", "verse", "chorus", "bridge", "outro", "inst", "silence"}
    assert "chorus" in labels and segments[0]["label"] == "intro" and segments[-1]["label"] == "outro"
    text = info["formatted_lyrics"]
    assert 10 <= len(text) <= 1000 and "placeholder" in text
    tags = [line[1:-1] for line in text.splitlines() if line.startswith("[")]
    assert len(tags) == len(segments)
    assert all(tag in TAGS.values() and normalise_tag(tag) for tag in tags)


def test_placeholder_lyrics_stay_within_cover_limit() -> None:
    segments = [Segment(i * 20.0, (i + 1) * 20.0, "verse" if i % 2 else "chorus") for i in range(30)]
    text = placeholder_lyrics(segments, 2.0)
    assert 10 <= len(text) <= 1000
    assert text.count("[") == 30
    single = placeholder_lyrics([Segment(0.0, 12.0, "intro")], 2.0)
    assert 10 <= len(single) <= 1000
